// conv2d, maxPool2d and avgPool2d on every backend against float64 loops that
// follow PyTorch's definitions (test/helpers/float64.ts), at odd sizes, with
// stride, padding ('same' with an even kernel too), dilation and groups.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, expectClose, uniform } from '../helpers/data.js';
import { conv2dGradRef, conv2dRef, f64, map, maxPool2dGradRef, pool2dRef, size, type F64, type WindowRef } from '../helpers/float64.js';

function random(shape: number[], dtype: 'f32' | 'f16' = 'f32'): { ref: F64; t: tm.Tensor } {
  const v = uniform(size(shape), -1, 1);
  const ref = f64(shape, dtype === 'f16' ? asF16(v) : Float64Array.from(Float32Array.from(v)));
  return { ref, t: tm.tensor(ref.v, shape, { dtype }) };
}

const pair = (p: number | [number, number]): [number, number] => (typeof p === 'number' ? [p, p] : p);

interface ConvCase {
  x: number[];
  w: number[];
  options: tm.Conv2dOptions;
  /** The padding as [before, after] per spatial axis, as the reference takes it. */
  sides: WindowRef['sides'];
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 3, 7, 9], w: [5, 3, 3, 3], options: {}, sides: [[0, 0], [0, 0]] },
  { x: [3, 2, 13, 11], w: [4, 2, 3, 3], options: { stride: 2, padding: 1 }, sides: [[1, 1], [1, 1]] },
  { x: [1, 4, 17, 15], w: [7, 4, 3, 5], options: { dilation: 2, padding: [2, 1] }, sides: [[2, 2], [1, 1]] },
  { x: [2, 3, 9, 10], w: [2, 3, 4, 2], options: { padding: 'same' }, sides: [[1, 2], [0, 1]] },
  { x: [2, 3, 9, 10], w: [2, 3, 3, 3], options: { padding: 'same', dilation: [2, 1] }, sides: [[2, 2], [1, 1]] },
  { x: [2, 6, 8, 7], w: [6, 1, 3, 3], options: { groups: 6, padding: 1 }, sides: [[1, 1], [1, 1]] },
  { x: [3, 4, 6, 6], w: [6, 2, 2, 3], options: { groups: 2, stride: [1, 2] }, sides: [[0, 0], [0, 0]] },
  { x: [2, 5, 11, 13], w: [3, 5, 1, 1], options: { padding: 'valid' }, sides: [[0, 0], [0, 0]] },
  { x: [4, 8, 29, 31], w: [16, 8, 5, 5], options: { padding: 2 }, sides: [[2, 2], [2, 2]] },
];

function windowOf(c: ConvCase): WindowRef {
  return { stride: pair((c.options.stride ?? 1) as number | [number, number]), dilation: pair((c.options.dilation ?? 1) as number | [number, number]), sides: c.sides };
}

describe.each(BACKENDS)('convolution on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe('conv2d', () => {
    it.each(CONV_CASES)('x $x · w $w, $options, as PyTorch defines it (f32)', async (c) => {
      const x = random(c.x);
      const w = random(c.w);
      const y = tm.conv2d(x.t, w.t, c.options);
      const want = conv2dRef(x.ref, w.ref, windowOf(c), c.options.groups);
      expect(y.shape).toEqual(want.shape);
      // Sums of signed terms: the tolerance scales with the magnitude summed, not the sum.
      expectClose(await y.data(), want.v, 1e-5, 'conv2d', conv2dRef(map(x.ref, Math.abs), map(w.ref, Math.abs), windowOf(c), c.options.groups).v);
    });

    it.each(CONV_CASES)('x $x · w $w, $options: the gradients of x and w (f32)', async (c) => {
      const [x, w] = [random(c.x), random(c.w)];
      x.t.requiresGrad = true;
      w.t.requiresGrad = true;
      const y = tm.conv2d(x.t, w.t, c.options);
      const dy = random([...y.shape]);
      y.backward(dy.t);
      const want = conv2dGradRef(x.ref, w.ref, dy.ref, windowOf(c), c.options.groups);
      const scale = conv2dGradRef(map(x.ref, Math.abs), map(w.ref, Math.abs), map(dy.ref, Math.abs), windowOf(c), c.options.groups);
      expectClose(await x.t.grad!.data(), want.dx.v, 1e-5, 'dx', scale.dx.v);
      expectClose(await w.t.grad!.data(), want.dw.v, 1e-5, 'dw', scale.dw.v);
    });

    it('an f16 conv feeding f32 ops (an f32 bias) gets f16 gradients, as any f16 op', async () => {
      const x = tm.randn([2, 3, 6, 6], { seed: 1 }).cast('f16');
      const w = tm.randn([4, 3, 3, 3], { seed: 2 }).cast('f16');
      w.requiresGrad = true;
      tm.conv2d(x, w).add(tm.randn([1, 4, 1, 1], { seed: 3 })).sum().backward();
      expect(w.grad!.dtype).toBe('f16');
      expect(w.grad!.shape).toEqual([4, 3, 3, 3]);
    });

    it("a large image's gradient: 160,000 values, each read by up to nine windows", async () => {
      const x = tm.ones([1, 1, 400, 400]);
      x.requiresGrad = true;
      tm.conv2d(x, tm.ones([1, 1, 3, 3]), { padding: 1 }).sum().backward();
      const g = await x.grad!.data();
      // A corner is read by four windows, an edge by six, the inside by nine.
      expect([g[0], g[1], g[401]]).toEqual([4, 6, 9]);
    });

    it('an empty batch has zero gradients for the weight', async () => {
      const w = tm.randn([4, 3, 3, 3], { seed: 2 });
      w.requiresGrad = true;
      tm.conv2d(tm.zeros([0, 3, 6, 6]), w).sum().backward();
      expect(Array.from(await w.grad!.data())).toEqual(Array(108).fill(0));
      const t = tm.randn([3, 2, 3, 3], { seed: 4 });
      t.requiresGrad = true;
      tm.convTranspose2d(tm.zeros([0, 3, 5, 5]), t).sum().backward();
      expect(Array.from(await t.grad!.data())).toEqual(Array(54).fill(0));
    });

    it('in f16, within f16 rounding of the float64 result', async () => {
      const c = CONV_CASES[1];
      const x = random(c.x, 'f16');
      const w = random(c.w, 'f16');
      x.t.requiresGrad = true;
      w.t.requiresGrad = true;
      const y = tm.conv2d(x.t, w.t, c.options);
      expect(y.dtype).toBe('f16');
      expectClose(await y.data(), conv2dRef(x.ref, w.ref, windowOf(c)).v, 2e-2, 'conv2d f16', conv2dRef(map(x.ref, Math.abs), map(w.ref, Math.abs), windowOf(c)).v);
      const dy = random([...y.shape], 'f16');
      y.backward(dy.t);
      const want = conv2dGradRef(x.ref, w.ref, dy.ref, windowOf(c));
      const scale = conv2dGradRef(map(x.ref, Math.abs), map(w.ref, Math.abs), map(dy.ref, Math.abs), windowOf(c));
      expect([x.t.grad!.dtype, w.t.grad!.dtype]).toEqual(['f16', 'f16']);
      expectClose(await x.t.grad!.data(), want.dx.v, 2e-2, 'dx f16', scale.dx.v);
      expectClose(await w.t.grad!.data(), want.dw.v, 2e-2, 'dw f16', scale.dw.v);
    });

    it('takes one image without its batch axis, as PyTorch', async () => {
      const x = random([3, 6, 5]);
      const w = random([2, 3, 3, 3]);
      const y = tm.conv2d(x.t, w.t, { padding: 1 });
      expect(y.shape).toEqual([2, 6, 5]);
      const want = conv2dRef({ shape: [1, 3, 6, 5], v: x.ref.v }, w.ref, { stride: [1, 1], dilation: [1, 1], sides: [[1, 1], [1, 1]] });
      expectClose(await y.data(), want.v, 1e-5);
    });

    it('leaves nothing behind but its output', () => {
      const x = random([2, 3, 8, 8]).t;
      const w = random([4, 3, 3, 3]).t;
      tm.conv2d(x, w).dispose(); // the first call may keep an index table; a second must not add to it
      const before = tm.memory().numTensors;
      const y = tm.conv2d(x, w, { padding: 1 });
      expect(tm.memory().numTensors).toBe(before + 1);
      y.dispose();
    });

    it('an empty batch gives an empty batch', () => {
      expect(tm.conv2d(tm.zeros([0, 3, 8, 8]), tm.zeros([4, 3, 3, 3]), { padding: 1 }).shape).toEqual([0, 4, 8, 8]);
      expect(tm.maxPool2d(tm.zeros([0, 3, 8, 8]), 2).shape).toEqual([0, 3, 4, 4]);
    });

    it('refuses shapes that do not fit, naming both', () => {
      const x = tm.zeros([2, 3, 8, 8]);
      expect(() => tm.conv2d(x, tm.zeros([4, 2, 3, 3]))).toThrow(/weight \[4,2,3,3\] takes 2 channels, x \[2,3,8,8\] has 3/);
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 9, 3]))).toThrow(/a 9×3 window does not fit in x \[2,3,8,8\]/);
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 5, 5]), { dilation: 2 })).toThrow(/dilated 2×2 does not fit/);
      expect(() => tm.conv2d(x, tm.zeros([4, 1, 3, 3]), { groups: 2 })).toThrow(/groups 2 must divide x's 3 channels/);
      expect(() => tm.conv2d(tm.zeros([8, 8]), tm.zeros([4, 3, 3, 3]))).toThrow(/x must be \[batch, channels, height, width\]/);
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 3]))).toThrow(/weight must be \[filters, channels\/groups, height, width\], got \[4,3,3\]/);
      expect(() => tm.conv2d(x.cast('i32'), tm.zeros([4, 3, 3, 3]))).toThrow(/x must be f32 or f16, got i32/);
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 3, 3]), { stride: 0 })).toThrow(/stride must be an integer ≥ 1/);
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 3, 3]), { stride: 2, padding: 'same' })).toThrow(/'same' needs stride 1/);
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 3, 3]), { padding: -1 })).toThrow(/padding must be an integer ≥ 0/);
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 3, 3]), { strides: 2 } as tm.Conv2dOptions)).toThrow(/strides/);
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 3, 3]), { padding: 'full' as 'same' })).toThrow(`conv2d: padding must be a number, [height, width], 'valid' or 'same', got "full"`);
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 3, 3]), tm.zeros([4]) as tm.Conv2dOptions)).toThrow("conv2d: the third argument is the options, not a bias (PyTorch's F.conv2d(x, w, b)): add a bias to the result, y.add(b.reshape([1, filters, 1, 1]))");
      expect(() => tm.conv2d(tm.zeros([2, 8, 8, 3]), tm.zeros([4, 3, 3, 3]))).toThrow('conv2d: weight [4,3,3,3] takes 3 channels, x [2,8,8,3] has 8; x looks channels-last: conv2d takes channels first, x.transpose([0, 3, 1, 2])');
      expect(() => tm.conv2d(x, tm.zeros([4, 3, 0, 3]))).toThrow('conv2d: weight [4,3,0,3] is empty: no filter, channel or tap to sum');
      expect(() => tm.conv2d(tm.zeros([1, 0, 5, 5]), tm.zeros([3, 0, 3, 3]))).toThrow('conv2d: x [1,0,5,5] has no channels or no pixels (only its batch may be empty)');
      expect(() => tm.maxPool2d(tm.zeros([1, 2, 0, 5]), 1, { padding: 0 })).toThrow(/no channels or no pixels/);
      if (backend === 'js') {
        // 1,024 channels of 128² in 120² windows of 9×9: 1.2e9 taps, a 4.8 GB index table (x itself is 32 MB).
        expect(() => tm.conv2d(tm.zeros([1, 1024, 128, 128], { dtype: 'f16' }), tm.zeros([1, 1024, 9, 9], { dtype: 'f16' }))).toThrow(/1,194,393,600 taps to gather per image, more than an index table here holds/);
      }
    });
  });

  describe('conv1d and the 1-D pools: the 2-D ones over sequences, as an image of height 1', () => {
    const asImage = (r: F64): F64 => ({ shape: [r.shape[0], r.shape[1], 1, r.shape[2]], v: r.v });
    it.each([
      { x: [3, 4, 17], w: [5, 4, 3], options: {}, sides: [0, 0] },
      { x: [2, 6, 20], w: [6, 2, 4], options: { stride: 2, padding: 3, dilation: 2, groups: 3 }, sides: [3, 3] },
      { x: [2, 3, 9], w: [2, 3, 4], options: { padding: 'same' as const }, sides: [1, 2] },
    ])('conv1d of x $x by w $w, $options', async (c) => {
      const x = random(c.x);
      const w = random(c.w);
      const y = tm.conv1d(x.t, w.t, c.options);
      const g: WindowRef = { stride: [1, c.options.stride ?? 1], dilation: [1, c.options.dilation ?? 1], sides: [[0, 0], [c.sides[0], c.sides[1]]] };
      const want = conv2dRef(asImage(x.ref), { shape: [...c.w.slice(0, 2), 1, c.w[2]], v: w.ref.v }, g, c.options.groups);
      expect(y.shape).toEqual([want.shape[0], want.shape[1], want.shape[3]]);
      expectClose(await y.data(), want.v, 1e-5, 'conv1d', conv2dRef(map(asImage(x.ref), Math.abs), { shape: [...c.w.slice(0, 2), 1, c.w[2]], v: w.ref.v.map(Math.abs) }, g, c.options.groups).v);
    });

    it('maxPool1d and avgPool1d, and one sequence without its batch axis', async () => {
      const x = random([2, 3, 11]);
      const g: WindowRef = { stride: [1, 2], dilation: [1, 1], sides: [[0, 0], [1, 1]] };
      expectClose(await tm.maxPool1d(x.t, 3, { stride: 2, padding: 1 }).data(), pool2dRef(asImage(x.ref), [1, 3], g, 'max').v, 0);
      expectClose(await tm.avgPool1d(x.t, 3, { stride: 2, padding: 1 }).data(), pool2dRef(asImage(x.ref), [1, 3], g, 'avg').v, 1e-5);
      expect(tm.maxPool1d(x.t, 2).shape).toEqual([2, 3, 5]);
      const one = tm.conv1d(tm.ones([3, 8]), tm.ones([2, 3, 3]), { padding: 1 });
      expect(one.shape).toEqual([2, 8]);
      expect(Array.from(await one.data()).slice(0, 8)).toEqual([6, 9, 9, 9, 9, 9, 9, 6]);
    });

    it('errors speak of sequences', () => {
      const x = tm.zeros([2, 3, 8]);
      expect(() => tm.conv1d(tm.zeros([2, 3, 8, 8]), tm.zeros([4, 3, 3]))).toThrow('conv1d: x must be [batch, channels, length] (or one sequence [channels, length]), got [2,3,8,8]');
      expect(() => tm.conv1d(x, tm.zeros([4, 3, 3, 3]))).toThrow('conv1d: weight must be [filters, channels/groups, length], got [4,3,3,3]');
      expect(() => tm.conv1d(x, tm.zeros([4, 3, 9]))).toThrow('conv1d: a 9 window does not fit in x [2,3,8]');
      expect(() => tm.conv1d(x, tm.zeros([4, 3, 3]), { stride: [1, 2] as unknown as number })).toThrow('conv1d: stride must be an integer ≥ 1, got [1, 2]');
      expect(() => tm.conv1d(x, tm.zeros([4, 3, 3]), { padding: 'full' as 'same' })).toThrow(`conv1d: padding must be a number, 'valid' or 'same', got "full"`);
      expect(() => tm.maxPool1d(x, 2, { padding: 2 })).toThrow('maxPool1d: padding 2 is more than half the 2 window');
      expect(() => tm.avgPool1d(tm.zeros([2, 0, 8]), 2)).toThrow('avgPool1d: x [2,0,8] has no channels or no positions (only its batch may be empty)');
    });
  });

  describe('gradients', () => {
    /** d/dinputs of Σ r·f(inputs) by central differences of the float64 reference: exact for conv and avgPool (linear), and for max unless two values of a window lie within the step. */
    function numericGradients(f: (...xs: F64[]) => F64, inputs: F64[], r: Float64Array): Float64Array[] {
      const objective = (xs: F64[]) => f(...xs).v.reduce((acc, v, i) => acc + v * r[i], 0);
      return inputs.map((input, k) =>
        input.v.map((_, i) => {
          const shifted = (h: number) => inputs.map((x, j) => (j === k ? { shape: x.shape, v: x.v.map((v, e) => (e === i ? v + h : v)) } : x));
          return (objective(shifted(1e-6)) - objective(shifted(-1e-6))) / 2e-6;
        }),
      );
    }

    it.each([
      ['conv2d, stride 2, padding 1', [[2, 3, 7, 6], [4, 3, 3, 3]], (x: tm.Tensor, w: tm.Tensor) => tm.conv2d(x, w, { stride: 2, padding: 1 }), (x: F64, w: F64) => conv2dRef(x, w, { stride: [2, 2], dilation: [1, 1], sides: [[1, 1], [1, 1]] })],
      ['depthwise conv2d', [[2, 3, 5, 5], [6, 1, 2, 2]], (x: tm.Tensor, w: tm.Tensor) => tm.conv2d(x, w, { groups: 3 }), (x: F64, w: F64) => conv2dRef(x, w, { stride: [1, 1], dilation: [1, 1], sides: [[0, 0], [0, 0]] }, 3)],
      ['maxPool2d 3×3, stride 2, padding 1', [[2, 3, 7, 8]], (x: tm.Tensor) => tm.maxPool2d(x, 3, { stride: 2, padding: 1 }), (x: F64) => pool2dRef(x, [3, 3], { stride: [2, 2], dilation: [1, 1], sides: [[1, 1], [1, 1]] }, 'max')],
      ['maxPool2d 2×2, dilation [2, 3], overlapping, padding 1', [[2, 2, 7, 8]], (x: tm.Tensor) => tm.maxPool2d(x, 2, { stride: 1, padding: 1, dilation: [2, 3] }), (x: F64) => pool2dRef(x, [2, 2], { stride: [1, 1], dilation: [2, 3], sides: [[1, 1], [1, 1]] }, 'max')],
      ['avgPool2d 2×2', [[2, 3, 7, 8]], (x: tm.Tensor) => tm.avgPool2d(x, 2), (x: F64) => pool2dRef(x, [2, 2], { stride: [2, 2], dilation: [1, 1], sides: [[0, 0], [0, 0]] }, 'avg')],
      // Its weight [F, C, k] is [F, C, 1, k] to the 2-D kernels: the gradient must come back 3-D (native's came back 4-D, and an optimizer refused it).
      ['conv1d, stride 2, padding 1', [[2, 3, 9], [4, 3, 3]], (x: tm.Tensor, w: tm.Tensor) => tm.conv1d(x, w, { stride: 2, padding: 1 }), (x: F64, w: F64) => {
        const y = conv2dRef({ shape: [2, 3, 1, 9], v: x.v }, { shape: [4, 3, 1, 3], v: w.v }, { stride: [1, 2], dilation: [1, 1], sides: [[0, 0], [1, 1]] });
        return { shape: [2, 4, 5], v: y.v };
      }],
    ] as const)('%s: the gradients of float64 differences', async (_name, shapes, op, ref) => {
      const inputs = shapes.map((s) => random([...s]));
      const y = (op as (...t: tm.Tensor[]) => tm.Tensor)(...inputs.map((i) => i.t));
      const r = uniform(y.size, -1, 1);
      for (const i of inputs) i.t.requiresGrad = true;
      const loss = tm.tidy(() => (op as (...t: tm.Tensor[]) => tm.Tensor)(...inputs.map((i) => i.t)).mul(tm.tensor(r, y.shape)).sum());
      loss.backward();
      const want = numericGradients(ref as (...xs: F64[]) => F64, inputs.map((i) => i.ref), Float64Array.from(Float32Array.from(r)));
      for (const [k, input] of inputs.entries()) {
        expect(input.t.grad!.shape).toEqual(input.t.shape);
        expectClose(await input.t.grad!.data(), want[k], 1e-5, `d/dinput${k}`);
      }
    });
  });

  it("an f16 bias's gradient sums its axes in one pass: halves past f16's largest that cancel give their sum, not ∞ − ∞", async () => {
    const dy = tm.tensor(Array.from({ length: 512 }, (_, i) => (i < 256 ? 300 : -299)), [2, 1, 16, 16], { dtype: 'f16' });
    const b = tm.zeros([1], { dtype: 'f16' });
    b.requiresGrad = true;
    tm.add(tm.zeros([2, 1, 16, 16], { dtype: 'f16' }), b.reshape([1, 1, 1, 1])).backward(dy);
    expect(Array.from(await b.grad!.data())).toEqual([256]);
  });

  describe('pooling', () => {
    const POOL_CASES: { x: number[]; kernel: [number, number]; options: tm.Pool2dOptions; stride: [number, number]; padding: [number, number] }[] = [
      { x: [2, 3, 9, 11], kernel: [2, 2], options: {}, stride: [2, 2], padding: [0, 0] },
      { x: [1, 2, 13, 12], kernel: [3, 3], options: { stride: 2, padding: 1 }, stride: [2, 2], padding: [1, 1] },
      { x: [3, 1, 7, 10], kernel: [2, 3], options: { stride: [1, 2] }, stride: [1, 2], padding: [0, 0] },
      { x: [2, 4, 28, 28], kernel: [2, 2], options: {}, stride: [2, 2], padding: [0, 0] },
    ];

    it.each(POOL_CASES)('maxPool2d and avgPool2d of $x by $kernel, $options', async (c) => {
      const x = random(c.x);
      const g: WindowRef = { stride: c.stride, dilation: [1, 1], sides: [[c.padding[0], c.padding[0]], [c.padding[1], c.padding[1]]] };
      const kernel = c.kernel[0] === c.kernel[1] ? c.kernel[0] : c.kernel;
      const maxed = tm.maxPool2d(x.t, kernel, c.options);
      const want = pool2dRef(x.ref, c.kernel, g, 'max');
      expect(maxed.shape).toEqual(want.shape);
      expectClose(await maxed.data(), want.v, 0, 'maxPool2d');
      expectClose(await tm.avgPool2d(x.t, kernel, c.options).data(), pool2dRef(x.ref, c.kernel, g, 'avg').v, 1e-5, 'avgPool2d', pool2dRef(map(x.ref, Math.abs), c.kernel, g, 'avg').v);
      const pixelsOnly = tm.avgPool2d(x.t, kernel, { ...c.options, countIncludePad: false });
      expectClose(await pixelsOnly.data(), pool2dRef(x.ref, c.kernel, g, 'avgPixels').v, 1e-5, 'avgPool2d countIncludePad false', pool2dRef(map(x.ref, Math.abs), c.kernel, g, 'avgPixels').v);
    });

    it.each([
      { x: [2, 3, 8, 9], kernel: [3, 3] as [number, number], stride: 2, padding: 1 },
      { x: [1, 2, 7, 7], kernel: [2, 2] as [number, number], stride: 2, padding: 0 },
      { x: [1, 2, 5, 6], kernel: [2, 3] as [number, number], stride: 2, padding: 1 },
    ])('ceilMode rounds the output size up, as PyTorch: x $x by $kernel, stride $stride, padding $padding', async (c) => {
      const x = random(c.x);
      const g: WindowRef = { stride: [c.stride, c.stride], dilation: [1, 1], sides: [[c.padding, c.padding], [c.padding, c.padding]] };
      const options = { stride: c.stride, padding: c.padding, ceilMode: true };
      const maxed = tm.maxPool2d(x.t, c.kernel, options);
      const want = pool2dRef(x.ref, c.kernel, g, 'max', true);
      expect(maxed.shape).toEqual(want.shape);
      expectClose(await maxed.data(), want.v, 0, 'maxPool2d ceilMode');
      for (const [countIncludePad, kind] of [[true, 'avg'], [false, 'avgPixels']] as const) {
        const averaged = tm.avgPool2d(x.t, c.kernel, { ...options, countIncludePad });
        expectClose(await averaged.data(), pool2dRef(x.ref, c.kernel, g, kind, true).v, 1e-5, `avgPool2d ceilMode ${kind}`, pool2dRef(map(x.ref, Math.abs), c.kernel, g, kind, true).v);
      }
    });

    it.each([
      { x: [2, 3, 9, 11], kernel: [2, 2] as [number, number], dilation: [2, 2] as [number, number], stride: [1, 1] as [number, number], padding: 0, ceilMode: false },
      { x: [1, 2, 13, 12], kernel: [3, 2] as [number, number], dilation: [2, 3] as [number, number], stride: [2, 2] as [number, number], padding: 2, ceilMode: false },
      { x: [1, 2, 10, 9], kernel: [2, 3] as [number, number], dilation: [3, 1] as [number, number], stride: [3, 2] as [number, number], padding: 1, ceilMode: true },
    ])('maxPool2d with dilation $dilation (PyTorch\'s): x $x by $kernel, stride $stride, padding $padding, ceilMode $ceilMode; and maxPool1d', async (c) => {
      const x = random(c.x);
      const g: WindowRef = { stride: c.stride, dilation: c.dilation, sides: [[c.padding, c.padding], [c.padding, c.padding]] };
      const maxed = tm.maxPool2d(x.t, c.kernel, { stride: c.stride, padding: c.padding, dilation: c.dilation, ceilMode: c.ceilMode });
      const want = pool2dRef(x.ref, c.kernel, g, 'max', c.ceilMode);
      expect(maxed.shape).toEqual(want.shape);
      expectClose(await maxed.data(), want.v, 0, 'maxPool2d dilated');
      const rows = random([c.x[0], c.x[1], c.x[3]]);
      const g1: WindowRef = { stride: [1, c.stride[1]], dilation: [1, c.dilation[1]], sides: [[0, 0], [c.padding, c.padding]] };
      const seq = tm.maxPool1d(rows.t, c.kernel[1], { stride: c.stride[1], padding: c.padding, dilation: c.dilation[1], ceilMode: c.ceilMode });
      const image = f64([c.x[0], c.x[1], 1, c.x[3]], rows.ref.v);
      expectClose(await seq.data(), pool2dRef(image, [1, c.kernel[1]], g1, 'max', c.ceilMode).v, 0, 'maxPool1d dilated');
    });

    it('dilation is a max pool\'s: an average pool refuses it, and padding is checked against the dilated window', () => {
      expect(() => tm.avgPool2d(tm.zeros([1, 1, 8, 8]), 2, { dilation: 2 } as tm.AvgPool2dOptions)).toThrow(/avgPool2d.*dilation/);
      expect(tm.maxPool2d(tm.zeros([1, 1, 8, 8]), 2, { dilation: 3, padding: 2 }).shape).toEqual([1, 1, 5, 5]); // (8 + 4 − 4) / 2 + 1
      expect(() => tm.maxPool2d(tm.zeros([1, 1, 8, 8]), 2, { dilation: 3, padding: 3 })).toThrow('maxPool2d: padding 3 is more than half the 2×2 window (dilated: 4×4) (a window could then hold padding only)');
    });

    it('ceilMode keeps a window past the image only where it starts inside: 7 by 2 at stride 2 gives 4; 5 by 2 at stride 2 padded by 1 gives 3, not 4', () => {
      expect(tm.maxPool2d(tm.zeros([1, 1, 7, 7]), 2, { ceilMode: true }).shape).toEqual([1, 1, 4, 4]);
      expect(tm.maxPool2d(tm.zeros([1, 1, 7, 7]), 2).shape).toEqual([1, 1, 3, 3]);
      expect(tm.avgPool1d(tm.zeros([1, 1, 5]), 2, { padding: 1, ceilMode: true }).shape).toEqual([1, 1, 3]);
    });

    it('avgPool2d with countIncludePad false: a corner window of 3×3 padded by 1 averages its four pixels, and its gradient goes to them alone', async () => {
      const x = tm.arange(16).cast('f32').reshape([1, 1, 4, 4]);
      x.requiresGrad = true;
      const y = tm.avgPool2d(x, 3, { stride: 3, padding: 1, countIncludePad: false });
      // Windows: rows −1..1 and 2..4 (4 is padding), the same for columns: 2×2, 2×2, 2×2 and 2×2 pixels.
      expect(await y.array()).toEqual([[[[(0 + 1 + 4 + 5) / 4, (2 + 3 + 6 + 7) / 4], [(8 + 9 + 12 + 13) / 4, (10 + 11 + 14 + 15) / 4]]]]);
      y.sum().backward();
      expect(Array.from(await x.grad!.data())).toEqual(Array(16).fill(0.25));
      expect(() => tm.maxPool2d(x, 2, { countIncludePad: false } as tm.Pool2dOptions)).toThrow(/maxPool2d.*countIncludePad/);
      expect(() => tm.avgPool1d(tm.zeros([1, 1, 4]), 2, { countIncludePad: 1 as unknown as boolean })).toThrow(/countIncludePad/);
    });

    it('maxPool2d: NaN wins its window; a tie shares the gradient evenly; padding takes none of it', async () => {
      const withNan = tm.tensor([[[[1, NaN, 2, 3], [0, 0, 5, 4]]]]);
      expect(Array.from(await tm.maxPool2d(withNan, 2).data())).toEqual([NaN, 5]);
      const half = tm.maxPool2d(tm.tensor([[[[1, -2, 2.5, 3], [0, 7, 5, NaN]]]], undefined, { dtype: 'f16' }), 2);
      expect([half.dtype, Array.from(await half.data())]).toEqual(['f16', [7, NaN]]);
      const tied = tm.zeros([1, 1, 2, 2]);
      tied.requiresGrad = true;
      tm.maxPool2d(tied, 2).sum().backward();
      expect(Array.from(await tied.grad!.data())).toEqual([0.25, 0.25, 0.25, 0.25]);
      // The window's max is 0, as the padding would read: the padding is no candidate.
      const x = tm.tensor([[[[0, -1], [-1, -2]]]]);
      x.requiresGrad = true;
      const y = tm.maxPool2d(x, 3, { stride: 2, padding: 1 });
      expect(Array.from(await y.data())).toEqual([0]);
      y.sum().backward();
      expect(Array.from(await x.grad!.data())).toEqual([1, 0, 0, 0]);
      // A NaN gradient goes to the max alone, as any gradient, on every backend.
      const z = tm.tensor([[[[1, 2], [3, 4]]]]);
      z.requiresGrad = true;
      tm.maxPool2d(z, 2).backward(tm.tensor([[[[NaN]]]]));
      expect(Array.from(await z.grad!.data())).toEqual([0, 0, 0, NaN]);
    });

    it.each([
      { x: [4, 32, 128, 256], kernel: [2, 2] as [number, number], stride: [2, 2] as [number, number] },
      { x: [8, 16, 128, 128], kernel: [3, 3] as [number, number], stride: [2, 2] as [number, number] },
    ])('maxPool2d and its gradient over planes enough for two threads (2^22 tap reads and more), as float64 computes them: x $x by $kernel', async (c) => {
      // Values in steps of 1/8, so that windows tie.
      const ref = f64(c.x, uniform(size(c.x), -1, 1).map((v) => Math.round(v * 8) / 8));
      const x = tm.tensor(ref.v, c.x);
      x.requiresGrad = true;
      const y = tm.maxPool2d(x, c.kernel, { stride: c.stride });
      const want = pool2dRef(ref, c.kernel, { stride: c.stride, dilation: [1, 1], sides: [[0, 0], [0, 0]] }, 'max');
      expectClose(await y.data(), want.v, 0, 'maxPool2d');
      const dy = random(want.shape);
      y.backward(dy.t);
      expectClose(await x.grad!.data(), maxPool2dGradRef(ref, c.kernel, c.stride, dy.ref).v, 1e-6, 'maxPool2d gradient');
    });

    it('refuses padding past half the window, and a window larger than the image', () => {
      expect(() => tm.maxPool2d(tm.zeros([1, 1, 6, 6]), 2, { padding: 2 })).toThrow(/padding 2 is more than half the 2×2 window/);
      expect(() => tm.avgPool2d(tm.zeros([1, 1, 2, 6]), 3)).toThrow(/a 3×3 window does not fit in x \[1,1,2,6\]/);
      expect(() => tm.maxPool2d(tm.zeros([1, 1, 6, 6]), 0)).toThrow(/kernelSize must be an integer ≥ 1/);
    });
  });
});
