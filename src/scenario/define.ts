import type { Scenario } from './types.js';

/**
 * Declares a scenario. A typed identity: it gives editors the `Scenario` type for a file's
 * default export; validation happens when the file is loaded.
 */
export function defineScenario<const S extends Scenario>(scenario: S): S {
  return scenario;
}
