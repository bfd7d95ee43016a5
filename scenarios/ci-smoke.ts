/**
 * The holiday-peak shape compressed into 52 seconds of traffic for CI: same phase names,
 * same mix, lower rates.
 */
import { defineScenario, seedMix, slo } from '../src/index.js';

export default defineScenario({
  name: 'ci-smoke',
  description: 'Holiday-peak shape in under a minute: baseline 20 rps, ramp to 40, flash sale at 80, peak at 50, decay.',
  target: 'gateway',
  traffic: {
    executor: 'arrival-rate',
    startRate: 20,
    preAllocated: 30,
    maxInFlight: 200,
    timeout: '5s',
    stages: [
      { name: 'baseline', duration: '8s', rate: 20 },
      { name: 'morning-ramp', duration: '8s', rate: 40, shape: 'ramp' },
      { name: 'flash-sale', duration: '4s', rate: 80, shape: 'ramp' },
      { name: 'flash-sale', duration: '10s', rate: 80 },
      { name: 'sustained-peak', duration: '4s', rate: 50, shape: 'ramp' },
      { name: 'sustained-peak', duration: '10s', rate: 50 },
      { name: 'decay', duration: '8s', rate: 20, shape: 'ramp' },
    ],
  },
  mix: seedMix({ popularShare: 0.4, popularProducts: 50, generateWeight: 3, maxTokens: 32, stream: true }),
  // Every behaviour the holiday run verifies, compressed: outage → fallback and breaker,
  // latency past the gateway's timeout, a killed replica, a cache outage, a bad model
  // version rolled out (and back), and a spike that needs scale-out.
  faults: [
    { id: 'tabular-outage', kind: 'unavailable', target: 'tabular', at: '3s', for: '6s' },
    // A dependency turns slow: every Redis reply 800 ms late. The cache's command timeout must
    // keep predict answering at model speed.
    { id: 'redis-slow', kind: 'latency', target: 'redis', at: '11s', for: '4s', params: { latency: '800ms', jitter: '0ms' } },
    { id: 'triton-latency', kind: 'latency', target: 'triton', at: '18s', for: '6s', params: { latency: '2500ms', jitter: '100ms' } },
    { id: 'kill-tabular', kind: 'kill-replica', target: 'tabular', at: '26s', params: { count: 1 } },
    { id: 'redis-down', kind: 'redis-outage', target: 'redis', at: '31s', for: '6s' },
  ],
  events: [{ id: 'deploy-v2-bad', kind: 'deploy', service: 'tabular', version: 'v2-bad', at: '33s' }],
  stack: {
    replicas: { tabular: 2 },
    autoscaling: { tabular: { min: 2, max: 4, targetRps: 15 } },
    rollout: { steps: [20, 40, 60, 80], pause: '4s', analysisInterval: '1s' },
  },
  slos: [
    // Fallback and breaker: the primary goes away, users do not notice.
    slo.errorRate('predict').below('5%').during.fault('tabular-outage').named('predict keeps answering while tabular is down'),
    slo.fallbackShare('predict').above('50%').within('5s').after.fault('tabular-outage').named('fallback engaged within 5s'),
    slo.breaker('tabular').is('open').within('5s').after.fault('tabular-outage').named('tabular breaker opens within 5s'),
    slo.fallbackShare('predict').below('10%').within('15s').after.fault('tabular-outage', 'end').named('primary serves again within 15s'),
    // Timeout: triton slower than the gateway's 2 s budget is cut off and answered by the fallback.
    slo.latency('detailed').p(99).below('3s').during.fault('triton-latency').named('detailed latency bounded by the timeout'),
    slo.fallbackShare('detailed').above('50%').during.fault('triton-latency').named('detailed falls back on timeouts'),
    // Restarts: a killed replica comes back.
    slo.restarts('tabular').atLeast(1).named('killed tabular replica restarted'),
    // Cache: carries repeated requests; its outage fails nothing.
    slo.cacheHitRatio('predict').above('10%').named('prediction cache hit ratio'),
    slo.errorRate().below('1%').during.fault('redis-down').named('no errors during the Redis outage'),
    slo.latency('predict').p(99).below('400ms').during.fault('redis-slow').named('predict stays fast while Redis is slow'),
    // Generation: the model serves it; the canned fallback answers only when it must.
    slo.fallbackShare('generate').below('5%').named('generate served by the model'),
    // Generation as LLM serving teams judge it: first token, token cadence, and goodput.
    slo.ttft('generate').p(95).below('500ms').inPhase('flash-sale').named('generate first token p95 in the flash sale'),
    slo.itl('generate').p(99).below('100ms').named('generate inter-token latency p99'),
    slo.goodput('generate', { ttft: '500ms', itl: '50ms' }).atLeast(1).inPhase('sustained-peak').named('generate goodput in the peak'),
    // Rollout: v2-bad fails analysis and is rolled back.
    slo.rollout('tabular').rolledBack().within('20s').after.event('deploy-v2-bad').named('v2-bad rolled back within 20s'),
    // Autoscaling: the flash sale gets more tabular replicas.
    // 17 s ends before the v2-bad canary (33 s), whose ready pods would count as tabular replicas.
    slo.replicas('tabular').atLeast(3).within('17s').after.phase('flash-sale').named('tabular scales out for the flash sale'),
    // The whole run.
    slo.errorRate().below('2%').named('error rate over the run'),
    slo.dropped().atMost(0).named('no request dropped'),
    slo.latency('predict').p(99).below('500ms').inPhase('morning-ramp').named('predict p99 in the morning ramp'),
    slo.accuracy('v1').above(0.9).named('v1 model accuracy'),
  ],
  steadyState: [],
});
