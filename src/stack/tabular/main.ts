/**
 * Tabular service (the seed's sklearn model server): model "churn", a random forest, KServe v2
 * REST. `--version v1|v2-bad` picks the good or the degraded release.
 */
import { runMain } from '../common/service-runtime.js';
import { serveChurn } from '../models/serve-churn.js';

runMain('tabular', () => serveChurn({ service: 'tabular', modelName: 'churn', argv: process.argv.slice(2), versioned: true }));
