// tm.linalg.qr against a float64 Householder QR written in the test (each
// reflector a full matrix), on fresh well-conditioned random matrices of
// square, tall and wide shapes: Q orthonormal, R upper triangular, Q·R = A
// in float64, and Q and R the reference's, signs included (LAPACK's and
// PyTorch's convention). Gradients against central differences of the
// same reference.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, expectExact } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { batchOf, eachMatrix, expectGradients, expectNormwise, householderQr, matmul64, transpose64, wellConditioned } from '../../helpers/linalg.js';

const SHAPES: [number, number][] = [[1, 1], [3, 3], [7, 5], [5, 7], [13, 13], [64, 33], [1, 4], [4, 1]];

describe.each(BACKENDS)('tm.linalg.qr on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('%i × %i, one matrix and a batch [2, 3], reduced and complete: the float64 Householder QR', async (m, n) => {
    const before = await collected();
    for (const mode of ['reduced', 'complete'] as const) {
      const c = mode === 'complete' ? m : Math.min(m, n);
      for (const batch of [[], [2, 3]]) {
        const count = batch.reduce((p, d) => p * d, 1);
        const a = batchOf(count, () => wellConditioned(m, n));
        const A = tm.tensor(Float32Array.from(a), [...batch, m, n]);
        const { q: Q, r: R } = tm.linalg.qr(A, { mode });
        expect(Q.shape).toEqual([...batch, m, c]);
        expect(R.shape).toEqual([...batch, c, n]);
        const [q, r] = [Float64Array.from(await Q.data()), Float64Array.from(await R.data())];
        const what = `${mode} ${m}×${n} batch [${batch}]`;
        const ref = eachMatrix(a, count, (am) => {
          const { q: rq, r: rr } = householderQr(am, m, n, mode === 'complete');
          return [...rq, ...rr];
        });
        const [qs, rs] = [m * c, c * n];
        expectNormwise(eachMatrix(q, count, (qm, b) => [...qm, ...r.subarray(b * rs, (b + 1) * rs)]), ref, 1e-5 * Math.max(m, n), `${what}: Q and R`);
        for (let b = 0; b < count; b++) {
          const qm = q.subarray(b * qs, (b + 1) * qs);
          const rm = r.subarray(b * rs, (b + 1) * rs);
          // R upper triangular: exact zeros below its diagonal.
          const below = Array.from(rm).filter((_, i) => i % n < Math.floor(i / n));
          expectExact(below, new Array(below.length).fill(0), `${what}: R below its diagonal`);
          const identity = Float64Array.from({ length: c * c }, (_, i) => (i % (c + 1) === 0 ? 1 : 0));
          expectClose(matmul64(transpose64(qm, m, c), qm, c, m, c), identity, 1e-5 * Math.max(m, 4), `${what}: QᵀQ = I`);
          expectNormwise(matmul64(qm, rm, m, c, n), a.subarray(b * m * n, (b + 1) * m * n), 1e-5 * Math.max(m, 4), `${what}: Q·R = A`);
        }
        for (const t of [A, Q, R]) t.dispose();
      }
    }
    expect(await collected()).toBe(before);
  });

  it("mode 'r': R as 'reduced' gives it, Q empty; f16 in, f16 out", async () => {
    const a = wellConditioned(6, 4);
    const A = tm.tensor(Float32Array.from(a), [6, 4]);
    const { q, r } = tm.linalg.qr(A, { mode: 'r' });
    expect(q.shape).toEqual([0]);
    expect(Array.from(await r.data())).toEqual(Array.from(await tm.linalg.qr(A).r.data()));
    const half = tm.linalg.qr(A.cast('f16'));
    expect([half.q.dtype, half.r.dtype]).toEqual(['f16', 'f16']);
    const held = Float64Array.from(await A.cast('f16').data());
    expectNormwise(await half.r.data(), householderQr(held, 6, 4).r, 2e-3, 'f16 R');
  });

  it("a column already zero below the diagonal is not reflected: R keeps its sign, as LAPACK's", async () => {
    // Column 0 is −2·e₀: no reflector, R[0, 0] = −2; the rest reduces as usual.
    const { q, r } = tm.linalg.qr(tm.tensor([[-2, 1], [0, 3], [0, 4]]));
    expectClose(await r.data(), [-2, 1, 0, -5], 1e-6, 'R');
    expectClose(await q.data(), [1, 0, 0, -0.6, 0, -0.8], 1e-6, 'Q');
    // Rank deficient still factors: a zero column gives a zero on R's diagonal.
    const z = tm.linalg.qr(tm.tensor([[0, 1], [0, 1], [0, 1]]));
    expectClose(await z.r.data(), [0, 1, 0, -Math.SQRT2], 1e-6, 'R of a zero column');
  });

  it('empty matrices: Q the identity\'s first columns, R zeros', async () => {
    const { q, r } = tm.linalg.qr(tm.zeros([3, 0]), { mode: 'complete' });
    expect(await q.array()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(r.shape).toEqual([3, 0]);
    const reduced = tm.linalg.qr(tm.zeros([2, 0, 4]));
    expect([reduced.q.shape, reduced.r.shape]).toEqual([[2, 0, 0], [2, 0, 4]]);
    expect(tm.linalg.qr(tm.zeros([0, 5, 3])).q.shape).toEqual([0, 5, 3]);
  });

  it('refuses what is not a batch of float matrices, and unknown modes and options', () => {
    expect(() => tm.linalg.qr(tm.ones([3]))).toThrow('qr: A must be a matrix or a batch of them [..., m, n], got [3]');
    expect(() => tm.linalg.qr(tm.ones([3, 3], { dtype: 'i32' }))).toThrow('qr: A must be a float tensor (f32 or f16), got i32');
    expect(() => tm.linalg.qr(tm.ones([3, 3]), { mode: 'full' as never })).toThrow("qr: mode must be 'reduced', 'complete' or 'r', got \"full\"");
    expect(() => tm.linalg.qr(tm.ones([3, 3]), { some: true } as never)).toThrow('qr: unknown option "some"; the options are mode');
  });
});

describe.each(BACKENDS)('tm.linalg.qr gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** Q's values then R's of each matrix of a batch, by the reference. */
  const qrRef = (count: number, m: number, n: number, complete = false) => (a: Float64Array) =>
    eachMatrix(a, count, (am) => {
      const { q, r } = householderQr(am, m, n, complete);
      return [...q, ...r];
    });
  /** The tensor outputs in the reference's order: Q then R for each matrix. */
  const qAndR = (count: number, mode: 'reduced' | 'complete' = 'reduced') => (A: tm.Tensor) => {
    const { q, r } = tm.linalg.qr(A, { mode });
    const [m, n] = A.shape.slice(-2);
    const c = q.shape[q.rank - 1];
    return [tm.concat([q.reshape([count, m * c]), r.reshape([count, c * n])], 1)];
  };

  it.each([[4, 4], [5, 3], [7, 1], [1, 1]])('reduced, %i × %i, one matrix and a batch of two', async (m, n) => {
    await expectGradients([[m, n]], [wellConditioned(m, n)], qAndR(1), qrRef(1, m, n));
    await expectGradients([[2, m, n]], [batchOf(2, () => wellConditioned(m, n))], qAndR(2), qrRef(2, m, n));
  });

  it.each([[3, 5], [2, 7], [1, 3]])('a wide %i × %i: reduced and complete (the same factors)', async (m, n) => {
    await expectGradients([[m, n]], [wellConditioned(m, n)], qAndR(1), qrRef(1, m, n));
    await expectGradients([[2, m, n]], [batchOf(2, () => wellConditioned(m, n))], qAndR(2, 'complete'), qrRef(2, m, n, true));
  });

  it("only Q, only R, and mode 'r' (which PyTorch refuses to differentiate; Q is computed here either way)", async () => {
    const a = wellConditioned(6, 4);
    await expectGradients([[6, 4]], [a], (A) => [tm.linalg.qr(A).q], (av) => householderQr(av, 6, 4).q);
    await expectGradients([[6, 4]], [a], (A) => [tm.linalg.qr(A).r], (av) => householderQr(av, 6, 4).r);
    await expectGradients([[6, 4]], [a], (A) => [tm.linalg.qr(A, { mode: 'r' }).r], (av) => householderQr(av, 6, 4).r);
  });

  it('a complete Q of a tall matrix has no gradient: refused, as PyTorch refuses it', () => {
    const A = tm.tensor(Float32Array.from(wellConditioned(5, 3)), [5, 3]);
    A.requiresGrad = true;
    const { q } = tm.linalg.qr(A, { mode: 'complete' });
    expect(() => q.sum().backward()).toThrow("qr's gradient: A [5,3] has more rows than columns (5 > 3), and a complete Q's last 2 columns are an arbitrary orthonormal completion, not a function of A: no gradient (PyTorch refuses it too); use mode 'reduced'");
  });
});
