/** The capacity command's flags: every problem reported at once, values parsed as documented. */
import { describe, expect, it } from 'vitest';
import { parseCapacityFlags, parseRate, parseShare, type RawCapacityFlags } from '../../../src/capacity/capacity-flags.js';

const base: RawCapacityFlags = {
  service: 'triton',
  slo: [],
  replicas: '1',
  headroom: '30%',
  platform: 'local',
  stepDuration: '10s',
  warmup: '2s',
  startRate: '10',
  maxRate: '10000',
  precision: '5%',
  repeats: '3',
  seed: '1',
};
const noProfile = (): undefined => undefined;

describe('parseCapacityFlags', () => {
  it('parses a full, valid command line', () => {
    const { flags, problems } = parseCapacityFlags({ ...base, slo: ['p99<100ms'], replicas: '3', peak: '1500rps', headroom: '20%', stepDuration: '5s', startRate: '40rps', profile: 'x' }, () => '/abs/x.json');
    expect(problems).toEqual([]);
    expect(flags).toMatchObject({
      service: 'triton',
      sloTexts: ['p99<100ms'],
      peakRps: 1500,
      headroom: 0.2,
      profile: '/abs/x.json',
      settings: { replicas: 3, startRate: 40, maxRate: 10000, minRate: 1, precision: 0.05, repeats: 3, tolerance: 0.1, warmupMs: 2000, stepMs: 5000, seed: 1 },
    });
  });

  it('defaults to the issue example SLOs when none is given', () => {
    expect(parseCapacityFlags(base, noProfile).flags!.sloTexts).toEqual(['p99<250ms', 'errors<1%']);
  });

  it('lists every problem, each naming its flag, expected and given value', () => {
    const { flags, problems } = parseCapacityFlags(
      {
        ...base,
        service: 'redis',
        slo: ['p99<soon'],
        replicas: '0',
        peak: 'lots',
        headroom: '150%',
        stepDuration: '1500ms',
        warmup: 'x',
        startRate: '-3',
        maxRate: 'many',
        precision: '90%',
        repeats: '0',
        seed: 'abc',
        profile: 'nope',
      },
      noProfile,
    );
    expect(flags).toBeUndefined();
    const flagsNamed = problems.map((p) => p.split(/[:\s[]/)[0]);
    expect(flagsNamed).toEqual(['--service', '--slo', '--replicas', '--peak', '--headroom', '--step-duration', '--warmup', '--start-rate', '--max-rate', '--precision', '--repeats', '--seed', '--profile']);
    expect(problems[0]).toBe('--service: expected one of gateway, tabular, fallback, triton, generative, got "redis"');
    expect(problems[2]).toContain('got "0"');
  });

  it('refuses --profile on kubernetes and for services that are not simulators', () => {
    expect(parseCapacityFlags({ ...base, platform: 'kubernetes', profile: 'p' }, () => '/p').problems).toEqual([
      expect.stringMatching(/^--profile: only on the local platform/),
    ]);
    expect(parseCapacityFlags({ ...base, service: 'tabular', profile: 'p' }, () => '/p').problems).toEqual([expect.stringMatching(/^--profile: only for triton, generative/)]);
    expect(parseCapacityFlags({ ...base, profile: 'missing' }, noProfile).problems).toEqual([expect.stringMatching(/^--profile: .*"missing": not found/)]);
  });

  it('requires --service and a max rate not below the start rate', () => {
    const { problems } = parseCapacityFlags({ ...base, service: undefined, startRate: '100', maxRate: '50' }, noProfile);
    expect(problems).toEqual([expect.stringMatching(/^--service: required/), '--max-rate: expected at least --start-rate (100), got "50"']);
  });
});

describe('rate and share forms', () => {
  it('reads 1500, 1500rps, 1500/s and 30%, 0.3', () => {
    expect([parseRate('1500'), parseRate('1500rps'), parseRate('1500/s'), parseRate('0'), parseRate('fast')]).toEqual([1500, 1500, 1500, undefined, undefined]);
    expect([parseShare('30%'), parseShare('0.3'), parseShare('x')]).toEqual([0.3, 0.3, undefined]);
  });
});
