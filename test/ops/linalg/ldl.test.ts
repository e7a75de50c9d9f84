// tm.linalg.ldlFactor, ldlFactorEx and ldlSolve (the Bunch–Kaufman
// factorization of symmetric matrices): the packed factors and pivots
// against PyTorch's (LAPACK's dsytrf in float64, test/fixtures/linalg/ldl.npz
// from scripts/make-linalg-fixtures.py), pivot for pivot; on fresh random
// matrices, A rebuilt from the factors by multiplying out LAPACK's product
// form here in float64, and solves against a float64 inverse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { batchOf, eachMatrix, expectNormwise, householderQr, inverse64, matmul64, transpose64 } from '../../helpers/linalg.js';

const fixtures = new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'linalg', 'ldl.npz')));

/** A random symmetric n × n matrix of f32 values in [−1, 1]. */
function symmetric(n: number): Float64Array {
  const u = asF32(uniform(n * n, -1, 1));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) u[i * n + j] = u[j * n + i];
  return u;
}

/**
 * A symmetric indefinite matrix of condition at most 3 (f32 values): Q·Λ·Qᵀ
 * for Q a random orthogonal matrix and Λ of random signs and sizes in
 * [0.5, 1.5]. Its mass is off the diagonal, so it factors with 2 × 2 blocks
 * as well as 1 × 1 ones.
 */
function indefinite(n: number): Float64Array {
  const { q } = householderQr(uniform(n * n, -1, 1), n, n);
  const lambda = Array.from(uniform(n, -1, 1), (v) => Math.sign(v || 1) * (0.5 + Math.abs(v)));
  const ql = q.map((v, e) => v * lambda[e % n]);
  return asF32(matmul64(ql, transpose64(q, n, n), n, n, n));
}

/**
 * M·D·Mᵀ in float64 from packed factors ld [n, n] and 0-based pivots, read
 * as LAPACK documents the form: M = P₀·L₀·P₁·L₁⋯, Pₖ the interchange of a
 * step's last row with its pivot row, Lₖ the identity with the step's
 * column(s) of ld below its block, D the blocks on and below the diagonal.
 */
function rebuild(ld: ArrayLike<number>, pivots: ArrayLike<number>, n: number): Float64Array {
  const m = new Float64Array(n * n);
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  for (let k = 0; k < n; ) {
    const size = pivots[k] >= 0 ? 1 : 2;
    const last = k + size - 1;
    const p = pivots[k] >= 0 ? pivots[k] : -pivots[k] - 1;
    for (let i = 0; i < n; i++) [m[i * n + last], m[i * n + p]] = [m[i * n + p], m[i * n + last]];
    // M·Lₖ: column j of Lₖ (j in the block) adds Σᵢ M[:, i]·ld[i, j] over the rows i past the block.
    for (let j = k; j <= last; j++) {
      for (let i = last + 1; i < n; i++) for (let r = 0; r < n; r++) m[r * n + j] += m[r * n + i] * ld[i * n + j];
    }
    for (let i = k; i <= last; i++) for (let j = k; j <= i; j++) d[i * n + j] = d[j * n + i] = ld[i * n + j];
    k += size;
  }
  return matmul64(matmul64(m, d, n, n, n), transpose64(m, n, n), n, n, n);
}

/** Whether pivots [n] have the packed form's shape: p in [k, n) at a 1 × 1 block, −(p + 1) on both rows of a 2 × 2 one with p in (k, n). */
function wellFormed(pivots: ArrayLike<number>, n: number): boolean {
  for (let k = 0; k < n; k++) {
    const v = pivots[k];
    if (v >= 0) {
      if (v < k || v >= n) return false;
    } else if (k + 1 >= n || pivots[k + 1] !== v || -v - 1 <= k || -v - 1 >= n) return false;
    else k++;
  }
  return true;
}

describe.each(BACKENDS)('tm.linalg LDLᵀ on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  const cases = [1, 2, 3, 4, 7, 16, 33].flatMap((n) => [0, 1].map((b) => `random_${n}_${b}`)).concat(['zero_diagonal', 'positive_definite']);
  it.each(cases)('%s: the factors and pivots are PyTorch\'s (LAPACK\'s dsytrf), pivot for pivot', async (tag) => {
    const torch = tm.fromNpz(fixtures);
    const a = torch[`a_${tag}`];
    const n = a.shape[0];
    const { ld, pivots } = tm.linalg.ldlFactor(a);
    const want = Array.from(await torch[`pivots_${tag}`].data(), (p) => (p > 0 ? p - 1 : p));
    expect(Array.from(await pivots.data()), `pivots of ${tag}`).toEqual(want);
    expectNormwise(await ld.data(), await torch[`ld_${tag}`].data(), 2e-5 * n, `LD of ${tag}`);
    for (const t of Object.values(torch)) t.dispose();
  });

  it.each([1, 2, 5, 12, 31, 70])('n = %i: M·D·Mᵀ rebuilt from the factors is A, one matrix and a batch [2, 2]; the strict upper triangle is 0', async (n) => {
    const before = await collected();
    const as = batchOf(4, () => symmetric(n));
    const A = tm.tensor(Float32Array.from(as), [2, 2, n, n]);
    const { ld, pivots } = tm.linalg.ldlFactor(A);
    expect([ld.shape, pivots.shape, pivots.dtype, ld.dtype]).toEqual([[2, 2, n, n], [2, 2, n], 'i32', 'f32']);
    const [lds, ps] = [await ld.data(), await pivots.data()];
    for (let b = 0; b < 4; b++) {
      const at = lds.subarray(b * n * n, (b + 1) * n * n);
      const piv = ps.subarray(b * n, (b + 1) * n);
      expect(wellFormed(piv, n), `pivots ${Array.from(piv)}`).toBe(true);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(at[i * n + j]).toBe(0);
      // Bunch–Kaufman's growth is bounded (≤ 2.57ⁿ⁻¹ in theory, small in practice): n·1e-5 of ‖A‖ is ample.
      expectNormwise(rebuild(at, piv, n), as.subarray(b * n * n, (b + 1) * n * n), 1e-5 * n, `M·D·Mᵀ, matrix ${b}, n = ${n}`);
    }
    // The single matrices of the batch factor as they do alone.
    const one = tm.linalg.ldlFactor(tm.tensor(Float32Array.from(as.subarray(3 * n * n)), [n, n]));
    expect(Array.from(await one.pivots.data())).toEqual(Array.from(ps.subarray(3 * n)));
    for (const t of [A, ld, pivots, one.ld, one.pivots]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it('only the lower triangle is read (as PyTorch\'s); hermitian is accepted and changes nothing for real matrices', async () => {
    const n = 6;
    const a = symmetric(n);
    const messy = Float64Array.from(a, (v, e) => (e % n > Math.floor(e / n) ? 100 + e : v));
    const clean = tm.linalg.ldlFactor(tm.tensor(Float32Array.from(a), [n, n]));
    const read = tm.linalg.ldlFactor(tm.tensor(Float32Array.from(messy), [n, n]), { hermitian: true });
    expect(Array.from(await read.ld.data())).toEqual(Array.from(await clean.ld.data()));
    expect(Array.from(await read.pivots.data())).toEqual(Array.from(await clean.pivots.data()));
  });

  it.each([1, 4, 9, 40])('n = %i: ldlSolve gives A⁻¹·B for symmetric indefinite A, B broadcast over a batch, as solve does', async (n) => {
    const before = await collected();
    const k = 3;
    const as = batchOf(2, () => indefinite(n));
    const bs = asF32(uniform(n * k));
    const A = tm.tensor(Float32Array.from(as), [2, n, n]);
    const B = tm.tensor(Float32Array.from(bs), [n, k]);
    const { ld, pivots } = tm.linalg.ldlFactor(A);
    const X = tm.linalg.ldlSolve(ld, pivots, B);
    expect(X.shape).toEqual([2, n, k]);
    // Past n = 4 the 2 × 2 blocks' path through the solve is taken too.
    if (n > 4) expect(Array.from(await pivots.data()).some((p) => p < 0), 'some 2 × 2 block').toBe(true);
    const want = eachMatrix(as, 2, (am) => matmul64(inverse64(am, n), bs, n, n, k));
    expectNormwise(await X.data(), want, 2e-5 * n, `X, n = ${n}`);
    // A batch of B with one factorization: the factors broadcast too.
    const one = tm.linalg.ldlFactor(tm.tensor(Float32Array.from(as.subarray(0, n * n)), [n, n]));
    const Y = tm.linalg.ldlSolve(one.ld, one.pivots, tm.tensor(Float32Array.from(batchOf(2, () => bs)), [2, n, k]));
    expectNormwise(await Y.data(), batchOf(2, () => want.subarray(0, n * k)), 2e-5 * n, `broadcast factors, n = ${n}`);
    for (const t of [A, B, ld, pivots, X, one.ld, one.pivots, Y]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it('ldlFactorEx: info 0, or k + 1 for the first 1 × 1 block of D that is exactly 0 (or NaN), per matrix; the factors as ldlFactor\'s', async () => {
    const A = tm.tensor([
      [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
      [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
      [[1, 1, 0], [1, 1, 0], [0, 0, 2]],
      [[2, 1, 0], [1, -3, 1], [0, 1, 4]],
      [[NaN, 1, 0], [1, 2, 0], [0, 0, 1]],
      [[0, 1, 0], [1, 0, 0], [0, 0, 0]],
    ]);
    const { ld, pivots, info } = tm.linalg.ldlFactorEx(A);
    // PyTorch's info for each: 1, 1, 2 (1 − 1·1 = 0 left at step 2), 0, 1 (NaN), 3 (a 2 × 2 block, then a 0).
    expect([info.shape, info.dtype]).toEqual([[6], 'i32']);
    expect(Array.from(await info.data())).toEqual([1, 1, 2, 0, 1, 3]);
    const plain = tm.linalg.ldlFactor(A);
    expect(Array.from(await pivots.data())).toEqual(Array.from(await plain.pivots.data()));
    expect(Array.from(await pivots.data()).slice(15)).toEqual([-2, -2, 2]);
    const [got, want] = [await ld.data(), await plain.ld.data()];
    expect(got.length).toBe(want.length);
    got.forEach((v, e) => expect(Object.is(v, want[e]) || v === want[e], `entry ${e}`).toBe(true));
    // A NaN below the diagonal spreads into D through the update (a NaN multiplier is not a zero one) and is reported.
    const spread = tm.linalg.ldlFactorEx(tm.tensor([[1, 0, 0], [NaN, 1, 0], [0, 0, 1]]));
    expect(Array.from(await spread.info.data())).toEqual([2]);
    expect((await spread.ld.data())[4]).toBeNaN();
    const none = tm.linalg.ldlFactorEx(tm.zeros([2, 0, 0]));
    expect([none.info.shape, Array.from(await none.info.data())]).toEqual([[2], [0, 0]]);
  });

  it('a singular D solves to ±∞ or NaN; f16 in gives f16 out', async () => {
    const { ld, pivots } = tm.linalg.ldlFactor(tm.tensor([[1, 1], [1, 1]]));
    expect(Array.from(await tm.linalg.ldlSolve(ld, pivots, tm.ones([2, 1])).data()).some((v) => !Number.isFinite(v))).toBe(true);
    const n = 5;
    const a = indefinite(n);
    const half = tm.tensor(Float32Array.from(a), [n, n]).cast('f16');
    const factors = tm.linalg.ldlFactor(half);
    expect([factors.ld.dtype, factors.pivots.dtype]).toEqual(['f16', 'i32']);
    const x = tm.linalg.ldlSolve(factors.ld, factors.pivots, tm.ones([n, 1], { dtype: 'f16' }));
    expect(x.dtype).toBe('f16');
    const held = Float64Array.from(await half.cast('f32').data());
    expectNormwise(await x.data(), matmul64(inverse64(held, n), new Float64Array(n).fill(1), n, n, 1), 2e-2, 'f16 solve');
  });

  it('ldlSolve is differentiable in B (dB = A⁻¹·dX, A symmetric); a gradient reaching the factors is an error naming the op', async () => {
    const n = 5;
    const a = indefinite(n);
    const w = uniform(n * 2);
    const { ld, pivots } = tm.linalg.ldlFactor(tm.tensor(Float32Array.from(a), [n, n]));
    const B = tm.tensor(Float32Array.from(uniform(n * 2)), [n, 2]);
    B.requiresGrad = true;
    const loss = tm.tidy(() => tm.sum(tm.mul(tm.linalg.ldlSolve(ld, pivots, B), tm.tensor(Float32Array.from(w), [n, 2]))));
    loss.backward();
    expectNormwise(await B.grad!.data(), matmul64(inverse64(a, n), w, n, n, 2), 1e-4, 'dB');
    // Twice: the gradient is itself an ldlSolve, recorded. d/dB Σ X² = 2·A⁻¹·X = 2·A⁻²·B, and d/dB of Σ of that is 2·A⁻²·1.
    const C = tm.tensor(Float32Array.from(uniform(n * 2)), [n, 2]);
    C.requiresGrad = true;
    const [dc] = tm.grad(tm.sum(tm.square(tm.linalg.ldlSolve(ld, pivots, C))), [C], { createGraph: true });
    tm.sum(dc).backward();
    const inverse = inverse64(a, n);
    expectNormwise(await C.grad!.data(), matmul64(matmul64(inverse, inverse, n, n, n), new Float64Array(n * 2).fill(2), n, n, 2), 1e-4, 'd²');
    const A = tm.tensor(Float32Array.from(a), [n, n]);
    A.requiresGrad = true;
    const through = tm.tidy(() => {
      const f = tm.linalg.ldlFactor(A);
      return tm.sum(tm.linalg.ldlSolve(f.ld, f.pivots, tm.ones([n, 1])));
    });
    expect(() => through.backward()).toThrow("ldlSolve: the Bunch–Kaufman factors have no gradient (PyTorch's have none either): differentiate through solve, inv or eigh instead");
    const direct = tm.tidy(() => tm.sum(tm.linalg.ldlFactor(A).ld));
    expect(() => direct.backward()).toThrow('ldlFactor: the Bunch–Kaufman factors have no gradient');
  });

  it('empty matrices and batches factor and solve to empty results', async () => {
    const { ld, pivots } = tm.linalg.ldlFactor(tm.zeros([0, 3, 3]));
    expect([ld.shape, pivots.shape]).toEqual([[0, 3, 3], [0, 3]]);
    expect(tm.linalg.ldlSolve(ld, pivots, tm.zeros([0, 3, 2])).shape).toEqual([0, 3, 2]);
    const zero = tm.linalg.ldlFactor(tm.zeros([0, 0]));
    expect(tm.linalg.ldlSolve(zero.ld, zero.pivots, tm.zeros([0, 4])).shape).toEqual([0, 4]);
  });

  it('refuses operands that are not float square matrices, pivots that do not fit and B of the wrong size, naming them', async () => {
    const { ld, pivots } = tm.linalg.ldlFactor(tm.tensor([[0, 1, 0], [1, 0, 0], [0, 0, 2]]));
    expect(Array.from(await pivots.data())).toEqual([-2, -2, 2]);
    expect(() => tm.linalg.ldlFactor(tm.ones([3, 2]))).toThrow('ldlFactor: A must be a square matrix or a batch of them [..., n, n], got [3,2]');
    expect(() => tm.linalg.ldlFactorEx(tm.ones([2, 2], { dtype: 'i32' }))).toThrow('ldlFactorEx: A must be a float tensor (f32 or f16), got i32');
    expect(() => tm.linalg.ldlFactor(tm.eye(2), { upper: true } as never)).toThrow(/ldlFactor: .*upper/);
    expect(() => tm.linalg.ldlSolve(ld, pivots.cast('f32'), tm.ones([3, 1]))).toThrow('ldlSolve: pivots must be i32 (as ldlFactor gives them), got f32');
    expect(() => tm.linalg.ldlSolve(ld, tm.zeros([2], { dtype: 'i32' }), tm.ones([3, 1]))).toThrow('ldlSolve: pivots [2] do not fit LD [3,3]: want [3], one per row of each matrix');
    expect(() => tm.linalg.ldlSolve(ld, pivots, tm.ones([2, 1]))).toThrow('ldlSolve: B [2,1] does not match LD [3,3]: B needs 3 rows (its second-to-last axis) to solve with 3 × 3 factors');
    expect(() => tm.linalg.ldlSolve(ld, pivots, tm.ones([3]))).toThrow('ldlSolve: B must be a matrix or a batch of them [..., m, n], got [3]');
    // Pivots out of form (PyTorch's 1-based positives, half a 2 × 2 block) are caught where they can be read at
    // once; on webgpu, which cannot refuse them, they give a column of NaN (and never a read past the matrix).
    if (backend === 'webgpu') {
      for (const bad of [[-2, -2, 3], [-2, 1, 2], [-1, 1, 2], [1, 2, 3]]) {
        const y = await tm.linalg.ldlSolve(ld, tm.tensor(bad, { dtype: 'i32' }), tm.ones([3, 2])).data();
        expect(Array.from(y).every(Number.isNaN), `pivots ${bad}`).toBe(true);
      }
    } else {
      expect(() => tm.linalg.ldlSolve(ld, tm.tensor([-2, -2, 3], { dtype: 'i32' }), tm.ones([3, 1]))).toThrow("ldlSolve: pivots hold 3 at row 2 (flat entry 2): a 1 × 1 block's interchange must name a row in [2, 3) (PyTorch's are 1-based where positive: subtract 1 there)");
      expect(() => tm.linalg.ldlSolve(ld, tm.tensor([-2, 1, 2], { dtype: 'i32' }), tm.ones([3, 1]))).toThrow('ldlSolve: pivots hold -2 at row 0 (flat entry 0): a 2 × 2 block needs the same negative value on its two rows');
      expect(() => tm.linalg.ldlSolve(ld, tm.tensor([-1, -1, 2], { dtype: 'i32' }), tm.ones([3, 1]))).toThrow("ldlSolve: pivots hold -1 at row 0 (flat entry 0): a 2 × 2 block's interchange −(p + 1) must name a row p in (0, 3)");
    }
    const x = tm.linalg.ldlSolve(ld, pivots, tm.tensor([[1], [2], [4]]));
    expectClose(await x.data(), [2, 1, 2], 1e-6, 'a 2 × 2 block and a 1 × 1');
  });
});
