import { afterEach, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../src/platforms/local/binaries.js';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { exitCode } from '../../../src/contract/exit-code.js';

describe('requireBinary', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('finds Debian binaries on PATH', () => {
    expect(requireBinary('redis-server')).toMatch(/\/redis-server$/);
  });

  it('a missing binary is an environment error (exit 3) naming the apt-get command', () => {
    process.env.PATH = '/nonexistent';
    let err: unknown;
    try {
      requireBinary('prometheus');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PeakreadyError);
    expect(exitCode({ kind: 'error', error: err })).toBe(3);
    expect((err as PeakreadyError).hint).toContain('sudo apt-get install -y prometheus');
  });
});
