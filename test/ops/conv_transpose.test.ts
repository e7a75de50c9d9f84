// convTranspose2d and convTranspose1d on every backend against a float64
// loop of PyTorch's definition (test/helpers/float64.ts), values and both
// gradients, at odd sizes with stride, padding, outputPadding, dilation and
// groups; and as what it is named for: the transpose (adjoint) of conv2d.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, expectClose, uniform } from '../helpers/data.js';
import { convTranspose2dRef, f64, map, size, type F64 } from '../helpers/float64.js';

function random(shape: number[], dtype: 'f32' | 'f16' = 'f32'): { ref: F64; t: tm.Tensor } {
  const v = uniform(size(shape), -1, 1);
  const ref = f64(shape, dtype === 'f16' ? asF16(v) : Float64Array.from(Float32Array.from(v)));
  return { ref, t: tm.tensor(ref.v, shape, { dtype }) };
}

const pair = (p: number | readonly [number, number] | undefined, flat = 0): [number, number] => (p === undefined ? [flat, flat] : typeof p === 'number' ? [p, p] : [p[0], p[1]]);

interface Case {
  x: number[];
  w: number[];
  options: tm.ConvTranspose2dOptions;
  /** The output's height and width. */
  out: [number, number];
}

const CASES: Case[] = [
  { x: [2, 3, 5, 4], w: [3, 2, 3, 3], options: { stride: 2, padding: 1, outputPadding: 1 }, out: [10, 8] },
  { x: [1, 4, 6, 7], w: [4, 3, 2, 3], options: {}, out: [7, 9] },
  { x: [2, 4, 3, 5], w: [4, 1, 3, 3], options: { groups: 2, stride: [2, 1], dilation: [1, 2] }, out: [7, 9] },
  { x: [3, 2, 4, 4], w: [2, 5, 1, 1], options: { stride: 2 }, out: [7, 7] },
  { x: [1, 2, 6, 6], w: [2, 3, 5, 5], options: { stride: 3, padding: 2, outputPadding: 2 }, out: [18, 18] },
  { x: [4, 16, 14, 15], w: [16, 8, 3, 3], options: { stride: 2, padding: 1, outputPadding: 1 }, out: [28, 30] },
];

function refOf(c: Case, x: F64, w: F64, dy?: F64) {
  const o = c.options;
  return convTranspose2dRef(x, w, { stride: pair(o.stride, 1), padding: pair(o.padding), outputPadding: pair(o.outputPadding), dilation: pair(o.dilation, 1) }, o.groups, dy);
}

describe.each(BACKENDS)('transposed convolution on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(CASES)('x $x by w $w, $options: values and both gradients as PyTorch defines them', async (c) => {
    const [x, w] = [random(c.x), random(c.w)];
    x.t.requiresGrad = true;
    w.t.requiresGrad = true;
    const y = tm.convTranspose2d(x.t, w.t, c.options);
    expect(y.shape).toEqual([c.x[0], c.w[1] * (c.options.groups ?? 1), ...c.out]);
    const dy = random([...y.shape]);
    const want = refOf(c, x.ref, w.ref, dy.ref);
    // Sums of signed terms: the tolerance scales with the magnitudes summed.
    const scale = refOf(c, map(x.ref, Math.abs), map(w.ref, Math.abs), map(dy.ref, Math.abs));
    expectClose(await y.data(), want.y.v, 1e-5, 'y', scale.y.v);
    y.backward(dy.t);
    expectClose(await x.t.grad!.data(), want.dx.v, 1e-5, 'dx', scale.dx.v);
    expectClose(await w.t.grad!.data(), want.dw.v, 1e-5, 'dw', scale.dw.v);
  });

  it('is the transpose of conv2d with the same weight: <conv2d(a, w), b> = <a, convTranspose2d(b, w)>', async () => {
    const options = { stride: 2, padding: 1, dilation: 2, groups: 2 };
    const w = tm.randn([6, 2, 3, 3]);
    const a = tm.randn([2, 4, 11, 9]);
    const b = tm.randn(tm.conv2d(a, w, options).shape);
    // PyTorch's rule: the outputPadding that brings back a's size.
    const back = tm.convTranspose2d(b, w, { ...options, outputPadding: [0, 0] });
    expect(back.shape).toEqual([2, 4, 11, 9]);
    const left = await tm.conv2d(a, w, options).mul(b).sum().item();
    const right = await a.mul(back).sum().item();
    expect(Math.abs(left - right)).toBeLessThan(1e-4 * (Math.abs(left) + 1));
  });

  it('in f16, within f16 rounding of the float64 result', async () => {
    const c = CASES[0];
    const [x, w] = [random(c.x, 'f16'), random(c.w, 'f16')];
    const y = tm.convTranspose2d(x.t, w.t, c.options);
    expect(y.dtype).toBe('f16');
    expectClose(await y.data(), refOf(c, x.ref, w.ref).y.v, 2e-2, 'f16', refOf(c, map(x.ref, Math.abs), map(w.ref, Math.abs)).y.v);
  });

  it('convTranspose1d: the 2-D one over sequences, and one sequence without its batch axis', async () => {
    const [x, w] = [random([2, 3, 9]), random([3, 4, 5])];
    const y = tm.convTranspose1d(x.t, w.t, { stride: 3, padding: 2, outputPadding: 1 });
    const want = convTranspose2dRef({ shape: [2, 3, 1, 9], v: x.ref.v }, { shape: [3, 4, 1, 5], v: w.ref.v }, { stride: [1, 3], padding: [0, 2], outputPadding: [0, 1], dilation: [1, 1] });
    expect(y.shape).toEqual([2, 4, 26]);
    expectClose(await y.data(), want.y.v, 1e-5, 'convTranspose1d');
    const one = tm.convTranspose1d(x.t.slice([0, 0, 0], [1, 3, 9]).reshape([3, 9]), w.t, { stride: 3, padding: 2, outputPadding: 1 });
    expect(one.shape).toEqual([4, 26]);
    expectClose(await one.data(), want.y.v.slice(0, 4 * 26), 1e-5, 'one sequence');
  });

  it('refuses what does not fit, naming the sizes', () => {
    const x = tm.zeros([1, 4, 5, 5]);
    expect(() => tm.convTranspose2d(x, tm.zeros([3, 2, 3, 3]))).toThrow('convTranspose2d: weight [3,2,3,3] is for 3 input channels (its first axis), x [1,4,5,5] has 4');
    expect(() => tm.convTranspose2d(x, tm.zeros([4, 2, 3]))).toThrow('convTranspose2d: weight must be [inChannels, outChannels/groups, height, width], got [4,2,3]');
    expect(() => tm.convTranspose2d(x, tm.zeros([4, 2, 3, 3]), { stride: 2, outputPadding: 2 })).toThrow('convTranspose2d: outputPadding 2 must be less than the stride 2×2 or the dilation 1×1');
    expect(() => tm.convTranspose2d(x, tm.zeros([4, 2, 3, 3]), { groups: 3 })).toThrow("convTranspose2d: groups 3 must divide x's 4 channels");
    expect(() => tm.convTranspose2d(tm.zeros([1, 4, 1, 1]), tm.zeros([4, 2, 1, 1]), { padding: 1 })).toThrow('convTranspose2d: padding 1×1 cuts all of the 1×1 output of x [1,4,1,1] by a 1×1 window');
    expect(() => tm.convTranspose2d(x, tm.zeros([4, 2, 3, 3]), { padding: 'same' as unknown as number })).toThrow(/padding must be an integer ≥ 0/);
    expect(() => tm.convTranspose1d(tm.zeros([1, 4, 5]), tm.zeros([4, 2, 3]), { stride: 0 })).toThrow('convTranspose1d: stride must be an integer ≥ 1, got 0');
  });
});
