/**
 * Trained-model cache on disk. Training the forest takes seconds of CPU; a replica must be
 * ready in well under a second, so each model is trained once and its JSON kept under a key
 * that hashes the training parameters (change a parameter, get a new file). Writes go to a
 * temporary file renamed into place, so concurrent replicas never read a half-written model;
 * a lock file lets the others wait for the one replica that trains instead of all training.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where models are cached: $PEAKREADY_MODEL_DIR, else <tmpdir>/peakready-models. */
export function modelCacheDir(): string {
  return process.env.PEAKREADY_MODEL_DIR ?? join(tmpdir(), 'peakready-models');
}

/** Stable key of a parameter object (sorted keys, so property order does not matter). */
export function paramsKey(params: unknown): string {
  const canonical = JSON.stringify(params, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

const LOCK_STALE_MS = 120_000;

function tryRead(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Returns the cached JSON for `name`+`params`, or runs `train` once (under a lock), stores its
 * JSON atomically and returns it. A cache that cannot be written (read-only disk) only costs
 * the training time again next start.
 */
export async function loadOrTrain<T>(name: string, params: unknown, train: () => T): Promise<{ json: T; cached: boolean; file: string }> {
  const dir = modelCacheDir();
  const file = join(dir, `${name}-${paramsKey(params)}.json`);
  const hit = tryRead(file) as T | undefined;
  if (hit !== undefined) return { json: hit, cached: true, file };

  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // Read-only location: train in memory only.
  }
  const lock = `${file}.lock`;
  let fd: number | undefined;
  for (;;) {
    try {
      fd = openSync(lock, 'wx');
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') break; // cannot lock: just train
      const age = Date.now() - safeMtime(lock);
      if (age > LOCK_STALE_MS) {
        safeUnlink(lock); // its owner died mid-training
        continue;
      }
      await new Promise((r) => setTimeout(r, 100));
      const done = tryRead(file) as T | undefined;
      if (done !== undefined) return { json: done, cached: true, file };
    }
  }
  try {
    const again = tryRead(file) as T | undefined; // another replica may have finished meanwhile
    if (again !== undefined) return { json: again, cached: true, file };
    // A library's toJSON() may still hold live objects (ml-cart leaves keep Matrix instances);
    // serving the parsed text means a fresh train and a cache hit yield the very same model.
    const text = JSON.stringify(train());
    const json = JSON.parse(text) as T;
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, file);
    } catch {
      // Unwritable cache: serve the in-memory model anyway.
    }
    return { json, cached: false, file };
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      safeUnlink(lock);
    }
  }
}

function safeMtime(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function safeUnlink(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // already gone
  }
}
