// `npm run example:onnx [-- --backend webgpu|native|js] [--epochs N] [--out DIR]`:
// a PyTorch model from an ONNX file, fine-tuned in tmnn, written back as ONNX.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BackendName } from '../../src/index.js';
import { fineTuneOnnx } from './finetune.js';

const { values } = parseArgs({
  options: { backend: { type: 'string' }, epochs: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  strict: true,
});
if (values.help) {
  console.log('usage: npm run example:onnx [-- --backend webgpu|native|js] [--epochs N] [--out DIR]');
  process.exit(0);
}
const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
if (epochs !== undefined && !(Number.isInteger(epochs) && epochs > 0)) {
  console.error(`example:onnx: --epochs must be a positive integer, got ${values.epochs}`);
  process.exit(2);
}
const outDir = values.out ?? mkdtempSync(join(tmpdir(), 'tmnn-onnx-'));
fineTuneOnnx({ backend: values.backend as BackendName | undefined, epochs, outDir }).then(
  // It has learnt the new domain when it reads most inverted digits.
  (r) => process.exit(r.after.inverted >= 0.85 ? 0 : 1),
  (err: unknown) => {
    console.error(`example:onnx: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
