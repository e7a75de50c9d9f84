// tm.linalg.eigh and eigvalsh: eigenvalues against known spectra (matrices
// made as Q·diag(λ)·Qᵀ, repeated and clustered eigenvalues included) and
// against a float64 Jacobi eigensolver for random symmetric matrices;
// eigenvectors, whose signs (and bases of repeated eigenvalues) are not
// unique, by A·V = V·diag(λ) and VᵀV = I. Gradients against float64
// central differences of the reference, on well-separated spectra.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectNothingLeftBehind, expectSiblingsFreedInAnyOrder, type Decomposition } from '../../helpers/siblings.js';
import { collected } from '../../helpers/gc.js';
import { SEED, asF32, expectClose, expectExact, uniform } from '../../helpers/data.js';
import { eigenRef, identity, maxDifference, product, randomSymmetric, transposed, withEigenvalues } from '../../helpers/spectral.js';

/** Three spectra for n × n: none (a random symmetric matrix), one with eigenvalues repeated, one with a tight cluster. */
function testMatrices(n: number): { a: Float64Array; values: Float64Array }[] {
  const known = (values: number[]) => ({ a: withEigenvalues(values), values: Float64Array.from(values).sort() });
  const random = randomSymmetric(n);
  return [
    { a: random, values: eigenRef(random, n).values },
    known(Array.from({ length: n }, (_, i) => [2, -1, 2, 0.5][i % 4])),
    known(Array.from({ length: n }, (_, i) => (i % 2 ? 1 + i * 1e-4 : -3 + i * 0.25))),
  ];
}

describe.each(BACKENDS)('tm.linalg.eigh on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([1, 2, 7, 13, 33])('n = %i: eigenvalues match float64, A·V = V·diag(λ) and VᵀV = I, for a random, a repeated and a clustered spectrum in one batch', async (n) => {
    const before = await collected();
    const cases = testMatrices(n);
    const A = tm.tensor(Float32Array.from(cases.flatMap(({ a }) => Array.from(a))), [3, n, n]);
    const { values, vectors } = tm.linalg.eigh(A);
    expect(values.shape).toEqual([3, n]);
    expect(vectors.shape).toEqual([3, n, n]);
    const [lambda, v] = [await values.data(), await vectors.data()];
    cases.forEach(({ a, values: want }, b) => {
      const scale = Math.max(...Array.from(want, Math.abs), 1e-30);
      const tol = 2e-5 * scale;
      const l = lambda.subarray(b * n, (b + 1) * n);
      const vb = Float64Array.from(v.subarray(b * n * n, (b + 1) * n * n));
      const what = `matrix ${b}, n=${n}`;
      expectClose(l, want, 2e-5, `eigenvalues of ${what}`, new Float64Array(n).fill(scale));
      for (let i = 1; i < n; i++) expect(l[i], `ascending, ${what}`).toBeGreaterThanOrEqual(l[i - 1]);
      const av = product(a, vb, n, n, n);
      const vl = vb.map((x, i) => x * l[i % n]);
      expect(maxDifference(av, vl), `A·V − V·diag(λ) of ${what} (seed ${SEED})`).toBeLessThanOrEqual(tol);
      expect(maxDifference(product(transposed(vb, n, n), vb, n, n, n), identity(n)), `VᵀV − I of ${what} (seed ${SEED})`).toBeLessThanOrEqual(2e-5 * Math.sqrt(n));
    });
    // eigvalsh is eigh's values; { upper: true } reads the upper triangle and nothing below it.
    const only = tm.linalg.eigvalsh(A);
    expectExact(await only.data(), lambda, 'eigvalsh');
    const spoiled = tm.tidy(() => tm.add(tm.triu(A.transpose([0, 2, 1])), tm.tril(tm.fill([3, n, n], 1e3), -1)));
    const upper = tm.linalg.eigvalsh(spoiled, { upper: true });
    expectExact(await upper.data(), lambda, 'eigvalsh of the upper triangle');
    for (const t of [A, values, vectors, only, spoiled, upper]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('a batch [2, 2] of 4 × 4; diagonal and 1 × 1 matrices exactly; f16 in and out', async () => {
    const a = Array.from({ length: 4 }, () => Array.from(randomSymmetric(4))).flat();
    const { values, vectors } = tm.linalg.eigh(tm.tensor(a, [2, 2, 4, 4]));
    expect([values.shape, vectors.shape]).toEqual([[2, 2, 4], [2, 2, 4, 4]]);
    const lambda = await values.data();
    for (let b = 0; b < 4; b++) expectClose(lambda.subarray(b * 4, b * 4 + 4), eigenRef(a.slice(b * 16, b * 16 + 16), 4).values, 2e-5, `matrix ${b}`);
    expect(await tm.linalg.eigvalsh(tm.tensor([[3, 0, 0], [0, -1, 0], [0, 0, 2]])).array()).toEqual([-1, 2, 3]);
    const one = tm.linalg.eigh(tm.tensor([[-2.5]]));
    expect([await one.values.array(), await one.vectors.array()]).toEqual([[-2.5], [[1]]]);
    const half = tm.linalg.eigh(tm.tensor([[2, 1], [1, 2]]).cast('f16'));
    expect([half.values.dtype, half.vectors.dtype]).toEqual(['f16', 'f16']);
    expectClose(await half.values.data(), [1, 3], 2e-3, 'f16 eigenvalues');
  });

  it('empty batches and 0 × 0 matrices give empty results', () => {
    const { values, vectors } = tm.linalg.eigh(tm.zeros([0, 3, 3]));
    expect([values.shape, vectors.shape]).toEqual([[0, 3], [0, 3, 3]]);
    expect(tm.linalg.eigvalsh(tm.zeros([2, 0, 0])).shape).toEqual([2, 0]);
  });

  const decomposition: Decomposition = { both: (x) => tm.linalg.eigh(x), values: (x) => tm.linalg.eigvalsh(x), real: (v) => v };

  it('backward passes that free one of values and vectors before the other: either order, one held elsewhere, a second derivative', async () => {
    const x = tm.tensor(Float32Array.from(randomSymmetric(4)), [4, 4]);
    x.requiresGrad = true;
    await expectSiblingsFreedInAnyOrder(x, decomposition);
  });

  it('leaves nothing behind once its outputs are disposed, with or without a retained backward pass (values and vectors hold one another)', () => {
    const x = tm.tensor(Float32Array.from(randomSymmetric(4)), [4, 4]);
    x.requiresGrad = true;
    expectNothingLeftBehind(x, decomposition);
  });

  it('refuses what is not a batch of float square matrices, and unknown options, naming them', () => {
    expect(() => tm.linalg.eigh(tm.ones([3, 4]))).toThrow('eigh: A must be a square matrix or a batch of them [..., n, n], got [3,4]');
    expect(() => tm.linalg.eigvalsh(tm.ones([3]))).toThrow('eigvalsh: A must be a square matrix or a batch of them [..., n, n], got [3]');
    expect(() => tm.linalg.eigh(tm.ones([3, 3], { dtype: 'i32' }))).toThrow('eigh: A must be a float tensor (f32 or f16), got i32');
    expect(() => tm.linalg.eigh(tm.eye(3), { upper: 'U' as unknown as boolean })).toThrow('eigh: upper must be true or false, got "U"');
    expect(() => tm.linalg.eigvalsh(tm.eye(3), { UPLO: 'U' } as never)).toThrow('eigvalsh: unknown option "UPLO"');
  });
});

describe.each(BACKENDS)('tm.linalg.eigh gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /**
   * d loss / dA for symmetric A [count, n, n], against central differences
   * of `ref` (float64) moving A[i, j] and A[j, i] together: the gradient of
   * a function of a symmetric matrix, which eigh's (symmetric) gives as
   * dA[i, j] + dA[j, i] off the diagonal.
   */
  async function check(a: Float64Array, count: number, n: number, loss: (A: tm.Tensor) => tm.Tensor, ref: (a: Float64Array) => number) {
    const before = await collected();
    const A = tm.tensor(Float32Array.from(a), [count, n, n]);
    A.requiresGrad = true;
    const l = tm.tidy(() => loss(A));
    l.backward();
    const got = await A.grad!.data();
    for (let b = 0; b < count; b++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          const [ij, ji] = [b * n * n + i * n + j, b * n * n + j * n + i];
          const moved = (h: number) => {
            const w = a.slice();
            w[ij] += h;
            if (i !== j) w[ji] += h;
            return ref(w);
          };
          const h = 1e-6;
          const want = (moved(h) - moved(-h)) / (2 * h);
          const g = i === j ? got[ij] : got[ij] + got[ji];
          expect(Math.abs(g - want), `d/dA[${b}, ${i}, ${j}]: got ${g}, want ${want} (seed ${SEED})`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(want)));
          expect(got[ij], 'symmetric').toBeCloseTo(got[ji], 5);
        }
      }
    }
    for (const t of [l, A.grad!, A]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  }

  /** Two matrices with well-separated eigenvalues (gaps ≥ 0.5) in a random basis. */
  const separated = (n: number) => Float64Array.from([...withEigenvalues([-2, -0.5, 1, 2.5].slice(0, n)), ...withEigenvalues([3, 1.5, -1, 0.2].slice(0, n))]);

  it.each([1, 2, 4])('n = %i: values and the squares of the vectors (sign-free) through PyTorch\'s formula', async (n) => {
    const r = asF32(uniform(2 * n, -1, 1));
    const rv = asF32(uniform(2 * n * n, -1, 1));
    await check(separated(n), 2, n, (A) => {
      const { values, vectors } = tm.linalg.eigh(A);
      return tm.add(tm.sum(tm.mul(values, tm.tensor(Float32Array.from(r), [2, n]))), tm.sum(tm.mul(tm.square(vectors), tm.tensor(Float32Array.from(rv), [2, n, n]))));
    }, (a) => {
      let s = 0;
      for (let b = 0; b < 2; b++) {
        const { values, vectors } = eigenRef(a.subarray(b * n * n, (b + 1) * n * n), n);
        values.forEach((x, i) => (s += r[b * n + i] * x));
        vectors.forEach((x, i) => (s += rv[b * n * n + i] * x * x));
      }
      return s;
    });
  });

  it('eigvalsh alone: V·diag(dλ)·Vᵀ, through an upper triangle too; the trace\'s gradient I even where every eigenvalue repeats', async () => {
    const n = 4;
    const r = asF32(uniform(2 * n, -1, 1));
    const ref = (a: Float64Array) => [0, 1].reduce((s, b) => s + eigenRef(a.subarray(b * n * n, (b + 1) * n * n), n).values.reduce((t, x, i) => t + r[b * n + i] * x, 0), 0);
    const weights = () => tm.tensor(Float32Array.from(r), [2, n]);
    await check(separated(n), 2, n, (A) => tm.sum(tm.mul(tm.linalg.eigvalsh(A), weights())), ref);
    await check(separated(n), 2, n, (A) => tm.sum(tm.mul(tm.linalg.eigvalsh(A, { upper: true }), weights())), ref);
    const I = tm.eye(3);
    I.requiresGrad = true;
    tm.linalg.eigvalsh(I).sum().backward();
    expectClose(await I.grad!.data(), identity(3), 1e-6, 'd trace / dA at A = I');
  });

  it('eigvalsh\'s gradient is differentiable again: Σλ² = ‖S‖²_F for S the matrix the lower triangle stands for, its gradient 2S and that of ⟨2S, E⟩ E + Eᵀ (PyTorch\'s, symmetric)', async () => {
    // Eigenvalues 1 apart or more: the vectors' part of the second derivative divides by their gaps.
    const n = 5;
    const a = asF32(withEigenvalues([-2, -0.5, 1, 2.5, 4]));
    const e = asF32(uniform(n * n, -1, 1));
    const mirrored = a.map((_, i) => a[Math.max(Math.floor(i / n), i % n) * n + Math.min(Math.floor(i / n), i % n)]);
    const x = tm.tensor(Float32Array.from(a), [n, n]);
    x.requiresGrad = true;
    const [g] = tm.grad(tm.sum(tm.square(tm.linalg.eigvalsh(x))), [x], { createGraph: true });
    expectClose(await g.data(), mirrored.map((v) => 2 * v), 1e-4, 'd Σλ² / dA', a.map(() => 8));
    const [gg] = tm.grad(tm.sum(tm.mul(g, tm.tensor(Float32Array.from(e), [n, n]))), [x]);
    expectClose(await gg.data(), e.map((v, i) => v + e[(i % n) * n + Math.floor(i / n)]), 1e-3, 'd⟨g, E⟩ / dA', e.map(() => 4));
  });
});
