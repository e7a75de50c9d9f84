// diff, gradient, trapezoid, cumulativeTrapezoid and logcumsumexp on every backend against float64 loops
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

  it.each([[[9], -1], [[13, 31], 1], [[13, 31], 0], [[3, 4, 5], 1], [[2], 0]] as [number[], number][])('cumulativeTrapezoid of %j along %i is scipy\'s cumulative_trapezoid, spacing dx or positions x', async (shape, axis) => {
    const a = (axis + shape.length) % shape.length;
    const y = f64(shape, asF32(uniform(size(shape))));
    const n = shape[a];
    const xs = Float64Array.from(asF32(uniform(n, 0, 1)).sort());
    const running = (line: number[], at: (i: number) => number) => {
      let total = 0;
      return line.slice(1).map((v, i) => (total += ((v + line[i]) * (at(i + 1) - at(i))) / 2));
    };
    const got = tm.cumulativeTrapezoid(tm.tensor(y.v, shape), { axis, dx: 0.5 });
    expect(got.shape).toEqual(shape.map((s, d) => (d === a ? s - 1 : s)));
    expectClose(await got.data(), alongLines(y, a, (l) => running(l, (i) => 0.5 * i)).v, 1e-5, 'dx');
    expectClose(await tm.cumulativeTrapezoid(tm.tensor(y.v, shape), { axis, x: tm.tensor(xs, [n]) }).data(), alongLines(y, a, (l) => running(l, (i) => xs[i])).v, 1e-5, 'x');
  });

  /** np.gradient's formulas along one line, in float64, at coordinates c. */
  const gradientLine = (f: number[], c: (i: number) => number, edgeOrder: number) => {
    const n = f.length;
    const h = (i: number) => c(i + 1) - c(i);
    return f.map((_, i) => {
      if (i === 0 && edgeOrder === 1) return (f[1] - f[0]) / h(0);
      if (i === n - 1 && edgeOrder === 1) return (f[n - 1] - f[n - 2]) / h(n - 2);
      if (i === 0) {
        const [h1, h2] = [h(0), h(1)];
        return (-(2 * h1 + h2) / (h1 * (h1 + h2))) * f[0] + ((h1 + h2) / (h1 * h2)) * f[1] - (h1 / (h2 * (h1 + h2))) * f[2];
      }
      if (i === n - 1) {
        const [h1, h2] = [h(n - 3), h(n - 2)];
        return (h2 / (h1 * (h1 + h2))) * f[n - 3] - ((h1 + h2) / (h1 * h2)) * f[n - 2] + ((2 * h2 + h1) / (h2 * (h1 + h2))) * f[n - 1];
      }
      const [hs, hd] = [h(i - 1), h(i)];
      return (-hd / (hs * (hd + hs))) * f[i - 1] + ((hd - hs) / (hs * hd)) * f[i] + (hs / (hd * (hd + hs))) * f[i + 1];
    });
  };

  it.each([[[9], 1], [[9], 2], [[13, 31], 1], [[13, 31], 2], [[3, 4, 5], 2], [[2, 3], 1]] as [number[], 1 | 2][])('gradient of %j with edgeOrder %i is np.gradient along every axis, for a step and for uneven coordinates', async (shape, edgeOrder) => {
    const f = f64(shape, asF32(uniform(size(shape))));
    const steps = shape.map((_, a) => 0.25 * (a + 1));
    const uniformGrads = tm.gradient(tm.tensor(f.v, shape), { spacing: steps, edgeOrder });
    expect(uniformGrads).toHaveLength(shape.length);
    for (let a = 0; a < shape.length; a++) {
      // Scaled by the larger of the line's values over the step: central differences subtract nearly equal values.
      const want = alongLines(f, a, (l) => gradientLine(l, (i) => steps[a] * i, edgeOrder));
      expectClose(await uniformGrads[a].data(), want.v, 1e-5, `axis ${a} by step`, want.v.map(() => 4 / steps[a]));
    }
    const last = shape.length - 1;
    // Coordinates at least 0.1 apart, so the weights (~1/gap²) stay well conditioned in f32.
    const coordinates = asF32(Float64Array.from({ length: shape[last] }, (_, i) => i * 0.5 + uniform(1, 0, 0.4)[0]));
    const [uneven] = tm.gradient(tm.tensor(f.v, shape), { spacing: [tm.tensor(coordinates)], axis: -1, edgeOrder });
    const want = alongLines(f, last, (l) => gradientLine(l, (i) => coordinates[i], edgeOrder));
    expectClose(await uneven.data(), want.v, 1e-5, 'uneven', want.v.map(() => 100));
  });

  it('gradient is exact for a quadratic at uneven coordinates with edgeOrder 2 (and inside with edgeOrder 1); it keeps f16 and reads ints as f32', async () => {
    const xs = [0, 0.5, 1.25, 2, 3, 3.5];
    const f = tm.tensor(xs.map((x) => 3 * x * x - 2 * x + 1));
    const [second] = tm.gradient(f, { spacing: [tm.tensor(xs)], edgeOrder: 2 });
    expectClose(await second.data(), xs.map((x) => 6 * x - 2), 1e-5);
    const [first] = tm.gradient(f, { spacing: [tm.tensor(xs)] });
    expectClose((await first.data()).slice(1, -1), xs.slice(1, -1).map((x) => 6 * x - 2), 1e-5);
    expect(tm.gradient(tm.tensor([1, 2, 4], [3], { dtype: 'f16' }))[0].dtype).toBe('f16');
    const [ints] = tm.gradient(tm.tensor(new Int32Array([1, 2, 4, 7]), [4]), { spacing: 2 });
    expect([ints.dtype, Array.from(await ints.data())]).toEqual(['f32', [0.5, 0.75, 1.25, 1.5]]);
  });

  it('refuses bad input by name', () => {
    const t = tm.zeros([2, 3]);
    expect(() => tm.diff(tm.scalar(1))).toThrow(new tm.ShapeError('diff: x is a scalar: there is no axis to take differences along'));
    expect(() => tm.diff(t, { n: -1 })).toThrow(new tm.ValueError('diff: n must be a non-negative integer, got -1'));
    expect(() => tm.diff(t, { prepend: tm.zeros([3, 3]) })).toThrow(new tm.ShapeError("diff: prepend [3,3] must have x's shape [2,3] off axis -1"));
    expect(() => tm.trapezoid(t, { x: tm.zeros([2]) })).toThrow(new tm.ShapeError("trapezoid: x [2] must be a vector of y's length along axis -1 (3) or have y's shape [2,3]"));
    expect(() => tm.trapezoid(t, { dx: NaN })).toThrow(new tm.ValueError('trapezoid: dx must be a finite number, got NaN'));
    expect(() => tm.cumulativeTrapezoid(tm.scalar(1))).toThrow(new tm.ShapeError('cumulativeTrapezoid: y is a scalar: there is no axis to integrate along'));
    expect(() => tm.gradient(t, { edgeOrder: 2 })).toThrow(new tm.ShapeError('gradient: axis 0 of f [2,3] has 2 entries; edgeOrder 2 needs at least 3'));
    expect(() => tm.gradient(t, { edgeOrder: 3 as 2 })).toThrow(new tm.ValueError('gradient: edgeOrder must be 1 or 2, got 3'));
    expect(() => tm.gradient(t, { spacing: [1] })).toThrow(new tm.ValueError('gradient: spacing must be a number or a list of one per axis differentiated (2), got [1]'));
    expect(() => tm.gradient(t, { spacing: [tm.zeros([2])], axis: 1 })).toThrow(new tm.ShapeError('gradient: the coordinates along axis 1, [2], must be a vector of its length (3)'));
    expect(() => tm.gradient(t, { spacing: 0 })).toThrow(new tm.ValueError('gradient: the step along axis 0 must be a finite number other than 0, got 0'));
    expect(() => tm.logcumsumexp(tm.zeros([2], { dtype: 'i32' }))).toThrow(new tm.DTypeError("logcumsumexp: x is i32; it takes f32 or f16 (cast first: x.cast('f32'))"));
  });
});
