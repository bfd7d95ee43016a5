/** Debian binaries the local platform needs, and the apt-get line that installs them. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { environmentError } from '../../contract/errors.js';

const PACKAGES: Readonly<Record<string, string>> = {
  'redis-server': 'redis-server',
  prometheus: 'prometheus',
  setpriv: 'util-linux',
};

/** Full path of `name` on PATH, or a PeakreadyError ENVIRONMENT (exit 3) naming the apt-get command. */
export function requireBinary(name: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  const pkg = PACKAGES[name] ?? name;
  throw environmentError(
    `the local platform needs \`${name}\`, which is not on PATH`,
    `install it: sudo apt-get install -y ${pkg}  (or run with --platform kubernetes)`,
  );
}
