// tm.svdLowrank and tm.pcaLowrank (torch.svd_lowrank, torch.pca_lowrank):
// exact, to rounding, on matrices of rank ≤ q built here as U·diag(σ)·Vᵀ
// from random orthonormal factors; close to the leading singular values
// where the spectrum decays; checked against tm.linalg.svdvals (itself
// checked against float64 in svd.test.ts) and float64 products.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { expectNormwise, householderQr, matmul64, transpose64 } from '../../helpers/linalg.js';

/** An m × n matrix U·diag(σ)·Vᵀ (f32 values) for random orthonormal U [m, k] and V [n, k], k = σ.length. */
function withSpectrum(m: number, n: number, sigma: number[]): Float64Array {
  const k = sigma.length;
  const columns = (rows: number) => {
    const { q } = householderQr(uniform(rows * rows, -1, 1), rows, rows);
    return Float64Array.from({ length: rows * k }, (_, e) => q[Math.floor(e / k) * rows + (e % k)]);
  };
  const [u, v] = [columns(m), columns(n)];
  const us = u.map((x, e) => x * sigma[e % k]);
  return asF32(matmul64(us, transpose64(v, n, k), m, k, n));
}

/** max |XᵀX − I| for X [rows, k] (orthonormal columns). */
function orthonormality(x: ArrayLike<number>, rows: number, k: number): number {
  const g = matmul64(transpose64(x, rows, k), x, k, rows, k);
  return Math.max(...Array.from(g, (v, e) => Math.abs(v - (e % (k + 1) === 0 ? 1 : 0))));
}

describe.each(BACKENDS)('tm.svdLowrank and tm.pcaLowrank on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[60, 25, 4, 6], [25, 60, 3, 3], [9, 7, 7, 7]])('%i × %i of rank %i, q = %i: A = U·diag(S)·Vᵀ exactly, S the leading singular values, U and V orthonormal', async (m, n, r, q) => {
    const before = await collected();
    const sigma = Array.from({ length: r }, (_, i) => 4 - (3 * i) / r);
    const a = withSpectrum(m, n, sigma);
    const A = tm.tensor(Float32Array.from(a), [m, n]);
    const { u, s, v } = tm.svdLowrank(A, { q });
    expect([u.shape, s.shape, v.shape]).toEqual([[m, q], [q], [n, q]]);
    expectClose(await s.data(), [...sigma, ...new Array(q - r).fill(0)], 2e-5 * 4, 'S');
    const [ud, vd] = [await u.data(), await v.data()];
    // Columns past the rank span nothing of A's: orthonormal only where σ > 0.
    const [uk, vk] = [ud.filter((_, e) => e % q < r), vd.filter((_, e) => e % q < r)];
    expect(orthonormality(uk, m, r)).toBeLessThan(1e-5);
    expect(orthonormality(vk, n, r)).toBeLessThan(1e-5);
    const us = Float64Array.from(ud, (x, e) => x * (e % q < r ? sigma[e % q] : 0));
    expectNormwise(matmul64(us, transpose64(vd, n, q), m, q, n), a, 2e-6 * Math.max(m, n), 'U·diag(S)·Vᵀ');
    for (const t of [A, u, s, v]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it('batches, a fixed seed for the same result twice, and M subtracted first', async () => {
    const [m, n] = [20, 12];
    const a = Float64Array.from([...withSpectrum(m, n, [3, 2]), ...withSpectrum(m, n, [5, 1])]);
    const A = tm.tensor(Float32Array.from(a), [2, m, n]);
    const one = tm.svdLowrank(A, { q: 2, seed: 7 });
    const again = tm.svdLowrank(A, { q: 2, seed: 7 });
    expect(Array.from(await again.u.data())).toEqual(Array.from(await one.u.data()));
    expectClose(await one.s.data(), [3, 2, 5, 1], 1e-4, 'S of a batch');
    const M = tm.tensor(Float32Array.from(asF32(uniform(n))), [1, n]);
    const shifted = tm.svdLowrank(tm.add(A, M), { q: 2, M, seed: 7 });
    expectClose(await shifted.s.data(), [3, 2, 5, 1], 1e-4, 'S of (A + M) − M');
  });

  it('where the spectrum decays past q, the leading singular values come out close, the closer with power iterations', async () => {
    const [m, n] = [80, 60];
    const sigma = Array.from({ length: 40 }, (_, i) => 0.6 ** i);
    const A = tm.tensor(Float32Array.from(withSpectrum(m, n, sigma)), [m, n]);
    const error = async (niter: number) => {
      const s = await tm.svdLowrank(A, { q: 8, niter, seed: 1 }).s.data();
      return Math.max(...[0, 1, 2].map((i) => Math.abs(s[i] - sigma[i]) / sigma[i]));
    };
    const [plain, sharpened] = [await error(0), await error(3)];
    expect(sharpened).toBeLessThan(1e-4);
    expect(sharpened).toBeLessThanOrEqual(plain);
  });

  it('pcaLowrank: the SVD of A less its column means, q = min(6, m, n) by default; center: false is svdLowrank', async () => {
    const [m, n] = [40, 5];
    const a = asF32(uniform(m * n, -1, 1).map((x, e) => x * (e % n + 1) + e % n));
    const A = tm.tensor(Float32Array.from(a), [m, n]);
    const pca = tm.pcaLowrank(A);
    expect([pca.u.shape, pca.s.shape, pca.v.shape]).toEqual([[m, 5], [5], [n, 5]]);
    const centered = tm.sub(A, tm.mean(A, 0, { keepDims: true }));
    expectClose(await pca.s.data(), Array.from(await tm.linalg.svdvals(centered).data()), 1e-4, 'S against svdvals of the centred data');
    // The samples' coordinates U·diag(S) times Vᵀ give the centred data back.
    const rebuilt = tm.matmul(tm.mul(pca.u, pca.s), pca.v, { transposeB: true });
    expectNormwise(await rebuilt.data(), Float64Array.from(await centered.data()), 1e-5, 'centred data');
    const plain = tm.pcaLowrank(A, { center: false, q: 5, seed: 2 });
    expectClose(await plain.s.data(), Array.from(await tm.linalg.svdvals(A).data()), 1e-4, 'center: false');
  });

  it('is differentiable: for A of rank q, d(ΣS)/dA = U·Vᵀ (the nuclear norm\'s gradient)', async () => {
    const [m, n, r] = [15, 10, 3];
    const a = withSpectrum(m, n, [3, 2, 1]);
    const A = tm.tensor(Float32Array.from(a), [m, n]);
    A.requiresGrad = true;
    const { u, s, v } = tm.svdLowrank(A, { q: r, seed: 4 });
    tm.sum(s).backward();
    const want = matmul64(await u.data(), transpose64(await v.data(), n, r), m, r, n);
    expectNormwise(await A.grad!.data(), want, 1e-4, 'dA');
  });

  it('f16 in, f16 out; refuses a q past min(m, n), a negative niter and what is not a matrix, naming them', async () => {
    const half = tm.svdLowrank(tm.eye(4).cast('f16'), { q: 2 });
    expect([half.u.dtype, half.s.dtype, half.v.dtype]).toEqual(['f16', 'f16', 'f16']);
    expect(() => tm.svdLowrank(tm.ones([3, 5]), { q: 4 })).toThrow('svdLowrank: q must be an integer from 1 to min(m, n) = 3 for A [3,5], got 4');
    expect(() => tm.pcaLowrank(tm.ones([3, 5]), { niter: -1 })).toThrow('pcaLowrank: niter must be a non-negative integer, got -1');
    expect(() => tm.svdLowrank(tm.ones([3]))).toThrow('svdLowrank: A must be a matrix or a batch of them [..., m, n], got [3]');
    expect(() => tm.svdLowrank(tm.ones([3, 3]), { k: 2 } as never)).toThrow(/svdLowrank: .*k/);
    expect(() => tm.svdLowrank(tm.ones([3, 3]), { M: tm.ones([2, 3, 3]) })).toThrow('svdLowrank: M [2,3,3] must broadcast to A [3,3]');
    expect(() => tm.svdLowrank(tm.ones([4, 3]), { M: tm.ones([2, 3]) })).toThrow('svdLowrank: M [2,3] must broadcast to A [4,3]');
  });
});
