// tm.losses.nll, klDiv and smoothL1 on every backend against float64:
// nll is crossEntropy once the logits are log-probabilities; klDiv is
// PyTorch's with 'mean' its 'batchmean'; smoothL1 is huber / β. Their
// gradients by central differences in float64, and what bad input gives.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';

/** Each row of [n, c] values as log-probabilities (log softmax), in float64. */
function logSoftmaxRows(v: Float64Array, c: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i += c) {
    const row = v.subarray(i, i + c);
    const top = Math.max(...row);
    const logSum = top + Math.log(row.reduce((s, x) => s + Math.exp(x - top), 0));
    row.forEach((x, j) => (out[i + j] = x - logSum));
  }
  return out;
}

/** Σ t·(log t − x) over each row of [n, c], a term with t = 0 being 0. */
function klRows(x: Float64Array, t: Float64Array, c: number): Float64Array {
  return Float64Array.from({ length: x.length / c }, (_, i) => {
    let s = 0;
    for (let j = i * c; j < (i + 1) * c; j++) if (t[j] > 0) s += t[j] * (Math.log(t[j]) - x[j]);
    return s;
  });
}

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;

describe.each(BACKENDS)('likelihood losses on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('nll is −logProbabilities[label] per sample, the mean by default; crossEntropy(logits) = nll(logSoftmax(logits)), ignoreIndex as crossEntropy\'s', async () => {
    const [n, c] = [29, 7];
    const logits = asF32(uniform(n * c, -4, 4));
    const logP = Float32Array.from(logSoftmaxRows(logits, c));
    const classes = Int32Array.from({ length: n }, (_, i) => (i * 5) % c);
    const labels = tm.tensor(classes, [n]);
    const want = Float64Array.from(classes, (k, i) => -logP[i * c + k]);
    expectClose(await tm.losses.nll(tm.tensor(logP, [n, c]), labels, { reduction: 'none' }).data(), want, 1e-6);
    expectClose(await tm.losses.nll(tm.tensor(logP, [n, c]), labels).data(), [mean(want)], 1e-6);
    expectClose(await tm.losses.nll(tm.tensor(logP, [n, c]), labels, { reduction: 'sum' }).data(), [want.reduce((s, v) => s + v, 0)], 1e-5);
    const viaLayer = tm.losses.nll(new tm.nn.LogSoftmax().forward(tm.tensor(logits, [n, c])), labels);
    expectClose(await viaLayer.data(), await tm.losses.crossEntropy(tm.tensor(logits, [n, c]), labels).data(), 1e-6);
    const padded = tm.tensor(Int32Array.from(classes, (k, i) => (i % 4 === 0 ? -100 : k)), [n]);
    const kept = want.filter((_, i) => i % 4 !== 0);
    expectClose(await tm.losses.nll(tm.tensor(logP, [n, c]), padded, { ignoreIndex: -100 }).data(), [mean(kept)], 1e-6);
  });

  it("nll's gradient is −1 at each sample's label over the batch size, 0 elsewhere", async () => {
    const x = tm.tensor(asF32(uniform(12, -3, -0.1)), [4, 3]);
    x.requiresGrad = true;
    tm.losses.nll(x, tm.tensor(Int32Array.of(2, 0, 1, 2), [4])).backward();
    expectClose(await x.grad!.data(), [0, 0, -0.25, -0.25, 0, 0, 0, -0.25, 0, 0, 0, -0.25], 0);
  });

  it("klDiv is Σ t·(log t − input) per sample, the samples' mean by default (PyTorch's batchmean); logTarget takes log t; t = 0 adds 0", async () => {
    const [n, c] = [13, 5];
    const input = logSoftmaxRows(asF32(uniform(n * c, -3, 3)), c).map(Math.fround);
    const target = asF32(Float64Array.from(logSoftmaxRows(uniform(n * c, -3, 3), c), (v, i) => (i % 6 === 0 ? 0 : Math.exp(v))));
    const want = klRows(input, target, c);
    const [x, t] = [tm.tensor(input, [n, c]), tm.tensor(target, [n, c])];
    expectClose(await tm.losses.klDiv(x, t, { reduction: 'none' }).data(), want, 1e-5);
    expectClose(await tm.losses.klDiv(x, t).data(), [mean(want)], 1e-5);
    // A negative target is no distribution: NaN, as PyTorch's xlogy gives, not a term of 0.
    const negative = await tm.losses.klDiv(x.slice([0, 0], [2, c]), tm.tensor([[-0.1, 0.3, 0.3, 0.3, 0.2], [0.2, 0.2, 0.2, 0.2, 0.2]]), { reduction: 'none' }).data();
    expect([Number.isNaN(negative[0]), Number.isNaN(negative[1])]).toEqual([true, false]);
    const positive = asF32(Float64Array.from(target, (v) => v || 1e-3));
    expectClose(
      await tm.losses.klDiv(x, tm.tensor(Float64Array.from(positive, Math.log), [n, c]), { logTarget: true, reduction: 'none' }).data(),
      klRows(input, positive, c), 1e-5,
    );
  });

  it("klDiv's gradients: −t/N for the input; log t − input + 1 over N for the target, and 0 (not NaN) where t = 0", async () => {
    const x = tm.tensor([[-1, -2], [-0.5, -3]]);
    const t = tm.tensor([[0.25, 0.75], [0, 1]]);
    x.requiresGrad = true;
    t.requiresGrad = true;
    tm.losses.klDiv(x, t).backward();
    expectClose(await x.grad!.data(), [-0.125, -0.375, -0, -0.5], 1e-6);
    expectClose(await t.grad!.data(), [(Math.log(0.25) + 1 + 1) / 2, (Math.log(0.75) + 2 + 1) / 2, 0, (0 + 3 + 1) / 2], 1e-6);
  });

  it('smoothL1 is ½e²/β within β and |e| − ½β beyond, per sample; β = 0 is l1; its gradient clips at ±1', async () => {
    const [n, d] = [9, 4];
    const pred = asF32(uniform(n * d, -3, 3));
    const target = asF32(uniform(n * d, -3, 3));
    for (const beta of [1, 0.3, 2.5]) {
      const perSample = Float64Array.from({ length: n }, (_, i) => {
        let s = 0;
        for (let j = i * d; j < (i + 1) * d; j++) {
          const e = Math.abs(pred[j] - target[j]);
          s += e < beta ? (0.5 * e * e) / beta : e - 0.5 * beta;
        }
        return s / d;
      });
      expectClose(await tm.losses.smoothL1(tm.tensor(pred, [n, d]), tm.tensor(target, [n, d]), { beta, reduction: 'none' }).data(), perSample, 1e-5, `beta ${beta}`);
    }
    const args = () => [tm.tensor(pred, [n, d]), tm.tensor(target, [n, d])] as const;
    expectClose(await tm.losses.smoothL1(...args(), { beta: 0 }).data(), await tm.losses.l1(...args()).data(), 1e-6);
    const p = tm.tensor([0, 0, 0]);
    p.requiresGrad = true;
    tm.losses.smoothL1(p, tm.tensor([5, -0.5, -5]), { reduction: 'sum' }).backward();
    expectClose(await p.grad!.data(), [-1, 0.5, 1], 1e-6);
  });

  it('refuse what they cannot take, naming it', () => {
    expect(() => tm.losses.nll(tm.zeros([3, 4]), tm.tensor([0, 1, 2]))).toThrow(new tm.DTypeError("nll: labels must be class indices of an int dtype, got f32 (labels.cast('i32'))"));
    expect(() => tm.losses.nll(tm.zeros([3, 4]), tm.tensor(Int32Array.of(0, 1), [2]))).toThrow(new tm.ShapeError('nll: class labels must be [3] for log-probabilities [3,4], got [2]'));
    expect(() => tm.losses.nll(tm.zeros([12]), tm.tensor(Int32Array.of(0), [1]))).toThrow(new tm.ShapeError('nll: class labels must be [] for log-probabilities [12], got [1]'));
    expect(() => tm.losses.klDiv(tm.zeros([3, 4]), tm.zeros([3, 5]))).toThrow(new tm.ShapeError('klDiv: prediction [3,4] and target [3,5] differ'));
    expect(() => tm.losses.smoothL1(tm.zeros([2]), tm.zeros([2]), { beta: -1 })).toThrow('smoothL1: beta must be a finite number ≥ 0, got -1');
  });
});

describe('nll', () => {
  it('names a label outside the classes where it can read them (js)', async () => {
    await tm.init({ backend: 'js' });
    expect(() => tm.losses.nll(tm.zeros([2, 3]), tm.tensor(Int32Array.of(0, 3), [2]))).toThrow(
      new tm.ValueError('nll: class label 3 (sample 1) is not one of the 3 classes of log-probabilities [2,3], 0 to 2'),
    );
  });

  it('trains a classifier through fit by name, with accuracy, after a LogSoftmax', async () => {
    await tm.init({ backend: 'js' });
    tm.setSeed(3);
    const x = tm.randn([64, 2], { seed: 1 });
    const labels = x.sum(1).greater(0).cast('i32');
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 2), new tm.nn.LogSoftmax()]);
    const history = await model.fit(x, labels, { loss: 'nll', epochs: 30, batchSize: 16, optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.05 }), quiet: true });
    expect(history.accuracy.at(-1)).toBeGreaterThan(0.9);
    expect(history.loss.at(-1)).toBeLessThan(history.loss[0]);
  });
});
