/**
 * Fallback service: model "churn-fallback", one shallow decision tree on the same data as the
 * forest. Less accurate, much cheaper per prediction, KServe v2 REST like the primary.
 */
import { runMain } from '../common/service-runtime.js';
import { serveChurn } from '../models/serve-churn.js';

runMain('fallback', () => serveChurn({ service: 'fallback', modelName: 'churn-fallback', argv: process.argv.slice(2), versioned: false }));
