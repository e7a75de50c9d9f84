// Float64 helpers for the tm.distributions suites: parameters broadcast
// against a value's shape, and the statistics of a sample that a test holds
// to within a few standard errors (they can fail for real: a wrong sampler
// lands far outside).
import { expect } from 'vitest';
import * as tm from '../../src/index.js';
import { expectClose } from './data.js';
import { collected } from './gc.js';
import { SEED, asF32, uniform } from './data.js';
import { broadcastShape, ravel, size, unravel } from './float64.js';
import { matmul64, transpose64 } from './linalg.js';

/** The flat index into an array of shape `from` that broadcasts to index `idx` of a larger shape. */
export function broadcastIndex(idx: readonly number[], from: readonly number[]): number {
  const offset = idx.length - from.length;
  return ravel(from.map((d, k) => (d === 1 ? 0 : idx[offset + k])), from);
}

/** The broadcast shape of several shapes. */
export function broadcastAll(shapes: readonly (readonly number[])[]): number[] {
  return shapes.reduce<number[]>((acc, s) => broadcastShape(acc, s)!, []);
}

/**
 * f applied at every index of the shapes' broadcast shape, each argument read
 * from its array where it broadcasts to that index.
 */
export function broadcastMap(args: readonly { v: ArrayLike<number>; shape: readonly number[] }[], f: (...x: number[]) => number): { shape: number[]; v: Float64Array } {
  const shape = broadcastAll(args.map((a) => a.shape));
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) {
    const idx = unravel(i, shape);
    v[i] = f(...args.map((a) => a.v[broadcastIndex(idx, a.shape)]));
  }
  return { shape, v };
}

/** Mean, variance (n − 1) and fourth central moment of each column of draws [n, m] (column j: draws[i·m + j]). */
export function columnMoments(draws: ArrayLike<number>, n: number, m: number): { mean: number[]; variance: number[]; fourth: number[] } {
  const mean = new Array<number>(m).fill(0);
  const variance = new Array<number>(m).fill(0);
  const fourth = new Array<number>(m).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mean[j] += draws[i * m + j] / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const d = draws[i * m + j] - mean[j];
      variance[j] += (d * d) / (n - 1);
      fourth[j] += (d * d * d * d) / n;
    }
  }
  return { mean, variance, fourth };
}

/**
 * The sample mean and variance of each column within `k` standard errors of
 * the expected ones: σ/√n for the mean, √((μ₄ − σ⁴)/n) for the variance
 * (μ₄ the sample's fourth central moment).
 */
export function expectMoments(draws: ArrayLike<number>, n: number, mean: ArrayLike<number>, variance: ArrayLike<number>, what: string, k = 5): void {
  const m = mean.length;
  const got = columnMoments(draws, n, m);
  for (let j = 0; j < m; j++) {
    const seMean = Math.sqrt(variance[j] / n);
    // The float64 sum's own rounding is allowed for: a column of one value has no spread.
    const rounding = 1e-12 * Math.abs(mean[j]);
    expect(Math.abs(got.mean[j] - mean[j]), `${what}: sample mean ${got.mean[j]} of column ${j}, want ${mean[j]} ± ${k}·${seMean} (test seed ${SEED})`).toBeLessThanOrEqual(k * seMean + rounding);
    const seVariance = Math.sqrt(Math.max(got.fourth[j] - got.variance[j] ** 2, 0) / n);
    expect(Math.abs(got.variance[j] - variance[j]), `${what}: sample variance ${got.variance[j]} of column ${j}, want ${variance[j]} ± ${k}·${seVariance} (test seed ${SEED})`)
      .toBeLessThanOrEqual(k * seVariance + rounding * Math.abs(mean[j]));
  }
}

/** Each count's frequency in column j of draws [n, m] within k standard errors of pmf(count, j), for every count of probability ≥ 10⁻³. */
export function expectCountFrequencies(draws: ArrayLike<number>, n: number, m: number, pmf: (count: number, j: number) => number, what: string, k = 5): void {
  for (let j = 0; j < m; j++) {
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const v = draws[i * m + j];
      expect(Number.isInteger(v) && v >= 0, `${what}: draw ${v} is not a count`).toBe(true);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const top = Math.max(...counts.keys());
    for (let c = 0; c <= top + 5; c++) {
      const p = pmf(c, j);
      if (p < 1e-3) continue;
      const se = Math.sqrt((p * (1 - p)) / n);
      const seen = (counts.get(c) ?? 0) / n;
      expect(Math.abs(seen - p), `${what}: count ${c} of column ${j} drawn ${seen}, want ${p} ± ${k}·${se} (test seed ${SEED})`).toBeLessThanOrEqual(k * se);
    }
  }
}

/** The fraction of each column's draws [n, m] below `threshold[j]` within k standard errors of `probability[j]`. */
export function expectFractionBelow(draws: ArrayLike<number>, n: number, threshold: ArrayLike<number>, probability: ArrayLike<number>, what: string, k = 5): void {
  const m = threshold.length;
  for (let j = 0; j < m; j++) {
    let below = 0;
    for (let i = 0; i < n; i++) if (draws[i * m + j] <= threshold[j]) below++;
    const p = probability[j];
    const se = Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(below / n - p), `${what}: ${below / n} of column ${j}'s draws ≤ ${threshold[j]}, want ${p} ± ${k}·${se} (test seed ${SEED})`).toBeLessThanOrEqual(k * se);
  }
}

/** The mean of values and its standard error. */
export function meanAndError(values: ArrayLike<number>): { mean: number; error: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i] - mean) ** 2 / (n - 1);
  return { mean, error: Math.sqrt(variance / n) };
}

/**
 * The mean and every covariance entry of `draws` n-vectors (row-major)
 * within 5 standard errors of `mu` and `sigma` [n, n] (a normal's: the
 * covariance entry's error from Σaa·Σbb + Σab²).
 */
export function expectMeanAndCovariance(v: ArrayLike<number>, draws: number, n: number, mu: ArrayLike<number>, sigma: ArrayLike<number>): void {
  const mean = Array.from({ length: n }, (_, k) => { let s = 0; for (let i = 0; i < draws; i++) s += v[i * n + k]; return s / draws; });
  for (let k = 0; k < n; k++) {
    const se = Math.sqrt(sigma[k * n + k] / draws);
    expect(Math.abs(mean[k] - mu[k]), `mean ${k}: ${mean[k]}, want ${mu[k]} ± 5·${se} (test seed ${SEED})`).toBeLessThanOrEqual(5 * se);
  }
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < draws; i++) s += (v[i * n + a] - mean[a]) * (v[i * n + b] - mean[b]);
      const got = s / (draws - 1);
      const se = Math.sqrt((sigma[a * n + a] * sigma[b * n + b] + sigma[a * n + b] ** 2) / draws);
      expect(Math.abs(got - sigma[a * n + b]), `covariance [${a}, ${b}]: ${got}, want ${sigma[a * n + b]} ± 5·${se} (test seed ${SEED})`).toBeLessThanOrEqual(5 * se);
    }
  }
}

/** The lower Cholesky factor of a symmetric positive definite n × n matrix (row-major), in float64. */
export function cholesky64(a: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] ** 2;
    if (!(d > 0)) throw new Error(`cholesky64: not positive definite at column ${j}`);
    l[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / l[j * n + j];
    }
  }
  return l;
}

/** y with L·y = b for a lower triangular L (n × n), by forward substitution. */
export function solveLower64(l: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  return y;
}

/** The inverse of a symmetric positive definite matrix, column by column through its Cholesky factor. */
export function inverseSpd64(a: ArrayLike<number>, n: number): Float64Array {
  const l = cholesky64(a, n);
  const out = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const e = Float64Array.from({ length: n }, (_, i) => (i === c ? 1 : 0));
    const y = solveLower64(l, e, n);
    // Lᵀ·x = y, backward.
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
      x[i] = s / l[i * n + i];
    }
    for (let i = 0; i < n; i++) out[i * n + c] = x[i];
  }
  return out;
}

/** log det of a symmetric positive definite matrix: twice the sum of the logs of its Cholesky diagonal. */
export function logDetSpd64(a: ArrayLike<number>, n: number): number {
  const l = cholesky64(a, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += 2 * Math.log(l[i * n + i]);
  return s;
}

/** A random symmetric positive definite n × n matrix: B·Bᵀ + n/2·I, in f32. */
export function randomSpd(n: number): Float64Array {
  const b = uniform(n * n, -1, 1);
  const a = matmul64(b, transpose64(b, n, n), n, n, n);
  for (let i = 0; i < n; i++) a[i * n + i] += n / 2;
  // Symmetric after rounding too: the upper triangle copies the lower's f32 values.
  const rounded = asF32(a);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) rounded[i * n + j] = rounded[j * n + i];
  return rounded;
}

/** A random lower triangular n × n matrix, diagonal in [0.5, 1.5], in f32. */
export function randomLowerTriangular(n: number): Float64Array {
  const l = asF32(uniform(n * n, -0.5, 0.5));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j > i) l[i * n + j] = 0;
  for (let i = 0; i < n; i++) l[i * n + i] = Math.fround(0.5 + uniform(1, 0, 1)[0]);
  return l;
}

export type SpreadKind = 'covariance' | 'scaleTril' | 'precision';

/** Σ of each matrix of a batch as the kind given reads it. */
export function covariancesOf(kind: SpreadKind, matrices: Float64Array, count: number, n: number): Float64Array[] {
  return Array.from({ length: count }, (_, b) => {
    const m = matrices.subarray(b * n * n, (b + 1) * n * n);
    if (kind === 'covariance') return Float64Array.from(m);
    if (kind === 'scaleTril') return matmul64(m, transpose64(m, n, n), n, n, n);
    return inverseSpd64(m, n);
  });
}

/** The float64 formulas of a distribution's entropy and moments, each a function of its parameters. */
export type MemberFormulas = Partial<Record<'entropy' | 'mean' | 'mode' | 'variance', (...params: number[]) => number>>;

/**
 * Each member `formulas` gives, of a distribution made from `params`
 * (broadcast), against its float64 formula: the batch shape, and the values
 * within `tol` relative to |value| + 1 (NaN and ±∞ exactly).
 */
export async function expectMembers(d: tm.distributions.Distribution, params: readonly { v: ArrayLike<number>; shape: readonly number[] }[], formulas: MemberFormulas, tol: number): Promise<void> {
  for (const [member, f] of Object.entries(formulas)) {
    const got = member === 'entropy' ? d.entropy() : d[member as 'mean' | 'mode' | 'variance'];
    const ref = broadcastMap(params, f);
    expect(got.shape, member).toEqual(ref.shape);
    expectClose(await got.data(), ref.v, tol, member, ref.v.map((v) => Math.abs(v) + 1));
    got.dispose();
  }
}

/**
 * A distribution's draws replay under one seed, and sample, logProb and cdf
 * at `value`, entropy and the moments leave no tensor behind.
 */
export async function expectSeededAndFlat(d: tm.distributions.Distribution, value: tm.Tensor): Promise<void> {
  tm.setSeed(5);
  const first = await d.sample([3]).data();
  tm.setSeed(5);
  expect(Array.from(await d.sample([3]).data())).toEqual(Array.from(first));
  const before = await collected();
  for (const t of [d.sample([2]), d.logProb(value), d.cdf(value), d.entropy(), d.mean, d.mode, d.variance]) t.dispose();
  expect(tm.memory().numTensors).toBe(before);
}
