import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../src/stack/common/http-kit.js';
import { parseInferRequest } from '../../../../src/stack/common/kserve-v2.js';

const limits = { featureCount: 3, maxBatch: 4 };
const body = (shape: unknown, data: unknown) => ({ inputs: [{ name: 'input-0', shape, datatype: 'FP32', data }] });

function refusal(b: unknown): HttpError {
  try {
    parseInferRequest(b, limits);
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('expected a refusal');
}

describe('parseInferRequest', () => {
  it('accepts flat row-major and nested data alike', () => {
    expect(parseInferRequest(body([2, 3], [1, 2, 3, 4, 5, 6]), limits).rows).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(parseInferRequest({ id: 'a', ...body([2, 3], [[1, 2, 3], [4, 5, 6]]) }, limits)).toMatchObject({ id: 'a', rows: [[1, 2, 3], [4, 5, 6]] });
  });

  it('names the offending field in a 400 for each kind of bad input', () => {
    expect(refusal(body([1, 4], [1, 2, 3, 4]))).toMatchObject({ status: 400, code: 'wrong_feature_count' });
    expect(refusal(body([5, 3], Array(15).fill(0)))).toMatchObject({ status: 400, code: 'batch_too_large' });
    expect(refusal(body([1, 3], [1, 'NaN', 3])).message).toContain('inputs[0].data[1]');
    expect(refusal(body([1, 3], [1, null, 3])).message).toContain('got null');
    expect(refusal(body([2, 3], [1, 2, 3])).message).toContain('expected 6 values');
    expect(refusal(body([1], [1, 2, 3])).message).toContain('inputs[0].shape');
    expect(refusal({ inputs: 'x' }).message).toContain('inputs');
    expect(refusal([]).status).toBe(400);
  });
});
