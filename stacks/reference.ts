/**
 * The reference stack as a stack file: `peakready run <scenario> --stack stacks/reference.ts`
 * runs exactly the stack peakready starts when no stack is named. Its definition lives in
 * src/scenario/reference-stack.ts, the one place the harness reads the reference stack's
 * services from (their commands, replicas, versions, Services and switches); read it there.
 * To describe your own services, start from docs/your-stack.md and
 * test/fixtures/flask-stack/stack.ts (a Flask app nobody designed for peakready).
 */
import { REFERENCE_STACK } from '../src/index.js';

export default REFERENCE_STACK;
