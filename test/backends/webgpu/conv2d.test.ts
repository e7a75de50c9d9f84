// The webgpu backend's convolution kernels (shaders/conv2d.wgsl, an
// implicit GEMM, and the kinds' pieces) through tm.conv2d and its
// gradients, against float64 loops (test/helpers/float64.ts) on fresh random
// data: the forward, the input's and the weight's gradients at odd sizes
// (1, 3, 7, 13), batches of 1 and 5, kernels 1×1, 3×3 and 5×2, stride,
// dilation, asymmetric padding, groups and depthwise, a weight's gradient
// long enough to be split into runs, f32 and f16 (and f16 packed where
// shader-f16 is withheld); gradients of gradients (the kinds differentiate
// into each other) against the composed path; a batch past the binding
// limit in bands of images, and a weight past it taking the composed path.
// Each case checks that the kernel ran, so none can pass through the
// composition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend, setActive } from '../../../src/engine.js';
import { convKernelsOf, type ConvGeometry, type ConvKernel, type ConvolutionKernels } from '../../../src/backends/convolution.js';
import { webGpuBackendOn, type WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { imageBands } from '../../../src/backends/webgpu/kernels/conv2d.js';
import { asF16, expectClose, uniform } from '../../helpers/data.js';
import { conv2dGradRef, conv2dRef, f64, map, size, type F64, type WindowRef } from '../../helpers/float64.js';
import { freshDevices } from '../../helpers/webgpu.js';
import { collected } from '../../helpers/gc.js';

const freshDevice = freshDevices();

function random(shape: number[], dtype: 'f32' | 'f16' = 'f32'): { ref: F64; t: tm.Tensor } {
  const v = uniform(size(shape), -1, 1);
  const ref = f64(shape, dtype === 'f16' ? asF16(v) : Float64Array.from(Float32Array.from(v)));
  return { ref, t: tm.tensor(ref.v, shape, { dtype }) };
}

interface Case {
  x: number[];
  w: number[];
  options: tm.Conv2dOptions;
  /** The padding as [before, after] per spatial axis, as the reference takes it. */
  sides: WindowRef['sides'];
}

const pair = (p: tm.Conv2dOptions['stride']): [number, number] => (p === undefined ? [1, 1] : typeof p === 'number' ? [p, p] : [p[0], p[1]]);
const windowOf = (c: Case): WindowRef => ({ stride: pair(c.options.stride), dilation: pair(c.options.dilation), sides: c.sides });

const CASES: Case[] = [
  { x: [1, 1, 1, 1], w: [1, 1, 1, 1], options: {}, sides: [[0, 0], [0, 0]] },
  { x: [5, 13, 7, 7], w: [7, 13, 1, 1], options: {}, sides: [[0, 0], [0, 0]] },
  { x: [5, 3, 7, 13], w: [7, 3, 3, 3], options: { padding: 1 }, sides: [[1, 1], [1, 1]] },
  { x: [1, 7, 13, 7], w: [3, 7, 5, 2], options: { stride: 2, padding: [2, 1] }, sides: [[2, 2], [1, 1]] },
  // 'same' with a 5×2 kernel: the odd column of padding goes after.
  { x: [5, 3, 7, 13], w: [13, 3, 5, 2], options: { padding: 'same' }, sides: [[2, 2], [0, 1]] },
  { x: [1, 3, 13, 13], w: [7, 3, 3, 3], options: { dilation: 2, stride: [2, 1], padding: [1, 2] }, sides: [[1, 1], [2, 2]] },
  { x: [5, 6, 7, 13], w: [4, 3, 3, 3], options: { groups: 2, stride: [1, 2] }, sides: [[0, 0], [0, 0]] },
  { x: [5, 7, 13, 13], w: [7, 1, 3, 3], options: { groups: 7, padding: 1 }, sides: [[1, 1], [1, 1]] },
  { x: [5, 7, 13, 7], w: [14, 1, 5, 2], options: { groups: 7, stride: 2, dilation: [1, 2] }, sides: [[0, 0], [0, 0]] },
];

/** Counts the kernel's launches by kind while `run` runs. */
async function kernelKinds<T>(run: () => Promise<T>): Promise<{ result: T; kinds: Record<ConvKernel, number> }> {
  const kernels = convKernelsOf(activeBackend()) as ConvolutionKernels;
  const conv2d = kernels.conv2d!;
  const kinds = { forward: 0, inputGrad: 0, weightGrad: 0 };
  kernels.conv2d = (kind, a, b, g) => {
    kinds[kind]++;
    return conv2d(kind, a, b, g);
  };
  try {
    return { result: await run(), kinds };
  } finally {
    kernels.conv2d = conv2d;
  }
}

/** y, dx and dw of the case in `dtype` from the kernels, with the float64 references and the magnitudes their sums add up. */
async function convolved(c: Case, dtype: 'f32' | 'f16') {
  const [x, w] = [random(c.x, dtype), random(c.w, dtype)];
  x.t.requiresGrad = true;
  w.t.requiresGrad = true;
  const { result, kinds } = await kernelKinds(async () => {
    const y = tm.conv2d(x.t, w.t, c.options);
    const dy = random([...y.shape], dtype);
    y.backward(dy.t);
    const got = { y: await y.data(), dx: await x.t.grad!.data(), dw: await w.t.grad!.data() };
    for (const t of [y, dy.t, x.t.grad!, w.t.grad!, x.t, w.t]) t.dispose();
    return { got, dy: dy.ref };
  });
  expect(kinds).toEqual({ forward: 1, inputGrad: 1, weightGrad: 1 });
  const g = windowOf(c);
  const groups = c.options.groups;
  const want = { y: conv2dRef(x.ref, w.ref, g, groups), ...conv2dGradRef(x.ref, w.ref, result.dy, g, groups) };
  const abs = [x.ref, w.ref, result.dy].map((t) => map(t, Math.abs));
  const scale = { y: conv2dRef(abs[0], abs[1], g, groups), ...conv2dGradRef(abs[0], abs[1], abs[2], g, groups) };
  return { got: result.got, want, scale };
}

describe('conv2d on webgpu, in one kernel a kind', () => {
  beforeAll(async () => {
    expect(await tm.init({ backend: 'webgpu' })).toBe('webgpu');
  });

  it.each(CASES)('x $x · w $w, $options: y, dx and dw as float64 loops give them (f32)', async (c) => {
    const before = await collected();
    const { got, want, scale } = await convolved(c, 'f32');
    // Sums of signed terms: the tolerance scales with the magnitude summed, not the sum.
    expectClose(got.y, want.y.v, 1e-5, 'y', scale.y.v);
    expectClose(got.dx, want.dx.v, 1e-5, 'dx', scale.dx.v);
    expectClose(got.dw, want.dw.v, 1e-4, 'dw', scale.dw.v);
    expect(tm.memory().numTensors).toBe(before);
  });

  it.each(CASES.filter((_, i) => i % 2 === 1))('x $x · w $w, $options: y, dx and dw within f16 rounding (f16)', async (c) => {
    const { got, want, scale } = await convolved(c, 'f16');
    expectClose(got.y, want.y.v, 2e-2, 'y', scale.y.v);
    expectClose(got.dx, want.dx.v, 2e-2, 'dx', scale.dx.v);
    expectClose(got.dw, want.dw.v, 2e-2, 'dw', scale.dw.v);
  });

  it("a weight's gradient summed over 5 × 64 × 61 positions, in runs added up after (f32 and f16)", async () => {
    for (const dtype of ['f32', 'f16'] as const) {
      const c: Case = { x: [5, 3, 64, 61], w: [2, 3, 3, 3], options: { padding: 1 }, sides: [[1, 1], [1, 1]] };
      const { got, want, scale } = await convolved(c, dtype);
      const tol = dtype === 'f32' ? 1e-4 : 2e-2;
      expectClose(got.y, want.y.v, tol, `y ${dtype}`, scale.y.v);
      expectClose(got.dx, want.dx.v, tol, `dx ${dtype}`, scale.dx.v);
      expectClose(got.dw, want.dw.v, tol, `dw ${dtype}`, scale.dw.v);
    }
  });

  it('gradients of gradients (each kind differentiated through the others) match the composed path', async () => {
    for (const c of [CASES[3], CASES[6], CASES[7]]) {
      const [x, w] = [random(c.x), random(c.w)];
      const v = random(c.x);
      // d/dx and d/dw of Σ v · ∂(Σ y²)/∂x: every kind's gradient, through forward, inputGrad and weightGrad.
      const secondOrder = () => tm.tidy(() => {
        const [xs, ws] = [x.t.clone(), w.t.clone()];
        xs.requiresGrad = true;
        ws.requiresGrad = true;
        const [dx, dw] = tm.grad(tm.conv2d(xs, ws, c.options).square().sum(), [xs, ws], { createGraph: true });
        return tm.grad(dx.mul(v.t).sum().add(dw.square().sum()), [xs, ws]);
      });
      const values = async () => {
        const grads = secondOrder();
        const out = await Promise.all(grads.map(async (t) => (await t.data()) as Float32Array));
        for (const t of grads) t.dispose();
        return out;
      };
      const { result: inKernel, kinds } = await kernelKinds(values);
      expect(Math.min(kinds.forward, kinds.inputGrad, kinds.weightGrad)).toBeGreaterThan(1);
      const kernels = convKernelsOf(activeBackend());
      kernels.takes = () => false;
      let composed: Float32Array[];
      try {
        composed = await values();
      } finally {
        delete kernels.takes;
      }
      const magnitude = (a: ArrayLike<number>) => Array.from(a, () => Math.max(...Array.from(a, Math.abs)));
      expectClose(inKernel[0], composed[0], 1e-4, 'd²/dx', magnitude(composed[0]));
      expectClose(inKernel[1], composed[1], 1e-4, 'd²/dw', magnitude(composed[1]));
      for (const t of [x.t, w.t, v.t]) t.dispose();
    }
  });
});

describe('conv2d on webgpu without shader-f16 (f16 packed two to a word, widened for the kernel)', () => {
  beforeAll(async () => {
    const ctx = (await freshDevice()).runtime.ctx;
    const packed = webGpuBackendOn({ ...ctx, features: { ...ctx.features, f16: false } }, { poison: true });
    setActive(packed, { backend: 'webgpu', reason: 'test: shader-f16 withheld', passedOver: [] });
  });
  afterAll(async () => {
    await tm.init({ backend: 'webgpu' });
  });

  it.each([CASES[2], CASES[7]])('x $x · w $w, $options: y, dx and dw within f16 rounding (f16)', async (c) => {
    const before = await collected();
    const { got, want, scale } = await convolved(c, 'f16');
    expectClose(got.y, want.y.v, 2e-2, 'y', scale.y.v);
    expectClose(got.dx, want.dx.v, 2e-2, 'dx', scale.dx.v);
    expectClose(got.dw, want.dw.v, 2e-2, 'dw', scale.dw.v);
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('conv2d on a device whose kernels bind at most 64 KiB', () => {
  const LIMIT = 64 * 1024;
  beforeAll(async () => {
    const ctx = (await freshDevice()).runtime.ctx;
    const small = webGpuBackendOn({ ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: LIMIT } }, { poison: true });
    setActive(small, { backend: 'webgpu', reason: 'test: 64 KiB bindings', passedOver: [] });
  });
  afterAll(async () => {
    await tm.init({ backend: 'webgpu' });
  });

  it.each([
    { x: [2, 3, 40, 40], w: [4, 3, 3, 3], options: { padding: 1 }, sides: [[1, 1], [1, 1]], bands: 1 },
    // x 100 KiB, y 50 KiB: an image a band.
    { x: [2, 8, 40, 40], w: [4, 8, 3, 3], options: { padding: 1 }, sides: [[1, 1], [1, 1]], bands: 2 },
    // y's images 31 KiB each: two a band, the last band one.
    { x: [7, 3, 40, 40], w: [5, 3, 3, 3], options: { padding: 1 }, sides: [[1, 1], [1, 1]], bands: 4 },
  ] as (Case & { bands: number })[])('x $x · w $w: the kernel in $bands bands of images, its gradients too (dw summed over the bands)', async (c) => {
    const before = await collected();
    const [n, channels, height, width] = c.x;
    const geometry: ConvGeometry = { batch: n, channels, height, width, filters: c.w[0], groups: 1, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padding: [1, 1], out: [height, width] };
    expect(imageBands((activeBackend() as WebGpuBackend).runtime.ctx, geometry, 'f32')?.length).toBe(c.bands);
    const [x, w] = [random(c.x), random(c.w)];
    x.t.requiresGrad = true;
    w.t.requiresGrad = true;
    const { result, kinds } = await kernelKinds(async () => {
      const y = tm.conv2d(x.t, w.t, c.options);
      const dy = random([...y.shape]);
      y.backward(dy.t);
      const got = { y: await y.data(), dx: await x.t.grad!.data(), dw: await w.t.grad!.data() };
      for (const t of [y, dy.t, x.t.grad!, w.t.grad!, x.t, w.t]) t.dispose();
      return { got, dy: dy.ref };
    });
    expect(kinds).toEqual({ forward: 1, inputGrad: 1, weightGrad: 1 });
    const g = windowOf(c);
    const abs = [x.ref, w.ref, result.dy].map((t) => map(t, Math.abs));
    const want = conv2dGradRef(x.ref, w.ref, result.dy, g);
    const scale = conv2dGradRef(abs[0], abs[1], abs[2], g);
    expectClose(result.got.y, conv2dRef(x.ref, w.ref, g).v, 1e-5, 'y', conv2dRef(abs[0], abs[1], g).v);
    expectClose(result.got.dx, want.dx.v, 1e-5, 'dx', scale.dx.v);
    expectClose(result.got.dw, want.dw.v, 1e-4, 'dw', scale.dw.v);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('a weight past the limit (144 KiB) takes the composed path, which reads it in bands of filters', async () => {
    const [x, w] = [random([1, 64, 4, 4]), random([64, 64, 3, 3])];
    const { result: y, kinds } = await kernelKinds(async () => tm.tidy(() => tm.conv2d(x.t, w.t, { padding: 1 })).data());
    expect(kinds).toEqual({ forward: 0, inputGrad: 0, weightGrad: 0 });
    const g: WindowRef = { stride: [1, 1], dilation: [1, 1], sides: [[1, 1], [1, 1]] };
    expectClose(y, conv2dRef(x.ref, w.ref, g).v, 1e-5, 'y', conv2dRef(map(x.ref, Math.abs), map(w.ref, Math.abs), g).v);
    x.t.dispose();
    w.t.dispose();
  });
});
