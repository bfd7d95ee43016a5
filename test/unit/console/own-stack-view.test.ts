/**
 * The console of a team's own stack names how its answers are classified (the fallback and
 * cache fields the load engine reads), and its live points carry the cache hit share those
 * answers report next to the fallback share.
 */
import { describe, expect, it } from 'vitest';
import { describeClassifier } from '../../../src/console/classifier-label.js';
import { livePoint } from '../../../src/console/live-samples.js';
import type { LiveSecond } from '../../../src/load/live.js';
import { CONSOLE_PAGE } from '../../../src/console/console-page.js';

const endpoint = (modelType: Record<string, number>, cache: Record<string, number>) => ({
  requests: 10,
  errors: 0,
  dropped: 0,
  status: { '200': 10 },
  errorKinds: {},
  modelType,
  modelVersion: {},
  cache,
  p50: 5,
  p99: 9,
});

describe("the console's view of an own stack", () => {
  it('describes the classifier: JSON fields, headers, a function, the reference headers', () => {
    expect(describeClassifier({ modelType: { json: 'model_type' }, fallbackValue: 'fallback', cache: { json: 'cached' } })).toEqual({ fallback: 'JSON model_type = "fallback"', cache: 'JSON cached' });
    expect(describeClassifier({ modelType: { header: 'x-served-by' }, fallbackValue: 'backup' })).toEqual({ fallback: 'header x-served-by = "backup"', cache: undefined });
    expect(describeClassifier(() => ({ modelType: 'fallback' }))).toEqual({ fallback: "the stack's classify function", cache: "the stack's classify function" });
    expect(describeClassifier(undefined)).toEqual({ fallback: 'header x-model-type = "fallback"', cache: 'header x-cache' });
  });

  it('counts the cache hit share among the answers that said hit or miss', () => {
    const s: LiveSecond = {
      t: 3, rate: 20, targetRate: 20, p50: 5, p99: 9, p99Ms: 9, requests: 20, errors: 0, dropped: 0, inFlight: 0,
      endpoints: { predict: endpoint({ primary: 6, fallback: 4 }, { hit: 3, miss: 5 }), batch: endpoint({ primary: 10 }, { miss: 2 }) },
    };
    const p = livePoint(s, 3);
    expect(p.fallbackShare).toBeCloseTo(4 / 20, 6);
    expect(p.cacheHitShare).toBeCloseTo(3 / 10, 6);
    expect(livePoint({ ...s, endpoints: { predict: endpoint({}, {}) } }, 3).cacheHitShare).toBeUndefined();
  });

  it("has the own stack's elements, hidden until the catalogue names a stack", () => {
    expect(CONSOLE_PAGE).toContain('<div id="own-view" hidden>');
    for (const id of ['gw-caption', 'gw-tiles', 'entry-note', 'stat-cache']) expect(CONSOLE_PAGE, id).toContain(`id="${id}"`);
    expect(CONSOLE_PAGE).toContain('[hidden]{display:none!important}');
  });
});
