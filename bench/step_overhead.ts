// What a training step costs when the arithmetic is next to nothing: an MLP
// 8-16-16-2 (ReLU, softmax cross-entropy, Adam) on a batch of 4, forward,
// backward and update, tmnn next to TensorFlow.js, each written the way its
// users write a step by hand (tmnn: tidy + backward + optimizer.step; tfjs:
// optimizer.minimize). On the CPU backends the per-step time is the framework
// itself — op dispatch, autograd, memory management — which small models pay
// on every step, and every model pays on a GPU fast enough to leave the CPU
// as the bottleneck. On webgpu it also holds the GPU's time for the step's
// ~20 small launches and a readback every READ_EVERY steps, as a training
// loop that watches its loss has; on a software adapter that is much of it.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node build registers no gradients, which optimizer.minimize needs; tfjs-layers' build registers them.
import '@tensorflow/tfjs-layers';
import * as tm from '../src/index.js';
import { activeBackend } from '../src/engine.js';
import type { WebGpuBackend } from '../src/backends/webgpu/index.js';
import { printTable } from './harness.js';
import { useTfjs } from './peers/tfjs.js';
import { useTfjsWebgpu } from './peers/tfjs-webgpu-node.js';

const WIDTHS = [8, 16, 16, 2];
const BATCH = 4;
/** Steps per round: fewer on webgpu, where tfjs takes ~10 ms a step on a software adapter. */
const STEPS = { cpu: 1000, gpu: 200 };
const ROUNDS = 5;
/** Each step's loss is read back every this many steps, and at the end of a round. */
const READ_EVERY = 20;

/** A step's loss, as either library holds it. */
interface Loss {
  data(): Promise<unknown>;
  dispose(): void;
}

/** µs per step: the best of ROUNDS rounds of `steps` steps, after a warm-up round. */
async function perStep(step: () => Loss, steps: number): Promise<number> {
  let best = Infinity;
  for (let round = 0; round <= ROUNDS; round++) {
    const start = performance.now();
    for (let i = 1; i <= steps; i++) {
      const loss = step();
      if (i % READ_EVERY === 0 || i === steps) await loss.data();
      loss.dispose();
    }
    if (round > 0) best = Math.min(best, ((performance.now() - start) / steps) * 1000);
  }
  return best;
}

const inputs = Float32Array.from({ length: BATCH * WIDTHS[0] }, (_, i) => Math.sin(i));
const labels = Int32Array.from({ length: BATCH }, (_, i) => i % WIDTHS[WIDTHS.length - 1]);

async function tmnnStepUs(backend: tm.BackendName): Promise<number> {
  await tm.init({ backend });
  tm.setSeed(1);
  const model = new tm.nn.Sequential(WIDTHS.slice(1).map((w, i) => new tm.nn.Dense(WIDTHS[i], w, { activation: i < WIDTHS.length - 2 ? 'relu' : 'linear' })));
  const optimizer = new tm.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = tm.tensor(inputs, [BATCH, WIDTHS[0]]);
  const y = tm.tensor(labels);
  const us = await perStep(() => tm.tidy(() => {
    const loss = tm.losses.crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();
    return loss;
  }), backend === 'webgpu' ? STEPS.gpu : STEPS.cpu);
  for (const t of [x, y]) t.dispose();
  model.dispose();
  optimizer.dispose();
  return us;
}

async function tfjsStepUs(backend: 'cpu' | 'wasm' | 'webgpu'): Promise<number> {
  if (backend === 'wasm') await useTfjs('wasm');
  else if (backend === 'webgpu') await useTfjsWebgpu();
  else await tf.setBackend('cpu');
  const weights = WIDTHS.slice(1).flatMap((w, i) => [tf.variable(tf.randomNormal([WIDTHS[i], w], 0, 0.1, 'float32', i + 1)), tf.variable(tf.zeros([w]))]);
  const optimizer = tf.train.adam(1e-3);
  const x = tf.tensor2d(inputs, [BATCH, WIDTHS[0]]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), WIDTHS[WIDTHS.length - 1]);
  const forward = () => {
    let h: tf.Tensor = x;
    for (let i = 0; i < weights.length; i += 2) {
      h = tf.add(tf.matMul(h, weights[i]), weights[i + 1]);
      if (i < weights.length - 2) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
  };
  const us = await perStep(() => tf.tidy(() => optimizer.minimize(forward, true)!), backend === 'webgpu' ? STEPS.gpu : STEPS.cpu);
  tf.dispose([...weights, x, y]);
  optimizer.dispose();
  return us;
}

const TITLE = 'a training step of an MLP 8-16-16-2 (ReLU, softmax cross-entropy, Adam) on a batch of 4, µs per step';
const HOW = `tmnn: tidy + backward + optimizer.step; tfjs: optimizer.minimize. The loss read back every ${READ_EVERY} steps. ` +
  `Best of ${ROUNDS} rounds of ${STEPS.cpu.toLocaleString('en-US')} steps (${STEPS.gpu} on webgpu).`;

/** tmnn js and native next to tfjs cpu and wasm. */
export async function cpuStepTable(): Promise<void> {
  const rows: [string, number][] = [];
  for (const backend of ['js', 'native'] as const) rows.push([`tmnn ${backend}`, await tmnnStepUs(backend)]);
  for (const backend of ['cpu', 'wasm'] as const) rows.push([`tfjs-${backend}`, await tfjsStepUs(backend)]);
  const bestTfjs = Math.min(...rows.filter(([name]) => name.startsWith('tfjs')).map(([, us]) => us));
  printTable(
    `${TITLE} on the CPU: the framework's own cost`,
    ['', 'µs per step', '× faster than the best tfjs'],
    rows.map(([name, us]) => [name, us, bestTfjs / us]),
    'Forward, backward and update where the arithmetic is next to nothing: op dispatch, autograd and memory management, ' +
      'which small models pay every step, and every model on a GPU fast enough to leave the CPU the bottleneck. ' + HOW,
  );
}

/** tmnn webgpu next to tfjs-webgpu on the same adapter. */
export async function webgpuStepTable(): Promise<void> {
  let ours: number;
  try {
    ours = await tmnnStepUs('webgpu');
  } catch (err) {
    console.log(`\n${TITLE} on webgpu: skipped, no adapter here: ${(err as Error).message}`);
    return;
  }
  const adapter = (activeBackend() as WebGpuBackend).device.description;
  const peer = await tfjsStepUs('webgpu').catch((err: Error) => `failed: ${err.message.slice(0, 60)}`);
  printTable(
    `${TITLE} on webgpu (${adapter}), GPU time included`,
    ['', 'µs per step', '× faster than tfjs-webgpu'],
    [['tmnn webgpu', ours, typeof peer === 'number' ? peer / ours : '—'], ['tfjs-webgpu', peer, typeof peer === 'number' ? 1 : '—']],
    'Both on the same Dawn adapter. Each step issues ~20 small launches; a software adapter runs them on the CPU ' +
      'beside the framework, so there this is the framework plus the adapter. ' + HOW,
  );
}
