import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledProfile } from '../../../../src/stack/common/profile-file.js';
import { loadVllmProfile } from '../../../../src/stack/generative/profile.js';
import { loadTritonProfile } from '../../../../src/stack/triton/profile.js';

const dir = mkdtempSync(join(tmpdir(), 'peakready-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulator profiles', () => {
  it('the shipped profiles load and cite their sources', () => {
    const triton = loadTritonProfile(join('src/stack/profiles', 'triton-a100-churn.json'));
    expect(triton).toMatchObject({ model: 'churn-deep', features: 20, maxBatchSize: 64 });
    expect(triton.sources.length).toBeGreaterThan(0);
    const vllm = loadVllmProfile(join('src/stack/profiles', 'vllm-a100-llama-8b.json'));
    expect(vllm.maxNumSeqs).toBeGreaterThan(0);
    expect(vllm.sources.join(' ')).toMatch(/https:\/\//);
    expect(bundledProfile('x.json')).toMatch(/profiles[/\\]x\.json$/);
  });

  it('name the file and the dotted field in errors, YAML included', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'model: m\nmax_model_len: 4096\nmax_tokens_limit: 9000\nsources: [x]\n');
    expect(() => loadVllmProfile(file)).toThrow(`${file}: max_tokens_limit: expected an integer >= 1 <= 4096, got 9000`);
    const t = join(dir, 'triton.json');
    writeFileSync(t, JSON.stringify({ max_batch_size: 8, dynamic_batching: { preferred_batch_size: [4, 16], default_queue_policy: { max_queue_size: 1 } }, latency: { overhead_us: 1, per_item_us: 1 }, sources: ['x'] }));
    expect(() => loadTritonProfile(t)).toThrow('dynamic_batching.preferred_batch_size.1: expected <= max_batch_size 8, got 16');
    const nosrc = join(dir, 'nosrc.json');
    writeFileSync(nosrc, JSON.stringify({ max_batch_size: 8, dynamic_batching: { default_queue_policy: { max_queue_size: 1 } }, latency: { overhead_us: 1, per_item_us: 1 } }));
    expect(() => loadTritonProfile(nosrc)).toThrow(/sources: expected a non-empty array/);
  });
});
