import { describe, expect, it } from 'vitest';
import { inferBody, readClassifier, readDeep } from '../../../../src/stack/gateway/kserve-codec.js';
import { UpstreamFailure } from '../../../../src/stack/gateway/upstream.js';

describe('KServe v2 codec', () => {
  it('builds a row-major [N,width] FP32 infer request, truncating to width', () => {
    const body = JSON.parse(inferBody([[1, 2, 3], [4, 5, 6]], 2));
    expect(body).toEqual({ inputs: [{ name: 'input-0', shape: [2, 2], datatype: 'FP32', data: [1, 2, 4, 5] }] });
    expect(JSON.parse(inferBody([[0.5, -1e-7]], 2)).inputs[0].data).toEqual([0.5, -1e-7]);
  });

  it('reads predict and predict_proba (flat or nested) of a classifier answer', () => {
    const flat = { model_name: 'churn', model_version: 'v1', outputs: [
      { name: 'predict', shape: [2], datatype: 'INT64', data: [0, 1] },
      { name: 'predict_proba', shape: [2, 2], datatype: 'FP32', data: [0.9, 0.1, 0.2, 0.8] },
    ] };
    expect(readClassifier(JSON.stringify(flat), 2)).toEqual({ version: 'v1', predictions: [0, 1], probabilities: [[0.9, 0.1], [0.2, 0.8]] });
    const nested = { ...flat, outputs: [{ name: 'predict_proba', data: [[0.3, 0.7]] }] };
    expect(readClassifier(JSON.stringify(nested), 1).predictions).toEqual([1]);
  });

  it('reads Triton probabilities and explanation', () => {
    const ans = { model_version: '1', outputs: [
      { name: 'probabilities', data: [0.4, 0.6] },
      { name: 'explanation', data: Array.from({ length: 20 }, (_, i) => i / 100) },
    ] };
    const d = readDeep(JSON.stringify(ans), 1);
    expect(d.probabilities).toEqual([[0.4, 0.6]]);
    expect(d.explanation[0]).toHaveLength(20);
  });

  it('treats malformed or mis-shaped answers as upstream failures', () => {
    expect(() => readClassifier('not json', 1)).toThrow(UpstreamFailure);
    expect(() => readClassifier('{"outputs":[]}', 1)).toThrow(UpstreamFailure);
    expect(() => readClassifier('{"outputs":[{"name":"predict_proba","data":[0.5]}]}', 1)).toThrow(/expected 2 numbers/);
  });
});
