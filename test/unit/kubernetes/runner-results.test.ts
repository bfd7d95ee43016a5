/**
 * Distributed load: the Indexed Job's shape, and merging runners' HDR histograms into
 * global percentiles (what one histogram of every sample would say).
 */
import { describe, expect, it } from 'vitest';
import { encodeHistogram, newHistogram } from '../../../src/load/histogram.js';
import { loadRunnerObjects, placementOf } from '../../../src/platforms/kubernetes/load-runners.js';
import { renderStack } from '../../../src/platforms/kubernetes/kubernetes-platform.js';
import { mergeRunnerResults, parseRunnerLog, RESULT_PREFIX, type RunnerResult } from '../../../src/platforms/kubernetes/runner-results.js';

/** Deterministic latencies (µs) with a different shape per runner: one runner sees the slow tail. */
function samples(runner: number, n: number): number[] {
  let x = 12345 + runner;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const base = 2_000 + (x % 30_000);
    return runner === 2 ? base * 20 : base;
  });
}

describe('mergeRunnerResults', () => {
  it('gives the percentiles of one histogram holding every runner\'s samples', () => {
    const all = newHistogram();
    const results: RunnerResult[] = [0, 1, 2, 3].map((index) => {
      const h = newHistogram();
      for (const v of samples(index, 5_000)) {
        h.recordValue(v);
        all.recordValue(v);
      }
      return { index, endpoints: { predict: { histogram: encodeHistogram(h), ok: 4_990, errors: 10, dropped: index } } };
    });
    const merged = mergeRunnerResults(results, 4).get('predict')!;
    expect(merged.histogram.totalCount).toBe(20_000);
    for (const p of [50, 90, 95, 99, 99.9, 100]) expect(merged.histogram.getValueAtPercentile(p)).toBe(all.getValueAtPercentile(p));
    expect([merged.ok, merged.errors, merged.dropped]).toEqual([19_960, 40, 6]);
    // Averaging per-runner p99s (what per-runner thresholds amount to) would be far off the global p99.
    const singleP99 = results.map((r) => mergeRunnerResults([{ ...r, index: 0 }], 1).get('predict')!.histogram.getValueAtPercentile(99));
    expect(Math.abs(singleP99.reduce((a, b) => a + b, 0) / 4 - all.getValueAtPercentile(99))).toBeGreaterThan(100_000);
  });

  it('keeps endpoints apart and adds an "all" total', () => {
    const h = (v: number) => {
      const x = newHistogram();
      x.recordValue(v);
      return encodeHistogram(x);
    };
    const merged = mergeRunnerResults([
      { index: 0, endpoints: { predict: { histogram: h(1000), ok: 1, errors: 0, dropped: 0 }, batch: { histogram: h(9000), ok: 1, errors: 0, dropped: 0 } } },
      { index: 1, endpoints: { predict: { histogram: h(3000), ok: 1, errors: 1, dropped: 0 } } },
    ]);
    expect([...merged.keys()].sort()).toEqual(['all', 'batch', 'predict']);
    expect(merged.get('predict')!.histogram.totalCount).toBe(2);
    expect(merged.get('all')!.histogram.totalCount).toBe(3);
    expect(merged.get('all')!.errors).toBe(1);
  });

  it('refuses a result with a runner missing, since it would under-count', () => {
    expect(() => mergeRunnerResults([{ index: 0, endpoints: {} }, { index: 2, endpoints: {} }], 3)).toThrow('load runners 1 reported nothing');
  });
});

describe('parseRunnerLog', () => {
  it('reads the last result line of a runner log and names the pod when there is none', () => {
    const log = `starting\n${RESULT_PREFIX}{"index":1,"endpoints":{}}\nbye\n`;
    expect(parseRunnerLog(log, 'pod r-1')).toEqual({ index: 1, endpoints: {} });
    expect(() => parseRunnerLog('crashed\n', 'pod r-2')).toThrow('pod r-2: no PEAKREADY_RUNNER_RESULT line');
  });
});

describe('loadRunnerObjects', () => {
  it('runs N indexed runners once each, with the run label, the scenario bundle and a deadline', () => {
    const [cm, job] = loadRunnerObjects({ runId: 'Run 7', namespace: 'peakready', runners: 3, image: 'peakready/stack:dev', scenarioBundle: 'export default 1', durationMs: 120_000, seed: 42 });
    const spec = job!.spec as any;
    expect(job!.metadata.labels!['peakready.io/run-id']).toBe('run-7');
    expect([spec.completionMode, spec.completions, spec.parallelism, spec.backoffLimit, spec.activeDeadlineSeconds]).toEqual(['Indexed', 3, 3, 0, 420]);
    const args: string[] = spec.template.spec.containers[0].args;
    expect(args.slice(args.indexOf('--runners'), args.indexOf('--runners') + 4)).toEqual(['--runners', '3', '--runner-index', '$(JOB_COMPLETION_INDEX)']);
    expect(args).toContain('http://gateway.peakready.svc:8080');
    expect((cm as any).data['scenario.mjs']).toBe('export default 1');
    expect(() => loadRunnerObjects({ runId: 'r', namespace: 'n', runners: 0, image: 'i', scenarioBundle: '', durationMs: 1, seed: 1 })).toThrow(/1\.\.100/);
    // The reference stack's runners classify by its gateway's headers: no --classify.
    expect(args).not.toContain('--classify');
  });

  it("sends a team's stack's traffic to its entry Service and classifies its answers by the stack file's fields", () => {
    const classify = { modelType: { json: 'model_type' }, cache: { json: 'cached' } };
    const [, job] = loadRunnerObjects({ runId: 'r', namespace: 'shop', runners: 2, image: 'registry.example.com/peakready:1.0', scenarioBundle: '', durationMs: 1000, seed: 1, target: 'http://app.shop.svc:8080', classify });
    const c = (job!.spec as any).template.spec.containers[0];
    expect(c.image).toBe('registry.example.com/peakready:1.0');
    expect(c.args.slice(c.args.indexOf('--target'), c.args.indexOf('--target') + 2)).toEqual(['--target', 'http://app.shop.svc:8080']);
    expect(JSON.parse(c.args[c.args.indexOf('--classify') + 1])).toEqual(classify);
  });

  it("runs the runner pods where the gateway's pods run: its node selector, tolerations and image pull policy", () => {
    const objects = renderStack({ overlay: 'test/k8s-node/overlay', namespace: 'p' });
    const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway');
    const [, job] = loadRunnerObjects({ runId: 'r', namespace: 'p', runners: 2, image: 'peakready.local/stack:test', placement: placementOf(gateway), scenarioBundle: '', durationMs: 1000, seed: 1 });
    const pod = (job!.spec as any).template.spec;
    expect(pod.nodeSelector).toEqual({ 'peakready.io/real-node': 'true' });
    expect(pod.tolerations).toEqual([{ key: 'peakready.io/real-node', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(pod.containers[0].imagePullPolicy).toBe('Never');
    // The kind overlay places nothing: the runners go wherever the scheduler puts them.
    const kind = renderStack({ overlay: 'kind', namespace: 'p' }).find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway');
    const [, plain] = loadRunnerObjects({ runId: 'r', namespace: 'p', runners: 2, image: 'peakready/stack:dev', placement: placementOf(kind), scenarioBundle: '', durationMs: 1000, seed: 1 });
    expect(Object.keys((plain!.spec as any).template.spec)).not.toEqual(expect.arrayContaining(['nodeSelector']));
    expect((plain!.spec as any).template.spec.tolerations).toBeUndefined();
  });
});
