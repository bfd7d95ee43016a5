/**
 * redis-outage: the prediction cache goes away. Locally the gateway reaches Redis through a
 * TCP proxy; the outage cuts its connections and refuses new ones (redis-server keeps its data).
 */
import type { Fault } from './fault.js';
import { once, requireService } from './fault-params.js';

export const redisOutageFault: Fault = {
  kind: 'redis-outage',
  description: 'cuts every connection to Redis and refuses new ones until reverted',
  prepare(target, fault) {
    requireService(target, fault, ['redis']);
    return {
      async act() {
        target.setRedisOutage(true);
      },
      revert: once(() => target.setRedisOutage(false)),
    };
  },
};
