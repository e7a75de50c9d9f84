// tm.linalg.luFactor, luUnpack, lu and luSolve against Gaussian elimination
// with partial pivoting in float64 written here (the first row of largest
// |value| chosen, as LAPACK's isamax), on fresh random matrices: square,
// wide and tall (the kernel factors a zero-padded square), one and a batch.
// Gradients against central differences of the same float64 elimination, on
// matrices whose rows are a random permutation of a diagonally dominant one:
// well conditioned, and pivoting on every step.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { batchOf, eachMatrix, expectGradients, expectNormwise, matmul64, transpose64, wellConditioned } from '../../helpers/linalg.js';

/** P·A = L·U of a [m, n] in float64, packed as luFactor packs it, with 0-based pivots and the row order perm (P·A's row i is A's row perm[i]). */
function eliminate(a: ArrayLike<number>, m: number, n: number): { lu: Float64Array; pivots: number[]; perm: number[] } {
  const lu = Float64Array.from(a);
  const pivots: number[] = [];
  const perm = Array.from({ length: m }, (_, i) => i);
  for (let k = 0; k < Math.min(m, n); k++) {
    let p = k;
    for (let i = k + 1; i < m; i++) if (Math.abs(lu[i * n + k]) > Math.abs(lu[p * n + k])) p = i;
    pivots.push(p);
    for (let j = 0; j < n; j++) [lu[k * n + j], lu[p * n + j]] = [lu[p * n + j], lu[k * n + j]];
    [perm[k], perm[p]] = [perm[p], perm[k]];
    if (lu[k * n + k] === 0) continue;
    for (let i = k + 1; i < m; i++) {
      const l = (lu[i * n + k] /= lu[k * n + k]);
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= l * lu[k * n + j];
    }
  }
  return { lu, pivots, perm };
}

/** A's P [m, m], L [m, k] and U [k, n] from eliminate, concatenated in that order. */
function plu(a: ArrayLike<number>, m: number, n: number): { p: Float64Array; l: Float64Array; u: Float64Array } {
  const k = Math.min(m, n);
  const { lu, perm } = eliminate(a, m, n);
  const p = new Float64Array(m * m);
  perm.forEach((row, i) => (p[row * m + i] = 1));
  const l = new Float64Array(m * k);
  const u = new Float64Array(k * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) l[i * k + j] = i === j ? 1 : i > j ? lu[i * n + j] : 0;
  for (let i = 0; i < k; i++) for (let j = i; j < n; j++) u[i * n + j] = lu[i * n + j];
  return { p, l, u };
}

/** X = A⁻¹·B (Aᵀ where adjoint) [n, c] in float64 from packed factors lu [n, n] and the row order perm of P·A = L·U. */
function solveFactored64(lu: ArrayLike<number>, perm: number[], n: number, b: ArrayLike<number>, c: number, adjoint: boolean): Float64Array {
  const x = new Float64Array(n * c);
  const at = (i: number, j: number) => (adjoint ? lu[j * n + i] : lu[i * n + j]);
  for (let col = 0; col < c; col++) {
    const y = Array.from({ length: n }, (_, i) => (adjoint ? b[i * c + col] : b[perm[i] * c + col]));
    // A·x = b: L·U·x = P·b, forward with L then back with U; Aᵀ·x = b: Uᵀ·Lᵀ·(P·x) = b, forward with Uᵀ then back with Lᵀ.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) y[i] -= at(i, j) * y[j];
      if (adjoint) y[i] /= at(i, i);
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let j = i + 1; j < n; j++) y[i] -= at(i, j) * y[j];
      if (!adjoint) y[i] /= at(i, i);
    }
    for (let i = 0; i < n; i++) x[(adjoint ? perm[i] : i) * c + col] = y[i];
  }
  return x;
}

interface SolveCase {
  left: boolean;
  adjoint: boolean;
}
const SOLVES: SolveCase[] = [true, false].flatMap((left) => [false, true].map((adjoint) => ({ left, adjoint })));
const named = (c: SolveCase) => `${c.left ? 'A·X = B' : 'X·A = B'}${c.adjoint ? ', A transposed' : ''}`;

/** luSolve's reference for one system: from the right, X·A = B is Aᵀ·Xᵀ = Bᵀ. b is [n, c] from the left, [c, n] from the right. */
function luSolveRef(lu: ArrayLike<number>, perm: number[], n: number, b: Float64Array, c: number, s: SolveCase): Float64Array {
  if (s.left) return solveFactored64(lu, perm, n, b, c, s.adjoint);
  return transpose64(solveFactored64(lu, perm, n, transpose64(b, c, n), c, !s.adjoint), n, c);
}

/** m × n: a well-conditioned diagonally dominant matrix's rows in a random order, so that every elimination step swaps (f32 values). */
function shuffledRows(m: number, n: number): Float64Array {
  const w = wellConditioned(m, n);
  const order = Array.from(uniform(m, 0, 1)).map((v, i) => [v, i]).sort((x, y) => x[0] - y[0]).map(([, i]) => i);
  const out = new Float64Array(m * n);
  order.forEach((row, i) => out.set(w.subarray(row * n, (row + 1) * n), i * n));
  return out;
}

const SHAPES: [number, number][] = [[1, 1], [4, 4], [13, 13], [40, 40], [9, 4], [4, 9], [33, 7], [7, 33]];

describe.each(BACKENDS)('tm.linalg LU on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('%i × %i: luFactor matches float64 elimination, and lu gives P·L·U = A, one matrix and a batch [2, 3]', async (m, n) => {
    const before = await collected();
    const k = Math.min(m, n);
    const a = asF32(uniform(m * n, -1, 1));
    const { lu, pivots } = tm.linalg.luFactor(tm.tensor(Float32Array.from(a), [m, n]));
    expect([lu.shape, pivots.shape, pivots.dtype]).toEqual([[m, n], [k], 'i32']);
    const want = eliminate(a, m, n);
    expect(Array.from(await pivots.data()), `pivots ${m}×${n}`).toEqual(want.pivots);
    expectNormwise(await lu.data(), want.lu, 2e-5 * Math.max(m, n), `lu ${m}×${n}`);
    const as = batchOf(6, () => asF32(uniform(m * n, -1, 1)));
    const A = tm.tensor(Float32Array.from(as), [2, 3, m, n]);
    const factors = tm.linalg.lu(A);
    expect([factors.p.shape, factors.l.shape, factors.u.shape]).toEqual([[2, 3, m, m], [2, 3, m, k], [2, 3, k, n]]);
    const refs = Array.from({ length: 6 }, (_, i) => plu(as.subarray(i * m * n, (i + 1) * m * n), m, n));
    expect(Array.from(await factors.p.data())).toEqual(refs.flatMap((r) => Array.from(r.p)));
    expectNormwise(await factors.l.data(), Float64Array.from(refs.flatMap((r) => Array.from(r.l))), 2e-5 * Math.max(m, n), `batched L ${m}×${n}`);
    expectNormwise(await factors.u.data(), Float64Array.from(refs.flatMap((r) => Array.from(r.u))), 2e-5 * Math.max(m, n), `batched U ${m}×${n}`);
    const rebuilt = tm.tidy(() => factors.p.matmul(factors.l).matmul(factors.u));
    expectNormwise(await rebuilt.data(), as, 2e-6 * Math.max(m, n), `P·L·U ${m}×${n}`);
    for (const t of [lu, pivots, A, factors.p, factors.l, factors.u, rebuilt]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it.each([1, 5, 24])('n = %i: luSolve solves from either side, with A or Aᵀ, one system and a batch with B broadcast', async (n) => {
    const before = await collected();
    const c = 3;
    for (const s of SOLVES) {
      const bShape = s.left ? [n, c] : [c, n];
      const as = batchOf(2, () => shuffledRows(n, n));
      const bs = asF32(uniform(n * c));
      const { lu, pivots } = tm.linalg.luFactor(tm.tensor(Float32Array.from(as), [2, n, n]));
      const X = tm.linalg.luSolve(lu, pivots, tm.tensor(Float32Array.from(bs), bShape), s);
      expect(X.shape).toEqual([2, ...bShape]);
      const want = eachMatrix(as, 2, (am) => {
        const { lu: f, perm } = eliminate(am, n, n);
        return luSolveRef(f, perm, n, bs, c, s);
      });
      expectNormwise(await X.data(), want, 1e-5 * Math.max(n, 4), `${named(s)} n=${n}`);
      for (const t of [lu, pivots, X]) t.dispose();
    }
    expect(await collected()).toBe(before);
  });

  it('agrees with solve, inv and det: one factorization reused for many right-hand sides', async () => {
    const n = 6;
    const A = tm.tensor(Float32Array.from(shuffledRows(n, n)), [n, n]);
    const B = tm.randn([n, 2]);
    const { lu, pivots } = tm.linalg.luFactor(A);
    const direct = tm.linalg.solve(A, B);
    expectNormwise(await tm.linalg.luSolve(lu, pivots, B).data(), Float64Array.from(await direct.data()), 1e-5, 'luSolve against solve');
    expectNormwise(await tm.linalg.luSolve(lu, pivots, tm.eye(n)).data(), Float64Array.from(await tm.linalg.inv(A).data()), 1e-5, 'luSolve(I) against inv');
    const { p, u } = tm.linalg.lu(A);
    const swapSign = Number(await tm.linalg.det(p).data());
    const diagonalProduct = Array.from(await tm.diagonal(u).data()).reduce((s, v) => s * v, 1);
    expectClose([swapSign * diagonalProduct], await tm.linalg.det(A).data(), 1e-5, 'det from the factors');
  });

  it('f16 in, f16 out; a singular matrix factors with a 0 on U\'s diagonal, and solving with it gives ±∞ or NaN', async () => {
    const a = shuffledRows(5, 5);
    const A = tm.tensor(Float32Array.from(a), [5, 5]).cast('f16');
    const held = Float64Array.from(await A.cast('f32').data());
    const { lu, pivots } = tm.linalg.luFactor(A);
    expect([lu.dtype, pivots.dtype]).toEqual(['f16', 'i32']);
    expectNormwise(await lu.data(), eliminate(held, 5, 5).lu, 4e-3, 'f16 lu');
    const { p, l, u } = tm.linalg.lu(A);
    expect([p.dtype, l.dtype, u.dtype]).toEqual(['f16', 'f16', 'f16']);
    expect(tm.linalg.luSolve(lu, pivots, tm.ones([5, 1], { dtype: 'f16' })).dtype).toBe('f16');
    const singular = tm.linalg.luFactor(tm.tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]]));
    expect(Array.from(await tm.diagonal(singular.lu).data()).some((v) => v === 0)).toBe(true);
    const x = await tm.linalg.luSolve(singular.lu, singular.pivots, tm.ones([3, 1])).data();
    expect(Array.from(x).some((v) => !Number.isFinite(v))).toBe(true);
  });

  it('a zero pivot eliminates nothing: an ∞ to the right of a zero column stays ∞, no 0·∞ NaN below it (js and webgpu; LAPACK\'s own on native)', async () => {
    const { lu, pivots } = tm.linalg.luFactor(tm.tensor([[0, 1, Infinity], [0, 2, 1], [0, 3, 2]]));
    // Column 0 is zero: no swap and no update; column 1 pivots on the 3 (row 2), and the 2 below it is eliminated.
    expect(Array.from(await pivots.data())).toEqual([0, 2, 2]);
    const got = Array.from(await lu.data());
    if (backend !== 'native') expectClose(got, [0, 1, Infinity, 0, 3, 2, 0, 2 / 3, -1 / 3], 1e-6, 'lu with a zero column');
  });

  it('empty matrices and batches factor to empty results', async () => {
    const wide = tm.linalg.lu(tm.zeros([0, 3]));
    expect([wide.p.shape, wide.l.shape, wide.u.shape]).toEqual([[0, 0], [0, 0], [0, 3]]);
    const { lu, pivots } = tm.linalg.luFactor(tm.zeros([0, 4, 4]));
    expect([lu.shape, pivots.shape]).toEqual([[0, 4, 4], [0, 4]]);
    expect(tm.linalg.luSolve(lu, pivots, tm.zeros([0, 4, 2])).shape).toEqual([0, 4, 2]);
  });

  it('refuses operands that are not float matrices, pivots that do not fit, and B of the wrong size, naming them', async () => {
    const { lu, pivots } = tm.linalg.luFactor(tm.eye(3));
    expect(() => tm.linalg.luFactor(tm.ones([3]))).toThrow('luFactor: A must be a matrix or a batch of them [..., m, n], got [3]');
    expect(() => tm.linalg.lu(tm.ones([3, 3], { dtype: 'i32' }))).toThrow('lu: A must be a float tensor (f32 or f16), got i32');
    expect(() => tm.linalg.luSolve(tm.ones([3, 2]), pivots, tm.ones([3, 1]))).toThrow('luSolve: LU must be a square matrix or a batch of them [..., n, n], got [3,2]');
    expect(() => tm.linalg.luSolve(lu, pivots.cast('f32'), tm.ones([3, 1]))).toThrow('luSolve: pivots must be i32 (as luFactor gives them), got f32');
    expect(() => tm.linalg.luSolve(lu, tm.zeros([2], { dtype: 'i32' }), tm.ones([3, 1]))).toThrow('luSolve: pivots [2] do not fit LU [3,3]: want [3], one per elimination step of each matrix');
    expect(() => tm.linalg.luSolve(lu, pivots, tm.ones([2, 1]))).toThrow("luSolve: B [2,1] does not match LU [3,3]: B needs 3 rows (its second-to-last axis) to solve with 3 × 3 factors from the left");
    expect(() => tm.linalg.luSolve(lu, pivots, tm.ones([3, 2]), { left: false })).toThrow("luSolve: B [3,2] does not match LU [3,3]: B needs 3 columns (its last axis) to solve with 3 × 3 factors from the right");
    expect(() => tm.linalg.luSolve(lu, pivots, tm.ones([3, 1]), { adjoint: 1 } as never)).toThrow('luSolve: adjoint must be true or false, got 1');
    expect(() => tm.linalg.luUnpack(lu, tm.zeros([3, 1], { dtype: 'i32' }))).toThrow('luUnpack: pivots [3,1] do not fit LU [3,3]: want [3]');
    // Out-of-range pivots (PyTorch's 1-based ones, say) are caught where they can be read at once; a GPU reads nothing back.
    if (backend !== 'webgpu') {
      expect(() => tm.linalg.luSolve(lu, tm.tensor([1, 2, 3], { dtype: 'i32' }), tm.ones([3, 1]))).toThrow('luSolve: pivots hold 3 at step 2 (flat entry 2), not a row in [2, 3): 0-based pivots swap row k with a row at or below it (PyTorch\'s are 1-based: subtract 1)');
      expect(() => tm.linalg.luUnpack(lu, tm.tensor([1, 0, 2], { dtype: 'i32' }))).toThrow('luUnpack: pivots hold 0 at step 1 (flat entry 1), not a row in [1, 3)');
    }
  });
});

describe.each(BACKENDS)('tm.linalg LU gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[4, 4], [5, 3], [3, 5]])('lu of %i × %i: dA through L and U; luFactor\'s packed factors the same way', async (m, n) => {
    const a = shuffledRows(m, n);
    await expectGradients([[m, n]], [a], (A) => {
      const { l, u } = tm.linalg.lu(A);
      return [l, u];
    }, (av) => {
      const { l, u } = plu(av, m, n);
      return Float64Array.of(...l, ...u);
    });
    await expectGradients([[2, m, n]], [batchOf(2, () => shuffledRows(m, n))], (A) => [tm.linalg.luFactor(A).lu], (av) => eachMatrix(av, 2, (am) => eliminate(am, m, n).lu));
  });

  it.each(SOLVES.map((s) => [named(s), s] as const))('luSolve, %s: dLU (both triangles) and dB', async (_, s) => {
    const [n, c] = [4, 3];
    const a = shuffledRows(n, n);
    const { lu, perm, pivots } = eliminate(a, n, n);
    const pivotTensor = tm.tensor(pivots, { dtype: 'i32' });
    const bShape = s.left ? [n, c] : [c, n];
    await expectGradients([[n, n], bShape], [asF32(lu), asF32(uniform(n * c))], (LU, B) => [tm.linalg.luSolve(LU, pivotTensor, B, s)], (luv, bv) => luSolveRef(luv, perm, n, bv, c, s));
    pivotTensor.dispose();
  });

  it('a product of the factors is A\'s own function: d(P·L·U)/dA is the identity', async () => {
    const [m, n] = [5, 4];
    const a = shuffledRows(m, n);
    await expectGradients([[m, n]], [a], (A) => {
      const { p, l, u } = tm.linalg.lu(A);
      return [p.matmul(l).matmul(u)];
    }, (av) => {
      const { p, l, u } = plu(av, m, n);
      return matmul64(matmul64(p, l, m, m, Math.min(m, n)), u, m, Math.min(m, n), n);
    });
  });
});
