/**
 * Offline Kubernetes OpenAPI v3 schemas for validating core kinds. The Go module proxy
 * serves k8s.io/kubernetes, whose api/openapi-spec/v3/*.json hold every built-in
 * group-version; `go mod download` fetches it into the shared GOMODCACHE (the control
 * plane helper downloads the same module) and we copy only the spec files into
 * ~/.cache/peakready/k8s-openapi/<version>/ so later runs need neither Go nor network.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { environmentError } from '../../contract/errors.js';

/** The Kubernetes release whose schemas validate core kinds by default. */
export const DEFAULT_K8S_VERSION = 'v1.37.2';

const run = promisify(execFile);

/** Where the spec files of `version` are cached (PEAKREADY_K8S_OPENAPI_DIR overrides). */
export function openApiDir(version = DEFAULT_K8S_VERSION): string {
  const override = process.env.PEAKREADY_K8S_OPENAPI_DIR;
  if (override) return override;
  return join(homedir(), '.cache', 'peakready', 'k8s-openapi', version);
}

function hasSpecs(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('_openapi.json'));
}

/**
 * Returns a folder holding the v3 spec files, fetching them once when missing.
 * Throws an ENVIRONMENT error (exit 3) when they cannot be had: validation must never
 * pass silently without the core schemas.
 */
export async function ensureOpenApiSpecs(version = DEFAULT_K8S_VERSION): Promise<string> {
  const dir = openApiDir(version);
  if (hasSpecs(dir)) return dir;
  if (process.env.PEAKREADY_K8S_OPENAPI_DIR) {
    throw environmentError(
      `PEAKREADY_K8S_OPENAPI_DIR=${dir} holds no *_openapi.json files`,
      'point it at a copy of k8s.io/kubernetes api/openapi-spec/v3, or unset it to fetch them',
    );
  }
  let moduleDir: string;
  try {
    const { stdout } = await run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], {
      env: { ...process.env, GOFLAGS: '-mod=mod' },
      maxBuffer: 1 << 20,
      timeout: 600_000,
    });
    moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir ?? '';
  } catch (err) {
    throw environmentError(
      `cannot fetch the Kubernetes ${version} OpenAPI schemas (go mod download k8s.io/kubernetes@${version} failed)`,
      'install Go and allow access to the Go module proxy, or set PEAKREADY_K8S_OPENAPI_DIR to a folder of api/openapi-spec/v3 files',
      err,
    );
  }
  const source = join(moduleDir, 'api', 'openapi-spec', 'v3');
  if (!hasSpecs(source)) throw environmentError(`k8s.io/kubernetes@${version} has no api/openapi-spec/v3 folder at ${source}`);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(source)) if (f.endsWith('_openapi.json')) cpSync(join(source, f), join(dir, f));
  return dir;
}
