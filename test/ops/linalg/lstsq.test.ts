// tm.linalg.lstsq, both drivers, against the normal equations solved in
// float64 (Gaussian elimination with partial pivoting, written here; nothing
// of QR or the SVD): X = (AᵀA)⁻¹·Aᵀ·B for a tall or square A, the least-norm
// X = Aᵀ·(AAᵀ)⁻¹·B for a wide one, on fresh well-conditioned random matrices
// (float64 squares their condition number harmlessly). Residuals, batches
// and broadcasting, vectors, and gradients against central differences of
// the same reference; 'gelsd' on matrices lacking rank against a float64
// pseudo-inverse.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { batchOf, eachMatrix, expectGradients, expectNormwise, matmul64, transpose64, wellConditioned } from '../../helpers/linalg.js';
import { minimumNormRef } from '../../helpers/spectral.js';

/** X = A⁻¹·B for A [n, n], B [n, k] in float64, Gaussian elimination with partial pivoting. */
function solve64(aIn: ArrayLike<number>, n: number, bIn: ArrayLike<number>, k: number): Float64Array {
  const [a, x] = [Float64Array.from(aIn), Float64Array.from(bIn)];
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(a[i * n + c]) > Math.abs(a[p * n + c])) p = i;
    for (let j = 0; j < n; j++) [a[c * n + j], a[p * n + j]] = [a[p * n + j], a[c * n + j]];
    for (let j = 0; j < k; j++) [x[c * k + j], x[p * k + j]] = [x[p * k + j], x[c * k + j]];
    for (let i = c + 1; i < n; i++) {
      const f = a[i * n + c] / a[c * n + c];
      for (let j = c; j < n; j++) a[i * n + j] -= f * a[c * n + j];
      for (let j = 0; j < k; j++) x[i * k + j] -= f * x[c * k + j];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let j = 0; j < k; j++) {
      let s = x[i * k + j];
      for (let p = i + 1; p < n; p++) s -= a[i * n + p] * x[p * k + j];
      x[i * k + j] = s / a[i * n + i];
    }
  }
  return x;
}

/** The least-squares (least-norm where m < n) solution X [n, k] of A [m, n]·X ≈ B [m, k], by the normal equations. */
function lstsqRef(a: ArrayLike<number>, m: number, n: number, b: ArrayLike<number>, k: number): Float64Array {
  const at = transpose64(a, m, n);
  if (m >= n) return solve64(matmul64(at, a, n, m, n), n, matmul64(at, b, n, m, k), k);
  return matmul64(at, solve64(matmul64(a, at, m, n, m), m, b, k), n, m, k);
}

/** ‖A·X − B‖² of each column of X. */
function residualsRef(a: ArrayLike<number>, m: number, n: number, x: ArrayLike<number>, b: ArrayLike<number>, k: number): Float64Array {
  const ax = matmul64(a, x, m, n, k);
  return Float64Array.from({ length: k }, (_, c) => Array.from({ length: m }, (_, i) => (ax[i * k + c] - b[i * k + c]) ** 2).reduce((s, v) => s + v, 0));
}

const DRIVERS = ['gelsd', 'gels'] as const;

describe.each(BACKENDS)('tm.linalg.lstsq on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  const SHAPES = [[1, 1], [3, 3], [7, 5], [5, 7], [13, 13], [64, 33], [33, 64]];
  it.each(DRIVERS.flatMap((driver) => SHAPES.map(([m, n]) => [m, n, driver] as const)))('%i × %i, %s: one matrix, and a batch [2, 3] with B broadcast along its first axis', async (m, n, driver) => {
    const before = await collected();
    const k = 3;
    const a = wellConditioned(m, n);
    const b = asF32(uniform(m * k));
    const { solution, residuals } = tm.tidy(() => {
      const result = tm.linalg.lstsq(tm.tensor(Float32Array.from(a), [m, n]), tm.tensor(Float32Array.from(b), [m, k]), { driver });
      return { solution: result.solution, residuals: result.residuals };
    });
    expect(solution.shape).toEqual([n, k]);
    const x = lstsqRef(a, m, n, b, k);
    expectNormwise(await solution.data(), x, 2e-5 * Math.max(m, n), `${m}×${n}`);
    if (m > n) {
      expect(residuals.shape).toEqual([k]);
      const want = residualsRef(a, m, n, x, b, k);
      expectClose(await residuals.data(), want, 1e-4, `residuals ${m}×${n}`, want);
    } else {
      expect(residuals.shape).toEqual([0]);
    }
    const as = batchOf(6, () => wellConditioned(m, n));
    const bs = asF32(uniform(3 * m * k));
    const batched = tm.tidy(() => tm.linalg.lstsq(tm.tensor(Float32Array.from(as), [2, 3, m, n]), tm.tensor(Float32Array.from(bs), [3, m, k]), { driver }).solution);
    expect(batched.shape).toEqual([2, 3, n, k]);
    const want = eachMatrix(as, 6, (am, i) => lstsqRef(am, m, n, bs.subarray((i % 3) * m * k, (i % 3 + 1) * m * k), k));
    expectNormwise(await batched.data(), want, 2e-5 * Math.max(m, n), `batched ${m}×${n}`);
    for (const t of [solution, residuals, batched]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it('B a vector or a batch of them (A\'s shape less its last axis), as solve reads it; f16 in, f16 out', async () => {
    const a = batchOf(2, () => wellConditioned(6, 4));
    const b = asF32(uniform(2 * 6));
    const A = tm.tensor(Float32Array.from(a), [2, 6, 4]);
    const { solution, residuals } = tm.linalg.lstsq(A, tm.tensor(Float32Array.from(b), [2, 6]));
    expect([solution.shape, residuals.shape]).toEqual([[2, 4], [2]]);
    const x = eachMatrix(a, 2, (am, i) => lstsqRef(am, 6, 4, b.subarray(i * 6, (i + 1) * 6), 1));
    expectNormwise(await solution.data(), x, 1e-4, 'vectors');
    const half = tm.linalg.lstsq(A.cast('f16'), tm.ones([2, 6, 1]).cast('f16'));
    expect([half.solution.dtype, half.residuals.dtype]).toEqual(['f16', 'f16']);
  });

  it.each([[8, 5, 3], [5, 8, 2], [6, 6, 1], [4, 3, 0]])("'gelsd' takes a matrix %i × %i of rank %i: the least-norm least-squares solution, the rank and the singular values", async (m, n, rank) => {
    // A = L·Rᵀ of rank `rank` (columns repeat what others span), and B not in its range.
    const left = uniform(m * rank);
    const right = uniform(n * rank);
    const a = asF32(rank ? matmul64(left, transpose64(right, n, rank), m, rank, n) : new Float64Array(m * n));
    const k = 2;
    const b = asF32(uniform(m * k));
    // rcond 1e-4: the zero singular values come out near f32's rounding of σ_max (a few ulps on js and native, more from
    // webgpu's Jacobi sweeps), above the default eps·max(m, n) on some adapters.
    const result = tm.linalg.lstsq(tm.tensor(Float32Array.from(a), [m, n]), tm.tensor(Float32Array.from(b), [m, k]), { driver: 'gelsd', rcond: 1e-4 });
    const want = minimumNormRef(a, m, n, b, k, 1e-4);
    expect(await result.rank.data()).toEqual(Int32Array.of(rank));
    expect(want.rank).toBe(rank);
    expectNormwise(await result.solution.data(), want.x, 1e-3, 'X');
    expect(result.singularValues.shape).toEqual([Math.min(m, n)]);
    expectClose((await result.singularValues.data()).slice(0, rank), want.s.slice(0, rank), 1e-4, 'σ', want.s.slice(0, rank).map(() => want.s[0]));
    // A larger rcond leaves out the smallest value that counted: the rank drops by one.
    if (rank > 1) {
      const cut = (want.s[rank - 1] / want.s[0]) * 1.01;
      expect(await tm.linalg.lstsq(tm.tensor(Float32Array.from(a), [m, n]), tm.tensor(Float32Array.from(b), [m, k]), { rcond: cut, driver: 'gelsd' }).rank.data()).toEqual(Int32Array.of(rank - 1));
    }
  });

  it(`the default driver is ${backend === 'webgpu' ? "'gels' on webgpu (torch's on CUDA): rank and singular values empty" : "'gelsd' on the CPU backends (numpy's): a rank-deficient A is solved"}`, async () => {
    const A = tm.tensor([[1, 2], [2, 4], [3, 6]]); // rank 1
    const { solution, rank, singularValues } = tm.linalg.lstsq(A, tm.tensor([[1], [2], [3]]));
    if (backend === 'webgpu') {
      expect([rank.shape, singularValues.shape]).toEqual([[0], [0]]);
    } else {
      // x = A⁺·b: b = A·[1, 0]ᵀ is in the range; the least-norm solution is along [1, 2]: [0.2, 0.4].
      expectClose(await solution.data(), [0.2, 0.4], 1e-5);
      expect(await rank.data()).toEqual(Int32Array.of(1));
    }
  });

  it('refuses operands that do not fit, naming both shapes', () => {
    expect(() => tm.linalg.lstsq(tm.ones([2, 2]), tm.ones([2]), { driver: 'gelsy' as 'gels' })).toThrow("lstsq: driver must be 'gels' or 'gelsd', got \"gelsy\"");
    expect(() => tm.linalg.lstsq(tm.ones([2, 2]), tm.ones([2]), { rcond: -1 })).toThrow('lstsq: rcond must be a finite number ≥ 0, got -1');
    const A = tm.ones([2, 5, 3]);
    expect(() => tm.linalg.lstsq(A, tm.ones([4, 2]))).toThrow('lstsq: B [4,2] does not match A [2,5,3]: B needs 5 rows (its second-to-last axis), as A has');
    expect(() => tm.linalg.lstsq(A, tm.ones([4]))).toThrow('lstsq: B [4] does not match A [2,5,3]: B needs 5 rows (its last axis), as A has');
    expect(() => tm.linalg.lstsq(A, tm.ones([4, 5, 1]))).toThrow('lstsq: the batch axes of A [2,5,3] and B [4,5,1] do not broadcast ([2] against [4])');
    expect(() => tm.linalg.lstsq(A, tm.scalar(1))).toThrow('lstsq: B must be a vector or a matrix (or a batch of them), got a scalar with A [2,5,3]');
    expect(() => tm.linalg.lstsq(tm.ones([5]), tm.ones([5]))).toThrow('lstsq: A must be a matrix or a batch of them [..., m, n], got [5]');
    expect(() => tm.linalg.lstsq(A, tm.ones([5, 1], { dtype: 'i32' }))).toThrow('lstsq: B must be a float tensor (f32 or f16), got i32');
  });
});

describe.each(BACKENDS)('tm.linalg.lstsq gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  const SHAPES = [[5, 3], [4, 4], [3, 5], [6, 1], [1, 4]];
  it.each(DRIVERS.flatMap((driver) => SHAPES.map(([m, n]) => [m, n, driver] as const)))('%i × %i, %s: dA and dB, the solution and the residuals', async (m, n, driver) => {
    const k = 2;
    await expectGradients([[m, n], [m, k]], [wellConditioned(m, n), asF32(uniform(m * k))], (A, B) => {
      const { solution, residuals } = tm.linalg.lstsq(A, B, { driver });
      return m > n ? [solution, residuals] : [solution];
    }, (av, bv) => {
      const x = lstsqRef(av, m, n, bv, k);
      return m > n ? Float64Array.of(...x, ...residualsRef(av, m, n, x, bv, k)) : x;
    });
  });
});
