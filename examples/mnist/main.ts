// `npm run demo [-- --backend webgpu|native|js] [--model mlp|cnn|lstm] [--epochs N] [--augment]`: the MNIST example.
import { parseArgs } from 'node:util';
import { MODELS, runMnist, type MnistModel } from './train.js';
import type { BackendName } from '../../src/index.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    epochs: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    quiet: { type: 'boolean' },
    augment: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (values.help) {
  console.log('usage: npm run demo [-- --backend webgpu|native|js] [--model mlp|cnn|lstm] [--epochs N] [--augment] [--out DIR] [--quiet]');
  process.exit(0);
}

const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
if (epochs !== undefined && !(Number.isInteger(epochs) && epochs > 0)) {
  console.error(`demo: --epochs must be a positive integer, got ${values.epochs}`);
  process.exit(2);
}

if (values.model !== undefined && !MODELS.includes(values.model as MnistModel)) {
  console.error(`demo: --model must be one of ${MODELS.join(', ')}, got ${values.model}`);
  process.exit(2);
}

runMnist({ model: values.model as MnistModel | undefined, backend: values.backend as BackendName | undefined, epochs, outDir: values.out, quiet: values.quiet, augment: values.augment }).then(
  (r) => process.exit(r.testAccuracy >= 0.96 ? 0 : 1),
  (err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
