// tm.losses.crossEntropy on every backend: the loss of class labels against
// float64, and what a class label outside the logits' classes does — an
// error naming it where the labels can be read at once (js, native), a NaN
// loss for that sample on a GPU, never a quiet loss of 0.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { isFloat } from '../../src/dtype.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, randomInts, uniform } from '../helpers/data.js';

/** −log softmax(row)[label] per row, in float64 (NaN for a label with no logit). */
function crossEntropyRef(logits: Float32Array, classes: number, labels: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: labels.length }, (_, i) => {
    const row = Array.from(logits.subarray(i * classes, (i + 1) * classes));
    const top = Math.max(...row);
    const logSum = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
    return logSum - row[labels[i]];
  });
}

describe.each(BACKENDS)('crossEntropy on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('is −log softmax(logits)[label] per sample, and their mean by default', async () => {
    const [n, c] = [37, 11];
    const values = Float32Array.from(uniform(n * c, -4, 4));
    const classes = Int32Array.from({ length: n }, (_, i) => (i * 7) % c);
    const logits = tm.tensor(values, [n, c]);
    const labels = tm.tensor(classes, [n]);
    const want = crossEntropyRef(values, c, classes);
    expectClose(await tm.losses.crossEntropy(logits, labels, { reduction: 'none' }).data(), want, 1e-5);
    expectClose(await tm.losses.crossEntropy(logits, labels).data(), [want.reduce((s, v) => s + v, 0) / n], 1e-5);
  });

  it('with labelSmoothing ε is the cross-entropy against (1 − ε)·target + ε/C, for class labels and for probabilities; its gradient too', async () => {
    const [n, c, eps] = [9, 5, 0.2];
    const values = Float32Array.from(uniform(n * c, -4, 4));
    const classes = Int32Array.from({ length: n }, (_, i) => (i * 3) % c);
    const probabilities = Float64Array.from({ length: n * c }, (_, i) => (i % c === classes[Math.floor(i / c)] ? 0.7 : 0.3 / (c - 1)));
    // −Σ_j target_j · log softmax_j, the target smoothed, in float64.
    const smoothedRef = (target: (i: number, j: number) => number) => Float64Array.from({ length: n }, (_, i) => {
      const row = Array.from(values.subarray(i * c, (i + 1) * c));
      const top = Math.max(...row);
      const logSum = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
      return row.reduce((s, v, j) => s - ((1 - eps) * target(i, j) + eps / c) * (v - logSum), 0);
    });
    const logits = tm.tensor(values, [n, c]);
    logits.requiresGrad = true;
    const hard = tm.losses.crossEntropy(logits, tm.tensor(classes), { labelSmoothing: eps, reduction: 'none' });
    expectClose(await hard.data(), smoothedRef((i, j) => +(j === classes[i])), 1e-5);
    expectClose(await tm.losses.crossEntropy(logits, tm.tensor(probabilities, [n, c]), { labelSmoothing: eps, reduction: 'none' }).data(), smoothedRef((i, j) => probabilities[i * c + j]), 1e-5);
    // d/dlogit = softmax − smoothed target, over n for the mean.
    tm.losses.crossEntropy(logits, tm.tensor(classes), { labelSmoothing: eps }).backward();
    const want = Float64Array.from({ length: n * c }, (_, k) => {
      const [i, j] = [Math.floor(k / c), k % c];
      const row = Array.from(values.subarray(i * c, (i + 1) * c));
      const total = row.reduce((s, v) => s + Math.exp(v), 0);
      return (Math.exp(values[k]) / total - ((1 - eps) * +(j === classes[i]) + eps / c)) / n;
    });
    expectClose(await logits.grad!.data(), want, 1e-5);
  });

  it('with class weights weighs each sample by its label\'s weight and averages over those weights (PyTorch\'s weight), with smoothing, ignoreIndex and nll; gradients too', async () => {
    const [n, c, eps] = [13, 6, 0.1];
    const values = Float32Array.from(uniform(n * c, -4, 4));
    const classes = Int32Array.from({ length: n }, (_, i) => (i * 5) % c);
    classes[3] = -100;
    const w = Float32Array.from({ length: c }, (_, k) => 0.5 + k * 0.75);
    const logSoftmax = (i: number, k: number) => -crossEntropyRef(values.subarray(i * c, (i + 1) * c), c, [k])[0];
    const kept = Array.from(classes.keys()).filter((i) => classes[i] !== -100);
    // PyTorch: (1 − ε)·w[y]·(−log p[y]) + ε/C·Σ_k w[k]·(−log p[k]), 'mean' over Σ w[y] of the kept samples.
    const lossOf = (i: number, smoothing: number) => (1 - smoothing) * w[classes[i]] * -logSoftmax(i, classes[i]) + (smoothing / c) * Array.from(w).reduce((acc, wk, k) => acc - wk * logSoftmax(i, k), 0);
    const weightSum = kept.reduce((acc, i) => acc + w[classes[i]], 0);
    const logits = tm.tensor(values, [n, c]);
    logits.requiresGrad = true;
    const labels = tm.tensor(classes, [n]);
    const weight = tm.tensor(w);
    for (const smoothing of [0, eps]) {
      const none = tm.losses.crossEntropy(logits, labels, { weight, labelSmoothing: smoothing, ignoreIndex: -100, reduction: 'none' });
      expectClose(await none.data(), Array.from(classes, (y, i) => (y === -100 ? 0 : lossOf(i, smoothing))), 1e-5, `none, ε ${smoothing}`);
      const mean = tm.losses.crossEntropy(logits, labels, { weight, labelSmoothing: smoothing, ignoreIndex: -100 });
      expectClose(await mean.data(), [kept.reduce((acc, i) => acc + lossOf(i, smoothing), 0) / weightSum], 1e-5, `mean, ε ${smoothing}`);
    }
    // d mean / d logits[i, k] = w[y]·(softmax[k] − [k = y]) / Σ w[y] (no smoothing).
    tm.losses.crossEntropy(logits, labels, { weight, ignoreIndex: -100 }).backward();
    const grad = Float64Array.from({ length: n * c }, (_, at) => {
      const [i, k] = [Math.floor(at / c), at % c];
      return classes[i] === -100 ? 0 : (w[classes[i]] * (Math.exp(logSoftmax(i, k)) - (k === classes[i] ? 1 : 0))) / weightSum;
    });
    expectClose(await logits.grad!.data(), grad, 1e-5, 'gradient');
    // nll of the log-probabilities is the same loss; and a probability target weighs each class's term, averaged over samples.
    const logProbabilities = tm.noGrad(() => logits.logSoftmax(-1));
    expectClose(await tm.losses.nll(logProbabilities, labels, { weight, ignoreIndex: -100 }).data(), [kept.reduce((acc, i) => acc + lossOf(i, 0), 0) / weightSum], 1e-5, 'nll');
    const soft = tm.noGrad(() => labels.notEqual(-100).cast('f32').reshape([n, 1]).mul(tm.tensor(Float32Array.from({ length: n * c }, () => 1 / c), [n, c])));
    const softWant = Array.from({ length: n }, (_, i) => (classes[i] === -100 ? 0 : Array.from(w).reduce((acc, wk, k) => acc - (wk / c) * logSoftmax(i, k), 0)));
    expectClose(await tm.losses.crossEntropy(logits, soft, { weight }).data(), [softWant.reduce((a, b) => a + b, 0) / n], 1e-5, 'probabilities');
    expect(() => tm.losses.crossEntropy(logits, labels, { weight: tm.ones([c + 1]), ignoreIndex: -100 })).toThrow(`crossEntropy: weight must be [${c}], one per class of logits [${n},${c}], got [${c + 1}]`);
    expect(() => tm.losses.nll(logProbabilities, labels, { weight: tm.ones([c], { dtype: 'i32' }), ignoreIndex: -100 })).toThrow('nll: weight must be f32 or f16, got i32');
  });

  it('with ignoreIndex leaves those samples out: 0 each, the mean over the rest, no gradient to their logits, NaN if all are left out', async () => {
    const [n, c] = [7, 4];
    const values = Float32Array.from(uniform(n * c, -3, 3));
    const classes = Int32Array.of(1, -100, 3, 0, -100, 2, 2);
    const logits = tm.tensor(values, [n, c]);
    logits.requiresGrad = true;
    const labels = tm.tensor(classes);
    const each = crossEntropyRef(values, c, classes.map((k) => Math.max(k, 0))).map((v, i) => (classes[i] === -100 ? 0 : v));
    expectClose(await tm.losses.crossEntropy(logits, labels, { ignoreIndex: -100, reduction: 'none' }).data(), each, 1e-5);
    expectClose(await tm.losses.crossEntropy(logits, labels, { ignoreIndex: -100, reduction: 'sum' }).data(), [each.reduce((s, v) => s + v, 0)], 1e-5);
    const mean = tm.losses.crossEntropy(logits, labels, { ignoreIndex: -100, labelSmoothing: 0.1 });
    mean.backward();
    const grads = await logits.grad!.data();
    for (const i of [1, 4]) expect(Array.from(grads.subarray(i * c, (i + 1) * c), Math.abs)).toEqual([0, 0, 0, 0]);
    expectClose(await tm.losses.crossEntropy(logits, labels, { ignoreIndex: -100 }).data(), [each.reduce((s, v) => s + v, 0) / 5], 1e-5);
    const allOut = tm.losses.crossEntropy(logits, tm.tensor(Int32Array.from({ length: n }, () => 7)), { ignoreIndex: 7 });
    expect(Number.isNaN((await allOut.data())[0])).toBe(true);
  });

  it('with ignoreIndex averages f16 logits in f32: a batch whose sum or count f16 cannot hold', async () => {
    const labels = tm.tensor(Int32Array.from({ length: 70000 }, (_, i) => (i === 3 ? -100 : i % 10)));
    const loss = tm.losses.crossEntropy(tm.zeros([70000, 10], { dtype: 'f16' }), labels, { ignoreIndex: -100 });
    expect(loss.dtype).toBe('f16');
    expectClose(await loss.data(), [Math.log(10)], 2e-3);
  });

  it('of f16 logits is f16, with every label dtype and reduction', async () => {
    const logits = tm.tensor(Float32Array.from(uniform(6 * 3, -2, 2)), [6, 3]).cast('f16');
    for (const labels of [tm.tensor(Int32Array.of(0, 1, 2, 2, 1, 0)), tm.tensor(Int8Array.of(0, 1, 2, 2, 1, 0)), tm.tensor(Int32Array.of(0, 1, 2, 2, 1, 0)).oneHot(3, 'f16')]) {
      for (const reduction of ['mean', 'sum', 'none'] as const) expect(tm.losses.crossEntropy(logits, labels, { reduction }).dtype).toBe('f16');
    }
  });

  it('takes i8 labels, with more classes than an i8 can count to', async () => {
    const [n, c] = [5, 200];
    const values = Float32Array.from(uniform(n * c, -2, 2));
    const classes = Int8Array.of(0, 127, 3, 99, 126);
    const loss = tm.losses.crossEntropy(tm.tensor(values, [n, c]), tm.tensor(classes, [n]), { reduction: 'none' });
    expectClose(await loss.data(), crossEntropyRef(values, c, classes), 1e-5);
  });

  it('never counts a label outside the classes as a loss of 0', async () => {
    const [n, c] = [6, 4];
    const values = Float32Array.from(uniform(n * c, -3, 3));
    const logits = tm.tensor(values, [n, c]);
    for (const bad of [4, -1, 1000]) {
      const classes = Int32Array.of(0, 1, 2, bad, 3, 1);
      const labels = tm.tensor(classes, [n]);
      if (backend === 'webgpu') {
        // Checking would wait for the GPU: the sample's loss is NaN instead, and so is the mean.
        // (The reference reads no logit for the bad label: NaN there, the loss elsewhere.)
        const perSample = await tm.losses.crossEntropy(logits, labels, { reduction: 'none' }).data();
        expectClose(perSample, crossEntropyRef(values, c, classes), 1e-5);
        expect(Number.isNaN(perSample[3])).toBe(true);
        expect(Number.isNaN(await tm.losses.crossEntropy(logits, labels).item())).toBe(true);
      } else {
        expect(() => tm.losses.crossEntropy(logits, labels)).toThrow(tm.ValueError);
        expect(() => tm.losses.crossEntropy(logits, labels)).toThrow(
          new tm.ValueError(`crossEntropy: class label ${bad} (sample 3) is not one of the 4 classes of logits [6,4], 0 to 3`),
        );
      }
      // The inputs are as they were.
      expect(Array.from(await labels.data())).toEqual(Array.from(classes));
      expect(await logits.data()).toEqual(values);
    }
  });

  it.each([[[2, 5, 3, 4]], [[3, 7, 5]], [[1, 3, 2, 3, 5]]])(
    'takes PyTorch\'s layout of a class per position, logits %j [N, C, d1, …] with labels [N, d1, …]: weighted, some positions ignored; loss and gradient', async (shape) => {
      const [n, c] = shape;
      const positions = shape.slice(2).reduce((a, b) => a * b, 1);
      const values = Float32Array.from(uniform(n * c * positions, -3, 3));
      const weights = Float32Array.from(uniform(c, 0.2, 2));
      const classes = Int32Array.from(randomInts(n * positions, -1, c - 1)); // −1: left out
      const at = (i: number, k: number, j: number) => values[(i * c + j) * positions + k];
      // Per position, float64: w[label]·(log Σ exp − logit[label]); the mean over the kept positions' weights.
      const losses = new Float64Array(n * positions);
      const grad = new Float64Array(values.length);
      let weightSum = 0;
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < positions; k++) {
          const label = classes[i * positions + k];
          if (label < 0) continue;
          const row = Array.from({ length: c }, (_, j) => at(i, k, j));
          const top = Math.max(...row);
          const total = row.reduce((sum, v) => sum + Math.exp(v - top), 0);
          losses[i * positions + k] = weights[label] * (top + Math.log(total) - row[label]);
          weightSum += weights[label];
          row.forEach((v, j) => (grad[(i * c + j) * positions + k] = weights[label] * (Math.exp(v - top) / total - +(j === label))));
        }
      }
      const logits = tm.tensor(values, shape);
      logits.requiresGrad = true;
      const labels = tm.tensor(classes, [n, ...shape.slice(2)]);
      const options = { weight: tm.tensor(weights), ignoreIndex: -1 };
      const each = tm.losses.crossEntropy(logits, labels, { ...options, reduction: 'none' });
      expect(each.shape).toEqual([n, ...shape.slice(2)]);
      expectClose(await each.data(), losses, 1e-5);
      tm.losses.crossEntropy(logits, labels, options).backward();
      expectClose(await logits.grad!.data(), grad.map((g) => g / weightSum), 1e-5);
      // nll of the log-probabilities is the same loss.
      expectClose(await tm.losses.nll(logits.logSoftmax(1), labels, options).data(), [losses.reduce((a, b) => a + b, 0) / weightSum], 1e-5);
    },
  );

  it('leaves nothing behind in any layout, with or without a gradient: the rows it reshapes are its own', async () => {
    const cases = [
      [tm.randn([5, 4], { seed: 1 }), tm.tensor(Int32Array.of(0, 1, 2, 3, 0))],
      [tm.randn([2, 4, 3], { seed: 2 }), tm.tensor(Int32Array.of(0, 1, 2, 3, 0, 1), [2, 3])],
      [tm.randn([2, 4, 3], { seed: 3 }), tm.rand([2, 4, 3], { seed: 4 })],
      [tm.randn([4], { seed: 5 }), tm.tensor(Int32Array.of(2), [])],
    ] as const;
    const run = () => {
      for (const [logits, labels] of cases) {
        tm.noGrad(() => tm.losses.crossEntropy(logits, labels, { labelSmoothing: 0.1 })).dispose();
        if (!isFloat(labels.dtype)) tm.noGrad(() => tm.losses.nll(logits, labels, { reduction: 'none' })).dispose();
      }
    };
    run();
    const before = tm.memory().numTensors;
    run();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('names the position of a label outside the classes in a class-per-position layout (NaN there on a GPU)', async () => {
    const logits = tm.tensor(uniform(2 * 3 * 2 * 2), [2, 3, 2, 2]);
    const labels = tm.tensor(Int32Array.of(0, 1, 2, 0, 1, 2, 3, 0), [2, 2, 2]);
    if (backend === 'webgpu') {
      const each = await tm.losses.crossEntropy(logits, labels, { reduction: 'none' }).data();
      expect(Array.from(each, (v) => Number.isNaN(v))).toEqual([false, false, false, false, false, false, true, false]);
    } else {
      expect(() => tm.losses.crossEntropy(logits, labels)).toThrow(new tm.ValueError('crossEntropy: class label 3 (at [1, 1, 0]) is not one of the 3 classes of logits [2,3,2,2], 0 to 2'));
    }
  });

  it('names the shapes when the labels do not fit the logits', () => {
    const logits = tm.zeros([3, 4]);
    expect(() => tm.losses.crossEntropy(logits, tm.tensor(Int32Array.of(0, 1), [2]))).toThrow(
      new tm.ShapeError('crossEntropy: class labels must be [3] for logits [3,4], got [2]'),
    );
    // One sample's logits [12] take one label [], as PyTorch's.
    expect(() => tm.losses.crossEntropy(tm.zeros([12]), tm.tensor(Int32Array.of(0), [1]))).toThrow(
      new tm.ShapeError('crossEntropy: class labels must be [] for logits [12], got [1]'),
    );
    expect(() => tm.losses.crossEntropy(tm.zeros([2, 3, 4, 5]), tm.tensor(new Int32Array(40), [2, 5, 4]))).toThrow(
      new tm.ShapeError('crossEntropy: class labels must be [2,4,5] for logits [2,3,4,5], got [2,5,4]'),
    );
    // Classes last (Keras's layout) gets a hint.
    expect(() => tm.losses.crossEntropy(tm.zeros([2, 5, 3]), tm.tensor(new Int32Array(10), [2, 5]))).toThrow(
      new tm.ShapeError('crossEntropy: class labels must be [2,3] for logits [2,5,3], got [2,5] (the classes are on axis 1, as PyTorch\'s: tm.moveaxis(logits, -1, 1) for classes last)'),
    );
    expect(() => tm.losses.crossEntropy(tm.scalar(1), tm.tensor(Int32Array.of(0), []))).toThrow(
      new tm.ShapeError('crossEntropy: logits must be [classes], [batch, classes] or [batch, classes, d1, …], got []'),
    );
    expect(() => tm.losses.crossEntropy(logits, tm.zeros([3, 5]))).toThrow(
      new tm.ShapeError('crossEntropy: labels [3,5] fit neither as class labels [3] nor as probabilities [3,4] for logits [3,4]'),
    );
  });

  it('says that class indices held in floats need an int dtype', () => {
    expect(() => tm.losses.crossEntropy(tm.zeros([3, 4]), tm.tensor([0, 2, 1]))).toThrow(
      new tm.DTypeError("crossEntropy: labels [3] f32 look like class indices, which must be an int dtype (labels.cast('i32')); float labels are probabilities [3,4]"),
    );
  });
});

describe('crossEntropy refuses', () => {
  it('a labelSmoothing outside [0, 1), an ignoreIndex that is not an integer or comes with probabilities', async () => {
    await tm.init({ backend: 'js' });
    const logits = tm.zeros([2, 3]);
    const labels = tm.tensor(Int32Array.of(0, 1));
    expect(() => tm.losses.crossEntropy(logits, labels, { labelSmoothing: 1 })).toThrow('crossEntropy: labelSmoothing must be a number in [0, 1), got 1');
    expect(() => tm.losses.crossEntropy(logits, labels, { ignoreIndex: 0.5 })).toThrow('crossEntropy: ignoreIndex must be an integer, got 0.5');
    expect(() => tm.losses.crossEntropy(logits, tm.zeros([2, 3]), { ignoreIndex: 0 })).toThrow('crossEntropy: ignoreIndex applies to class labels, not to probabilities');
    expect(() => tm.losses.crossEntropy(logits, tm.tensor(Int32Array.of(0, 5)), { ignoreIndex: -1 })).toThrow(/class label 5 \(sample 1\)/);
  });
});
