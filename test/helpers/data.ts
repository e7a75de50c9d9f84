// Fresh random test data from the tests' own generator (not tmnn's), and
// tolerance checks fit for each dtype.
import { expect } from 'vitest';
import type { DType } from '../../src/dtype.js';
import { f16Bits, f16Value } from '../../src/f16.js';

/**
 * The seed of this test file's data: fresh every run, or fixed with
 * TMNN_TEST_SEED=<n> to replay a failure (every failure message names it).
 */
export const SEED = (process.env.TMNN_TEST_SEED ? Number(process.env.TMNN_TEST_SEED) : (Date.now() ^ 0x9e3779b9)) >>> 0;

let state = SEED;

function next(): number {
  state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
  return state / 4294967296;
}

/** Uniform in [lo, hi); fresh every run (replay with TMNN_TEST_SEED, see SEED). */
export function uniform(n: number, lo = -2, hi = 2): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/** Uniform integers in [lo, hi]. */
export function randomInts(n: number, lo: number, hi: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + Math.floor((hi - lo + 1) * next());
  return out;
}

/** Values every dtype holds exactly, for ops that move entries and must not change a bit: ints over their range, f16's whole numbers, f32's values. */
export function exactValues(dtype: DType, n: number): Float64Array {
  switch (dtype) {
    case 'i8': return randomInts(n, -128, 127);
    case 'i32': return randomInts(n, -(2 ** 31), 2 ** 31 - 1);
    case 'f16': return randomInts(n, -2048, 2048);
    case 'f32': return Float64Array.from(Float32Array.from(uniform(n, -1e3, 1e3)));
  }
}

/** Integers covering an int dtype's whole range (and its extremes, which wrap first). */
export function intsOf(dtype: 'i8' | 'i32', n: number): Float64Array {
  const [lo, hi] = dtype === 'i8' ? [-128, 127] : [-2147483648, 2147483647];
  const out = randomInts(n, lo, hi);
  if (n > 0) out[0] = lo;
  if (n > 1) out[n - 1] = hi;
  return out;
}

/** Values rounded to f32, as a Float32Array tensor would hold them. */
export function asF32(v: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(v));
}

/** Values rounded to f16 (tmnn's own encoder; test/f16.test.ts checks it against an independent one). */
export function asF16(v: Float64Array): Float64Array {
  return v.map((x) => f16Value(f16Bits(x)));
}

/** Values as a tensor of `dtype` holds them: f32/f16 rounded, ints as they are. */
export function asDType(v: Float64Array, dtype: string): Float64Array {
  return dtype === 'f16' ? asF16(v) : dtype === 'f32' ? asF32(v) : v;
}

/**
 * Relative tolerances per dtype for results compared with a float64 reference:
 * f32 about 1e-5; f16 a few units in its last place (2^-11 relative); ints exact.
 */
export const TOL: Readonly<Record<string, number>> = { f32: 1e-5, f16: 2e-3, i8: 0, i32: 0 };

/**
 * |got − want| ≤ tol·(scale + 1) everywhere, NaN matching NaN, infinities
 * exact; names the first bad index. The scale is |want|, or the given one (for
 * sums with cancellation, the sum of magnitudes: the size of the terms that were rounded).
 */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5, what = '', scale?: ArrayLike<number>): void {
  expect(got.length, `${what} length (test seed ${SEED})`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) expect.fail(`${what} index ${i}: got ${g}, want NaN (test seed ${SEED})`);
      continue;
    }
    if (!Number.isFinite(w)) {
      if (g !== w) expect.fail(`${what} index ${i}: got ${g}, want ${w} (test seed ${SEED})`);
      continue;
    }
    if (!(Math.abs(g - w) <= tol * ((scale ? scale[i] : Math.abs(w)) + 1))) {
      expect.fail(`${what} index ${i}: got ${g}, want ${w} (tolerance ${tol}, test seed ${SEED})`);
    }
  }
}

/** Close relative to the reference's largest magnitude: errors of well-conditioned problems (solves, transforms) are norm-wise. */
export function expectNormwise(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  const largest = Array.from(want).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expectClose(got, want, tol, what, new Float64Array(want.length).fill(largest));
}

/** Exactly equal element by element (NaN matching NaN, -0 equal to 0). */
export function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, what = ''): void {
  expectClose(got, want, 0, what);
}
