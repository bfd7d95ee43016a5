import { execFileSync } from 'node:child_process';

/** Integration and e2e tests spawn the built services and CLI from dist/: build once first. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  // Train (or find cached) the tabular and fallback models once, so no test's first
  // service start pays for training.
  execFileSync(process.execPath, ['dist/stack/models/train.js'], { stdio: 'inherit' });
}
