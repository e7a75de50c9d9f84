// Training throughput: MLP 784-256-256-10, ReLU, softmax cross-entropy, Adam,
// batch 128, on real MNIST digits — tmnn on each backend and on tm.init()'s
// choice, next to TensorFlow.js (tfjs-layers on cpu, wasm and webgpu).
import * as tm from '../src/index.js';
import { activeBackend } from '../src/engine.js';
import type { WebGpuBackend } from '../src/backends/webgpu/index.js';
import { tilesSettled } from '../src/backends/webgpu/kernels/matmul_tuning.js';
import type { Digits } from '../examples/mnist/data.js';

export interface TrainingRun {
  samplesPerSecond: number;
  finalLoss: number;
  testAccuracy?: number;
}

export const TRAINING = { hidden: [256, 256], batchSize: 128, lr: 1e-3 };

/**
 * Trains a fresh model for `epochs` epochs on `data` and times it; one
 * untimed warm-up batch first, as for the tfjs peer, so one-time set-up (GPU
 * pipelines, buffer pools) is not counted. On webgpu that set-up includes the
 * matmul tile measurements (the device's tile, started by the first large
 * product, and each product shape's, started by its second run); the warm-up
 * waits for them and runs one more batch, so the pipelines of the chosen
 * tiles are built before the clock starts.
 */
export async function tmnnTraining(backend: tm.BackendName | undefined, data: Digits, epochs: number, test?: Digits, seed = 1): Promise<TrainingRun & { backend: tm.BackendName }> {
  const chosen = await tm.init(backend ? { backend } : {});
  tm.setSeed(seed);
  const widths = [784, ...TRAINING.hidden, 10];
  const model = new tm.nn.Sequential(widths.slice(1).map((w, i) => new tm.nn.Dense(widths[i], w, { activation: i < widths.length - 2 ? 'relu' : 'linear' })));
  const optimizer = new tm.optim.Adam(model.parameters(), { lr: TRAINING.lr });
  const x = tm.tensor(data.images, [data.count, 784]);
  const y = tm.tensor(data.labels, [data.count]);
  const warm = [x.slice([0], [TRAINING.batchSize]), y.slice([0], [TRAINING.batchSize])];
  const warmUp = () => model.fit(warm[0], warm[1], { epochs: 1, batchSize: TRAINING.batchSize, loss: 'crossEntropy', optimizer, quiet: true });
  await warmUp();
  if (chosen === 'webgpu') {
    await warmUp(); // each product's shape runs a second time: its tile is measured (kernels/matmul_tuning.ts)
    await tilesSettled((activeBackend() as WebGpuBackend).runtime);
    await warmUp();
  }
  const start = performance.now();
  const history = await model.fit(x, y, { epochs, batchSize: TRAINING.batchSize, loss: 'crossEntropy', optimizer, quiet: true, seed });
  const seconds = (performance.now() - start) / 1000;
  let testAccuracy: number | undefined;
  if (test) {
    const xt = tm.tensor(test.images, [test.count, 784]);
    const yt = tm.tensor(test.labels, [test.count]);
    testAccuracy = (await model.evaluate(xt, yt, { loss: 'crossEntropy' })).accuracy;
    xt.dispose();
    yt.dispose();
  }
  for (const t of [x, y, ...warm]) t.dispose();
  model.dispose();
  optimizer.dispose();
  return { backend: chosen, samplesPerSecond: (data.count * epochs) / seconds, finalLoss: history.loss[history.loss.length - 1], testAccuracy };
}
