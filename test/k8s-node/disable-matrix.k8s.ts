/**
 * The --disable matrix on both platforms (issue 14): the same scenarios, intact and with each
 * resilience mechanism switched off, run on the local platform and on the real node
 * (--load-runners 1: the traffic from a runner pod through the gateway Service). Intact, both
 * pass; with a mechanism off, both fail, each naming the SLO that mechanism exists for, and
 * the two name the same SLOs.
 * The autoscaler's row is flash-sale.k8s.ts's (the HPA on the adapter's rps metric).
 * The matrix is printed side by side for the closing note.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';
import { connect, deleteNamespace, type TestCluster } from '../k8s/helpers/cluster.js';
import { REPO, runWithJournal, TEST_OVERLAY } from './helpers/real-node.js';

const SMOKE = join(REPO, 'test/k8s-node/fixtures/real-node-matrix.ts');
const CANARY = join(REPO, 'test/k8s-node/fixtures/real-node-canary.ts');

/** Each row: the scenario, what is switched off, and the SLOs that must fail on both platforms. */
const ROWS: readonly { readonly scenario: string; readonly disable?: string; readonly names: readonly string[] }[] = [
  { scenario: SMOKE, names: [] },
  { scenario: SMOKE, disable: 'fallback', names: ['predict keeps answering while tabular is down', 'fallback engaged within 5s'] },
  { scenario: SMOKE, disable: 'breaker', names: ['tabular breaker opens'] },
  { scenario: SMOKE, disable: 'cache', names: ['prediction cache hit ratio'] },
  { scenario: CANARY, names: [] },
  { scenario: CANARY, disable: 'analysis', names: ['v2-bad rolled back by the analysis'] },
];

describe('the --disable matrix, local platform and real node side by side', () => {
  let c: TestCluster;
  const out = mkdtempSync(join(tmpdir(), 'peakready-matrix-'));
  const namespaces: string[] = [];
  const table: string[] = ['| scenario | --disable | local | kubernetes (real node) |', '|---|---|---|---|'];

  const verdict = (j: Journal): string => {
    const failed = j.slos.filter((s) => s.status !== 'pass').map((s) => s.name);
    return failed.length === 0 ? `${j.verdict.toUpperCase()}` : `${j.verdict.toUpperCase()}: ${failed.join('; ')}`;
  };

  beforeAll(() => {
    c = connect();
  });
  afterAll(async () => {
    console.info(`--disable matrix:\n${table.join('\n')}`);
    for (const ns of namespaces) await deleteNamespace(c, ns);
    rmSync(out, { recursive: true, force: true });
  });

  for (const row of ROWS) {
    const name = `${row.scenario === SMOKE ? 'smoke' : 'canary'}-${row.disable ?? 'intact'}`;
    it(`${name}: ${row.disable ? `fails on both platforms naming ${row.names.join(', ')}` : 'passes on both platforms'}`, async () => {
      const disable = row.disable ? ['--disable', row.disable] : [];
      const local = await runWithJournal([row.scenario, '--platform', 'local', ...disable], join(out, `${name}-local`));
      const ns = `matrix-${name}-${Date.now().toString(36)}`;
      namespaces.push(ns);
      const k8s = await runWithJournal([row.scenario, '--platform', 'kubernetes', '--overlay', TEST_OVERLAY, '--context', c.context, '--namespace', ns, '--load-runners', '1', ...disable], join(out, `${name}-k8s`));
      table.push(`| ${name.split('-')[0]} | ${row.disable ?? '—'} | ${verdict(local.journal)} | ${verdict(k8s.journal)} |`);
      for (const [platform, r] of [['local', local], ['kubernetes', k8s]] as const) {
        const failed = r.journal.slos.filter((s) => s.status !== 'pass').map((s) => s.name);
        const why = `${platform}: ${failed.join('; ')} ${r.journal.reason ?? ''}\n${r.stderr.slice(-1500)}`;
        if (row.disable) {
          expect(r.code, why).toBe(1);
          expect(failed, why).toEqual(expect.arrayContaining([...row.names]));
        } else {
          expect(failed, why).toEqual([]);
          expect(r.code, why).toBe(0);
        }
      }
      // Side by side: the same SLOs fail on both platforms, no more and no fewer.
      const failedOn = (j: Journal) => j.slos.filter((s) => s.status !== 'pass').map((s) => s.name).sort();
      expect(failedOn(k8s.journal)).toEqual(failedOn(local.journal));
      await deleteNamespace(c, ns);
    }, 900_000);
  }
});
