// tm.linalg.solveTriangular against float64 substitution written here, on
// fresh random triangular matrices (diagonal of magnitude 1 to 2, the rest
// small, so well conditioned) whose other triangle holds garbage that must
// not be read: from the left and the right, upper and lower, with a unit
// diagonal or not, batched and broadcast. Gradients against central
// differences of the same reference.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { batchOf, eachMatrix, expectGradients, expectNormwise, transpose64 } from '../../helpers/linalg.js';

interface Case {
  upper: boolean;
  left: boolean;
  unitriangular: boolean;
}
const CASES: Case[] = [true, false].flatMap((upper) => [true, false].flatMap((left) => [false, true].map((unitriangular) => ({ upper, left, unitriangular }))));
const named = (c: Case) => `${c.upper ? 'upper' : 'lower'}, ${c.left ? 'left' : 'right'}${c.unitriangular ? ', unit diagonal' : ''}`;

/** n × n: a diagonal of ±[1, 2], the triangle ±0.5/√n at most, the other triangle garbage (±1000); f32 values. */
function triangular(n: number, upper: boolean): Float64Array {
  const u = uniform(n * n, -1, 1);
  return asF32(u.map((v, e) => {
    const [i, j] = [Math.floor(e / n), e % n];
    if (i === j) return Math.sign(v || 1) * (1 + Math.abs(v));
    return (upper ? j > i : j < i) ? (0.5 * v) / Math.sqrt(n) : 1000 * v;
  }));
}

/** X = T⁻¹·B [n, k] in float64 by substitution, T read from a's triangle (its diagonal 1 where unit). */
function substitute(a: ArrayLike<number>, n: number, b: ArrayLike<number>, k: number, upper: boolean, unit: boolean): Float64Array {
  const x = Float64Array.from(b);
  const order = Array.from({ length: n }, (_, s) => (upper ? n - 1 - s : s));
  for (const i of order) {
    for (let c = 0; c < k; c++) {
      let s = x[i * k + c];
      for (let j = 0; j < n; j++) if (upper ? j > i : j < i) s -= a[i * n + j] * x[j * k + c];
      x[i * k + c] = unit ? s : s / a[i * n + i];
    }
  }
  return x;
}

/** solveTriangular's reference for one matrix: from the right, X·T = B is Tᵀ·Xᵀ = Bᵀ. b is [n, k] from the left, [k, n] from the right. */
function solveRef(a: Float64Array, n: number, b: Float64Array, k: number, c: Case): Float64Array {
  if (c.left) return substitute(a, n, b, k, c.upper, c.unitriangular);
  return transpose64(substitute(transpose64(a, n, n), n, transpose64(b, k, n), k, !c.upper, c.unitriangular), n, k);
}

describe.each(BACKENDS)('tm.linalg.solveTriangular on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([1, 3, 7, 13, 64])('n = %i: every triangle, side and diagonal, one matrix and a batch [2, 3] with B broadcast along its first axis', async (n) => {
    const before = await collected();
    const k = 5;
    for (const c of CASES) {
      const a = triangular(n, c.upper);
      const b = asF32(uniform(n * k));
      const bShape = c.left ? [n, k] : [k, n];
      const A = tm.tensor(Float32Array.from(a), [n, n]);
      const X = tm.linalg.solveTriangular(A, tm.tensor(Float32Array.from(b), bShape), c);
      expect(X.shape).toEqual(bShape);
      expectNormwise(await X.data(), solveRef(a, n, b, k, c), 1e-5 * Math.max(n, 4), `${named(c)} n=${n}`);
      const as = batchOf(6, () => triangular(n, c.upper));
      const bs = asF32(uniform(3 * n * k));
      const Xs = tm.tidy(() => tm.linalg.solveTriangular(tm.tensor(Float32Array.from(as), [2, 3, n, n]), tm.tensor(Float32Array.from(bs), [3, ...bShape]), c));
      expect(Xs.shape).toEqual([2, 3, ...bShape]);
      const want = eachMatrix(as, 6, (am, m) => solveRef(am, n, bs.subarray((m % 3) * n * k, (m % 3 + 1) * n * k), k, c));
      expectNormwise(await Xs.data(), want, 1e-5 * Math.max(n, 4), `batched ${named(c)} n=${n}`);
      for (const t of [A, X, Xs]) t.dispose();
    }
    expect(await collected()).toBe(before);
  });

  it('f16 in, f16 out; a zero on the diagonal gives ±∞ or NaN, as torch\'s', async () => {
    const a = triangular(4, true);
    const A = tm.tensor(Float32Array.from(a), [4, 4]).cast('f16');
    const held = Float64Array.from(await A.cast('f32').data());
    const X = tm.linalg.solveTriangular(A, tm.ones([4, 2]).cast('f16'), { upper: true });
    expect(X.dtype).toBe('f16');
    expectNormwise(await X.data(), substitute(held, 4, new Float64Array(8).fill(1), 2, true, false), 4e-3, 'f16');
    const singular = await tm.linalg.solveTriangular(tm.tensor([[1, 2], [0, 0]]), tm.tensor([[1], [1]]), { upper: true }).data();
    expect(Array.from(singular).every((v) => !Number.isFinite(v))).toBe(true);
  });

  it('refuses a missing upper, shapes that do not fit and non-float operands, naming them', () => {
    const A = tm.eye(3);
    expect(() => tm.linalg.solveTriangular(A, tm.ones([3, 2]), {} as never)).toThrow('solveTriangular: options must say which triangle of A to read, { upper: true } or { upper: false }');
    expect(() => tm.linalg.solveTriangular(A, tm.ones([3, 2]), undefined as never)).toThrow('solveTriangular: options must say which triangle of A to read');
    expect(() => tm.linalg.solveTriangular(A, tm.ones([3, 2]), { upper: 'yes' } as never)).toThrow('solveTriangular: upper must be true or false, got "yes"');
    expect(() => tm.linalg.solveTriangular(A, tm.ones([2, 3]), { upper: true })).toThrow("solveTriangular: B [2,3] does not match A [3,3]: B needs 3 rows (its second-to-last axis) to solve with A's 3 × 3 matrices from the left");
    expect(() => tm.linalg.solveTriangular(A, tm.ones([3, 2]), { upper: true, left: false })).toThrow("solveTriangular: B [3,2] does not match A [3,3]: B needs 3 columns (its last axis) to solve with A's 3 × 3 matrices from the right");
    expect(() => tm.linalg.solveTriangular(tm.ones([2, 3, 3]), tm.ones([4, 3, 1]), { upper: true })).toThrow('solveTriangular: the batch axes of A [2,3,3] and B [4,3,1] do not broadcast ([2] against [4])');
    expect(() => tm.linalg.solveTriangular(tm.ones([3, 2]), tm.ones([3, 1]), { upper: true })).toThrow('solveTriangular: A must be a square matrix or a batch of them [..., n, n], got [3,2]');
    expect(() => tm.linalg.solveTriangular(A, tm.ones([3]), { upper: true })).toThrow('solveTriangular: B must be a matrix or a batch of them [..., m, n], got [3]');
    expect(() => tm.linalg.solveTriangular(A, tm.ones([3, 1], { dtype: 'i32' }), { upper: true })).toThrow('solveTriangular: B must be a float tensor (f32 or f16), got i32');
  });
});

describe.each(BACKENDS)('tm.linalg.solveTriangular gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(CASES.map((c) => [named(c), c] as const))('%s: dB, and dA on the triangle read only', async (_, c) => {
    const [n, k] = [4, 3];
    const bShape = c.left ? [n, k] : [k, n];
    const ref = (count: number) => (av: Float64Array, bv: Float64Array) => eachMatrix(av, count, (am, m) => solveRef(am, n, bv.subarray(m * n * k, (m + 1) * n * k), k, c));
    await expectGradients([[n, n], bShape], [triangular(n, c.upper), asF32(uniform(n * k))], (A, B) => [tm.linalg.solveTriangular(A, B, c)], ref(1));
    // A broadcast along B's batch: dA sums both matrices' gradients.
    const twice = (v: Float64Array) => Float64Array.of(...v, ...v);
    await expectGradients([[n, n], [2, ...bShape]], [triangular(n, c.upper), asF32(uniform(2 * n * k))], (A, B) => [tm.linalg.solveTriangular(A, B, c)], (av, bv) => ref(2)(twice(av), bv));
  });
});
