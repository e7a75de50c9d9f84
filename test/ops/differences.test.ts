// diff, trapezoid and logcumsumexp on every backend against float64 loops
// written here: odd sizes, negative axes, n past the axis, prepend and
// append, ints (wrapping differences), positions as a vector or a tensor of
// y's shape; logcumsumexp over ranges where exp overflows f32, and its
// gradient (a softmax of each prefix); bad input refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { f64, ravel, size, unravel, type F64 } from '../helpers/float64.js';

/** Each line of x along `a` mapped by f (which may change its length). */
function alongLines(x: F64, a: number, f: (line: number[]) => number[]): F64 {
  const others = x.shape.map((s, d) => (d === a ? 1 : s));
  const outLines = Array.from({ length: size(others) }, (_, o) => {
    const idx = unravel(o, others);
    return f(Array.from({ length: x.shape[a] }, (_, k) => x.v[ravel(idx.map((c, d) => (d === a ? k : c)), x.shape)]));
  });
  const len = outLines[0]?.length ?? 0;
  const shape = x.shape.map((s, d) => (d === a ? len : s));
  const v = new Float64Array(size(shape));
  outLines.forEach((line, o) => line.forEach((value, k) => (v[ravel(unravel(o, others).map((c, d) => (d === a ? k : c)), shape)] = value)));
  return { shape, v };
}

const diffLine = (line: number[], n: number) => {
  for (let k = 0; k < n && line.length; k++) line = line.slice(1).map((v, i) => v - line[i]);
  return line;
};

describe.each(BACKENDS)('differences on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[7], 1, -1], [[7], 3, 0], [[7], 9, 0], [[13, 31], 2, 1], [[13, 31], 1, 0], [[3, 4, 5], 1, -2], [[4, 0], 1, 1]] as [number[], number, number][])('diff of %j, n %i, along %i is np.diff, in f32 and i32 (wrapping)', async (shape, n, axis) => {
    const a = (axis + shape.length) % shape.length;
    const f32 = f64(shape, asF32(uniform(size(shape), -100, 100)));
    expectClose(await tm.diff(tm.tensor(f32.v, shape), { n, axis }).data(), alongLines(f32, a, (l) => diffLine(l, n)).v, 1e-6, 'diff f32', alongLines(f32, a, (l) => diffLine(l, n).map(() => 100 * 2 ** n)).v);
    const ints = f64(shape, randomInts(size(shape), -(2 ** 31), 2 ** 31 - 1));
    const y = tm.diff(tm.tensor(ints.v, shape, { dtype: 'i32' }), { n, axis });
    expect([y.shape, y.dtype]).toEqual([alongLines(ints, a, (l) => diffLine(l, n)).shape, 'i32']);
    expectExact(await y.data(), alongLines(ints, a, (l) => diffLine(l, n)).v.map((v) => v | 0), 'diff i32');
  });

  it('diff puts prepend and append (numbers, or tensors of x\'s shape off the axis) around x first; its gradient is −dy then +dy', async () => {
    expect(await tm.diff(tm.tensor([1, 4, 9]), { prepend: 0, append: tm.tensor([20]) }).array()).toEqual([1, 3, 5, 11]);
    expect(await tm.diff(tm.tensor([[1, 2], [4, 8]]), { axis: 0, prepend: tm.tensor([[0, 1]]) }).array()).toEqual([[1, 1], [3, 6]]);
    expect(await tm.diff(tm.tensor([1, 2]), { n: 0 }).array()).toEqual([1, 2]);
    const x = tm.tensor([1, 4, 9, 16]);
    x.requiresGrad = true;
    tm.tidy(() => tm.diff(x).mul(tm.tensor([1, 10, 100])).sum()).backward();
    expect(await x.grad!.array()).toEqual([-1, 1 - 10, 10 - 100, 100]);
  });

  it.each([[[9], -1], [[13, 31], 1], [[13, 31], 0], [[3, 4, 5], 1]] as [number[], number][])('trapezoid of %j along %i is np.trapezoid, spacing dx or positions x (a vector, or y\'s shape)', async (shape, axis) => {
    const a = (axis + shape.length) % shape.length;
    const y = f64(shape, asF32(uniform(size(shape))));
    const n = shape[a];
    const xs = Float64Array.from(asF32(uniform(n, 0, 1)).sort());
    const rule = (line: number[], at: (i: number) => number) => [line.slice(1).reduce((s, v, i) => s + ((v + line[i]) * (at(i + 1) - at(i))) / 2, 0)];
    expectClose(await tm.trapezoid(tm.tensor(y.v, shape), { axis, dx: 0.5 }).data(), alongLines(y, a, (l) => rule(l, (i) => 0.5 * i)).v, 1e-5, 'trapezoid dx');
    expectClose(await tm.trapezoid(tm.tensor(y.v, shape), { axis, x: tm.tensor(xs, [n]) }).data(), alongLines(y, a, (l) => rule(l, (i) => xs[i])).v, 1e-5, 'trapezoid x vector');
    const grid = f64(shape, asF32(uniform(size(shape))));
    // Each line's positions read from grid at the same places as its values from y.
    const wantFull = alongLines(f64(shape, Float64Array.from(y.v.keys())), a, (positions) => rule(positions.map((p) => y.v[p]), (i) => grid.v[positions[i]]));
    expectClose(await tm.trapezoid(tm.tensor(y.v, shape), { axis, x: tm.tensor(grid.v, shape) }).data(), wantFull.v, 1e-5, 'trapezoid x of y\'s shape');
  });

  it('trapezoid reads ints as f32, integrates nothing to 0, and sends (Δx/2)·dy to each y', async () => {
    expect(await tm.trapezoid(tm.tensor(new Int32Array([1, 2, 4]), [3])).item()).toBe(4.5);
    expect(await tm.trapezoid(tm.tensor([5])).item()).toBe(0);
    const y = tm.tensor([1, 2, 3, 4]);
    y.requiresGrad = true;
    tm.tidy(() => tm.trapezoid(y, { x: tm.tensor([0, 1, 3, 6]) })).backward();
    expect(await y.grad!.array()).toEqual([0.5, 1.5, 2.5, 1.5]);
  });

  it.each([[[7], 0], [[13, 31], 1], [[13, 31], 0], [[3, 129, 2], 1], [[1], 0], [[4, 0], 1]] as [number[], number][])('logcumsumexp of %j along %i is log of running sums of exp, in float64, values up to ±200 (past f32\'s exp)', async (shape, axis) => {
    const x = f64(shape, asF32(uniform(size(shape), -200, 200)));
    const want = alongLines(x, axis, (line) => {
      let m = -Infinity;
      let s = 0;
      return line.map((v) => {
        // A running log-sum-exp, rescaled as the maximum grows.
        if (v > m) (s = s * Math.exp(m - v) + 1, (m = v));
        else s += Math.exp(v - m);
        return m + Math.log(s);
      });
    });
    expectClose(await tm.logcumsumexp(tm.tensor(x.v, shape), axis).data(), want.v, 1e-6, 'logcumsumexp', want.v.map(() => 200));
  });

  it('logcumsumexp keeps f16, and its gradient at j is Σ_{i ≥ j} dy_i·softmax of prefix i at j', async () => {
    expect(tm.logcumsumexp(tm.tensor([1, 2], [2], { dtype: 'f16' })).dtype).toBe('f16');
    const v = [0.5, -1, 2, 0.25];
    const x = tm.tensor(v);
    x.requiresGrad = true;
    const dy = [1, -2, 3, 0.5];
    tm.tidy(() => tm.logcumsumexp(x).mul(tm.tensor(dy)).sum()).backward();
    const want = v.map((_, j) => dy.reduce((g, d, i) => (i < j ? g : g + (d * Math.exp(v[j])) / v.slice(0, i + 1).reduce((s, u) => s + Math.exp(u), 0)), 0));
    expectClose(await x.grad!.data(), want, 1e-6, 'logcumsumexp gradient');
  });

  it('refuses bad input by name', () => {
    const t = tm.zeros([2, 3]);
    expect(() => tm.diff(tm.scalar(1))).toThrow(new tm.ShapeError('diff: x is a scalar: there is no axis to take differences along'));
    expect(() => tm.diff(t, { n: -1 })).toThrow(new tm.ValueError('diff: n must be a non-negative integer, got -1'));
    expect(() => tm.diff(t, { prepend: tm.zeros([3, 3]) })).toThrow(new tm.ShapeError("diff: prepend [3,3] must have x's shape [2,3] off axis -1"));
    expect(() => tm.trapezoid(t, { x: tm.zeros([2]) })).toThrow(new tm.ShapeError("trapezoid: x [2] must be a vector of y's length along axis -1 (3) or have y's shape [2,3]"));
    expect(() => tm.trapezoid(t, { dx: NaN })).toThrow(new tm.ValueError('trapezoid: dx must be a finite number, got NaN'));
    expect(() => tm.logcumsumexp(tm.zeros([2], { dtype: 'i32' }))).toThrow(new tm.DTypeError("logcumsumexp: x is i32; it takes f32 or f16 (cast first: x.cast('f32'))"));
  });
});
