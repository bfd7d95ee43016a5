/**
 * A holiday day in about four minutes of traffic: a quiet baseline, the morning ramp, a
 * flash sale at almost 4× baseline, a sustained peak and the evening decay. The seed's
 * Locust mix (70/20/10) plus a small generative share; 40% of predictions repeat one of 50
 * popular products, so the prediction cache carries real weight. Rates fit a 2-core machine
 * running the whole local stack (the tabular model is CPU-bound).
 */
import { defineScenario, seedMix, slo } from '../src/index.js';

export default defineScenario({
  name: 'holiday-peak',
  description: 'Holiday day: baseline 40 rps, morning ramp to 80, flash sale at 150, sustained peak at 90, decay.',
  target: 'gateway',
  traffic: {
    executor: 'arrival-rate',
    startRate: 40,
    preAllocated: 50,
    maxInFlight: 400,
    timeout: '10s',
    stages: [
      { name: 'baseline', duration: '30s', rate: 40 },
      { name: 'morning-ramp', duration: '40s', rate: 80, shape: 'ramp' },
      { name: 'flash-sale', duration: '10s', rate: 150, shape: 'ramp' },
      { name: 'flash-sale', duration: '30s', rate: 150 },
      { name: 'sustained-peak', duration: '10s', rate: 90, shape: 'ramp' },
      { name: 'sustained-peak', duration: '60s', rate: 90 },
      { name: 'decay', duration: '50s', rate: 30, shape: 'ramp' },
    ],
  },
  mix: seedMix({ popularShare: 0.4, popularProducts: 50, generateWeight: 3, maxTokens: 32, stream: true }),
  // What goes wrong on the day, on the clock of the traffic above.
  faults: [
    { id: 'kill-tabular', kind: 'kill-replica', target: 'tabular', at: '15s', params: { count: 2 } },
    { id: 'tabular-outage', kind: 'unavailable', target: 'tabular', at: '40s', for: '15s' },
    { id: 'triton-latency', kind: 'latency', target: 'triton', at: '120s', for: '30s', params: { latency: '300ms', jitter: '50ms' } },
    { id: 'redis-down', kind: 'redis-outage', target: 'redis', at: '150s', for: '20s' },
  ],
  events: [{ id: 'deploy-v2-bad', kind: 'deploy', service: 'tabular', version: 'v2-bad', at: '190s' }],
  stack: {
    replicas: { tabular: 2 },
    autoscaling: { tabular: { min: 2, max: 5, targetRps: 25 } },
    rollout: { steps: [20, 40, 60, 80], pause: '10s', analysisInterval: '2s' },
  },
  safety: { halt: [{ name: 'error rate above 50% for 30s', metric: 'error-rate', above: 0.5, for: '30s' }] },
  slos: [
    // Users: the day as a whole.
    slo.errorRate().below('1%').named('error rate over the day'),
    slo.dropped().atMost(0).named('no request dropped'),
    slo.latency('predict').p(99).below('250ms').inPhase('baseline').named('predict p99 at baseline'),
    slo.latency('predict').p(99).below('500ms').inPhase('flash-sale').named('predict p99 in the flash sale'),
    slo.throughput().atLeast(60).named('throughput over the day').asAdvisory(),
    // The tabular primary killed, then unavailable: fallback and breaker carry it.
    slo.restarts('tabular').atLeast(2).named('killed tabular replicas restarted'),
    slo.errorRate('predict').below('2%').during.fault('tabular-outage').named('predict answers while tabular is down'),
    slo.fallbackShare('predict').above('50%').within('10s').after.fault('tabular-outage').named('fallback engaged within 10s'),
    slo.breaker('tabular').is('open').within('10s').after.fault('tabular-outage').named('tabular breaker opens within 10s'),
    slo.fallbackShare('predict').below('10%').within('30s').after.fault('tabular-outage', 'end').named('primary serves again within 30s'),
    // Triton slower: still within the gateway's budget, so the primary keeps serving.
    slo.latency('detailed').p(99).below('1s').during.fault('triton-latency').named('detailed p99 under triton latency'),
    slo.fallbackShare('detailed').below('20%').during.fault('triton-latency').named('no needless fallback under triton latency'),
    // The prediction cache carries repeats; its outage fails nothing.
    slo.cacheHitRatio('predict').above('15%').named('prediction cache hit ratio'),
    slo.errorRate().below('1%').during.fault('redis-down').named('no errors during the Redis outage'),
    // A bad model version fails analysis and is rolled back.
    slo.rollout('tabular').rolledBack().within('60s').after.event('deploy-v2-bad').named('v2-bad rolled back within 60s'),
    slo.accuracy('v1').above(0.9).named('v1 model accuracy'),
    // The flash sale needs more replicas.
    slo.replicas('tabular').atLeast(3).within('40s').after.phase('flash-sale').named('tabular scales out for the flash sale'),
    slo.drift().below(0.25).named('feature drift (PSI)').asAdvisory(),
    // Generation, streamed: first token in the flash sale, token cadence over the day, goodput in the peak.
    slo.ttft('generate').p(95).below('500ms').inPhase('flash-sale').named('generate first token p95 in the flash sale'),
    slo.itl('generate').p(99).below('100ms').named('generate inter-token latency p99'),
    slo.goodput('generate', { ttft: '500ms', itl: '50ms' }).atLeast(2).inPhase('sustained-peak').named('generate goodput in the peak'),
  ],
  steadyState: [],
});
