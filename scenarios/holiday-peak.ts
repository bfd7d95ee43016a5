/**
 * A holiday day in about four minutes of traffic: a quiet baseline, the morning ramp, a
 * flash sale at almost 4× baseline, a sustained peak and the evening decay. The seed's
 * Locust mix (70/20/10) plus a small generative share; 40% of predictions repeat one of 50
 * popular products, so the prediction cache carries real weight. Rates fit a 2-core machine
 * running the whole local stack (the tabular model is CPU-bound).
 */
import { defineScenario, seedMix } from '../src/index.js';

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
  mix: seedMix({ popularShare: 0.4, popularProducts: 50, generateWeight: 3, maxTokens: 32 }),
  faults: [],
  events: [],
  slos: [],
  steadyState: [],
});
