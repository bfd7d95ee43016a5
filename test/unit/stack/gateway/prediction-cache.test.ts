import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, decodeCached, encodeCached } from '../../../../src/stack/gateway/prediction-cache.js';

describe('prediction cache keys and values', () => {
  it('canonical JSON sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });

  it('the same input with keys in another order gives the same key; another input does not', () => {
    const k1 = cacheKey({ route: 'predict', input: { features: [1, 2], return_probabilities: true } });
    const k2 = cacheKey({ input: { return_probabilities: true, features: [1, 2] }, route: 'predict' });
    expect(k1).toBe(k2);
    expect(k1).toMatch(/^prediction:[0-9a-f]{64}$/);
    expect(cacheKey({ route: 'predict', input: { features: [2, 1], return_probabilities: true } })).not.toBe(k1);
    expect(cacheKey({ route: 'batch', input: { features: [1, 2], return_probabilities: true } })).not.toBe(k1);
  });

  it('stores version and probabilities in front of the body, returned unchanged on a hit', () => {
    const body = '{"prediction":1,"model_type":"primary","model_version":"v1","reason":"cache"}';
    const raw = encodeCached({ version: 'v1', p1: [0.25, 0.75], body });
    expect(decodeCached(raw)).toEqual({ version: 'v1', p1: [0.25, 0.75], body });
    expect(decodeCached(encodeCached({ version: 'v2', p1: [], body: 'x\ny' }))).toEqual({ version: 'v2', p1: [], body: 'x\ny' });
    expect(decodeCached('garbage')).toBeUndefined();
  });
});
