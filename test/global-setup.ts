import { execFileSync } from 'node:child_process';

/** Integration and e2e tests spawn the built services and CLI from dist/: build once first. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
