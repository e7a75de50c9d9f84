// meshgrid, triuIndices/trilIndices, vander and logspace on every backend
// against NumPy's and PyTorch's definitions written here: both indexings,
// one to four vectors, scalars among them; triangles of non-square
// matrices at every offset; Vandermonde matrices in f32 and i32 (exact
// running products) with their gradient; bad input refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, randomInts } from '../helpers/data.js';
import { size, unravel } from '../helpers/float64.js';

describe.each(BACKENDS)('grids on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[3]], [[3, 2]], [[1, 4]], [[2, 3, 4]], [[2, 1, 3, 5]]])('meshgrid of vectors of sizes %j: np.meshgrid with indexing ij and xy', async (sizes) => {
    const vectors = sizes.map((n) => randomInts(n, -20, 20));
    for (const indexing of ['ij', 'xy'] as const) {
      const grids = tm.meshgrid(vectors.map((v) => tm.tensor(v, [v.length])), { indexing });
      // 'xy' swaps the first two axes of the 'ij' grid.
      const swap = indexing === 'xy' && sizes.length > 1;
      const shape = swap ? [sizes[1], sizes[0], ...sizes.slice(2)] : sizes;
      for (const [k, g] of grids.entries()) {
        expect(g.shape).toEqual(shape);
        const want = Float64Array.from({ length: size(shape) }, (_, o) => {
          const idx = unravel(o, shape);
          const ij = swap ? [idx[1], idx[0], ...idx.slice(2)] : idx;
          return vectors[k][ij[k]];
        });
        expectExact(await g.data(), want, `meshgrid ${indexing} output ${k}`);
      }
    }
    expect(tm.meshgrid([tm.scalar(2), tm.tensor([1, 2, 3])]).map((g) => g.shape)).toEqual([[3, 1], [3, 1]]);
    expect(tm.meshgrid([])).toEqual([]);
  });

  it('meshgrid\'s gradient sums each grid back into its vector', async () => {
    const x = tm.tensor([1, 2, 3]);
    const y = tm.tensor([4, 5]);
    x.requiresGrad = true;
    y.requiresGrad = true;
    tm.tidy(() => {
      const [gx, gy] = tm.meshgrid([x, y]);
      return gx.mul(gy).sum();
    }).backward();
    expect(await x.grad!.array()).toEqual([9, 9, 9]);
    expect(await y.grad!.array()).toEqual([6, 6]);
  });

  it.each([[4, 4], [3, 5], [5, 2], [1, 1], [0, 3]])('triuIndices and trilIndices of a %i × %i matrix at every offset list its triangle row by row', async (n, m) => {
    for (let offset = -n - 1; offset <= m + 1; offset++) {
      const upper: number[][] = [[], []];
      const lower: number[][] = [[], []];
      for (let r = 0; r < n; r++) for (let c = 0; c < m; c++) {
        if (c - r >= offset) (upper[0].push(r), upper[1].push(c));
        if (c - r <= offset) (lower[0].push(r), lower[1].push(c));
      }
      const u = tm.triuIndices(n, m, { offset });
      const l = tm.trilIndices(n, m, { offset });
      expect([u.dtype, u.shape, l.shape]).toEqual(['i32', [2, upper[0].length], [2, lower[0].length]]);
      expectExact(await u.data(), upper.flat(), `triu offset ${offset}`);
      expectExact(await l.data(), lower.flat(), `tril offset ${offset}`);
    }
  });

  it('vander is np.vander: falling powers, or rising; exact for ints; its gradient is Σ j·x^(j−1)·dy', async () => {
    const x = [3, -2, 0.5, 1.25];
    for (const [n, increasing] of [[undefined, false], [6, true], [1, false], [0, true]] as [number | undefined, boolean][]) {
      const cols = n ?? x.length;
      const y = tm.vander(tm.tensor(x), { n, increasing });
      const want = x.flatMap((v) => Array.from({ length: cols }, (_, j) => v ** (increasing ? j : cols - 1 - j)));
      expect(y.shape).toEqual([4, cols]);
      expectClose(await y.data(), want, 1e-7, `vander n=${n}`);
    }
    // i32 powers are running products, exact, wrapping as products of i32 do (13^9 is past 2^31).
    const wrapped = (base: bigint) => Array.from({ length: 12 }, (_, j) => Number(BigInt.asIntN(32, base ** BigInt(j))));
    expect(await tm.vander(tm.tensor(new Int32Array([3, -13]), [2]), { n: 12, increasing: true }).array()).toEqual([wrapped(3n), wrapped(-13n)]);
    const t = tm.tensor([2, -1]);
    t.requiresGrad = true;
    tm.tidy(() => tm.vander(t, { n: 4 }).sum()).backward();
    expect(await t.grad!.array()).toEqual([3 * 4 + 2 * 2 + 1, 3 * 1 - 2 + 1]);
  });

  it('logspace gives base^exponent for evenly spaced exponents, rounded once, the last exactly base^stop', async () => {
    expect(await tm.logspace(0, 3, 4).array()).toEqual([1, 10, 100, 1000]);
    const y = tm.logspace(-2, 1.5, 9, { base: 2 });
    expectClose(await y.data(), Array.from({ length: 9 }, (_, i) => 2 ** (-2 + (i * 3.5) / 8)), 1e-7);
    expect((await tm.logspace(1, 2, 7).data())[6]).toBe(100);
    expect([tm.logspace(0, 1, 3, { dtype: 'f16' }).dtype, tm.logspace(0, 1, 0).shape]).toEqual(['f16', [0]]);
  });

  it('refuses bad input by name', () => {
    expect(() => tm.meshgrid([tm.zeros([2, 2])])).toThrow(new tm.ShapeError('meshgrid: vectors[0] [2,2] is not a vector or a scalar'));
    expect(() => tm.meshgrid([tm.zeros([2])], { indexing: 'yx' as 'xy' })).toThrow(`meshgrid: indexing must be 'xy' or 'ij', got "yx"`);
    expect(() => tm.triuIndices(-1)).toThrow(new tm.ValueError('triuIndices: n must be a non-negative integer, got -1'));
    expect(() => tm.trilIndices(2, 2, { offset: 0.5 })).toThrow(new tm.ValueError('trilIndices: offset must be an integer, got 0.5'));
    expect(() => tm.vander(tm.zeros([2, 2]))).toThrow(new tm.ShapeError('vander: x [2,2] is not a vector'));
    expect(() => tm.logspace(0, 1, 3, { dtype: 'i32' as 'f32' })).toThrow(`logspace: dtype must be 'f32' or 'f16', got "i32"`);
    expect(() => tm.logspace(0, Infinity, 3)).toThrow(new tm.ValueError('logspace: stop must be a finite number, got Infinity'));
  });
});
