/**
 * Pre-trains every tabular model into the model cache (`node dist/stack/models/train.js`), e.g.
 * while building the container image, so no replica ever trains at start-up. Prints one JSON
 * line per model with its validation accuracy.
 */
import { MODEL_KINDS, accuracy, loadChurnModel } from './churn-models.js';

async function main(): Promise<void> {
  for (const kind of MODEL_KINDS) {
    const started = Date.now();
    const { model, validation, cached, file } = await loadChurnModel(kind);
    const line = { model: kind, accuracy: Number(accuracy(model, validation).toFixed(4)), cached, file, ms: Date.now() - started };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`train: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
