// ONNX's training-mode nodes (src/onnx/ops/training_nodes.ts) on every
// backend. BatchNormalization in training mode against float64 loops of
// onnx's reference (the batch's mean and biased variance; the running
// estimates moved by momentum; opsets 7–13's saved_mean and saved_var;
// spatial = 0 before opset 9), with the gradients to x, scale and bias
// through the batch statistics and to the running inputs through the running
// outputs, checked against the analytic ones; and beside onnxruntime-web,
// whose wasm build runs it (from opset 14 its shape inference asks for all
// three outputs in training mode; tmnn, like the reference, also runs Y
// alone; its saved_var is 1/√(var + ε), the reference's and tmnn's the
// variance). Dropout: the identity with an all-true mask outside training
// (and before opset 12), as onnxruntime gives it; in training, the exact
// relation y = x·mask/(1 − ratio), the mask the draws of tm.rand with the
// node's seed (the same every run) or fresh ones without, the kept count
// within 6σ of n·(1 − ratio), the gradient mask/(1 − ratio); onnxruntime's
// training-mode draws are its own, so only that law is checked on its
// outputs. A small graph with a training-mode BatchNormalization is
// fine-tuned with tm.optim.
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { onnxSeed } from '../../../src/onnx/ops/random.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF16, asF32, expectClose, expectExact, SEED, uniform } from '../../helpers/data.js';
import { size } from '../../helpers/float64.js';
import { onnxModel, singleOp, type AttributeSpec, type OnnxTypeName } from '../../helpers/onnx.js';
import { opModel, runModel, runOp, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

/** What onnx's reference gives for BatchNormalization in training mode, and the gradients of L = Σ y·r + Σ running_mean·a + Σ running_var·b. */
interface TrainingBatchNorm {
  y: Float64Array;
  batchMean: Float64Array;
  batchVar: Float64Array;
  runningMean: Float64Array;
  runningVar: Float64Array;
  dx: Float64Array;
  dscale: Float64Array;
  dbias: Float64Array;
  dmean: Float64Array;
  dvar: Float64Array;
}

interface Weights {
  scale: Float64Array;
  bias: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
}

/** The reference's training mode in float64: statistic g of element i is statOf(i); the variance biased (÷ n). */
function batchNormTrainingRef(x: Float64Array, statOf: (i: number) => number, w: Weights, eps: number, momentum: number, r: Float64Array, a: Float64Array, b: Float64Array): TrainingBatchNorm {
  const k = w.scale.length;
  const n = new Float64Array(k), mean = new Float64Array(k), variance = new Float64Array(k);
  x.forEach((v, i) => {
    n[statOf(i)]++;
    mean[statOf(i)] += v;
  });
  mean.forEach((_, g) => (mean[g] /= n[g]));
  x.forEach((v, i) => (variance[statOf(i)] += (v - mean[statOf(i)]) ** 2 / n[statOf(i)]));
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const xhat = x.map((v, i) => (v - mean[statOf(i)]) * invStd[statOf(i)]);
  const y = xhat.map((h, i) => h * w.scale[statOf(i)] + w.bias[statOf(i)]);
  const dscale = new Float64Array(k), dbias = new Float64Array(k), gMean = new Float64Array(k), ghMean = new Float64Array(k);
  x.forEach((_, i) => {
    const g = statOf(i), up = r[i] * w.scale[g];
    dscale[g] += r[i] * xhat[i];
    dbias[g] += r[i];
    gMean[g] += up / n[g];
    ghMean[g] += (up * xhat[i]) / n[g];
  });
  const dx = x.map((v, i) => {
    const g = statOf(i);
    const throughY = invStd[g] * (r[i] * w.scale[g] - gMean[g] - xhat[i] * ghMean[g]);
    return throughY + ((1 - momentum) * a[g]) / n[g] + ((1 - momentum) * b[g] * 2 * (v - mean[g])) / n[g];
  });
  return {
    y, batchMean: mean, batchVar: variance, dx, dscale, dbias,
    runningMean: w.mean.map((m, g) => m * momentum + mean[g] * (1 - momentum)),
    runningVar: w.variance.map((v, g) => v * momentum + variance[g] * (1 - momentum)),
    dmean: a.map((v) => v * momentum),
    dvar: b.map((v) => v * momentum),
  };
}

const channelOf = (shape: readonly number[]) => (i: number) => Math.floor(i / size(shape.slice(2))) % shape[1];

/** Random weights for k statistics, the variance positive. */
function weights(k: number): Weights {
  return { scale: asF32(uniform(k)), bias: asF32(uniform(k)), mean: asF32(uniform(k)), variance: asF32(uniform(k, 0.2, 2)) };
}

/** A one-node BatchNormalization model: x fed, the weights initializers (the model's parameters) of shape `paramShape`. */
function batchNormModel(xShape: readonly number[], paramShape: readonly number[], w: Weights, attrs: Record<string, AttributeSpec>, opset: number, outputs: number, xType: OnnxTypeName = 'float'): Uint8Array {
  const p = (values: Float64Array) => ({ shape: paramShape, values });
  return singleOp('BatchNormalization', [{ name: 'x', shape: xShape, type: xType }], attrs, {
    opset, outputs, extraInputs: ['s', 'b', 'm', 'v'],
    initializers: { s: p(w.scale), b: p(w.bias), m: p(w.mean), v: p(w.variance) },
  });
}

/** Runs the model on x, checks every output against the reference, then L's gradients to x and the four parameters. */
async function checkTraining(bytes: Uint8Array, xShape: number[], x: Float64Array, want: TrainingBatchNorm, outputs: number, r: Float64Array, a: Float64Array, b: Float64Array, tol = 1e-4): Promise<void> {
  const model = tm.onnx.fromBytes(bytes);
  try {
    const xt = tm.tensor(x, xShape);
    xt.requiresGrad = true;
    const out = model.run([xt]);
    expect(out.y.shape).toEqual(xShape);
    expectClose(await out.y.data(), want.y, tol, 'Y');
    const extras = [want.runningMean, want.runningVar, want.batchMean, want.batchVar].slice(0, outputs - 1);
    const names = ['running_mean', 'running_var', 'saved_mean', 'saved_var'];
    for (const [i, e] of extras.entries()) expectClose(await out[`y${i + 1}`].data(), e, tol, names[i]);
    let loss = out.y.mul(tm.tensor(r, xShape)).sum();
    if (outputs > 1) loss = loss.add(out.y1.reshape([-1]).mul(tm.tensor(a)).sum()).add(out.y2.reshape([-1]).mul(tm.tensor(b)).sum());
    loss.backward();
    expectClose(await xt.grad!.data(), want.dx, 1e-3, 'dx');
    const ps = model.ownParameters();
    expectClose(await ps.s.grad!.data(), want.dscale, 1e-3, 'dscale');
    expectClose(await ps.b.grad!.data(), want.dbias, 1e-3, 'dbias');
    if (outputs > 1) {
      expectClose(await ps.m.grad!.data(), want.dmean, 1e-5, 'dmean');
      expectClose(await ps.v.grad!.data(), want.dvar, 1e-5, 'dvar');
    }
  } finally {
    model.dispose();
  }
}

/** |count − n·p| within 6 standard deviations of a binomial count. */
function expectFrequency(count: number, n: number, p: number, what: string): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(count - n * p), `${what}: ${count} of ${n}, p ${p} (6σ = ${6 * sigma}; seed ${SEED})`).toBeLessThanOrEqual(6 * sigma + 1e-9);
}

/**
 * Dropout's law: y = x·s where the mask is true, 0 where it is false (s =
 * 1/(1 − ratio) rounded once to float32), exactly; within `tol` for
 * onnxruntime, which rounds 1 − ratio to float32 before dividing.
 */
function expectDropped(x: Float64Array, y: ArrayLike<number>, mask: ArrayLike<number>, ratio: number, what: string, tol = 0): void {
  const s = Math.fround(1 / (1 - ratio));
  expectClose(y, x.map((v, i) => (mask[i] ? Math.fround(v * s) : 0)), tol, what);
}

const scalar = (value: number, type: OnnxTypeName = 'float'): Feed => ({ shape: [], values: [value], type, constant: true });
const bool = (value: boolean): Feed => scalar(value ? 1 : 0, 'bool');

describe.each(BACKENDS)('tm.onnx training-mode nodes on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  describe('BatchNormalization in training mode', () => {
    it.each([
      { shape: [2, 3, 5, 4], opset: 15 },
      { shape: [5, 4], opset: 14 },
      { shape: [3, 2, 7], opset: 15 },
      { shape: [1, 3, 2, 3, 3], opset: 15 },
    ])('on $shape (opset $opset): the batch statistics, the running ones moved by momentum, the gradients through both', async ({ shape, opset }) => {
      const c = shape[1], eps = Math.fround(uniform(1, 1e-5, 1e-2)[0]), momentum = Math.fround(uniform(1, 0.05, 0.95)[0]);
      const x = asF32(uniform(size(shape), -2, 3)), r = uniform(size(shape)), a = uniform(c), b = uniform(c);
      const w = weights(c);
      const want = batchNormTrainingRef(x, channelOf(shape), w, eps, momentum, r, a, b);
      const attrs = { epsilon: { float: eps }, momentum: { float: momentum }, training_mode: 1 };
      await checkTraining(batchNormModel(shape, [c], w, attrs, opset, 3), shape, x, want, 3, r, a, b);
    });

    it('from opset 14 also runs Y alone (onnxruntime asks for all three outputs)', async () => {
      const shape = [4, 3, 5];
      const x = asF32(uniform(size(shape))), r = uniform(size(shape)), zero = new Float64Array(3);
      const w = weights(3);
      const want = batchNormTrainingRef(x, channelOf(shape), w, 1e-5, 0.9, r, zero, zero);
      await checkTraining(batchNormModel(shape, [3], w, { training_mode: 1 }, 14, 1), shape, x, want, 1, r, zero, zero);
    });

    it.each([9, 13, 7])('at opset %i trains when its training outputs are asked for: running mean and variance, saved_mean and saved_var (the batch\'s mean and biased variance)', async (opset) => {
      const shape = [3, 4, 6];
      const x = asF32(uniform(size(shape))), r = uniform(size(shape)), a = uniform(4), b = uniform(4);
      const w = weights(4);
      const want = batchNormTrainingRef(x, channelOf(shape), w, Math.fround(1e-3), Math.fround(0.8), r, a, b);
      await checkTraining(batchNormModel(shape, [4], w, { epsilon: { float: 1e-3 }, momentum: { float: 0.8 } }, opset, 5), shape, x, want, 5, r, a, b);
    });

    it('before opset 9 with spatial = 0: one statistic per element of [C, D1], over the batch only', async () => {
      const shape = [5, 2, 3], per = [2, 3];
      const x = asF32(uniform(size(shape))), r = uniform(size(shape)), a = uniform(6), b = uniform(6);
      const w = weights(6);
      const want = batchNormTrainingRef(x, (i) => i % 6, w, Math.fround(1e-5), Math.fround(0.9), r, a, b);
      await checkTraining(batchNormModel(shape, per, w, { spatial: 0 }, 8, 5), shape, x, want, 5, r, a, b);
    });

    it('takes a float16 x, giving Y in float16 and the running statistics in the type of its mean and var', async () => {
      const shape = [6, 3, 4];
      const x = asF16(uniform(size(shape))), zero = new Float64Array(3);
      const w = weights(3);
      const want = batchNormTrainingRef(x, channelOf(shape), w, Math.fround(1e-5), Math.fround(0.9), new Float64Array(x.length), zero, zero);
      const model = tm.onnx.fromBytes(batchNormModel(shape, [3], w, { training_mode: 1 }, 15, 3, 'float16'));
      try {
        const out = tm.noGrad(() => model.run([tm.tensor(x, shape, { dtype: 'f16' })]));
        expect([out.y.dtype, out.y1.dtype, out.y2.dtype]).toEqual(['f16', 'f32', 'f32']);
        expectClose(await out.y.data(), want.y, 4e-3, 'f16 Y');
        expectClose(await out.y1.data(), want.runningMean, 1e-5, 'running_mean');
        expectClose(await out.y2.data(), want.runningVar, 1e-5, 'running_var');
      } finally {
        model.dispose();
      }
    });

    it.each([{ opset: 15, outputs: 3 }, { opset: 9, outputs: 5 }])('matches onnxruntime-web (opset $opset, $outputs outputs; its saved_var is 1/√(var + ε))', async ({ opset, outputs }) => {
      const shape = [3, 5, 4, 2], c = 5, eps = 1e-4, momentum = 0.7;
      const x = asF32(uniform(size(shape))), w = weights(c);
      const attrs = { epsilon: { float: eps }, momentum: { float: momentum }, ...(opset >= 14 ? { training_mode: 1 } : {}) };
      const bytes = batchNormModel(shape, [c], w, attrs, opset, outputs);
      const theirs = await ortRun(bytes, { x: new ort.Tensor('float32', Float32Array.from(x), shape) });
      const model = tm.onnx.fromBytes(bytes);
      try {
        const ours = tm.noGrad(() => model.run([tm.tensor(x, shape)]));
        for (let i = 0; i < outputs; i++) {
          const name = i === 0 ? 'y' : `y${i}`;
          const got = Float64Array.from(await ours[name].data());
          // onnxruntime's CPU kernel puts the inverse standard deviation where the reference puts the variance.
          const mine = i === 4 ? got.map((v) => 1 / Math.sqrt(v + Math.fround(eps))) : got;
          expectClose(mine, Float64Array.from(theirs[name].data as Float32Array), 1e-4, `output ${i} beside onnxruntime`);
        }
      } finally {
        model.dispose();
      }
    });

    it('refuses what its mode does not give, parameters of the wrong size and integer x, naming the node', () => {
      const run = (attrs: Record<string, AttributeSpec>, opset: number, outputs: number, params = 2, type: OnnxTypeName = 'float') => () => {
        const c = { shape: [params], values: new Float64Array(params).fill(1) };
        const bytes = singleOp('BatchNormalization', [{ name: 'x', shape: [3, 2, 4], type }], attrs, { opset, outputs, extraInputs: ['s', 'b', 'm', 'v'], initializers: { s: c, b: c, m: c, v: c } });
        tm.onnx.fromBytes(bytes).forward(tm.zeros([3, 2, 4], { dtype: type === 'float' ? 'f32' : 'i32' }));
      };
      expect(run({ training_mode: 2 }, 15, 3)).toThrow(/node 'BatchNormalization_0' \(BatchNormalization\): training_mode = 2 should be 0 or 1/);
      expect(run({}, 15, 3)).toThrow(/training_mode = 0 gives Y only; its outputs y1, y2 \(the running mean and variance\) are training_mode = 1's/);
      expect(run({ training_mode: 1 }, 14, 5)).toThrow(/has 5 outputs; from opset 14 BatchNormalization has at most 3 \(Y, running_mean, running_var\)/);
      expect(run({ training_mode: 1 }, 15, 3, 3)).toThrow(/input 1 \(scale\) is \[3\]; for x \[3, 2, 4\] it needs 2 values, one per channel/);
      expect(run({ training_mode: 1 }, 15, 3, 2, 'int32')).toThrow(/its input is i32; BatchNormalization takes floats/);
    });
  });

  describe('Dropout', () => {
    it.each([
      { opset: 7, inputs: 1, maskType: 'float' as const },
      { opset: 10, inputs: 1, maskType: 'bool' as const },
      { opset: 12, inputs: 2, maskType: 'bool' as const },
      { opset: 13, inputs: 3, maskType: 'bool' as const },
    ])('outside training (opset $opset, $inputs inputs) is the identity with an all-true mask ($maskType), as onnxruntime gives it (its mask is all false before opset 12)', async ({ opset, inputs, maskType }) => {
      const shape = [3, 5, 7], x = asF32(uniform(size(shape)));
      const feeds: Feed[] = [{ shape, values: x }, scalar(0.4), bool(false)].slice(0, inputs);
      const options = { opset, outputs: 2, outputTypes: ['float', maskType] as OnnxTypeName[] };
      const [y, mask] = await runOp('Dropout', feeds, opset < 12 ? { ratio: { float: 0.4 } } : { seed: 7 }, options);
      expectExact(y.v, x, 'y');
      expectExact(mask.v, new Float64Array(x.length).fill(1), 'mask');
      const theirs = await ortRun(opModel('Dropout', feeds, opset < 12 ? { ratio: { float: 0.4 } } : { seed: 7 }, options), { x0: new ort.Tensor('float32', Float32Array.from(x), shape) });
      expectExact(Float64Array.from(theirs.y0.data as Float32Array), y.v, 'onnxruntime y');
      // onnxruntime's kernel for opsets 7–11 fills the mask with 0/false ("no values dropped"); the reference's, tmnn's and its own from opset 12 are true where kept.
      expectExact(Array.from(theirs.y1.data as ArrayLike<number | boolean>, Number), mask.v.map((m) => (opset < 12 ? 0 : m)), 'onnxruntime mask');
    });

    it('in training drops with probability ratio and scales the rest by 1/(1 − ratio): the exact law, the kept count within 6σ, as onnxruntime\'s draws obey too', async () => {
      const shape = [37, 53], n = size(shape), ratio = Math.fround(uniform(1, 0.1, 0.8)[0]);
      const x = asF32(uniform(n)).map((v) => v || 1);
      const feeds: Feed[] = [{ shape, values: x }, scalar(ratio), bool(true)];
      const options = { opset: 13, outputs: 2, outputTypes: ['float', 'bool'] as OnnxTypeName[] };
      const [y, mask] = await runOp('Dropout', feeds, {}, options);
      expectDropped(x, y.v, mask.v, ratio, 'y');
      expectFrequency(mask.v.reduce((s, m) => s + m, 0), n, 1 - ratio, 'kept');
      const theirs = await ortRun(opModel('Dropout', feeds, {}, options), { x0: new ort.Tensor('float32', Float32Array.from(x), shape) });
      const theirMask = Array.from(theirs.y1.data as ArrayLike<number | boolean>, Number);
      expectDropped(x, theirs.y0.data as Float32Array, theirMask, ratio, 'onnxruntime y', 2 ** -22);
      expectFrequency(theirMask.reduce((s, m) => s + m, 0), n, 1 - ratio, 'onnxruntime kept');
    });

    it('with a seed, keeps where tm.rand\'s draws for it are ≥ ratio, the same mask every run; without one, a fresh mask each run', async () => {
      const shape = [9, 41], n = size(shape), ratio = 0.3;
      const x = asF32(uniform(n)).map((v) => v || 1);
      const feeds: Feed[] = [{ shape, values: x }, scalar(ratio), bool(true)];
      const options = { opset: 13, outputs: 2, outputTypes: ['float', 'bool'] as OnnxTypeName[] };
      const seeded = opModel('Dropout', feeds, { seed: 1234 }, options);
      const [, first] = await runModel(seeded, [feeds[0]]);
      const [y, second] = await runModel(seeded, [feeds[0]]);
      expectExact(second.v, first.v, 'second seeded run');
      const u = tm.rand(shape, { seed: onnxSeed(1234) });
      expectExact(first.v, Array.from(await u.data(), (v) => (v >= Math.fround(ratio) ? 1 : 0)), 'tm.rand with seed 1234 ≥ ratio');
      u.dispose();
      expectDropped(x, y.v, second.v, ratio, 'seeded y');
      // Two fresh masks of n elements agree with probability (0.3² + 0.7²)^n < 1e-100.
      const unseeded = opModel('Dropout', feeds, {}, options);
      const [[, a], [, b]] = [await runModel(unseeded, [feeds[0]]), await runModel(unseeded, [feeds[0]])];
      expect(a.v.some((m, i) => m !== b.v[i]), `two unseeded runs drew the same mask (seed ${SEED})`).toBe(true);
    });

    it('passes x\'s gradient through the kept elements, scaled by 1/(1 − ratio)', async () => {
      const shape = [4, 3, 11], n = size(shape), ratio = 0.25;
      const x = uniform(n), r = uniform(n);
      const bytes = onnxModel({
        opset: 13,
        inputs: [{ name: 'x', shape }],
        outputs: [{ name: 'y' }, { name: 'mask', type: 'bool' }],
        initializers: { ratio: { shape: [], values: [ratio] }, on: { type: 'bool', shape: [], values: [1] } },
        nodes: [{ op: 'Dropout', inputs: ['x', 'ratio', 'on'], outputs: ['y', 'mask'], attributes: { seed: 5 } }],
      });
      const model = tm.onnx.fromBytes(bytes);
      try {
        const xt = tm.tensor(x, shape);
        xt.requiresGrad = true;
        const out = model.run([xt]);
        out.y.mul(tm.tensor(r, shape)).sum().backward();
        const mask = await out.mask.data();
        expectExact(await xt.grad!.data(), r.map((g, i) => (mask[i] ? Math.fround(Math.fround(g) * Math.fround(1 / (1 - ratio))) : 0)), 'dx');
      } finally {
        model.dispose();
      }
    });

    it('keeps everything at ratio 0 and drops at 0.5 when ratio is left out; takes float16 x', async () => {
      const shape = [11, 13], n = size(shape);
      const x = asF32(uniform(n)).map((v) => v || 1);
      const options = { opset: 13, outputs: 2, outputTypes: ['float', 'bool'] as OnnxTypeName[] };
      const [same, all] = await runOp('Dropout', [{ shape, values: x }, scalar(0), bool(true)], {}, options);
      expectExact(same.v, x, 'ratio 0');
      expectExact(all.v, new Float64Array(n).fill(1), 'ratio 0 mask');
      const [y, mask] = await runOp('Dropout', [{ shape, values: x }, null, bool(true)], {}, options);
      expectDropped(x, y.v, mask.v, 0.5, 'default ratio');
      expectFrequency(mask.v.reduce((s, m) => s + m, 0), n, 0.5, 'kept at the default ratio');
      const h = asF16(x);
      const [yh, maskh] = await runOp('Dropout', [{ shape, values: h, type: 'float16' }, scalar(0.5), bool(true)], {}, { ...options, outputTypes: ['float16', 'bool'] });
      expectExact(yh.v, h.map((v, i) => (maskh.v[i] ? v * 2 : 0)), 'float16 y');
    });

    it('reads a training_mode or ratio computed on the device in runAsync; the synchronous run refuses it, naming runAsync', async () => {
      const shape = [5, 8], x = asF32(uniform(size(shape))).map((v) => v || 1);
      const options = { opset: 13, outputs: 2, outputTypes: ['float', 'bool'] as OnnxTypeName[] };
      const fed = (on: boolean): Feed[] => [{ shape, values: x }, { shape: [], values: [0.5] }, { shape: [], values: [on ? 1 : 0], type: 'bool' }];
      const [off] = await runOp('Dropout', fed(false), {}, { ...options, mode: 'async' });
      expectExact(off.v, x, 'training_mode false from the device');
      const [y, mask] = await runOp('Dropout', fed(true), {}, { ...options, mode: 'async' });
      expectDropped(x, y.v, mask.v, 0.5, 'training_mode true from the device');
      await expect(runOp('Dropout', fed(true), {}, options)).rejects.toThrow(/\(Dropout\): its training_mode \(input 2, x2\) is computed on the device.*model\.runAsync \(or forwardAsync\)/);
    });

    it('refuses a ratio outside [0, 1), a ratio that is not a scalar, and integer x, naming the node', async () => {
      const x: Feed = { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] };
      const options = { opset: 13 };
      await expect(runOp('Dropout', [x, scalar(1), bool(true)], {}, options)).rejects.toThrow(/node 'Dropout_0' \(Dropout\): ratio = 1 should be in \[0, 1\)/);
      await expect(runOp('Dropout', [x, { shape: [2], values: [0.1, 0.2], constant: true }, bool(true)], {}, options)).rejects.toThrow(/ratio \(input 1\) should be a scalar, it is \[2\]/);
      await expect(runOp('Dropout', [{ ...x, type: 'int32' }, scalar(0.5), bool(true)], {}, { ...options, outputTypes: ['int32'] })).rejects.toThrow(/its input is i32; Dropout takes floats/);
    });
  });

  it('fine-tunes a graph with a training-mode BatchNormalization with tm.optim: the loss goes down', async () => {
    // x [16, 5] → MatMul w1 [5, 16] → BatchNormalization (training) → Relu → MatMul w2 [16, 1], fit to a linear target,
    // which the network can represent (relu(z) − relu(−z) = z). Over 300 draws of the data the worst final loss was
    // 0.0017 of the first; the bound asks for 0.1.
    const n = 16, h = 16;
    const bytes = onnxModel({
      opset: 15,
      inputs: [{ name: 'x', shape: [n, 5] }],
      outputs: [{ name: 'y' }, { name: 'rm' }, { name: 'rv' }],
      initializers: {
        w1: { shape: [5, h], values: uniform(5 * h, -0.5, 0.5) }, w2: { shape: [h, 1], values: uniform(h, -0.5, 0.5) },
        s: { shape: [h], values: new Float64Array(h).fill(1) }, b: { shape: [h], values: new Float64Array(h) },
        m: { shape: [h], values: new Float64Array(h) }, v: { shape: [h], values: new Float64Array(h).fill(1) },
      },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h'] },
        { op: 'BatchNormalization', inputs: ['h', 's', 'b', 'm', 'v'], outputs: ['hn', 'rm', 'rv'], attributes: { training_mode: 1 } },
        { op: 'Relu', inputs: ['hn'], outputs: ['a'] },
        { op: 'MatMul', inputs: ['a', 'w2'], outputs: ['y'] },
      ],
    });
    const model = tm.onnx.fromBytes(bytes);
    const x = tm.tensor(uniform(n * 5, -1, 1), [n, 5]);
    const target = tm.tidy(() => x.matmul(tm.tensor(uniform(5, -1, 1), [5, 1])));
    const params = model.ownParameters();
    const opt = new tm.optim.Adam([params.w1, params.w2, params.s, params.b], { lr: 0.05 });
    const losses: number[] = [];
    try {
      for (let step = 0; step < 60; step++) {
        const loss = tm.tidy(() => model.run([x]).y.sub(target).square().mean());
        losses.push((await loss.data())[0]);
        loss.backward();
        opt.step();
        opt.zeroGrad();
        loss.dispose();
      }
    } finally {
      x.dispose();
      target.dispose();
      model.dispose();
    }
    expect(losses[losses.length - 1], `losses ${losses[0]} → ${losses[losses.length - 1]} (seed ${SEED})`).toBeLessThan(0.1 * losses[0]);
  });
});
