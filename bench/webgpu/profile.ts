// Where a training step's GPU time goes, kernel by kernel (timestamp
// queries): the MLP of the training bench (784-256-256-10, batch 128, Adam)
// on random data, a few steps timed after a warm-up. Each dispatch runs in a
// pass of its own while timed, so the step is a little slower than untimed.
import * as tm from '../../src/index.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import type { KernelTime } from '../../src/backends/webgpu/kernel_timer.js';
import { shapeTiles, tilesSettled } from '../../src/backends/webgpu/kernels/matmul_tuning.js';
import { TRAINING } from '../training.js';

const WARM_UP = 3;
const STEPS = 10;

export interface StepProfile {
  /** Per kernel, per step. */
  kernels: KernelTime[];
  /** Wall time of a step while timed. */
  stepMs: number;
  /** The tile each product shape of the step runs on (null: the device's); shapes run before the profile are left out. */
  shapes: ReturnType<typeof shapeTiles>;
}

export async function trainingStepProfile(gpu: WebGpuBackend): Promise<StepProfile> {
  const earlier = new Set(shapeTiles(gpu.runtime).map((s) => s.shape));
  tm.setSeed(1);
  const widths = [784, ...TRAINING.hidden, 10];
  const model = new tm.nn.Sequential(widths.slice(1).map((w, i) => new tm.nn.Dense(widths[i], w, { activation: i < widths.length - 2 ? 'relu' : 'linear' })));
  const optimizer = new tm.optim.Adam(model.parameters(), { lr: TRAINING.lr });
  const x = tm.rand([TRAINING.batchSize, 784], { seed: 2 });
  const y = tm.tensor(Int32Array.from({ length: TRAINING.batchSize }, (_, i) => (i * 7) % 10));
  const step = async () => {
    const loss = tm.tidy(() => {
      optimizer.zeroGrad();
      const l = tm.losses.crossEntropy(model.forward(x), y);
      l.backward();
      optimizer.step();
      return l;
    });
    await loss.data();
    loss.dispose();
  };
  for (let i = 0; i < WARM_UP; i++) await step();
  // The second step started the timing of each product shape's tile: profile the step on the tiles chosen.
  await tilesSettled(gpu.runtime);
  await step();
  const start = performance.now();
  const { kernels } = await gpu.timeKernels(async () => {
    for (let i = 0; i < STEPS; i++) await step();
  });
  const stepMs = (performance.now() - start) / STEPS;
  for (const t of [x, y]) t.dispose();
  model.dispose();
  optimizer.dispose();
  return { kernels: kernels.map((k) => ({ ...k, launches: k.launches / STEPS, ms: k.ms / STEPS })), stepMs, shapes: shapeTiles(gpu.runtime).filter((s) => !earlier.has(s.shape)) };
}
