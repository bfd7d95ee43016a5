import { describe, expect, it } from 'vitest';
import { CapacityError, Engine } from '../../../../src/stack/generative/engine.js';
import type { VllmProfile } from '../../../../src/stack/generative/profile.js';

const profile: VllmProfile = {
  file: 'test',
  model: 'm',
  maxModelLen: 4096,
  maxTokensLimit: 1024,
  defaultMaxTokens: 16,
  maxNumSeqs: 2,
  maxWaiting: 2,
  numGpuBlocks: 8,
  blockSize: 16,
  prefillTokensPerS: 1000,
  prefillOverheadMs: 10,
  decodeBaseMs: 10,
  decodePerSeqMs: 5,
  warmupMs: 0,
  charsPerToken: 4,
  sources: ['test'],
};

/** Runs one sequence; resolves with the emission times of its tokens (ms from `t0`). */
function run(engine: Engine, prompt: number, max: number, t0: number): Promise<number[]> {
  return new Promise((resolve) => {
    const times: number[] = [];
    engine.submit(prompt, max, {
      onToken: (_i, at) => times.push(at - t0),
      onFinish: () => resolve(times),
    });
  });
}

describe('generative Engine (continuous batching)', () => {
  it('emits max_tokens tokens: first after prefill, then one per decode step', async () => {
    const e = new Engine(profile);
    const t0 = performance.now();
    const times = await run(e, 50, 4, t0);
    expect(times).toHaveLength(4);
    expect(times[0]).toBeGreaterThanOrEqual(59); // 10 + 50 tokens at 1000/s
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(14); // 10 + 5 × 1 running
    expect(e.stats()).toMatchObject({ running: 0, waiting: 0, usedBlocks: 0 });
  });

  it('queues beyond max_num_seqs: a waiting request gets its first token later', async () => {
    const e = new Engine(profile);
    const t0 = performance.now();
    const [a, , c] = await Promise.all([run(e, 10, 3, t0), run(e, 10, 3, t0), run(e, 10, 3, t0)]);
    expect(c![0]!).toBeGreaterThan(a![2]!); // admitted only once a slot freed
  });

  it('holds back a sequence whose KV blocks do not fit, and refuses once the queue is full', () => {
    const e = new Engine(profile);
    const noop = { onToken() {}, onFinish() {} };
    e.submit(100, 28, noop); // 8 blocks: the whole cache
    e.submit(10, 6, noop); // waits for blocks
    expect(e.stats()).toMatchObject({ running: 1, waiting: 1, usedBlocks: 8 });
    e.submit(10, 6, noop);
    expect(() => e.submit(10, 6, noop)).toThrow(CapacityError);
    e.abortAll();
  });

  it('frees slot and blocks when a client cancels', async () => {
    const e = new Engine(profile);
    let reason = '';
    const cancel = e.submit(10, 100, { onToken() {}, onFinish: (r) => (reason = r) });
    await new Promise((r) => setTimeout(r, 40));
    cancel();
    await new Promise((r) => setTimeout(r, 40));
    expect(reason).toBe('abort');
    expect(e.stats()).toMatchObject({ running: 0, usedBlocks: 0 });
  });
});
