// Second derivatives on each backend, what they cost next to a first one:
// a WGAN-GP critic's gradient penalty step (the gradient of ‖∂D/∂x‖'s
// penalty with respect to the weights, through a recorded backward pass)
// and a Hessian–vector product of a classifier's loss with respect to its
// weights, each against the plain gradient of the same network, op + await
// of the gradients; TensorFlow.js (tfjs-wasm) on the same penalty, nested
// tf.grad, where it runs (its gradients are not all differentiable: it
// stops at a missing gradient function, which the table then says).
import * as tf from '@tensorflow/tfjs-core';
import * as tm from '../src/index.js';
import { bestOfEach, printTable } from './harness.js';
import { useTfjs } from './peers/tfjs.js';

const [BATCH, FEATURES, HIDDEN] = [128, 32, 64];

function critic(seed: number): tm.nn.Sequential {
  return new tm.nn.Sequential([
    new tm.nn.Dense(FEATURES, HIDDEN, { seed, activation: 'tanh' }),
    new tm.nn.Dense(HIDDEN, HIDDEN, { seed: seed + 1, activation: 'tanh' }),
    new tm.nn.Dense(HIDDEN, 1, { seed: seed + 2 }),
  ]);
}

async function timeOn(backend: tm.BackendName): Promise<{ gradient: number; penalty: number; hvp: number }> {
  await tm.init({ backend });
  const model = critic(1);
  const weights = model.parameters();
  const x = tm.randn([BATCH, FEATURES], { seed: 4 });
  const directions = weights.map((w, i) => tm.randn(w.shape, { seed: 10 + i }));
  const readAll = async (ts: tm.Tensor[]) => {
    await Promise.all(ts.map((t) => t.data()));
    for (const t of ts) t.dispose();
  };
  const loss = (...ws: tm.Tensor[]) => x.matmul(ws[0]).add(ws[1]).tanh().matmul(ws[2]).add(ws[3]).tanh().matmul(ws[4]).add(ws[5]).square().mean();
  const times = await bestOfEach({
    gradient: async () => {
      await readAll(tm.grad(tm.tidy(() => model.forward(x).square().mean()), weights));
    },
    penalty: async () => {
      const input = x.detach();
      input.requiresGrad = true;
      const penalty = tm.tidy(() => {
        const [dx] = tm.grad(model.forward(input).sum(), [input], { createGraph: true });
        return dx.square().sum(1).add(1e-12).sqrt().sub(1).square().mean();
      });
      await readAll(tm.grad(penalty, weights));
      input.dispose();
    },
    hvp: async () => {
      const { output, hvp } = tm.autograd.hvp(loss, weights, directions);
      output.dispose();
      await readAll(hvp);
    },
  }, 1500, 3);
  model.dispose();
  x.dispose();
  for (const d of directions) d.dispose();
  return times;
}

/** The same penalty step in TensorFlow.js (tfjs-wasm), ms, or the error it stops with. */
async function tfjsPenalty(): Promise<number | string> {
  await useTfjs('wasm');
  const layer = (rows: number, cols: number, seed: number) => [tf.variable(tf.randomNormal([rows, cols], 0, 0.1, 'float32', seed)), tf.variable(tf.zeros([cols]))];
  const [w1, b1, w2, b2, w3, b3] = [...layer(FEATURES, HIDDEN, 1), ...layer(HIDDEN, HIDDEN, 2), ...layer(HIDDEN, 1, 3)];
  const x = tf.randomNormal([BATCH, FEATURES], 0, 1, 'float32', 4);
  const dense = (t: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(t as tf.Tensor2D, w as tf.Tensor2D), b);
  const forward = (t: tf.Tensor) => dense(tf.tanh(dense(tf.tanh(dense(t, w1, b1)), w2, b2)), w3, b3);
  try {
    const { penalty } = await bestOfEach({
      penalty: async () => {
        const { value, grads } = tf.variableGrads(() => {
          const dx = tf.grad((t: tf.Tensor) => tf.sum(forward(t)))(x);
          return tf.mean(tf.square(tf.sub(tf.sqrt(tf.add(tf.sum(tf.square(dx), 1), 1e-12)), 1))) as tf.Scalar;
        });
        await Promise.all(Object.values(grads).map((g) => g.data()));
        value.dispose();
        tf.dispose(Object.values(grads));
      },
    }, 1500, 3);
    return penalty;
  } catch (err) {
    return `fails: ${(err as Error).message.split('\n')[0].slice(0, 80)}`;
  } finally {
    tf.disposeVariables();
    x.dispose();
  }
}

export async function autogradSection(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const backend of ['native', 'webgpu', 'js'] as const) {
    const t = await timeOn(backend).catch(() => ({ gradient: NaN, penalty: NaN, hvp: NaN }));
    rows.push([backend, t.gradient, t.penalty, t.penalty / t.gradient, t.hvp, t.hvp / t.gradient]);
  }
  const tfjs = await tfjsPenalty();
  if (typeof tfjs === 'number') rows.push(['tfjs-wasm', '', tfjs, '', '', '']);
  const native = rows[0][2] as number;
  await tm.init({ backend: 'native' });
  printTable(
    `second derivatives, ms, op + await of the gradients: an MLP ${FEATURES}-${HIDDEN}-${HIDDEN}-1 (tanh) on a batch of ${BATCH}`,
    ['backend', 'gradient of the loss', 'gradient penalty step', 'penalty/gradient', 'Hessian·v (tm.autograd.hvp)', 'hvp/gradient'],
    rows,
    'gradient penalty: WGAN-GP\'s (‖∂D/∂x‖ − 1)² differentiated with respect to the weights through a recorded backward pass (createGraph); ' +
      `Hessian·v: two reverse passes, the Hessian never formed. TensorFlow.js (tfjs-wasm), the same penalty through tf.grad inside tf.variableGrads: ` +
      (typeof tfjs === 'number' ? `native is ${(tfjs / native).toFixed(1)}× faster.` : tfjs),
  );
}
