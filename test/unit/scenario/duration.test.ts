import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, tryParseDuration } from '../../../src/scenario/duration.js';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { exitCode } from '../../../src/contract/exit-code.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['90', '', '1x', 's', '-5s', '1m 30s', '5 s'])('rejects %j with an INVALID_INPUT error saying what was expected', (text) => {
    expect(tryParseDuration(text)).toBeUndefined();
    try {
      parseDuration(text, 'scenarios/x.ts: traffic.stages[0].duration');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PeakreadyError);
      const e = err as PeakreadyError;
      expect(exitCode({ kind: 'error', error: e })).toBe(2);
      expect(e.message).toBe(`scenarios/x.ts: traffic.stages[0].duration: expected a duration like "90s", "2m" or "1m30s", got ${JSON.stringify(text)}`);
    }
  });

  it('formats back to the shortest form', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(3_600_000 + 1500)).toBe('1h1s500ms');
    expect(formatDuration(0)).toBe('0s');
  });
});
