/**
 * Debian's Prometheus on a free loopback port, scraping every replica each second through
 * file-based service discovery: the targets file is rewritten (atomically) whenever replicas
 * come or go, with labels service, replica and version.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { freePort } from './free-port.js';
import { httpOk, ManagedProcess } from './managed-process.js';
import type { RunningBinary } from './redis-runner.js';
import type { RunState } from './run-state.js';

export interface ScrapeTarget {
  readonly port: number;
  readonly service: string;
  readonly replica: string;
  readonly version: string;
  /** Scraped path when not /metrics (a stack definition's service). */
  readonly metricsPath?: string;
}

export interface RunningPrometheus extends RunningBinary {
  readonly url: string;
  setTargets(targets: readonly ScrapeTarget[]): void;
}

const CONFIG = (targetsFile: string) => `global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
scrape_configs:
  - job_name: peakready
    # A service's own labels win over the target's (the fallback exports version="fallback-v1";
    # the target label version="v1" must not relabel it into the primary model's series).
    honor_labels: true
    file_sd_configs:
      - files: ['${targetsFile}']
        refresh_interval: 1s
    relabel_configs:
      - source_labels: [service]
        target_label: job
`;

export async function startPrometheus(runState?: RunState): Promise<RunningPrometheus> {
  const bin = requireBinary('prometheus');
  requireBinary('setpriv');
  const dir = mkdtempSync(join(tmpdir(), 'peakready-prometheus-'));
  runState?.trackTempDir(dir);
  const targetsFile = join(dir, 'targets.json');
  writeFileSync(targetsFile, '[]');
  writeFileSync(join(dir, 'prometheus.yml'), CONFIG(targetsFile));
  const port = await freePort();
  const proc = new ManagedProcess(
    'prometheus',
    {
      command: bin,
      args: [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=2h',
        '--log.level=warn',
      ],
      deathLink: 'pdeathsig',
      port,
      ready: { probe: (p) => httpOk(p, '/-/ready', 500) },
      stopTimeoutMs: 3000,
    },
    { onSpawn: (pid) => runState?.trackProcess(pid, 'prometheus', port), onExit: (pid) => runState?.untrackProcess(pid) },
  );
  await proc.start(15_000);
  let last = '';
  return {
    port,
    process: proc,
    dir,
    url: `http://127.0.0.1:${port}`,
    setTargets(targets) {
      const json = JSON.stringify(
        targets.map((t) => ({ targets: [`127.0.0.1:${t.port}`], labels: { service: t.service, replica: t.replica, version: t.version, ...(t.metricsPath && t.metricsPath !== '/metrics' ? { __metrics_path__: t.metricsPath } : {}) } })),
      );
      if (json === last) return;
      last = json;
      const tmp = `${targetsFile}.tmp`;
      writeFileSync(tmp, json);
      renameSync(tmp, targetsFile); // Prometheus must never read half a file
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
      runState?.untrackTempDir(dir);
    },
  };
}
