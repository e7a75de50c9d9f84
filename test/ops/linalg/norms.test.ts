// tm.linalg's pinv, matrixRank, matrixNorm, vectorNorm and cond: pinv by
// the four Penrose conditions (which define it) in float64, ranks and
// singular-value norms on matrices made with known singular values (zeros
// included), the other norms against float64 loops; gradients against
// central differences of float64 references.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { collected } from '../../helpers/gc.js';
import { SEED, asF32, expectClose, expectExact, uniform } from '../../helpers/data.js';
import { maxDifference, product, svdRef, transposed, withSingularValues } from '../../helpers/spectral.js';

const SHAPES: [number, number][] = [[1, 1], [2, 2], [7, 7], [13, 5], [5, 13], [33, 33]];

/** |a|'s column sums (axis 0) or row sums (axis 1) of a [m, n]. */
function absSums(a: ArrayLike<number>, m: number, n: number, axis: 0 | 1): number[] {
  const out = new Array<number>(axis === 0 ? n : m).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[axis === 0 ? j : i] += Math.abs(a[i * n + j]);
  return out;
}

/** Singular values spread over [0.5, 2], descending. */
const spread = (k: number) => Array.from({ length: k }, (_, i) => 2 - (1.5 * i) / Math.max(k - 1, 1));

describe.each(BACKENDS)('tm.linalg pinv, matrixRank, matrixNorm, vectorNorm and cond on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('%i × %i: pinv meets the Penrose conditions, and matrixRank counts, for a full-rank and a rank-deficient matrix', async (m, n) => {
    const before = await collected();
    const k = Math.min(m, n);
    const rank = Math.ceil(k / 2);
    const cases = [withSingularValues(m, n, spread(k)), withSingularValues(m, n, spread(k).map((s, i) => (i < rank ? s : 0)))];
    const A = tm.tensor(Float32Array.from(cases.flatMap((a) => Array.from(a))), [2, m, n]);
    const X = tm.linalg.pinv(A);
    expect(X.shape).toEqual([2, n, m]);
    const x = await X.data();
    cases.forEach((a, b) => {
      const xb = Float64Array.from(x.subarray(b * n * m, (b + 1) * n * m));
      const ax = product(a, xb, m, n, m);
      const xa = product(xb, a, n, m, n);
      const what = `${b ? 'rank-deficient' : 'full-rank'} ${m} × ${n} (seed ${SEED})`;
      // The scales: ‖A‖ ≤ 2 and ‖X‖ ≤ 2 (its singular values 1/σ for σ in [0.5, 2]).
      const tol = 2e-5 * Math.sqrt(k);
      expect(maxDifference(product(ax, a, m, m, n), a), `A·X·A − A, ${what}`).toBeLessThanOrEqual(2 * tol);
      expect(maxDifference(product(xa, xb, n, n, m), xb), `X·A·X − X, ${what}`).toBeLessThanOrEqual(2 * tol);
      expect(maxDifference(ax, transposed(ax, m, m)), `A·X symmetric, ${what}`).toBeLessThanOrEqual(tol);
      expect(maxDifference(xa, transposed(xa, n, n)), `X·A symmetric, ${what}`).toBeLessThanOrEqual(tol);
    });
    const R = tm.linalg.matrixRank(A);
    expect(R.dtype).toBe('i32');
    expectExact(await R.data(), [k, rank], `matrixRank ${m} × ${n}`);
    for (const t of [A, X, R]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('matrixRank and pinv take atol and rtol as torch.linalg does: σ counts where σ > max(atol, rtol·σ_max)', async () => {
    const a = withSingularValues(5, 4, [3, 2, 1, 0.5]);
    const A = tm.tensor(Float32Array.from(a), [5, 4]);
    expect(await tm.linalg.matrixRank(A).array()).toBe(4);
    expect(await tm.linalg.matrixRank(A, { atol: 0.75 }).array()).toBe(3);
    expect(await tm.linalg.matrixRank(A, { rtol: 0.5 }).array()).toBe(2);
    expect(await tm.linalg.matrixRank(A, { atol: 1.5, rtol: 0.1 }).array()).toBe(2);
    expect(await tm.linalg.matrixRank(tm.zeros([2, 3, 3])).array()).toEqual([0, 0]);
    // pinv with the two smallest left out: the pseudo-inverse of the rank-2 truncation, whose own rank is 2.
    expect(await tm.linalg.matrixRank(tm.linalg.pinv(A, { rtol: 0.5 })).array()).toBe(2);
    const full = await tm.linalg.svdvals(tm.linalg.pinv(A)).data();
    expectClose(full, [2, 1, 0.5, 1 / 3], 1e-5, 'pinv singular values');
  });

  it.each(SHAPES)('%i × %i: matrixNorm of every order matches float64, batched, keepDims too', async (m, n) => {
    const k = Math.min(m, n);
    const sv = Array.from(uniform(k, 0.1, 3)).sort((p, q) => q - p);
    const cases = [withSingularValues(m, n, sv), asF32(uniform(m * n, -1, 1))];
    const A = tm.tensor(Float32Array.from(cases.flatMap((a) => Array.from(a))), [2, m, n]);
    const ref = (a: Float64Array, ord: tm.linalg.MatrixNormOrder): number => {
      const s = ord === 'nuc' || ord === 2 || ord === -2 ? svdRef(a, m, n).s : new Float64Array(0);
      if (ord === 'fro') return Math.sqrt(a.reduce((t, v) => t + v * v, 0));
      if (ord === 'nuc') return s.reduce((t, v) => t + v, 0);
      if (ord === 2) return s[0];
      if (ord === -2) return s[k - 1];
      const sums = absSums(a, m, n, Math.abs(ord) === 1 ? 0 : 1);
      return ord > 0 ? Math.max(...sums) : Math.min(...sums);
    };
    for (const ord of ['fro', 'nuc', 2, -2, 1, -1, Infinity, -Infinity] as const) {
      const y = tm.linalg.matrixNorm(A, ord);
      expect(y.shape).toEqual([2]);
      // The random matrix's smallest singular value can be near 0: compared relative to the largest.
      const want = cases.map((a) => ref(a, ord));
      expectClose(await y.data(), want, 2e-5, `matrixNorm ord ${ord} ${m} × ${n}`, cases.map((a) => ref(a, ord === -2 ? 2 : ord)));
      expect(tm.linalg.matrixNorm(A, ord, { keepDims: true }).shape).toEqual([2, 1, 1]);
    }
    expectClose(await tm.linalg.matrixNorm(A).data(), cases.map((a) => ref(a, 'fro')), 1e-5, 'fro by default');
    // cond of the matrix made with singular values in [0.1, 3] (at most 30): the random one's can be large, its σ_min lost to f32 rounding.
    const kappa = await tm.linalg.cond(A).data();
    expectClose([kappa[0]], [ref(cases[0], 2) / ref(cases[0], -2)], 1e-4, `cond ${m} × ${n}`);
  });

  it('vectorNorm: 2, 1, ∞, −∞, 0 and other orders over all axes or some, keepDims; ints give f32', async () => {
    const v = asF32(uniform(24, -2, 2));
    v[5] = 0;
    const x = tm.tensor(Float32Array.from(v), [2, 3, 4]);
    const over = (ord: number, rows: number[][]) => rows.map((r) => {
      if (ord === Infinity) return Math.max(...r.map(Math.abs));
      if (ord === -Infinity) return Math.min(...r.map(Math.abs));
      if (ord === 0) return r.filter((e) => e !== 0).length;
      return r.reduce((t, e) => t + Math.abs(e) ** ord, 0) ** (1 / ord);
    });
    // The rows along the last axis, and the whole tensor.
    const rows = Array.from({ length: 6 }, (_, r) => Array.from(v.subarray(r * 4, r * 4 + 4)));
    for (const ord of [2, 1, Infinity, -Infinity, 0, 3, 0.5, -1]) {
      expectClose(await tm.linalg.vectorNorm(x, ord).data(), over(ord, [Array.from(v)]), 1e-5, `ord ${ord}, all axes`);
      const y = tm.linalg.vectorNorm(x, ord, { axis: -1, keepDims: true });
      expect(y.shape).toEqual([2, 3, 1]);
      expectClose(await y.data(), over(ord, rows), 1e-5, `ord ${ord}, last axis`);
    }
    expect(await tm.linalg.vectorNorm(tm.tensor([3, 4], [2], { dtype: 'i32' })).array()).toBe(5);
    expect(tm.linalg.vectorNorm(x, 2, { axis: [0, 2] }).shape).toEqual([3]);
  });

  it('cond is ∞ for a singular matrix; empty inputs: pinv and matrixRank give empty or zero results', async () => {
    expect(await tm.linalg.cond(tm.tensor([[1, 0], [0, 0]])).array()).toBe(Infinity);
    expect(tm.linalg.pinv(tm.zeros([2, 0, 3])).shape).toEqual([2, 3, 0]);
    expect(await tm.linalg.matrixRank(tm.zeros([2, 3, 0])).array()).toEqual([0, 0]);
    expect(await tm.linalg.matrixNorm(tm.zeros([0, 3]), 1).array()).toBe(0);
  });

  it('cond takes torch\'s p: 2 and −2 from singular values, any shape; fro, nuc, ±1 and ±∞ as ‖A‖·‖A⁻¹‖, ∞ where A is singular', async () => {
    const M = tm.tensor([[1, 2], [3, 4]]);
    // PyTorch 1.13's torch.linalg.cond(M, p) for p = fro, nuc, 1, −1, 2, −2, ∞, −∞.
    const want = [15, 17, 21, 6, 14.933042526245117, 0.06696558743715286, 21, 6];
    const got = await Promise.all((['fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity] as const).map(async (p) => (await tm.linalg.cond(M, p).data())[0]));
    expectClose(got, want, 1e-5, 'cond of [[1, 2], [3, 4]]');
    const singular = tm.tensor([[[1, 1], [1, 1]], [[2, 0], [0, 1]]]);
    expect(Array.from(await tm.linalg.cond(singular, 1).data())).toEqual([Infinity, 2]);
    expect(Array.from(await tm.linalg.cond(singular, 'fro').data())[0]).toBe(Infinity);
    expectClose(await tm.linalg.cond(tm.tensor([[3, 0, 0], [0, 4, 0]]), -2).data(), [0.75], 1e-6, 'cond −2 of a wide matrix');
    expect(() => tm.linalg.cond(tm.ones([2, 3]), 1)).toThrow('cond: p 1 needs A⁻¹, and A [2,3] is not square (only p 2 and −2 take any matrix)');
    // A singular member of a batch does not stop the gradients of the others (PyTorch's: NaN for it, the rest as usual).
    const pair = tm.tensor([[[2, 1], [1, 3]], [[1, 2], [2, 4]]]);
    pair.requiresGrad = true;
    tm.tidy(() => tm.linalg.cond(pair, 1).slice([0], [1]).sum()).backward();
    const dPair = Array.from(await pair.grad!.data());
    expect(dPair.slice(0, 4).every(Number.isFinite)).toBe(true);
    expect(() => tm.linalg.cond(M, 3 as never)).toThrow("cond: p must be 'fro', 'nuc', 2, -2, 1, -1, Infinity or -Infinity, got 3");
  });

  it('pinv and matrixRank take hermitian: eigh of the lower triangle in place of the SVD, PyTorch\'s values', async () => {
    // PyTorch: pinv([[2, 1], [1, −3]], hermitian=True) and its rank 2; [[1, 2, 3], [2, 4, 6], [3, 6, 9]] of rank 1.
    const S = tm.tensor([[2, 99], [1, -3]]);
    expectClose(await tm.linalg.pinv(S, { hermitian: true }).data(), [3 / 7, 1 / 7, 1 / 7, -2 / 7], 1e-6, 'pinv of a symmetric indefinite matrix');
    expect(Array.from(await tm.linalg.matrixRank(S, { hermitian: true }).data())).toEqual([2]);
    const R = tm.tensor([[1, 2, 3], [2, 4, 6], [3, 6, 9]]);
    expect(Array.from(await tm.linalg.matrixRank(R, { hermitian: true }).data())).toEqual([1]);
    expectClose(await tm.linalg.pinv(R, { hermitian: true }).data(), Array.from(await tm.linalg.pinv(R).data()), 1e-5, 'hermitian pinv against the SVD\'s');
    // Random symmetric batches: the same as the SVD's, which reads both triangles.
    const n = 5;
    const u = asF32(uniform(2 * n * n, -1, 1));
    for (let b = 0; b < 2; b++) for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) u[b * n * n + j * n + i] = u[b * n * n + i * n + j];
    const A = tm.tensor(Float32Array.from(u), [2, n, n]);
    expectClose(await tm.linalg.pinv(A, { hermitian: true }).data(), Array.from(await tm.linalg.pinv(A).data()), 1e-4, 'random symmetric pinv');
    expect(() => tm.linalg.pinv(tm.ones([2, 3]), { hermitian: true })).toThrow('pinv: A must be a square matrix or a batch of them [..., n, n], got [2,3]');
  });

  it('matrixNorm takes torch\'s dim as axis: the matrices in any two axes, rows first, keepDims leaving 1 in both', async () => {
    const X = tm.arange(0, 24).reshape([2, 3, 4]).cast('f32');
    // PyTorch: matrix_norm(X, 'fro', dim=(0, 2)) and matrix_norm(X, 1, dim=(2, 0)).
    expectClose(await tm.linalg.matrixNorm(X, 'fro', { axis: [0, 2] }).data(), [27.34958839416504, 36.82390594482422, 47.11687469482422], 1e-6, 'fro over axes 0 and 2');
    const kept = tm.linalg.matrixNorm(X, 1, { axis: [2, 0], keepDims: true });
    expect(kept.shape).toEqual([1, 3, 1]);
    expect(Array.from(await kept.data())).toEqual([54, 70, 86]);
    expect(Array.from(await tm.linalg.matrixNorm(X, 'nuc', { axis: [-2, -1] }).data())).toEqual(Array.from(await tm.linalg.matrixNorm(X, 'nuc').data()));
    expect(() => tm.linalg.matrixNorm(X, 'fro', { axis: [1, -2] })).toThrow('matrixNorm: axis [1, -2] names axis 1 of [2,3,4] twice; a matrix needs two different axes');
    expect(() => tm.linalg.matrixNorm(X, 'fro', { axis: [1] as never })).toThrow('matrixNorm: axis must be two axes [rows, columns], got [1]');
  });

  it('refuses bad orders, tolerances and shapes, naming them; an empty matrix\'s condition number is 0', async () => {
    const A = tm.ones([3, 3]);
    expect(() => tm.linalg.matrixNorm(A, 3 as never)).toThrow("matrixNorm: ord must be 'fro', 'nuc', 2, -2, 1, -1, Infinity or -Infinity, got 3");
    expect(() => tm.linalg.matrixNorm(tm.ones([3]))).toThrow('matrixNorm: A must be a matrix or a batch of them [..., m, n], got [3]');
    expect(() => tm.linalg.matrixNorm(tm.zeros([0, 3]), 'nuc')).toThrow('matrixNorm: ord "nuc" needs singular values, and A [0,3] has none');
    expect(() => tm.linalg.vectorNorm(A, 'fro' as never)).toThrow('vectorNorm: ord must be a number (Infinity and −Infinity included), got "fro"');
    expect(() => tm.linalg.vectorNorm(A, 2, { dim: 0 } as never)).toThrow('vectorNorm: unknown option "dim"; the options are axis, keepDims');
    expect(() => tm.linalg.pinv(A, { atol: -1 })).toThrow('pinv: atol must be a finite number ≥ 0, got -1');
    expect(() => tm.linalg.matrixRank(A, { rtol: NaN })).toThrow('matrixRank: rtol must be a finite number ≥ 0, got NaN');
    expect(() => tm.linalg.pinv(tm.ones([3], { dtype: 'f32' }))).toThrow('pinv: A must be a matrix or a batch of them [..., m, n], got [3]');
    // An empty matrix's condition number is 0, as PyTorch's, for every p.
    expect(Array.from(await tm.linalg.cond(tm.zeros([2, 3, 0])).data())).toEqual([0, 0]);
    expect(Array.from(await tm.linalg.cond(tm.zeros([0, 0]), 'fro').data())).toEqual([0]);
  });
});

describe.each(BACKENDS)('tm.linalg norm and pinv gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** d f / dA for A [m, n] (f a scalar) against central differences of `ref` (float64). */
  async function check(a: Float64Array, m: number, n: number, f: (A: tm.Tensor) => tm.Tensor, ref: (a: Float64Array) => number, what: string) {
    const before = await collected();
    const A = tm.tensor(Float32Array.from(a), [m, n]);
    A.requiresGrad = true;
    const l = tm.tidy(() => f(A));
    l.backward();
    const got = await A.grad!.data();
    for (let i = 0; i < m * n; i++) {
      const moved = (d: number) => {
        const w = a.slice();
        w[i] += d;
        return ref(w);
      };
      const want = (moved(1e-6) - moved(-1e-6)) / 2e-6;
      expect(Math.abs(got[i] - want), `${what}: d/dA[${i}]: got ${got[i]}, want ${want} (seed ${SEED})`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(want)));
    }
    for (const t of [l, A.grad!, A]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  }

  it.each([[4, 4], [5, 3], [3, 5]])('%i × %i: matrixNorm (fro, nuc, 2, −2, 1, ∞), cond and Σ r·pinv', async (m, n) => {
    const k = Math.min(m, n);
    const a = withSingularValues(m, n, [3, 2, 1.2, 0.5].slice(0, k));
    const s = (w: Float64Array) => svdRef(w, m, n).s;
    await check(a, m, n, (A) => tm.linalg.matrixNorm(A), (w) => Math.sqrt(w.reduce((t, v) => t + v * v, 0)), 'fro');
    await check(a, m, n, (A) => tm.linalg.matrixNorm(A, 'nuc'), (w) => s(w).reduce((t, v) => t + v, 0), 'nuc');
    await check(a, m, n, (A) => tm.linalg.matrixNorm(A, 2), (w) => s(w)[0], '2');
    await check(a, m, n, (A) => tm.linalg.matrixNorm(A, -2), (w) => s(w)[k - 1], '−2');
    await check(a, m, n, (A) => tm.linalg.matrixNorm(A, 1), (w) => Math.max(...absSums(w, m, n, 0)), '1');
    await check(a, m, n, (A) => tm.linalg.matrixNorm(A, Infinity), (w) => Math.max(...absSums(w, m, n, 1)), '∞');
    await check(a, m, n, (A) => tm.linalg.cond(A), (w) => s(w)[0] / s(w)[k - 1], 'cond');
    const r = asF32(uniform(n * m, -1, 1));
    const pinvRef = (w: Float64Array) => {
      const { u, s: sv, vh } = svdRef(w, m, n);
      // Vhᵀ·diag(1/s)·Uᵀ, weighted by r.
      let t = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let c = 0; c < k; c++) t += r[i * m + j] * vh[c * n + i] * u[j * k + c] / sv[c];
      return t;
    };
    await check(a, m, n, (A) => tm.sum(tm.mul(tm.linalg.pinv(A), tm.tensor(Float32Array.from(r), [n, m]))), pinvRef, 'pinv');
  });

  it('vectorNorm of orders 3 and −∞', async () => {
    const a = asF32(uniform(6, 0.2, 2)).map((v, i) => (i % 2 ? -v : v));
    await check(a, 2, 3, (A) => tm.linalg.vectorNorm(A, 3), (w) => w.reduce((t, v) => t + Math.abs(v) ** 3, 0) ** (1 / 3), 'ord 3');
    await check(a, 2, 3, (A) => tm.linalg.vectorNorm(A, -Infinity), (w) => Math.min(...Array.from(w, Math.abs)), 'ord −∞');
  });
});
