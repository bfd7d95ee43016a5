/** How `stack status|down` and `chaos ...` find a running `stack up` and call its admin API. */
import { environmentError, PeakreadyError } from '../../contract/errors.js';
import { listRunStates, type StoredRunState } from './run-state.js';

/** The newest live stack with an admin API, or ENVIRONMENT (exit 3) saying how to start one. */
export function findLiveStack(stateDir?: string): StoredRunState & { readonly adminUrl: string } {
  const live = listRunStates(stateDir).find((s) => s.live && s.adminUrl);
  if (!live?.adminUrl) throw environmentError('no running local stack found', 'start one with `peakready stack up` (add --detach to keep it in the background)');
  return live as StoredRunState & { adminUrl: string };
}

/** Calls the admin API; an answer with an error body becomes a PeakreadyError. */
export async function adminCall<T>(adminUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${adminUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw environmentError(`the running stack does not answer at ${adminUrl}`, 'it may have crashed: run `peakready clean`', err);
  }
  const json = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok) {
    const code = json.error?.code === 'INVALID_INPUT' ? 'INVALID_INPUT' : 'ENVIRONMENT';
    throw new PeakreadyError(code, json.error?.message ?? `admin API ${method} ${path}: HTTP ${res.status}`);
  }
  return json;
}
