/**
 * The holiday-peak shape compressed into 52 seconds of traffic for CI: same phase names,
 * same mix, lower rates.
 */
import { defineScenario, seedMix } from '../src/index.js';

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
  mix: seedMix({ popularShare: 0.4, popularProducts: 50, generateWeight: 3, maxTokens: 32 }),
  faults: [],
  events: [],
  slos: [],
  steadyState: [],
});
