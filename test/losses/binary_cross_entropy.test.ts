// tm.losses.binaryCrossEntropy on every backend against float64: of
// probabilities (clipped to [1e-7, 1 − 1e-7]) and of logits (computed without
// exponentiating a large logit), with each reduction; and the gradient from
// logits, σ(x) − y, everywhere including a logit of exactly 0, where
// autograd through max(x, 0) and |x| would have lost σ(0) = ½.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

const [N, D] = [9, 5];
const logits = Float32Array.from(uniform(N * D, -6, 6), (v, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? 40 * Math.sign(v) : v));
const targets = Float32Array.from({ length: N * D }, (_, i) => (i * 7919) % 3 === 0 ? 1 : 0);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** −y·log σ(x) − (1−y)·log(1 − σ(x)), stably in float64. */
const fromLogit = (x: number, y: number) => Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
const perSample = (f: (i: number) => number) => Float64Array.from({ length: N }, (_, s) => {
  let total = 0;
  for (let j = 0; j < D; j++) total += f(s * D + j);
  return total / D;
});
const sum = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0);

describe.each(BACKENDS)('binaryCrossEntropy on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('from logits: the mean over each sample\'s elements, then the mean, the sum or each sample', async () => {
    const want = perSample((i) => fromLogit(logits[i], targets[i]));
    const [x, y] = [tm.tensor(logits, [N, D]), tm.tensor(targets, [N, D])];
    expectClose(await tm.losses.binaryCrossEntropy(x, y, { fromLogits: true }).data(), [sum(want) / N], 1e-5);
    expectClose(await tm.losses.binaryCrossEntropy(x, y, { fromLogits: true, reduction: 'sum' }).data(), [sum(want)], 1e-5);
    expectClose(await tm.losses.binaryCrossEntropy(x, y, { fromLogits: true, reduction: 'none' }).data(), want, 1e-5);
  });

  it('of probabilities, clipped away from 0 and 1', async () => {
    const clip = (p: number) => Math.min(Math.max(p, 1e-7), 1 - 1e-7);
    const probabilities = Float32Array.from(logits, sigmoid);
    const want = perSample((i) => {
      const p = clip(probabilities[i]);
      return -(targets[i] * Math.log(p) + (1 - targets[i]) * Math.log(1 - p));
    });
    // Clipping in f32 (1 − 1e-7 rounds to 1 − 2⁻²⁴·2) moves the log of a saturated probability a little.
    expectClose(await tm.losses.binaryCrossEntropy(tm.tensor(probabilities, [N, D]), tm.tensor(targets, [N, D]), { reduction: 'none' }).data(), want, 2e-2);
  });

  it('from logits, the gradient is (σ(x) − y)/n for the logits and −x/n for the targets, a logit of 0 included', async () => {
    const [x, y] = [tm.tensor(logits, [N, D]), tm.tensor(targets, [N, D])];
    x.requiresGrad = true;
    y.requiresGrad = true;
    tm.losses.binaryCrossEntropy(x, y, { fromLogits: true }).backward();
    const n = N * D;
    expectClose(await x.grad!.data(), Array.from(logits, (v, i) => (sigmoid(v) - targets[i]) / n), 1e-5, 'dx', Array(n).fill(1 / n));
    expectClose(await y.grad!.data(), Array.from(logits, (v) => -v / n), 1e-5, 'dy', Array(n).fill(1 / n));
  });

  it('logistic regression from zero weights moves: every label 0 gives each weight the gradient ½·mean(x)', async () => {
    const w = tm.zeros([3, 1]);
    w.requiresGrad = true;
    const features = tm.tensor([[1, 2, 3], [3, 2, 1]]);
    tm.losses.binaryCrossEntropy(features.matmul(w), tm.zeros([2, 1]), { fromLogits: true }).backward();
    expectClose(await w.grad!.data(), [1, 1, 1], 1e-6);
    expect(Array.from(await w.grad!.data()).every((g) => g > 0)).toBe(true);
  });
});

describe.each(BACKENDS)('binaryCrossEntropy with weights on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('posWeight weighs the positive term of each class (PyTorch\'s pos_weight), its gradient (1 − y) − l·σ(−x) with l = 1 + (p − 1)·y; weight scales each element', async () => {
    const p = Float32Array.from({ length: D }, (_, k) => 0.5 + k);
    const w = Float32Array.from({ length: D }, (_, k) => 2 - k * 0.3);
    // −p·y·log σ(x) − (1 − y)·log(1 − σ(x)), in float64.
    const term = (i: number) => {
      const [x, y, pk] = [logits[i], targets[i], p[i % D]];
      const softplusNeg = Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
      return (1 - y) * x + (1 + (pk - 1) * y) * softplusNeg;
    };
    const x = tm.tensor(logits, [N, D]);
    x.requiresGrad = true;
    const y = tm.tensor(targets, [N, D]);
    const none = tm.losses.binaryCrossEntropy(x, y, { fromLogits: true, posWeight: tm.tensor(p), weight: tm.tensor(w), reduction: 'none' });
    expectClose(await none.data(), perSample((i) => w[i % D] * term(i)), 1e-5, 'per sample');
    tm.losses.binaryCrossEntropy(x, y, { fromLogits: true, posWeight: tm.tensor(p), reduction: 'sum' }).backward();
    const grad = Float64Array.from({ length: N * D }, (_, i) => {
      const l = 1 + (p[i % D] - 1) * targets[i];
      return ((1 - targets[i]) - l * sigmoid(-logits[i])) / D;
    });
    expectClose(await x.grad!.data(), grad, 1e-5, 'gradient');
    // A number for every class; 1 is the plain loss.
    expectClose(await tm.losses.binaryCrossEntropy(x, y, { fromLogits: true, posWeight: 1 }).data(), await tm.losses.binaryCrossEntropy(x, y, { fromLogits: true }).data(), 1e-6);
    expect(() => tm.losses.binaryCrossEntropy(x, y, { posWeight: 2 })).toThrow('binaryCrossEntropy: posWeight weighs the positive term of logits: it needs fromLogits');
    expect(() => tm.losses.binaryCrossEntropy(x, y, { fromLogits: true, posWeight: tm.ones([D + 1]) })).toThrow(`binaryCrossEntropy: posWeight must be [${D}] (one per class of the prediction's last axis) or [1], got [${D + 1}]`);
  });
});
