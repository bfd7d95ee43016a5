import { describe, expect, it } from 'vitest';
import { Safeguards } from '../../../src/runner/safeguards.js';

const sec = (errors: number, requests = 100, p99Ms = 20) => ({ requests, errors, dropped: 0, p99Ms });

describe('halt conditions', () => {
  const halt = [{ name: 'error rate above 50% for 3s', metric: 'error-rate' as const, above: 0.5, for: '3s', forMs: 3000 }];

  it('halt only once the condition held for its whole window', () => {
    const g = new Safeguards(halt);
    expect(g.observe(0, sec(60))).toBeUndefined();
    expect(g.observe(1000, sec(70))).toBeUndefined();
    expect(g.observe(2000, sec(80))).toMatch(/error rate above 50% for 3s" held for 3s \(last value 80\.0%\)/);
  });

  it('a healthy second in between starts the window again', () => {
    const g = new Safeguards(halt);
    g.observe(0, sec(60));
    g.observe(1000, sec(60));
    expect(g.observe(2000, sec(10))).toBeUndefined();
    expect(g.observe(3000, sec(60))).toBeUndefined();
    expect(g.observe(4000, sec(60))).toBeUndefined();
    expect(g.observe(5000, sec(60))).toBeDefined();
  });

  it('a second without requests neither halts nor counts', () => {
    const g = new Safeguards([{ metric: 'p99-latency-ms', above: 500, for: '1s', forMs: 1000 }]);
    expect(g.observe(0, sec(0, 0, 9999))).toBeUndefined();
    expect(g.observe(1000, sec(0, 10, 900))).toMatch(/p99-latency-ms above 500/);
  });
});
