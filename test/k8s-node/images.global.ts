/**
 * Once per real-node suite: assembles the stack image (scripts/k8s/image.sh stack), the
 * stand-ins for the kind overlay's redis and prometheus images (image.sh stand-ins) and the
 * flask-stack fixture's image (image.sh flask-stack: a team's own Python app), without
 * Docker or a registry, and imports them into the real node's containerd.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLASK_IMAGE, realNode, REPO, STACK_IMAGE } from './helpers/real-node.js';

export default function setup(): void {
  const node = realNode();
  const dir = mkdtempSync(join(tmpdir(), 'peakready-images-'));
  try {
    const image = (...args: string[]) => execFileSync('bash', [join(REPO, 'scripts/k8s/image.sh'), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    image('stack', STACK_IMAGE, join(dir, 'stack.oci.tar'));
    image('stand-ins', dir);
    image('flask-stack', FLASK_IMAGE, join(dir, 'flask-stack.oci.tar'));
    for (const archive of readdirSync(dir).filter((f) => f.endsWith('.oci.tar'))) {
      execFileSync(node.ctr, ['--address', node.containerd, '-n', 'k8s.io', 'images', 'import', join(dir, archive)], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
