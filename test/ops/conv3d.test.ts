// conv3d on every backend against a float64 3-D convolution written here as
// PyTorch defines it (plain loops over every output, filter and tap), at odd
// sizes, with stride, padding ('same' with an even kernel too), dilation and
// groups; its gradients (first and second order) against the same loops.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, expectClose, uniform } from '../helpers/data.js';
import { f64, size, type F64 } from '../helpers/float64.js';
import { abs, conv3dRef, triple, type Geometry, type Triple } from '../helpers/volumes.js';

function random(shape: number[], dtype: 'f32' | 'f16' = 'f32'): { ref: F64; t: tm.Tensor } {
  const v = uniform(size(shape), -1, 1);
  const ref = f64(shape, dtype === 'f16' ? asF16(v) : Float64Array.from(Float32Array.from(v)));
  return { ref, t: tm.tensor(ref.v, shape, { dtype }) };
}

interface Case {
  x: number[];
  w: number[];
  options: tm.Conv3dOptions;
  /** The padding as [before, after] per axis. */
  sides: [number, number][];
}

const none: [number, number][] = [[0, 0], [0, 0], [0, 0]];
const CASES: Case[] = [
  { x: [2, 3, 5, 7, 3], w: [4, 3, 3, 3, 3], options: {}, sides: none },
  { x: [1, 1, 1, 5, 7], w: [2, 1, 1, 3, 3], options: { padding: [0, 1, 1] }, sides: [[0, 0], [1, 1], [1, 1]] },
  { x: [2, 3, 7, 5, 5], w: [5, 3, 2, 3, 1], options: { stride: 2, padding: 1 }, sides: [[1, 1], [1, 1], [1, 1]] },
  { x: [1, 3, 7, 7, 5], w: [2, 3, 3, 3, 3], options: { dilation: 2, padding: [2, 1, 0] }, sides: [[2, 2], [1, 1], [0, 0]] },
  { x: [2, 4, 5, 3, 7], w: [6, 2, 3, 1, 3], options: { groups: 2, stride: [2, 1, 2] }, sides: none },
  { x: [2, 3, 5, 5, 3], w: [3, 1, 3, 3, 3], options: { groups: 3, padding: 1 }, sides: [[1, 1], [1, 1], [1, 1]] },
  { x: [2, 3, 5, 6, 7], w: [2, 3, 2, 4, 3], options: { padding: 'same' }, sides: [[0, 1], [1, 2], [1, 1]] },
  { x: [1, 2, 7, 5, 5], w: [3, 2, 3, 3, 3], options: { padding: 'same', dilation: [2, 1, 1] }, sides: [[2, 2], [1, 1], [1, 1]] },
  { x: [2, 3, 3, 5, 7], w: [4, 3, 1, 1, 1], options: { padding: 'valid' }, sides: none },
];

const geometryOf = (c: Case): Geometry => ({ stride: triple(c.options.stride as number | Triple, 1), dilation: triple(c.options.dilation as number | Triple, 1), sides: c.sides, groups: c.options.groups ?? 1 });

describe.each(BACKENDS)('conv3d on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(CASES)('x $x · w $w, $options, as PyTorch defines it (f32)', async (c) => {
    const [x, w] = [random(c.x), random(c.w)];
    const y = tm.conv3d(x.t, w.t, c.options);
    const want = conv3dRef(x.ref, w.ref, geometryOf(c));
    expect(y.shape).toEqual(want.y.shape);
    // Sums of signed terms: the tolerance scales with the magnitude summed, not the sum.
    expectClose(await y.data(), want.y.v, 1e-5, 'conv3d', conv3dRef(abs(x.ref), abs(w.ref), geometryOf(c)).y.v);
  });

  it.each(CASES)('x $x · w $w, $options: the gradients of x and w (f32)', async (c) => {
    const [x, w] = [random(c.x), random(c.w)];
    x.t.requiresGrad = true;
    w.t.requiresGrad = true;
    const y = tm.conv3d(x.t, w.t, c.options);
    const dy = random([...y.shape]);
    y.backward(dy.t);
    const want = conv3dRef(x.ref, w.ref, geometryOf(c), dy.ref);
    const scale = conv3dRef(abs(x.ref), abs(w.ref), geometryOf(c), abs(dy.ref));
    expectClose(await x.t.grad!.data(), want.dx.v, 1e-5, 'dx', scale.dx.v);
    expectClose(await w.t.grad!.data(), want.dw.v, 1e-5, 'dw', scale.dw.v);
  });

  it("second order: the gradient of Σ v·∂L/∂w with respect to x is the convolution's dx with v as the weight", async () => {
    // L = Σ dy·conv3d(x, w) is bilinear: ∂L/∂w is linear in x, and Σ v·∂L/∂w = Σ dy·conv3d(x, v).
    const c = CASES[2];
    const [x, w, v] = [random(c.x), random(c.w), random(c.w)];
    x.t.requiresGrad = true;
    w.t.requiresGrad = true;
    const y = tm.conv3d(x.t, w.t, c.options);
    const dy = random([...y.shape]);
    const [dw] = tm.grad(y.mul(dy.t).sum(), [w.t], { createGraph: true });
    const [ddx] = tm.grad(dw.mul(v.t).sum(), [x.t]);
    const want = conv3dRef(x.ref, v.ref, geometryOf(c), dy.ref);
    expectClose(await ddx.data(), want.dx.v, 1e-5, 'd²', conv3dRef(abs(x.ref), abs(v.ref), geometryOf(c), abs(dy.ref)).dx.v);
  });

  it('in f16, within f16 rounding of the float64 result', async () => {
    const c = CASES[2];
    const [x, w] = [random(c.x, 'f16'), random(c.w, 'f16')];
    const y = tm.conv3d(x.t, w.t, c.options);
    expect(y.dtype).toBe('f16');
    expectClose(await y.data(), conv3dRef(x.ref, w.ref, geometryOf(c)).y.v, 2e-2, 'conv3d f16', conv3dRef(abs(x.ref), abs(w.ref), geometryOf(c)).y.v);
  });

  it('takes one volume without its batch axis, as PyTorch', async () => {
    const [x, w] = [random([3, 5, 4, 3]), random([2, 3, 3, 3, 3])];
    const y = tm.conv3d(x.t, w.t, { padding: 1 });
    expect(y.shape).toEqual([2, 5, 4, 3]);
    const want = conv3dRef(f64([1, 3, 5, 4, 3], x.ref.v), w.ref, { stride: [1, 1, 1], dilation: [1, 1, 1], sides: [[1, 1], [1, 1], [1, 1]], groups: 1 });
    expectClose(await y.data(), want.y.v, 1e-5, 'unbatched', conv3dRef(f64([1, 3, 5, 4, 3], x.ref.v.map(Math.abs)), abs(w.ref), { stride: [1, 1, 1], dilation: [1, 1, 1], sides: [[1, 1], [1, 1], [1, 1]], groups: 1 }).y.v);
  });

  it('an empty batch gives an empty batch, and the weight a zero gradient', async () => {
    const w = tm.randn([4, 3, 3, 3, 3], { seed: 2 });
    w.requiresGrad = true;
    const y = tm.conv3d(tm.zeros([0, 3, 5, 5, 5]), w, { padding: 1 });
    expect(y.shape).toEqual([0, 4, 5, 5, 5]);
    y.sum().backward();
    expect(Array.from(await w.grad!.data())).toEqual(Array(324).fill(0));
  });

  it('leaves nothing behind but its output, forward and backward', () => {
    const x = random([2, 3, 5, 5, 5]).t;
    const w = random([4, 3, 3, 3, 3]).t;
    tm.conv3d(x, w, { stride: 2, padding: 1 }).dispose(); // the first call may keep index tables; a second must not add to them
    const before = tm.memory().numTensors;
    const y = tm.conv3d(x, w, { stride: 2, padding: 1 });
    expect(tm.memory().numTensors).toBe(before + 1);
    y.dispose();
    x.requiresGrad = true;
    w.requiresGrad = true;
    const steps = () => {
      tm.tidy(() => tm.conv3d(x, w, { stride: 2, padding: 1 }).square().sum().backward());
      x.grad!.dispose();
      w.grad!.dispose();
      x.grad = null;
      w.grad = null;
    };
    steps();
    const settled = tm.memory().numTensors;
    steps();
    expect(tm.memory().numTensors).toBe(settled);
  });

  it('refuses shapes and options that do not fit, naming both', () => {
    const x = tm.zeros([2, 3, 5, 6, 7]);
    const w = tm.zeros([4, 3, 3, 3, 3]);
    expect(() => tm.conv3d(x, tm.zeros([4, 2, 3, 3, 3]))).toThrow('conv3d: weight [4,2,3,3,3] takes 2 channels, x [2,3,5,6,7] has 3');
    expect(() => tm.conv3d(x, tm.zeros([4, 3, 6, 3, 3]))).toThrow('conv3d: a 6×3×3 window does not fit in x [2,3,5,6,7]');
    expect(() => tm.conv3d(x, tm.zeros([4, 3, 6, 3, 3]), { padding: [0, 1, 1] })).toThrow('conv3d: a 6×3×3 window does not fit in x [2,3,5,6,7] padded to 5×8×9');
    expect(() => tm.conv3d(x, tm.zeros([4, 3, 3, 3, 3]), { dilation: [3, 1, 1] })).toThrow('conv3d: a 3×3×3 window dilated 3×1×1 does not fit in x [2,3,5,6,7]');
    expect(() => tm.conv3d(x, tm.zeros([4, 1, 3, 3, 3]), { groups: 2 })).toThrow("conv3d: groups 2 must divide x's 3 channels and weight's 4 filters (x [2,3,5,6,7], weight [4,1,3,3,3])");
    expect(() => tm.conv3d(tm.zeros([5, 6, 7]), w)).toThrow('conv3d: x must be [batch, channels, depth, height, width] (or one volume [channels, depth, height, width]), got [5,6,7]');
    expect(() => tm.conv3d(x, tm.zeros([4, 3, 3, 3]))).toThrow('conv3d: weight must be [filters, channels/groups, depth, height, width], got [4,3,3,3]');
    expect(() => tm.conv3d(x.cast('i32'), w)).toThrow("conv3d: x must be f32 or f16, got i32 (cast it: x.cast('f32'))");
    expect(() => tm.conv3d(x, w.cast('i32'))).toThrow('conv3d: weight must be f32 or f16, got i32');
    expect(() => tm.conv3d(x, w, { stride: 0 })).toThrow('conv3d: stride must be an integer ≥ 1 or a triple [depth, height, width] of them, got 0');
    expect(() => tm.conv3d(x, w, { stride: [1, 2] as unknown as number })).toThrow('conv3d: stride must be an integer ≥ 1 or a triple [depth, height, width] of them, got [1, 2]');
    expect(() => tm.conv3d(x, w, { stride: [1, 1, 2], padding: 'same' })).toThrow("conv3d: padding 'same' needs stride 1, got stride [1, 1, 2]");
    expect(() => tm.conv3d(x, w, { padding: -1 })).toThrow(/padding must be an integer ≥ 0/);
    expect(() => tm.conv3d(x, w, { padding: 'full' as 'same' })).toThrow(`conv3d: padding must be a number, [depth, height, width], 'valid' or 'same', got "full"`);
    expect(() => tm.conv3d(x, w, { groups: 0 })).toThrow('conv3d: groups must be a positive integer, got 0');
    expect(() => tm.conv3d(x, w, { strides: 2 } as tm.Conv3dOptions)).toThrow(/unknown option "strides" \(did you mean stride\?\)/);
    expect(() => tm.conv3d(x, w, tm.zeros([4]) as tm.Conv3dOptions)).toThrow("conv3d: the third argument is the options, not a bias (PyTorch's F.conv3d(x, w, b)): add a bias to the result, y.add(b.reshape([1, filters, 1, 1, 1]))");
    expect(() => tm.conv3d(tm.zeros([2, 5, 6, 7, 3]), w)).toThrow('conv3d: weight [4,3,3,3,3] takes 3 channels, x [2,5,6,7,3] has 5; x looks channels-last: conv3d takes channels first, x.transpose([0, 4, 1, 2, 3])');
    expect(() => tm.conv3d(x, tm.zeros([4, 3, 0, 3, 3]))).toThrow('conv3d: weight [4,3,0,3,3] is empty: no filter, channel or tap to sum');
    expect(() => tm.conv3d(tm.zeros([1, 3, 0, 5, 5]), w)).toThrow('conv3d: x [1,3,0,5,5] has no channels or no voxels (only its batch may be empty)');
    expect(() => tm.conv3d(x, 'w' as unknown as tm.Tensor)).toThrow(/conv3d: weight/);
  });
});
