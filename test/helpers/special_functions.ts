// What the tm.special suites (test/special/) share: sweeps of f32 inputs,
// a check of results against float64 references within a bound per point
// (the function's own f32 error plus what rounding its input costs, its
// condition), the shapes and dtypes every function takes, and central
// differences of the float64 references for the gradients.
import { expect } from 'vitest';
import * as tm from '../../src/index.js';
import { SEED, TOL, asF16, asF32, expectClose, uniform } from './data.js';
import { roundF16 } from './float64.js';

/** n points from lo to hi spaced evenly in log scale. */
export const logSpace = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
export const symmetric = (xs: number[]): number[] => xs.flatMap((v) => [v, -v]);
/** f32's ulp of 1 (2⁻²³), the relative step of rounding to f32 twice over. */
export const ULP = 2 ** -23;
const SMALLEST_NORMAL = 2 ** -126;

/**
 * |got − want| ≤ bound(i, want) at each point, exactly the f32 value where
 * the reference rounds to ±∞ or is NaN; a subnormal reference to within 2 of
 * its steps (2⁻¹⁴⁹). `at(i)` names the point in a failure.
 */
export function expectWithin(what: string, got: ArrayLike<number>, want: ArrayLike<number>, bound: (i: number, want: number) => number, at: (i: number) => string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const w32 = Math.fround(w);
    const g = got[i];
    if (!Number.isFinite(w32)) {
      if (!Object.is(g, w32) && !(Number.isNaN(g) && Number.isNaN(w32))) expect.fail(`${what}(${at(i)}): got ${g}, want ${w32} (test seed ${SEED})`);
      continue;
    }
    const b = bound(i, w) + (Math.abs(w) < SMALLEST_NORMAL ? 2 * 2 ** -149 : 0);
    if (!(Math.abs(g - w) <= b)) expect.fail(`${what}(${at(i)}): got ${g}, want ${w} (error ${Math.abs(g - w)}, bound ${b}, test seed ${SEED})`);
  }
}

/** Exact results (NaN for NaN, signed zeros equal) at the edges PyTorch defines. */
export function expectEdges(what: string, got: ArrayLike<number>, want: readonly number[], at: (i: number) => string): void {
  want.forEach((w, i) => {
    if (!(Object.is(got[i], Math.fround(w)) || (got[i] === 0 && w === 0))) expect.fail(`${what}(${at(i)}): got ${got[i]}, want ${w}`);
  });
}

/** f′(x) by central differences of a float64 function, h relative to x (the reference's 1e-14 leaves 1e-8 of the slope). */
export function centralDifference(f: (x: number) => number, x: number): number {
  const h = 1e-6 * Math.max(1, Math.abs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
}

export const SHAPES: number[][] = [[], [1], [7], [13, 31], [3, 1, 7], [0, 5]];

/**
 * op at `shape` on random points in [lo, hi): f32 within tol of the
 * reference, an f16 input rounded once to f16, an i32 input read as f32.
 */
export async function checkShapeAndDTypes(name: string, op: (t: tm.Tensor) => tm.Tensor, ref: (x: number) => number, shape: number[], lo: number, hi: number, ints: number[], tol = TOL.f32): Promise<void> {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = asF32(uniform(n, lo, hi));
  const y = op(tm.tensor(x, shape));
  expect(y.shape).toEqual(shape);
  expect(y.dtype).toBe('f32');
  expectClose(await y.data(), x.map(ref), tol, name);
  const h = asF16(uniform(n, lo, hi));
  const yh = op(tm.tensor(h, shape, { dtype: 'f16' }));
  expect(yh.dtype).toBe('f16');
  const got = await yh.data();
  expect(Array.from(got)).toEqual(Array.from(got, roundF16));
  expectClose(got, h.map((v) => roundF16(ref(v))), TOL.f16, `${name} f16`);
  const whole = Float64Array.from({ length: n }, (_, i) => ints[i % ints.length]);
  const yi = op(tm.tensor(new Int32Array(whole), shape));
  expect(yi.dtype).toBe('f32');
  expectClose(await yi.data(), whole.map((v) => Math.fround(ref(v))), tol, `${name} of i32`);
  for (const t of [y, yh, yi]) t.dispose();
}
