// ONNX's DynamicQuantizeLinear (the ONNX op's implementation, ops/quantize_uint8.ts)
// against the definition restated step by step in f32 (Math.fround after each
// operation, as the ONNX reference computes in float32): the scale and zero
// point exactly, every y exactly. Native has the one-kernel form
// (fallback/src/dynamic_quantize.cc), webgpu finds the scale and zero point
// in one launch or two (kernels/quantize_scale.ts) and quantizes with the
// composed elementwise ops, js composes it all; all must give these bits,
// and the composed ops stay where a gradient must reach x (and, on native,
// where x holds a NaN or an infinity).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { dynamicQuantizeUint8 } from '../../src/ops/quantize_uint8.js';
import { roundHalfEven } from '../../src/round.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, uniform } from '../helpers/data.js';
import { storageOf } from '../helpers/webgpu.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { SINGLE_PASS_MAX } from '../../src/backends/webgpu/kernels/quantize_scale.js';

const f = Math.fround;
const clip255 = (v: number) => Math.min(255, Math.max(0, v));

/** The definition in f32 steps: [y, scale, zero point]. */
function reference(x: Float32Array): [number[], number, number] {
  let lo = 0, hi = 0;
  for (const v of x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const range = f(f(hi - lo) / 255);
  const scale = range === 0 ? 1 : range;
  const zeroPoint = clip255(roundHalfEven(clip255(-f(lo / scale))));
  return [Array.from(x, (v) => clip255(roundHalfEven(f(v / scale)) + zeroPoint)), scale, zeroPoint];
}

async function quantized(x: tm.Tensor): Promise<[number[], number, number]> {
  const [y, scale, zeroPoint] = dynamicQuantizeUint8(x);
  expect([y.dtype, y.shape, scale.dtype, scale.shape, zeroPoint.dtype, zeroPoint.shape]).toEqual(['i32', x.shape, 'f32', [], 'i32', []]);
  const out: [number[], number, number] = [Array.from(await y.data()), (await scale.data())[0], (await zeroPoint.data())[0]];
  for (const t of [y, scale, zeroPoint]) t.dispose();
  return out;
}

const CASES: [string, number[], (n: number) => Float64Array][] = [
  ['mixed signs', [3, 5], (n) => uniform(n, -3, 2)],
  ['an odd length', [131], (n) => uniform(n, -0.7, 5)],
  ['a batch of MLP inputs', [128, 784], (n) => uniform(n, -1, 1)],
  ['only positive values (lo is 0)', [4, 9], (n) => uniform(n, 0.25, 8)],
  ['only negative values (hi is 0, the zero point 255)', [17], (n) => uniform(n, -6, -0.5)],
  ['large magnitudes', [2, 3, 7], (n) => uniform(n, -3e30, 1e30)],
  ['all zeros (scale 1)', [5, 2], (n) => new Float64Array(n)],
  ['the most one workgroup reads alone (webgpu: one launch)', [512, 512], (n) => uniform(n, -0.3, 7)],
  ['many partial ranges (webgpu: 245 workgroups find the range)', [1000, 1001], (n) => uniform(n, -0.3, 7)],
  ['more elements than the range pass has invocations (each reads several)', [3, 1_000_003], (n) => uniform(n, -9, 1)],
  ['one element', [1], () => Float64Array.of(-2.5)],
];

describe.each(BACKENDS)('DynamicQuantizeLinear on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(CASES)('gives the definition in f32 bit for bit: %s', async (_, shape, make) => {
    const values = Float32Array.from(make(shape.reduce((a, b) => a * b, 1)));
    const x = tm.tensor(values, shape);
    const [y, scale, zeroPoint] = await quantized(x);
    const [wantY, wantScale, wantZero] = reference(values);
    expect(scale).toBe(wantScale);
    expect(zeroPoint).toBe(wantZero);
    expectExact(y, wantY, 'y');
    x.dispose();
  });

  it('quantizes an f16 x by its values in f32', async () => {
    const x = tm.tensor(uniform(37, -4, 3), [37], { dtype: 'f16' });
    const values = (await x.cast('f32').data()) as Float32Array;
    const [y, scale, zeroPoint] = await quantized(x);
    const [wantY, wantScale, wantZero] = reference(values);
    expect([scale, zeroPoint]).toEqual([wantScale, wantZero]);
    expectExact(y, wantY, 'y');
    x.dispose();
  });

  it('gives the same bits where a gradient must reach x (the composed ops)', async () => {
    const values = Float32Array.from(uniform(63, -2, 3));
    const x = tm.tensor(values, [7, 9]);
    x.requiresGrad = true;
    const [y, scale, zeroPoint] = await quantized(x);
    const [wantY, wantScale, wantZero] = reference(values);
    expect([scale, zeroPoint]).toEqual([wantScale, wantZero]);
    expectExact(y, wantY, 'y');
    // The scale's gradient reaches x at its extremes: d scale / d hi = 1/255, d scale / d lo = −1/255.
    const outputs = dynamicQuantizeUint8(x);
    const [g] = tm.grad(outputs[1], [x]);
    const grads = Array.from(await g.data());
    const hi = values.indexOf(Math.max(...values)), lo = values.indexOf(Math.min(...values));
    expect(grads[hi]).toBeCloseTo(1 / 255, 6);
    expect(grads[lo]).toBeCloseTo(-1 / 255, 6);
    expect(grads.filter((v, i) => i !== hi && i !== lo && v !== 0)).toEqual([]);
    for (const t of [x, g, ...outputs]) t.dispose();
  });

  it.each([
    ['a NaN', [1, Number.NaN, -2, 0.5]],
    ['an infinity', [1, Infinity, -2, 0.5]],
    ['a negative infinity', [1, -Infinity, -2, 0.5]],
    ['both infinities', [Infinity, -Infinity, 0, 1]],
    ['a NaN and an infinity', [Number.NaN, Infinity, 1, 2]],
    ['a NaN far into a long x', [...uniform(70_000, -1, 1), Number.NaN, 0.5]],
    ['an infinity far into an x past one workgroup\'s share (webgpu: the range in parts)', [...uniform(300_000, -1, 1), -Infinity, 0.5]],
  ])('gives the composed ops\' result where x holds %s, whichever backend (scale NaN or ∞, the rest 0)', async (_, list) => {
    const values = Float32Array.from(list as number[]);
    const x = tm.tensor(values, [values.length]);
    const got = await quantized(x);
    await tm.init({ backend: 'js' });
    const want = await quantized(tm.tensor(values, [values.length]));
    await tm.init({ backend });
    expect(got).toEqual(want);
    expect(got[0].every((v) => v === 0) && got[2] === 0 && !Number.isFinite(got[1])).toBe(true);
    x.dispose();
  });

  it('leaves no tensor behind', () => {
    const x = tm.tensor(uniform(20, -1, 1), [4, 5]);
    const before = tm.memory().numTensors;
    for (const t of dynamicQuantizeUint8(x)) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
    x.dispose();
  });
});

// The kernel's launches, where the webgpu backend is tested.
describe.each(BACKENDS.filter((b) => b === 'webgpu'))('DynamicQuantizeLinear on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[[128, 784], true], [[512, 512], true], [[512, 513], false]] as const)(
    'finds the scale of an x %j in two launches (one on a software adapter where one workgroup reads it: %s) and quantizes in one, fused with what reads y, not the composed ops\' seven or more',
    async (shape, oneWorkgroup) => {
      expect(SINGLE_PASS_MAX).toBe(2 ** 18);
      const x = tm.tensor(uniform(shape[0] * shape[1], -1, 1), [...shape]);
      await x.data();
      const gpu = activeBackend() as WebGpuBackend;
      const before = gpu.runtime.commands.dispatches;
      const outputs = dynamicQuantizeUint8(x);
      // An int8 product's first step: y shifted into int8 (ops/int8_product.ts).
      const shifted = tm.cast(tm.sub(outputs[0], 128), 'i8');
      for (const t of [shifted, outputs[1], outputs[2]]) gpu.materialize(storageOf(t));
      expect(gpu.runtime.commands.dispatches - before).toBe(oneWorkgroup && gpu.runtime.ctx.software ? 2 : 3);
      const [want, wantScale, wantZero] = reference((await x.data()) as Float32Array);
      expectExact(Array.from(await shifted.data()), want.map((v) => v - 128), 'y − 128 as int8');
      expect([(await outputs[1].data())[0], (await outputs[2].data())[0]]).toEqual([wantScale, wantZero]);
      for (const t of [x, shifted, ...outputs]) t.dispose();
    },
  );
});
