import type { RegisterCommand } from './types.js';
import { register as run } from './run.js';
import { register as load } from './load.js';
import { register as bundle } from './bundle.js';
import { register as stack } from './stack.js';
import { register as chaos } from './chaos.js';
import { register as clean } from './clean.js';
import { register as deploy } from './deploy.js';
import { register as teardown } from './teardown.js';
import { register as validate } from './validate.js';
import { register as report } from './report.js';
import { register as capacity } from './capacity.js';

/**
 * The command table. One file per command (or command group); add yours here.
 */
export const COMMANDS: RegisterCommand[] = [run, load, stack, chaos, clean, bundle, deploy, teardown, validate, report, capacity];
