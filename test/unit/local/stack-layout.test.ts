import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayOptionFlags, serviceArgs } from '../../../src/platforms/local/stack-layout.js';
import { preflightProblems } from '../../../src/runner/preflight.js';

describe('stack layout', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('maps gateway switches and disabled mechanisms to the gateway flags, other options to --config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    dirs.push(dir);
    const flags = gatewayOptionFlags({ fallback: false, cache: true, breakers: { tabular: { failureThreshold: 3 } } }, dir, ['breaker', 'fallback']);
    expect(flags.filter((f) => f.startsWith('--no-')).sort()).toEqual(['--no-breaker', '--no-fallback']);
    const config = flags[flags.indexOf('--config') + 1]!;
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ breakers: { tabular: { failureThreshold: 3 } } });
    expect(gatewayOptionFlags(undefined, dir)).toEqual([]);
  });

  it('reads `cache` as the switch when it is a boolean and as the gateway cache options when it is an object', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    dirs.push(dir);
    const flags = gatewayOptionFlags({ cache: { commandTimeoutMs: 2000 } }, dir);
    expect(flags).not.toContain('--no-cache');
    expect(JSON.parse(readFileSync(flags[flags.indexOf('--config') + 1]!, 'utf8'))).toEqual({ cache: { commandTimeoutMs: 2000 } });
    expect(gatewayOptionFlags({ cache: false }, dir)).toEqual(['--no-cache']);
    expect(preflightProblems({ stack: { gateway: { cache: { commandTimeoutMs: 2000 } } } }, 's.ts', 'local')).toEqual([]);
    expect(preflightProblems({ stack: { gateway: { cache: 'off' } } }, 's.ts', 'local')).toEqual([
      's.ts: stack.gateway.cache: expected true or false (the switch), or the cache options { ttlSeconds, commandTimeoutMs }, got "off"',
    ]);
    expect(preflightProblems({ stack: { gateway: { cache: { ttl: 5 } } } }, 's.ts', 'local')[0]).toMatch(/^s\.ts: stack\.gateway\.cache: unknown option ttl/);
  });

  it('points the gateway at the running upstreams only, and gives tabular its version', () => {
    const ctx = { urls: { tabular: 'http://127.0.0.1:1', fallback: 'http://127.0.0.1:2' }, redisUrl: 'redis://127.0.0.1:3', gatewayFlags: ['--no-cache'] };
    expect(serviceArgs('gateway', 'v1', ctx)).toEqual([
      '--tabular-url', 'http://127.0.0.1:1', '--fallback-url', 'http://127.0.0.1:2', '--redis-url', 'redis://127.0.0.1:3', '--no-cache',
    ]);
    expect(serviceArgs('tabular', 'v2-bad', ctx)).toEqual(['--version', 'v2-bad']);
  });
});
