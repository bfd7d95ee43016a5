import { describe, expect, it } from 'vitest';
import { TeardownStack } from '../../../src/contract/teardown.js';

describe('the teardown stack', () => {
  it('undoes in reverse order, each once, and keeps going past a failing undo', async () => {
    const stack = new TeardownStack();
    const done: string[] = [];
    stack.push('redis', () => void done.push('redis'));
    stack.push('fault', () => {
      done.push('fault');
      throw new Error('revert failed');
    });
    stack.push('gateway', async () => void done.push('gateway'));
    const errors = await stack.unwind();
    expect(done).toEqual(['gateway', 'fault', 'redis']);
    expect(errors.map((e) => e.message)).toEqual(['teardown "fault" failed: revert failed']);
    expect(await stack.unwind()).toEqual([]);
    expect(done).toHaveLength(3);
  });

  it('an undo run early (a fault that ends on time) is not run again at unwind', async () => {
    const stack = new TeardownStack();
    let reverts = 0;
    const undo = stack.push('latency on triton', () => void reverts++);
    await undo();
    await undo();
    await stack.unwind();
    expect(reverts).toBe(1);
  });

  it('concurrent unwinds (a signal during teardown) share one pass', async () => {
    const stack = new TeardownStack();
    let runs = 0;
    stack.push('slow', () => new Promise<void>((r) => setTimeout(() => (runs++, r()), 20)));
    await Promise.all([stack.unwind(), stack.unwind()]);
    expect(runs).toBe(1);
  });
});
