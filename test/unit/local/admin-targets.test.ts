/**
 * `chaos inject --target` against a running `stack up`: the admin API checks the target
 * against what the kind acts on in the running stack (the fault catalogue's rule: services
 * where the kind acts on services, redis where it acts on Redis and the stack runs one),
 * naming the stack's targets. The reference stack keeps its wording ("target: expected one of").
 */
import { describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { exitCode } from '../../../src/contract/exit-code.js';
import { checkTarget } from '../../../src/platforms/local/admin-server.js';
import type { StackEndpoints } from '../../../src/platforms/platform.js';

const own = { gateway: 'http://127.0.0.1:1', prometheus: 'http://127.0.0.1:2', services: { app: 'x', 'model-server': 'y', redis: 'redis://z' }, stack: { name: 'flask-seed', file: 'stack.ts', entry: 'app' } } as StackEndpoints;
const ownNoRedis = { ...own, services: { app: 'x', 'model-server': 'y' } } as StackEndpoints;
const reference: StackEndpoints = { gateway: 'http://127.0.0.1:1', prometheus: 'http://127.0.0.1:2', services: { gateway: 'g', tabular: 't', redis: 'redis://z' } };

function message(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PeakreadyError);
    expect(exitCode({ kind: 'error', error: err })).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected the target to be refused');
}

describe('admin API: fault targets of the running stack', () => {
  const services = ['app', 'model-server'];

  it("accepts the stack's services and its redis where the kind acts on them", () => {
    expect(() => checkTarget({ kind: 'unavailable', target: 'model-server' }, services, own)).not.toThrow();
    expect(() => checkTarget({ kind: 'latency', target: 'redis' }, services, own)).not.toThrow();
    expect(() => checkTarget({ kind: 'redis-outage', target: 'redis' }, services, own)).not.toThrow();
  });

  it("names the stack's targets for an unknown one, and what each kind acts on", () => {
    expect(message(() => checkTarget({ kind: 'latency', target: 'tabular' }, services, own))).toBe(
      '--target: expected one of app, model-server, redis (what latency acts on in the stack flask-seed), got "tabular"',
    );
    expect(message(() => checkTarget({ kind: 'errors', target: 'redis' }, services, own))).toBe('--target: expected one of app, model-server (what errors acts on in the stack flask-seed), got "redis"');
    expect(message(() => checkTarget({ kind: 'kill-replica', target: 'redis' }, services, own))).toBe('--target: expected one of app, model-server (what kill-replica acts on in the stack flask-seed), got "redis"');
    expect(message(() => checkTarget({ kind: 'redis-outage', target: 'app' }, services, own))).toBe('--target: expected one of redis (what redis-outage acts on in the stack flask-seed), got "app"');
  });

  it('a stack without Redis offers no redis target', () => {
    expect(message(() => checkTarget({ kind: 'latency', target: 'redis' }, services, ownNoRedis))).toBe('--target: expected one of app, model-server (what latency acts on in the stack flask-seed), got "redis"');
    expect(message(() => checkTarget({ kind: 'redis-outage', target: 'redis' }, services, ownNoRedis))).toBe('--target: redis-outage acts on nothing in the stack flask-seed (it runs no Redis), got "redis"');
  });

  it('the reference stack: the services it runs (--services), and redis', () => {
    expect(() => checkTarget({ kind: 'latency', target: 'tabular' }, ['gateway', 'tabular'], reference)).not.toThrow();
    expect(message(() => checkTarget({ kind: 'latency', target: 'nope' }, ['gateway', 'tabular'], reference))).toBe(
      '--target: expected one of gateway, tabular, redis (what latency acts on in the reference stack), got "nope"',
    );
  });
});
