import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../src/stack/common/http-kit.js';
import { parseBatch, parseDetailed, parseGenerate, parsePredict } from '../../../../src/stack/gateway/route-input.js';

const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

function refusal(fn: () => unknown): { status: number; code: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    const e = err as HttpError;
    return { status: e.status, code: e.code, message: e.message };
  }
  throw new Error('expected the input to be refused');
}

describe('gateway route input', () => {
  it('accepts the seed locust payloads with their options', () => {
    expect(parsePredict({ features: ten, options: { return_probabilities: true } })).toEqual({ features: ten, returnProbabilities: true });
    expect(parsePredict({ features: ten, options: { return_probabilities: false } }).returnProbabilities).toBe(false);
    const twenty = [...ten, ...ten];
    expect(parseDetailed({ features: twenty, options: { return_probabilities: true, explanation: true } })).toMatchObject({ explanation: true });
    expect(parseBatch({ instances: [{ features: ten }, { features: ten }] }, 50).rows).toHaveLength(2);
  });

  it('refuses a wrong feature count, non-numbers, NaN and null with 400 naming the field', () => {
    expect(refusal(() => parsePredict({ features: [1, 2] }))).toMatchObject({ status: 400, code: 'wrong_feature_count' });
    expect(refusal(() => parsePredict({ features: [...ten.slice(0, 9), 'x'] })).message).toContain('features[9]');
    expect(refusal(() => parsePredict({ features: [...ten.slice(0, 9), 'NaN'] })).status).toBe(400);
    expect(refusal(() => parsePredict({ features: [...ten.slice(0, 9), null] })).status).toBe(400);
    expect(refusal(() => parsePredict({ features: [...ten.slice(0, 9), Number.NaN] })).status).toBe(400);
    expect(refusal(() => parsePredict([1, 2, 3])).status).toBe(400);
    expect(refusal(() => parseDetailed({ features: ten })).code).toBe('wrong_feature_count');
    expect(refusal(() => parsePredict({ features: ten, options: { return_probabilities: 'yes' } })).message).toContain('options.return_probabilities');
  });

  it('refuses an empty batch with 400 and a batch over the limit with 413', () => {
    expect(refusal(() => parseBatch({ instances: [] }, 50)).status).toBe(400);
    const big = { instances: Array.from({ length: 51 }, () => ({ features: ten })) };
    expect(refusal(() => parseBatch(big, 50))).toMatchObject({ status: 413, code: 'batch_too_large' });
    expect(refusal(() => parseBatch({ instances: [{ features: ten }, { features: [1] }] }, 50)).message).toContain('instances[1].features');
  });

  it('caps max_tokens and validates the prompt', () => {
    expect(parseGenerate({ prompt: 'hello', max_tokens: 256 }, 256)).toEqual({ prompt: 'hello', maxTokens: 256, stream: false });
    expect(parseGenerate({ prompt: 'hello', stream: true }, 256)).toMatchObject({ maxTokens: 64, stream: true });
    expect(refusal(() => parseGenerate({ prompt: 'hello', max_tokens: 257 }, 256))).toMatchObject({ status: 400, code: 'max_tokens_exceeded' });
    expect(refusal(() => parseGenerate({ prompt: 'hello', max_tokens: 1.5 }, 256)).status).toBe(400);
    expect(refusal(() => parseGenerate({ prompt: '  ' }, 256)).status).toBe(400);
    expect(refusal(() => parseGenerate({ prompt: 'x', stream: 'yes' }, 256)).message).toContain('stream');
  });
});
