/** Ephemeral loopback ports for binaries that cannot announce the port they bound (redis, prometheus). */
import { createServer } from 'node:net';

/** Asks the kernel for a free loopback port. A tiny race remains until the binary binds it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
