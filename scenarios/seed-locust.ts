/**
 * The seed's locustfile as written: users that wait 1–5 s between tasks (Locust's
 * `wait_time = between(1, 5)`), 70% predict, 20% detailed, 10% batch of 10–50 instances,
 * every feature uniform in [0, 1).
 */
import { defineScenario, seedMix } from '../src/index.js';

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
});
