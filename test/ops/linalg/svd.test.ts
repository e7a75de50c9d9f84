// tm.linalg.svd and svdvals: singular values against known ones (matrices
// made as U·diag(s)·Vᵀ, repeated and zero ones included) and against a
// float64 reference for random matrices; the vectors, whose signs are not
// unique, by U·diag(s)·Vh = A, UᵀU = I and Vh·Vhᵀ = I (zero singular values
// included: the vectors are completed to orthonormal sets). Gradients
// against float64 central differences, on well-separated singular values.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { collected } from '../../helpers/gc.js';
import { SEED, asF32, expectClose, expectExact, uniform } from '../../helpers/data.js';
import { identity, maxDifference, product, svdRef, transposed, withSingularValues } from '../../helpers/spectral.js';

const SHAPES: [number, number][] = [[1, 1], [2, 2], [7, 7], [13, 5], [5, 13], [33, 33]];

/** Three m × n matrices: random (uniform), with repeated singular values, and of rank ⌈k/2⌉ (the rest 0). */
function testMatrices(m: number, n: number): { a: Float64Array; s: Float64Array }[] {
  const k = Math.min(m, n);
  const known = (s: number[]) => ({ a: withSingularValues(m, n, s), s: Float64Array.from(s).sort().reverse() });
  const random = asF32(uniform(m * n, -1, 1));
  return [
    { a: random, s: svdRef(random, m, n).s },
    known(Array.from({ length: k }, (_, i) => [2, 2, 0.5][i % 3])),
    known(Array.from({ length: k }, (_, i) => (i < Math.ceil(k / 2) ? 1 + i : 0))),
  ];
}

describe.each(BACKENDS)('tm.linalg.svd on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('%i × %i: s matches float64, U·diag(s)·Vh = A, UᵀU = I and Vh·Vhᵀ = I, for a random, a repeated and a rank-deficient spectrum in one batch', async (m, n) => {
    const before = await collected();
    const k = Math.min(m, n);
    const cases = testMatrices(m, n);
    const A = tm.tensor(Float32Array.from(cases.flatMap(({ a }) => Array.from(a))), [3, m, n]);
    const { u, s, vh } = tm.linalg.svd(A);
    expect([u.shape, s.shape, vh.shape]).toEqual([[3, m, k], [3, k], [3, k, n]]);
    const [ud, sd, vhd] = [await u.data(), await s.data(), await vh.data()];
    cases.forEach(({ a, s: want }, b) => {
      const scale = Math.max(want[0], 1e-30);
      const what = `matrix ${b}, ${m} × ${n}`;
      const sb = sd.subarray(b * k, (b + 1) * k);
      expectClose(sb, want, 2e-5, `singular values of ${what}`, new Float64Array(k).fill(scale));
      for (let i = 1; i < k; i++) expect(sb[i], `descending, ${what}`).toBeLessThanOrEqual(sb[i - 1]);
      expect(Math.min(...sb), `≥ 0, ${what}`).toBeGreaterThanOrEqual(0);
      const ub = Float64Array.from(ud.subarray(b * m * k, (b + 1) * m * k));
      const vhb = Float64Array.from(vhd.subarray(b * k * n, (b + 1) * k * n));
      const us = ub.map((x, i) => x * sb[i % k]);
      expect(maxDifference(product(us, vhb, m, k, n), a), `U·diag(s)·Vh − A of ${what} (seed ${SEED})`).toBeLessThanOrEqual(2e-5 * scale * Math.sqrt(k));
      expect(maxDifference(product(transposed(ub, m, k), ub, k, m, k), identity(k)), `UᵀU − I of ${what} (seed ${SEED})`).toBeLessThanOrEqual(2e-5 * Math.sqrt(m));
      expect(maxDifference(product(vhb, transposed(vhb, k, n), k, n, k), identity(k)), `Vh·Vhᵀ − I of ${what} (seed ${SEED})`).toBeLessThanOrEqual(2e-5 * Math.sqrt(n));
    });
    const only = tm.linalg.svdvals(A);
    expectExact(await only.data(), sd, 'svdvals');
    for (const t of [A, u, s, vh, only]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('a batch [2, 2] of 3 × 4; the zero matrix (every vector completed); f16 in and out', async () => {
    const a = asF32(uniform(4 * 12, -1, 1));
    const s = tm.linalg.svdvals(tm.tensor(Float32Array.from(a), [2, 2, 3, 4]));
    expect(s.shape).toEqual([2, 2, 3]);
    const got = await s.data();
    for (let b = 0; b < 4; b++) expectClose(got.subarray(b * 3, b * 3 + 3), svdRef(a.subarray(b * 12, b * 12 + 12), 3, 4).s, 2e-5, `matrix ${b}`);
    const zero = tm.linalg.svd(tm.zeros([4, 3]));
    expectExact(await zero.s.data(), [0, 0, 0], 'zero matrix s');
    const uz = Float64Array.from(await zero.u.data());
    expect(maxDifference(product(transposed(uz, 4, 3), uz, 3, 4, 3), identity(3)), 'UᵀU of the zero matrix').toBeLessThanOrEqual(1e-6);
    const half = tm.linalg.svd(tm.tensor([[3, 0], [0, -4]]).cast('f16'));
    expect([half.u.dtype, half.s.dtype, half.vh.dtype]).toEqual(['f16', 'f16', 'f16']);
    expectClose(await half.s.data(), [4, 3], 2e-3, 'f16 singular values');
  });

  it('empty batches and matrices with no rows or columns give empty results', () => {
    const { u, s, vh } = tm.linalg.svd(tm.zeros([0, 3, 2]));
    expect([u.shape, s.shape, vh.shape]).toEqual([[0, 3, 2], [0, 2], [0, 2, 2]]);
    const wide = tm.linalg.svd(tm.zeros([2, 0, 3]));
    expect([wide.u.shape, wide.s.shape, wide.vh.shape]).toEqual([[2, 0, 0], [2, 0], [2, 0, 3]]);
  });

  it.each([[7, 4], [4, 7], [5, 5], [1, 3], [6, 1]])('fullMatrices gives U m × m and Vh n × n, orthonormal, the reduced ones in their first columns (rows), for %i × %i, batched', async (m, n) => {
    const k = Math.min(m, n);
    const a = asF32(uniform(2 * m * n, -1, 1));
    const A = tm.tensor(Float32Array.from(a), [2, m, n]);
    const full = tm.linalg.svd(A, { fullMatrices: true });
    const reduced = tm.linalg.svd(A);
    expect([full.u.shape, full.s.shape, full.vh.shape]).toEqual([[2, m, m], [2, k], [2, n, n]]);
    const [u, vh, ur, vhr, sv] = await Promise.all([full.u.data(), full.vh.data(), reduced.u.data(), reduced.vh.data(), full.s.data()]);
    for (let b = 0; b < 2; b++) {
      const ub = Float64Array.from(u.subarray(b * m * m, (b + 1) * m * m));
      const vb = Float64Array.from(vh.subarray(b * n * n, (b + 1) * n * n));
      expect(maxDifference(product(transposed(ub, m, m), ub, m, m, m), identity(m)), `UᵀU, matrix ${b}`).toBeLessThanOrEqual(1e-5);
      expect(maxDifference(product(vb, transposed(vb, n, n), n, n, n), identity(n)), `Vh·Vhᵀ, matrix ${b}`).toBeLessThanOrEqual(1e-5);
      // U · Σ (m × n, s on its diagonal) · Vh is A.
      const sigma = new Float64Array(m * n);
      for (let i = 0; i < k; i++) sigma[i * n + i] = sv[b * k + i];
      expectClose(product(product(ub, sigma, m, m, n), vb, m, n, n), a.subarray(b * m * n, (b + 1) * m * n), 2e-5, `U·Σ·Vh, matrix ${b}`);
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) expect(ub[i * m + j]).toBe(ur[b * m * k + i * k + j]);
      for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) expect(vb[i * n + j]).toBe(vhr[b * k * n + i * n + j]);
    }
  });

  it('fullMatrices passes no gradient through the completed columns, as PyTorch: the reduced part\'s gradient', async () => {
    const a = asF32(uniform(6 * 3, -1, 1));
    const weights = tm.tensor(Float32Array.from(uniform(6 * 6)), [6, 6]);
    const grads: ArrayLike<number>[] = [];
    for (const full of [true, false]) {
      const A = tm.tensor(Float32Array.from(a), [6, 3]);
      A.requiresGrad = true;
      const { u } = tm.linalg.svd(A, { fullMatrices: full });
      // The square of each entry: a sign flip of a vector changes nothing.
      (full ? u : tm.concat([u, tm.zeros([6, 3])], 1)).square().mul(weights).sum().backward();
      grads.push(await A.grad!.data());
    }
    expectClose(grads[0], grads[1], 1e-6);
  });

  it('refuses what is not a batch of float matrices, naming it', () => {
    expect(() => tm.linalg.svd(tm.ones([3]))).toThrow('svd: A must be a matrix or a batch of them [..., m, n], got [3]');
    expect(() => tm.linalg.svdvals(tm.ones([3, 3], { dtype: 'i32' }))).toThrow('svdvals: A must be a float tensor (f32 or f16), got i32');
    expect(() => tm.linalg.svd(tm.eye(3), { full_matrices: false } as never)).toThrow('svd: unknown option "full_matrices" (did you mean fullMatrices?)');
  });
});

describe.each(BACKENDS)('tm.linalg.svd gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** d loss / dA for A [m, n] against central differences of `ref` (float64). */
  async function check(a: Float64Array, m: number, n: number, loss: (A: tm.Tensor) => tm.Tensor, ref: (a: Float64Array) => number) {
    const before = await collected();
    const A = tm.tensor(Float32Array.from(a), [m, n]);
    A.requiresGrad = true;
    const l = tm.tidy(() => loss(A));
    l.backward();
    const got = await A.grad!.data();
    const h = 1e-6;
    for (let i = 0; i < m * n; i++) {
      const moved = (d: number) => {
        const w = a.slice();
        w[i] += d;
        return ref(w);
      };
      const want = (moved(h) - moved(-h)) / (2 * h);
      expect(Math.abs(got[i] - want), `d/dA[${i}] of ${m} × ${n}: got ${got[i]}, want ${want} (seed ${SEED})`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(want)));
    }
    for (const t of [l, A.grad!, A]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  }

  /** Singular values 3, 2, 1.2, 0.5 (gaps well away from 0) in a random basis. */
  const separated = (m: number, n: number) => withSingularValues(m, n, [3, 2, 1.2, 0.5].slice(0, Math.min(m, n)));

  it.each([[4, 4], [5, 3], [3, 5], [1, 3]])('%i × %i: s and the squares of U and Vh (sign-free) through PyTorch\'s formula', async (m, n) => {
    const k = Math.min(m, n);
    const [rs, ru, rv] = [asF32(uniform(k, -1, 1)), asF32(uniform(m * k, -1, 1)), asF32(uniform(k * n, -1, 1))];
    const weights = (r: Float64Array, shape: number[]) => tm.tensor(Float32Array.from(r), shape);
    await check(separated(m, n), m, n, (A) => {
      const { u, s, vh } = tm.linalg.svd(A);
      return tm.sum(tm.mul(s, weights(rs, [k]))).add(tm.sum(tm.mul(tm.square(u), weights(ru, [m, k])))).add(tm.sum(tm.mul(tm.square(vh), weights(rv, [k, n]))));
    }, (a) => {
      const { u, s, vh } = svdRef(a, m, n);
      const dot = (x: Float64Array, r: Float64Array, f: (v: number) => number) => x.reduce((t, v, i) => t + r[i] * f(v), 0);
      return dot(s, rs, (v) => v) + dot(u, ru, (v) => v * v) + dot(vh, rv, (v) => v * v);
    });
  });

  it('svdvals alone: U·diag(ds)·Vh, for tall and wide matrices', async () => {
    for (const [m, n] of [[4, 4], [5, 3], [2, 6]]) {
      const k = Math.min(m, n);
      const r = asF32(uniform(k, -1, 1));
      await check(separated(m, n), m, n, (A) => tm.sum(tm.mul(tm.linalg.svdvals(A), tm.tensor(Float32Array.from(r), [k]))), (a) => svdRef(a, m, n).s.reduce((t, v, i) => t + r[i] * v, 0));
    }
  });
});
