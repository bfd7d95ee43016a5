/** `--dashboard-port` names a taken port before the stack spends seconds starting. */
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConsolePort } from '../../../src/console/start-console.js';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

describe('checkConsolePort', () => {
  it('refuses a port in use with an ENVIRONMENT error naming the flag, and accepts a free one', async () => {
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    await expect(checkConsolePort(port)).rejects.toMatchObject({ code: 'ENVIRONMENT', message: `--dashboard-port: port ${port} on 127.0.0.1 is in use` });
    await new Promise((r) => taken.close(r));
    await expect(checkConsolePort(port)).resolves.toBeUndefined();
    await expect(checkConsolePort(0)).resolves.toBeUndefined();
  });
});
