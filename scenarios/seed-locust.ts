/**
 * The seed's locustfile as written: users that wait 1–5 s between tasks (Locust's
 * `wait_time = between(1, 5)`), 70% predict, 20% detailed, 10% batch of 10–50 instances,
 * every feature uniform in [0, 1).
 */
import { defineScenario, seedMix, slo } from '../src/index.js';

export default defineScenario({
  name: 'seed-locust',
  description: "The seed's Locust mix: 100 users, think time 1-5 s, 70/20/10 predict/detailed/batch.",
  target: 'gateway',
  traffic: {
    executor: 'vus',
    vus: 100,
    duration: '2m',
    thinkTime: { min: '1s', max: '5s' },
    timeout: '10s',
  },
  mix: seedMix(),
  // What the seed's users expect of an intact stack at this load: the primary models answer,
  // nothing fails, and latency stays interactive. A run with no SLO would pass whatever happened.
  slos: [
    slo.errorRate().below('1%').named('no failed requests'),
    slo.fallbackShare('predict').below('5%').named('the primary model answers predict'),
    // All 100 users start at once: that first second's burst (0.5-0.8 s answers on a busy
    // 2-core machine, ~10% of the requests of a --time-scale 0.25 run) sits in the tail, so
    // the typical answer is judged by the median and the p99s hold each route to its gateway
    // budget: primary timeout plus the fallback's 1 s.
    slo.latency('predict').p(50).below('50ms').named('predict median under 50 ms'),
    slo.latency('detailed').p(50).below('100ms').named('detailed median under 100 ms'),
    slo.latency('predict').p(99).below('2s').named('predict p99 within its budget (tabular 1 s + fallback 1 s)'),
    slo.latency('detailed').p(99).below('3s').named('detailed p99 within its budget (triton 2 s + fallback 1 s)'),
    slo.latency('batch').p(99).below('2s').named('batch p99 within its budget (tabular 1 s + fallback 1 s)'),
    slo.throughput().above(15).named('the 100 users get their ~30 req/s served'),
  ],
});
