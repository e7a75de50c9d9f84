// tm.linalg.geqrf, householderProduct and ormqr against float64 written
// here: LAPACK's Householder QR (slarfg's sign and τ, column by column) and
// the reflections multiplied out one at a time, on fresh random matrices
// of odd sizes, tall, wide and square, one and a batch. Gradients against
// central differences of the same float64 product.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, uniform } from '../../helpers/data.js';
import { eachMatrix, expectGradients, expectNormwise, householderProduct64, matmul64, transpose64 } from '../../helpers/linalg.js';

/** LAPACK's geqrf of a [m, n] in float64: the packed a and tau. */
function geqrf64(a0: ArrayLike<number>, m: number, n: number): { a: Float64Array; tau: Float64Array } {
  const a = Float64Array.from(a0);
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const alpha = a[j * n + j];
    let below = 0;
    for (let i = j + 1; i < m; i++) below += a[i * n + j] ** 2;
    if (below === 0) continue;
    // Fortran's SIGN: −0 counts as negative.
    const beta = (alpha < 0 || Object.is(alpha, -0) ? 1 : -1) * Math.sqrt(alpha * alpha + below);
    tau[j] = (beta - alpha) / beta;
    for (let i = j + 1; i < m; i++) a[i * n + j] /= alpha - beta;
    a[j * n + j] = beta;
    for (let c = j + 1; c < n; c++) {
      let w = a[j * n + c];
      for (let i = j + 1; i < m; i++) w += a[i * n + j] * a[i * n + c];
      a[j * n + c] -= tau[j] * w;
      for (let i = j + 1; i < m; i++) a[i * n + c] -= tau[j] * a[i * n + j] * w;
    }
  }
  return { a, tau };
}

/** The first n columns of q [m, m]. */
const firstColumns = (q: Float64Array, m: number, n: number) => Float64Array.from({ length: m * n }, (_, e) => q[Math.floor(e / n) * m + (e % n)]);

const SHAPES: [number, number][] = [[5, 3], [3, 5], [4, 4], [17, 9], [1, 1]];

describe.each(BACKENDS)('tm.linalg.geqrf, householderProduct and ormqr on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('%i × %i: geqrf matches LAPACK\'s packed form; its reflections rebuild Q with Q·R = A, one matrix and a batch [2]', async (m, n) => {
    const k = Math.min(m, n);
    const a = asF32(uniform(m * n, -1, 1));
    const { a: packed, tau } = tm.linalg.geqrf(tm.tensor(Float32Array.from(a), [m, n]));
    expect(packed.shape).toEqual([m, n]);
    expect(tau.shape).toEqual([k]);
    const want = geqrf64(a, m, n);
    expectNormwise(await packed.data(), want.a, 1e-5 * Math.max(m, 4), `a ${m}×${n}`);
    expectNormwise(await tau.data(), want.tau, 1e-5 * Math.max(m, 4), `tau ${m}×${n}`);
    if (m >= n) {
      const q = tm.linalg.householderProduct(packed, tau);
      const r = tm.triu(packed).slice([0, 0], [n, n]);
      expectNormwise(await q.matmul(r).data(), a, 1e-5 * Math.max(m, 4), `Q·R ${m}×${n}`);
      expectNormwise(await q.transpose().matmul(q).data(), Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 1 : 0)), 1e-5 * Math.max(m, 4), `QᵀQ ${m}×${n}`);
    }
    const batch = asF32(uniform(2 * m * n, -1, 1));
    const both = tm.linalg.geqrf(tm.tensor(Float32Array.from(batch), [2, m, n]));
    expect(both.tau.shape).toEqual([2, k]);
    expectNormwise(await both.a.data(), eachMatrix(batch, 2, (one) => geqrf64(one, m, n).a), 1e-5 * Math.max(m, 4), `batched a ${m}×${n}`);
    expectNormwise(await both.tau.data(), eachMatrix(batch, 2, (one) => geqrf64(one, m, n).tau), 1e-5 * Math.max(m, 4), `batched tau ${m}×${n}`);
  });

  it('geqrf leaves a column with nothing below its diagonal unreflected, τ = 0 exactly, reflects one with a tiny part below, reads α = −0 as negative, and keeps huge and tiny columns finite', async () => {
    const { a, tau } = tm.linalg.geqrf(tm.tensor([[2, 1], [0, 3], [0, 4]]));
    expect(Array.from(await tau.data())[0]).toBe(0);
    expectNormwise(await a.data(), geqrf64([2, 1, 0, 3, 0, 4], 3, 2).a, 1e-6, 'a');
    for (const scale of [1e25, 1e-25]) {
      const x = [3, 1, 4, 1, 5, 9].map((v) => v * scale);
      const { a: big, tau: t } = tm.linalg.geqrf(tm.tensor(x, [3, 2]));
      const want = geqrf64(x, 3, 2);
      expectNormwise(await big.data(), want.a, 1e-5, `a at scale ${scale}`);
      expectNormwise(await t.data(), want.tau, 1e-5, `tau at scale ${scale}`);
    }
    // A part below the diagonal far smaller than α still reflects (τ = 2, as LAPACK), and α = −0 takes β > 0, as Fortran's SIGN.
    for (const [x, tauWant] of [[[1, 1, 1e-30, 3], 2], [[-0, 1, 3, 3, 4, 4], NaN]] as const) {
      const rows = x.length / 2;
      const got = tm.linalg.geqrf(tm.tensor([...x], [rows, 2]));
      const want = geqrf64(x, rows, 2);
      if (!Number.isNaN(tauWant)) expect(want.tau[0]).toBe(tauWant);
      expectNormwise(await got.a.data(), want.a, 1e-6, `a of ${x}`);
      expectNormwise(await got.tau.data(), want.tau, 1e-6, `tau of ${x}`);
    }
    const zero = tm.linalg.geqrf(tm.zeros([3, 3]));
    expect(Array.from(await zero.tau.data())).toEqual([0, 0, 0]);
    expect(Array.from(await zero.a.data()).every((v) => v === 0)).toBe(true);
  });

  it.each([[7, 5, 3], [6, 6, 6], [9, 4, 0], [4, 2, 2]])('householderProduct of %i × %i with %i arbitrary reflections (some τ = 0) matches them multiplied out, one and a batch [3]', async (m, n, k) => {
    const make = () => {
      const tau = asF32(uniform(k, 0, 2));
      if (k > 1) tau[1] = 0;
      return { a: asF32(uniform(m * n, -1, 1)), tau };
    };
    const one = make();
    const q = tm.linalg.householderProduct(tm.tensor(Float32Array.from(one.a), [m, n]), tm.tensor(Float32Array.from(one.tau), [k]));
    expect(q.shape).toEqual([m, n]);
    expectNormwise(await q.data(), firstColumns(householderProduct64(one.a, m, n, one.tau), m, n), 1e-5 * Math.max(m, 4), `${m}×${n}, k = ${k}`);
    const three = [make(), make(), make()];
    const qs = tm.linalg.householderProduct(
      tm.tensor(Float32Array.from(three.flatMap((t) => Array.from(t.a))), [3, m, n]),
      tm.tensor(Float32Array.from(three.flatMap((t) => Array.from(t.tau))), [3, k]),
    );
    expectNormwise(await qs.data(), Float64Array.from(three.flatMap((t) => Array.from(firstColumns(householderProduct64(t.a, m, n, t.tau), m, n)))), 1e-5 * Math.max(m, 4), `batched ${m}×${n}`);
  });

  it.each([[6, 4], [5, 5], [3, 7]])('ormqr with A %i × %i: Q·C, Qᵀ·C, C·Q and C·Qᵀ match the float64 Q multiplied in, one and a batch [2]', async (m, cols) => {
    const k = Math.min(m, cols);
    const a = asF32(uniform(2 * m * cols, -1, 1));
    const tau = asF32(uniform(2 * k, 0, 2));
    const c = asF32(uniform(2 * m * 3, -1, 1));
    const A = tm.tensor(Float32Array.from(a), [2, m, cols]);
    const T = tm.tensor(Float32Array.from(tau), [2, k]);
    const qs = [0, 1].map((b) => householderProduct64(a.subarray(b * m * cols, (b + 1) * m * cols), m, cols, tau.subarray(b * k, (b + 1) * k)));
    for (const left of [true, false]) {
      for (const transpose of [false, true]) {
        const C = tm.tensor(Float32Array.from(c), left ? [2, m, 3] : [2, 3, m]);
        const got = tm.linalg.ormqr(A, T, C, { left, transpose });
        expect(got.shape).toEqual(C.shape);
        const want = eachMatrix(c, 2, (cm, b) => {
          const q = transpose ? transpose64(qs[b], m, m) : qs[b];
          return left ? matmul64(q, cm, m, m, 3) : matmul64(cm, q, 3, m, m);
        });
        expectNormwise(await got.data(), want, 1e-5 * Math.max(m, 4), `left=${left} transpose=${transpose}`);
      }
    }
  });

  it('f16 in, f16 out; empty matrices give empty results', async () => {
    const a = asF32(uniform(12, -1, 1));
    const { a: packed, tau } = tm.linalg.geqrf(tm.tensor(Float32Array.from(a), [4, 3]).cast('f16'));
    expect([packed.dtype, tau.dtype]).toEqual(['f16', 'f16']);
    const q = tm.linalg.householderProduct(packed, tau);
    expect(q.dtype).toBe('f16');
    expectNormwise(await q.matmul(tm.triu(packed).slice([0, 0], [3, 3])).data(), a, 1e-2, 'f16 Q·R');
    const empty = tm.linalg.geqrf(tm.zeros([2, 0, 3]));
    expect([empty.a.shape, empty.tau.shape]).toEqual([[2, 0, 3], [2, 0]]);
    expect(tm.linalg.householderProduct(tm.zeros([3, 0]), tm.zeros([0])).shape).toEqual([3, 0]);
  });

  it('refuses shapes that do not fit, naming both', () => {
    expect(() => tm.linalg.householderProduct(tm.zeros([2, 3]), tm.zeros([2]))).toThrow(/householderProduct: A \[2,3\] has fewer rows than columns/);
    expect(() => tm.linalg.householderProduct(tm.zeros([4, 3]), tm.zeros([4]))).toThrow(/householderProduct: tau \[4\] holds 4 reflections, more than A \[4,3\] has columns \(3\)/);
    expect(() => tm.linalg.householderProduct(tm.zeros([2, 4, 3]), tm.zeros([3, 2]))).toThrow(/tau \[3,2\] does not match A \[2,4,3\]: tau must be \[\.\.\.batch, k\] with A's batch axes \[2\]/);
    expect(() => tm.linalg.householderProduct(tm.zeros([4, 3], { dtype: 'i32' }), tm.zeros([2]))).toThrow(/A must be a float tensor/);
    expect(() => tm.linalg.ormqr(tm.zeros([4, 3]), tm.zeros([3]), tm.zeros([3, 2]))).toThrow(/ormqr: C \[3,2\] does not match A \[4,3\]: C needs A's batch axes and 4 rows/);
    expect(() => tm.linalg.ormqr(tm.zeros([4, 3]), tm.zeros([3]), tm.zeros([4, 2]), { left: false })).toThrow(/4 columns \(its last axis\)/);
    expect(() => tm.linalg.ormqr(tm.zeros([4, 3]), tm.zeros([3]), tm.zeros([4, 2]), { side: 'left' } as never)).toThrow(/side/);
    expect(() => tm.linalg.geqrf(tm.zeros([3]))).toThrow(/geqrf: A must be a matrix/);
  });
});

describe.each(BACKENDS)('householderProduct and ormqr gradients on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[5, 3, 2], [4, 4, 4]])('householderProduct %i × %i, k = %i: dA below the diagonal (zero on and above) and dτ', async (m, n, k) => {
    await expectGradients([[m, n], [k]], [asF32(uniform(m * n, -1, 1)), asF32(uniform(k, 0.5, 1.5))],
      (a, tau) => [tm.linalg.householderProduct(a, tau)],
      (a, tau) => firstColumns(householderProduct64(a, m, n, tau), m, n));
  });

  it.each([[true, false], [false, true]])('ormqr, left = %s, transpose = %s: dA, dτ and dC', async (left, transpose) => {
    const m = 4;
    const cShape = left ? [m, 2] : [2, m];
    await expectGradients([[m, 3], [3], cShape], [asF32(uniform(m * 3, -1, 1)), asF32(uniform(3, 0.5, 1.5)), asF32(uniform(2 * m, -1, 1))],
      (a, tau, c) => [tm.linalg.ormqr(a, tau, c, { left, transpose })],
      (a, tau, c) => {
        const q0 = householderProduct64(a, m, 3, tau);
        const q = transpose ? transpose64(q0, m, m) : q0;
        return left ? matmul64(q, c, m, m, 2) : matmul64(c, q, 2, m, m);
      });
  });
});
