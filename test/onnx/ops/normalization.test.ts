// ONNX's normalizations, run as one-node models with their scale and bias
// as initializers, against float64 statistics computed here (biased
// variances, as ONNX's), at odd shapes: the output, LayerNormalization's
// Mean and InvStdDev, and the gradients that reach the input and the
// scale and bias (the model's parameters); opset differences
// (BatchNormalization's spatial before 9, GroupNormalization's per-group
// scale at 18 and per-channel at 21); the attribute values refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { size } from '../../helpers/float64.js';
import { singleOp, type AttributeSpec, type TensorSpec } from '../../helpers/onnx.js';

interface Standardized {
  y: Float64Array;
  mean: Float64Array;
  invStd: Float64Array;
  dx: Float64Array;
  dscale: Float64Array;
  dbias: Float64Array;
}

/**
 * y = (x − mean) / √(var + ε) · scale + bias, the statistics over the
 * entries sharing a group (groupOf), scale and bias read at paramOf; and the
 * gradients of Σ y·r.
 */
function standardizeRef(x: Float64Array, r: Float64Array, groups: number, groupOf: (i: number) => number, scale: Float64Array, bias: Float64Array, paramOf: (i: number) => number, eps: number): Standardized {
  const count = new Float64Array(groups), mean = new Float64Array(groups), varSum = new Float64Array(groups);
  x.forEach((v, i) => {
    count[groupOf(i)]++;
    mean[groupOf(i)] += v;
  });
  mean.forEach((_, g) => (mean[g] /= count[g]));
  x.forEach((v, i) => (varSum[groupOf(i)] += (v - mean[groupOf(i)]) ** 2));
  const invStd = varSum.map((s, g) => 1 / Math.sqrt(s / count[g] + eps));
  const xhat = x.map((v, i) => (v - mean[groupOf(i)]) * invStd[groupOf(i)]);
  const y = xhat.map((h, i) => h * scale[paramOf(i)] + bias[paramOf(i)]);
  const dscale = new Float64Array(scale.length), dbias = new Float64Array(bias.length);
  const gMean = new Float64Array(groups), ghMean = new Float64Array(groups);
  x.forEach((_, i) => {
    const g = r[i] * scale[paramOf(i)];
    dscale[paramOf(i)] += r[i] * xhat[i];
    dbias[paramOf(i)] += r[i];
    gMean[groupOf(i)] += g / count[groupOf(i)];
    ghMean[groupOf(i)] += (g * xhat[i]) / count[groupOf(i)];
  });
  const dx = x.map((_, i) => invStd[groupOf(i)] * (r[i] * scale[paramOf(i)] - gMean[groupOf(i)] - xhat[i] * ghMean[groupOf(i)]));
  return { y, mean, invStd, dx, dscale, dbias };
}

interface Params {
  [name: string]: TensorSpec;
}

/** Runs op on x with the initializers as its later inputs, checks y (and `extra` outputs), then Σ y·r's gradients to x and each named parameter. */
async function check(op: string, xShape: number[], x: Float64Array, params: Params, attrs: Record<string, AttributeSpec>, want: { y: Float64Array; dx?: Float64Array; grads: Record<string, Float64Array>; extra?: Float64Array[] }, r: Float64Array, opset?: number): Promise<void> {
  const outputs = 1 + (want.extra?.length ?? 0);
  const model = tm.onnx.fromBytes(singleOp(op, [{ name: 'x', shape: xShape }], attrs, { opset, initializers: params, extraInputs: Object.keys(params), outputs }));
  const xt = tm.tensor(x, xShape);
  xt.requiresGrad = true;
  const out = model.run([xt]);
  expect(out.y.shape).toEqual(xShape);
  expectClose(await out.y.data(), want.y, 1e-4, `${op} y`);
  for (const [i, e] of (want.extra ?? []).entries()) expectClose(await out[`y${i + 1}`].data(), e, 1e-4, `${op} output ${i + 1}`);
  out.y.mul(tm.tensor(r, xShape)).sum().backward();
  if (want.dx) expectClose(await xt.grad!.data(), want.dx, 1e-3, `${op} dx`);
  const ps = model.ownParameters();
  for (const [name, g] of Object.entries(want.grads)) expectClose(await ps[name].grad!.data(), g, 1e-3, `${op} d${name}`);
}

const channelOf = (shape: number[]) => (i: number) => Math.floor(i / size(shape.slice(2))) % shape[1];

describe.each(BACKENDS)('ONNX normalizations on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [2, 3, 5, 4], opset: 15 }, // the cnn fixture's
    { shape: [2, 5, 7], opset: 17 }, // the conv1d fixture's
    { shape: [4, 3], opset: 9 },
  ])('BatchNormalization in inference form on $shape (opset $opset)', async ({ shape, opset }) => {
    const c = shape[1], eps = 1e-3;
    const x = asF32(uniform(size(shape))), r = asF32(uniform(size(shape)));
    const scale = asF32(uniform(c)), bias = asF32(uniform(c)), mean = asF32(uniform(c)), variance = asF32(uniform(c, 0.2, 2));
    const ch = channelOf(shape);
    const y = x.map((v, i) => ((v - mean[ch(i)]) / Math.sqrt(variance[ch(i)] + eps)) * scale[ch(i)] + bias[ch(i)]);
    const dx = r.map((g, i) => (g * scale[ch(i)]) / Math.sqrt(variance[ch(i)] + eps));
    const dscale = new Float64Array(c), dbias = new Float64Array(c);
    r.forEach((g, i) => {
      dscale[ch(i)] += (g * (x[i] - mean[ch(i)])) / Math.sqrt(variance[ch(i)] + eps);
      dbias[ch(i)] += g;
    });
    const p = (values: Float64Array) => ({ shape: [c], values });
    const attrs = { epsilon: { float: eps }, momentum: { float: 0.9 }, ...(opset >= 14 ? { training_mode: 0 } : {}) };
    await check('BatchNormalization', shape, x, { s: p(scale), b: p(bias), m: p(mean), v: p(variance) }, attrs, { y, dx, grads: { s: dscale, b: dbias } }, r, opset);
  });

  it('BatchNormalization before opset 9 with spatial = 0: statistics per element of [C, L]', async () => {
    const shape = [3, 2, 5], per = [2, 5];
    const x = asF32(uniform(size(shape))), r = asF32(uniform(size(shape)));
    const [scale, bias, mean] = [0, 1, 2].map(() => asF32(uniform(10)));
    const variance = asF32(uniform(10, 0.2, 2));
    const at = (i: number) => i % 10;
    const y = x.map((v, i) => ((v - mean[at(i)]) / Math.sqrt(variance[at(i)] + 1e-5)) * scale[at(i)] + bias[at(i)]);
    const p = (values: Float64Array) => ({ shape: per, values });
    await check('BatchNormalization', shape, x, { s: p(scale), b: p(bias), m: p(mean), v: p(variance) }, { spatial: 0 }, { y, grads: {} }, r, 8);
  });

  it.each([[2, 4, 5, 5], [3, 2, 7], [1, 3, 2, 3, 4]])('InstanceNormalization on %j: statistics per sample and channel', async (...shape) => {
    const c = shape[1], per = size(shape.slice(2));
    const x = asF32(uniform(size(shape))), r = asF32(uniform(size(shape)));
    const scale = asF32(uniform(c)), bias = asF32(uniform(c));
    const want = standardizeRef(x, r, shape[0] * c, (i) => Math.floor(i / per), scale, bias, channelOf(shape), 1e-5);
    await check('InstanceNormalization', shape, x, { s: { shape: [c], values: scale }, b: { shape: [c], values: bias } }, {}, { y: want.y, dx: want.dx, grads: { s: want.dscale, b: want.dbias } }, r);
  });

  it.each([
    { shape: [3, 4, 6], axis: -1, bias: true }, // the layer_norm_17 fixture's
    { shape: [2, 3, 4, 5], axis: 1, bias: false },
    { shape: [5, 7], axis: 0, bias: true },
  ])('LayerNormalization on $shape from axis $axis, with its Mean and InvStdDev outputs', async ({ shape, axis, bias: withBias }) => {
    const a = axis < 0 ? axis + shape.length : axis;
    const inner = size(shape.slice(a)), outer = size(shape.slice(0, a));
    const x = asF32(uniform(size(shape))), r = asF32(uniform(size(shape)));
    const scale = asF32(uniform(inner)), bias = withBias ? asF32(uniform(inner)) : new Float64Array(inner);
    const want = standardizeRef(x, r, outer, (i) => Math.floor(i / inner), scale, bias, (i) => i % inner, 0.01);
    const params: Params = { s: { shape: shape.slice(a), values: scale }, ...(withBias ? { b: { shape: shape.slice(a), values: bias } } : {}) };
    await check('LayerNormalization', shape, x, params, { axis, epsilon: { float: 0.01 } }, { y: want.y, dx: want.dx, grads: { s: want.dscale, ...(withBias ? { b: want.dbias } : {}) }, extra: [want.mean, want.invStd] }, r, 17);
  });

  it.each([
    { opset: 18, shape: [2, 6, 3, 5], groups: 3 }, // scale and bias per group
    { opset: 21, shape: [2, 6, 3, 5], groups: 3 }, // per channel
    { opset: 21, shape: [3, 4, 7], groups: 2 },
  ])('GroupNormalization at opset $opset on $shape in $groups groups', async ({ opset, shape, groups }) => {
    const c = shape[1], per = size(shape.slice(2)), n = opset < 21 ? groups : c;
    const x = asF32(uniform(size(shape))), r = asF32(uniform(size(shape)));
    const scale = asF32(uniform(n)), bias = asF32(uniform(n));
    const group = (i: number) => Math.floor(i / (per * (c / groups)));
    const param = opset < 21 ? (i: number) => group(i) % groups : channelOf(shape);
    const want = standardizeRef(x, r, shape[0] * groups, group, scale, bias, param, 1e-5);
    await check('GroupNormalization', shape, x, { s: { shape: [n], values: scale }, b: { shape: [n], values: bias } }, { num_groups: groups }, { y: want.y, dx: want.dx, grads: { s: want.dscale, b: want.dbias } }, r, opset);
  });

  it.each([
    { p: 1, axis: 1, shape: [3, 5, 2] },
    { p: 2, axis: undefined, shape: [4, 7] },
  ])('LpNormalization p $p along axis $axis of $shape', async ({ p, axis, shape }) => {
    const x = asF32(uniform(size(shape)));
    const a = axis ?? shape.length - 1;
    const inner = size(shape.slice(a + 1)), len = shape[a];
    const want = x.map((v, i) => {
      const base = i - (Math.floor(i / inner) % len) * inner;
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.abs(x[base + k * inner]) ** p;
      return v / s ** (1 / p);
    });
    const attrs = { p, ...(axis === undefined ? {} : { axis }) };
    const y = tm.onnx.fromBytes(singleOp('LpNormalization', [{ name: 'x', shape }], attrs)).forward(tm.tensor(x, shape));
    expectClose(await y.data(), want, 1e-5, 'LpNormalization');
  });

  it('refuses what it cannot run, naming the node and what is wrong', () => {
    const c = { shape: [2], values: [1, 1] };
    const run = (op: string, attrs: Record<string, AttributeSpec>, params: string[], opset = 17, outputs = 1) => () =>
      tm.onnx.fromBytes(singleOp(op, [{ name: 'x', shape: [1, 2, 3] }], attrs, { opset, outputs, initializers: Object.fromEntries(params.map((p) => [p, c])), extraInputs: params })).forward(tm.zeros([1, 2, 3]));
    expect(run('BatchNormalization', {}, ['s', 'b', 'm', 'v'], 15, 3)).toThrow(/node 'BatchNormalization_0' \(BatchNormalization\): training_mode = 0 gives Y only; its outputs y1, y2/);
    expect(run('GroupNormalization', { num_groups: 3 }, ['s', 'b'], 18)).toThrow(/num_groups = 3 must be a positive integer dividing the 2 channels/);
    expect(run('LpNormalization', { p: 3 }, [])).toThrow(/p = 3 is not supported/);
    expect(run('LayerNormalization', { axis: 3 }, ['s'])).toThrow(/axis = 3 is outside the input's 3 axes/);
  });
});
