// maxPool3d and avgPool3d on every backend against float64 loops over each
// 3-D window as PyTorch defines them (its output size with ceil_mode, its
// divisor with count_include_pad), at odd sizes, with stride, padding,
// dilation and ceilMode; their gradients against the same loops.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { f64, size, type F64 } from '../helpers/float64.js';
import { pool3dRef, type Pool3dRefOptions, type Triple } from '../helpers/volumes.js';

function random(shape: number[]): { ref: F64; t: tm.Tensor } {
  const ref = f64(shape, Float64Array.from(Float32Array.from(uniform(size(shape), -1, 1))));
  return { ref, t: tm.tensor(ref.v, shape) };
}

interface Case {
  x: number[];
  kernel: Triple;
  options: Pool3dRefOptions;
}

const MAX_CASES: Case[] = [
  { x: [2, 3, 5, 7, 3], kernel: [2, 2, 2], options: {} },
  { x: [1, 1, 1, 5, 7], kernel: [1, 3, 3], options: { stride: [1, 2, 2], padding: [0, 1, 1] } },
  { x: [2, 3, 7, 5, 5], kernel: [3, 3, 1], options: { stride: 2, padding: [1, 1, 0] } },
  { x: [1, 3, 7, 7, 5], kernel: [3, 3, 3], options: { dilation: 2, padding: 1 } },
  { x: [2, 1, 6, 7, 5], kernel: [3, 2, 3], options: { stride: 2, ceilMode: true } },
  { x: [1, 3, 5, 5, 7], kernel: [3, 3, 3], options: { stride: [2, 2, 3], padding: 1, ceilMode: true, dilation: [1, 2, 1] } },
];

const AVG_CASES: Case[] = [
  { x: [2, 3, 5, 7, 3], kernel: [2, 2, 2], options: {} },
  { x: [1, 1, 1, 5, 7], kernel: [1, 3, 3], options: { stride: [1, 2, 2], padding: [0, 1, 1] } },
  { x: [2, 3, 7, 5, 5], kernel: [3, 3, 1], options: { stride: 2, padding: [1, 1, 0], countIncludePad: false } },
  { x: [1, 3, 7, 7, 5], kernel: [3, 3, 3], options: { stride: 1, padding: 1 } },
  { x: [2, 1, 6, 7, 5], kernel: [3, 2, 3], options: { stride: 2, ceilMode: true } },
  { x: [1, 3, 5, 5, 7], kernel: [3, 3, 3], options: { stride: [2, 2, 3], padding: 1, ceilMode: true } },
  { x: [1, 3, 5, 5, 7], kernel: [3, 3, 3], options: { stride: [2, 2, 3], padding: 1, ceilMode: true, countIncludePad: false } },
];

describe.each(BACKENDS)('3-D pooling on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe.each([
    { kind: 'max' as const, cases: MAX_CASES, op: (x: tm.Tensor, k: Triple, o: Pool3dRefOptions) => tm.maxPool3d(x, k, o as tm.MaxPool3dOptions) },
    { kind: 'avg' as const, cases: AVG_CASES, op: (x: tm.Tensor, k: Triple, o: Pool3dRefOptions) => tm.avgPool3d(x, k, o as tm.AvgPool3dOptions) },
  ])('$kind', ({ kind, cases, op }) => {
    it.each(cases)('x $x, window $kernel, $options: the values and the gradient, as PyTorch defines them', async (c) => {
      const x = random(c.x);
      x.t.requiresGrad = true;
      const y = op(x.t, c.kernel, c.options);
      const dy = random([...y.shape]);
      const want = pool3dRef(x.ref, c.kernel, c.options, kind, dy.ref);
      expect(y.shape).toEqual(want.y.shape);
      expectClose(await y.data(), want.y.v, kind === 'max' ? 0 : 1e-5, `${kind}Pool3d`);
      y.backward(dy.t);
      expectClose(await x.t.grad!.data(), want.dx.v, 1e-5, 'dx');
    });
  });

  it('stride defaults to the window; one volume without its batch axis; a window of 1 along an axis leaves it', async () => {
    const x = random([3, 4, 6, 5]);
    const want = pool3dRef(f64([1, 3, 4, 6, 5], x.ref.v), [2, 3, 1], {}, 'max');
    const y = tm.maxPool3d(x.t, [2, 3, 1]);
    expect(y.shape).toEqual([3, 2, 2, 5]);
    expectClose(await y.data(), want.y.v, 0);
    const mean = tm.avgPool3d(x.t, [2, 3, 1]);
    expectClose(await mean.data(), pool3dRef(f64([1, 3, 4, 6, 5], x.ref.v), [2, 3, 1], {}, 'avg').y.v, 1e-5);
  });

  it('a tie shares the gradient: 1 over the window in a constant volume', async () => {
    const x = tm.ones([1, 1, 2, 2, 2]);
    x.requiresGrad = true;
    tm.maxPool3d(x, 2).sum().backward();
    expectClose(await x.grad!.data(), Array(8).fill(1 / 8), 1e-6);
  });

  it('leaves nothing behind but its output', () => {
    const x = random([2, 3, 5, 5, 5]).t;
    for (const pool of [() => tm.maxPool3d(x, 3, { stride: 2, padding: 1 }), () => tm.avgPool3d(x, 3, { stride: 2, padding: 1, ceilMode: true })]) {
      pool().dispose(); // the first call may keep index tables; a second must not add to them
      const before = tm.memory().numTensors;
      const y = pool();
      expect(tm.memory().numTensors).toBe(before + 1);
      y.dispose();
    }
  });

  it('refuses windows and options that do not fit, naming x as given', () => {
    const x = tm.zeros([2, 3, 5, 6, 7]);
    expect(() => tm.maxPool3d(x, [6, 2, 2])).toThrow('maxPool3d: a 6×2×2 window does not fit in x [2,3,5,6,7]');
    expect(() => tm.maxPool3d(x, 3, { dilation: [3, 1, 1] })).toThrow('maxPool3d: a 3×3×3 window dilated 3×1×1 does not fit in x [2,3,5,6,7]');
    expect(() => tm.avgPool3d(x, [2, 2, 10], { padding: [0, 0, 1] })).toThrow('avgPool3d: a 2×2×10 window does not fit in x [2,3,5,6,7] padded to 5×6×9');
    expect(() => tm.maxPool3d(x, 3, { padding: 2 })).toThrow('maxPool3d: padding 2 is more than half the 3×3×3 window (a window could then hold padding only)');
    expect(() => tm.maxPool3d(x, 2, { padding: [0, 0, 2], dilation: 2 })).toThrow('maxPool3d: padding [0, 0, 2] is more than half the 2×2×2 window (dilated: 3×3×3)');
    expect(() => tm.avgPool3d(x, 2, { dilation: 2 } as tm.AvgPool3dOptions)).toThrow(/avgPool3d: unknown option "dilation"/);
    expect(() => tm.maxPool3d(x, 2, { countIncludePad: false } as tm.MaxPool3dOptions)).toThrow(/maxPool3d: unknown option "countIncludePad"/);
    expect(() => tm.maxPool3d(x, [2, 2] as unknown as tm.Size3d)).toThrow('maxPool3d: kernelSize must be an integer ≥ 1 or a triple [depth, height, width] of them, got [2, 2]');
    expect(() => tm.avgPool3d(x, 2, { stride: 0 })).toThrow('avgPool3d: stride must be an integer ≥ 1 or a triple [depth, height, width] of them, got 0');
    expect(() => tm.avgPool3d(x, 2, { ceilMode: 'yes' as unknown as boolean })).toThrow('avgPool3d: ceilMode must be true or false, got "yes"');
    expect(() => tm.maxPool3d(tm.zeros([2, 6, 7]), 2)).toThrow('maxPool3d: x must be [batch, channels, depth, height, width] (or one volume [channels, depth, height, width]), got [2,6,7]');
    expect(() => tm.avgPool3d(x.cast('i32'), 2)).toThrow("avgPool3d: x must be f32 or f16, got i32 (cast it: x.cast('f32'))");
  });
});
