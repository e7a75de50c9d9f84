// tm.linalg.choleskySolve and choleskyInverse against float64 substitution
// written here, from factors of fresh random symmetric positive definite
// matrices whose other triangle holds garbage that must not be read: lower
// and upper factors, one system and a batch with B broadcast. Gradients
// against central differences of the same substitution.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, uniform } from '../../helpers/data.js';
import { cholesky64, randomSpd } from '../../helpers/distributions.js';
import { batchOf, eachMatrix, expectGradients, expectNormwise, transpose64 } from '../../helpers/linalg.js';

/** X = (L·Lᵀ)⁻¹·B [n, k] in float64, L read from the lower triangle of l: forward substitution, then back with Lᵀ. */
function solveRef(l: ArrayLike<number>, n: number, b: ArrayLike<number>, k: number): Float64Array {
  const x = Float64Array.from(b);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) x[i * k + c] -= l[i * n + j] * x[j * k + c];
      x[i * k + c] /= l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let j = i + 1; j < n; j++) x[i * k + c] -= l[j * n + i] * x[j * k + c];
      x[i * k + c] /= l[i * n + i];
    }
  }
  return x;
}

/** The Cholesky factor of a random SPD n × n matrix in f32, with ±1000 garbage in its other triangle; `upper` gives Lᵀ's layout. */
function factor(n: number, upper: boolean): Float64Array {
  const l = asF32(cholesky64(randomSpd(n), n));
  const garbage = uniform(n * n, -1000, 1000);
  const withGarbage = l.map((v, e) => (e % n > Math.floor(e / n) ? garbage[e] : v));
  return upper ? transpose64(withGarbage, n, n) : withGarbage;
}

/** The lower factor read from f (transposed back where upper). */
const lowerOf = (f: Float64Array, n: number, upper: boolean) => (upper ? transpose64(f, n, n) : f);

describe.each(BACKENDS)('tm.linalg.choleskySolve and choleskyInverse on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([1, 4, 17])('n = %i: lower and upper factors, one system and a batch [2] with B broadcast; the inverse', async (n) => {
    const k = 3;
    for (const upper of [false, true]) {
      const f = factor(n, upper);
      const b = asF32(uniform(n * k));
      const X = tm.linalg.choleskySolve(tm.tensor(Float32Array.from(b), [n, k]), tm.tensor(Float32Array.from(f), [n, n]), { upper });
      expectNormwise(await X.data(), solveRef(lowerOf(f, n, upper), n, b, k), 1e-5 * Math.max(n, 4), `n=${n} upper=${upper}`);
      const fs = batchOf(2, () => factor(n, upper));
      const Xs = tm.linalg.choleskySolve(tm.tensor(Float32Array.from(b), [n, k]), tm.tensor(Float32Array.from(fs), [2, n, n]), { upper });
      expect(Xs.shape).toEqual([2, n, k]);
      expectNormwise(await Xs.data(), eachMatrix(fs, 2, (fm) => solveRef(lowerOf(Float64Array.from(fm), n, upper), n, b, k)), 1e-5 * Math.max(n, 4), `batched n=${n} upper=${upper}`);
      const inverse = tm.linalg.choleskyInverse(tm.tensor(Float32Array.from(f), [n, n]), { upper });
      const identity = Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 1 : 0));
      expectNormwise(await inverse.data(), solveRef(lowerOf(f, n, upper), n, identity, n), 1e-5 * Math.max(n, 4), `inverse n=${n} upper=${upper}`);
    }
  });

  it('f16 in, f16 out; refuses shapes that do not fit and a bad option, naming them', async () => {
    const n = 4;
    const f = factor(n, false);
    const L = tm.tensor(Float32Array.from(f), [n, n]).cast('f16');
    const held = Float64Array.from(await L.cast('f32').data());
    const X = tm.linalg.choleskySolve(tm.ones([n, 1], { dtype: 'f16' }), L);
    expect(X.dtype).toBe('f16');
    expectNormwise(await X.data(), solveRef(held, n, new Float64Array(n).fill(1), 1), 4e-3, 'f16');
    expect(tm.linalg.choleskyInverse(L).dtype).toBe('f16');
    expect(() => tm.linalg.choleskySolve(tm.ones([3, 1]), tm.eye(4))).toThrow('choleskySolve: B [3,1] does not match L [4,4]: B needs 4 rows (its second-to-last axis) to solve with 4 × 4 factors');
    expect(() => tm.linalg.choleskySolve(tm.ones([4]), tm.eye(4))).toThrow('choleskySolve: B must be a matrix or a batch of them [..., m, n], got [4]');
    expect(() => tm.linalg.choleskySolve(tm.ones([4, 1]), tm.ones([4, 3]))).toThrow('choleskySolve: L must be a square matrix or a batch of them [..., n, n], got [4,3]');
    expect(() => tm.linalg.choleskyInverse(tm.eye(2), { upper: 1 } as never)).toThrow('choleskyInverse: upper must be true or false, got 1');
  });
});

describe.each(BACKENDS)('tm.linalg.choleskySolve gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([false, true])('upper %s: dB, and dL on the factor\'s triangle only; choleskyInverse\'s dL', async (upper) => {
    const [n, k] = [4, 2];
    await expectGradients([[n, k], [n, n]], [asF32(uniform(n * k)), factor(n, upper)], (B, L) => [tm.linalg.choleskySolve(B, L, { upper })], (bv, fv) => solveRef(lowerOf(fv, n, upper), n, bv, k));
    const identity = Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 1 : 0));
    await expectGradients([[n, n]], [factor(n, upper)], (L) => [tm.linalg.choleskyInverse(L, { upper })], (fv) => solveRef(lowerOf(fv, n, upper), n, identity, n));
    // A Gaussian process's use: the inverse of A = L·Lᵀ from cholesky's factor, differentiated through both to A
    // (cholesky's gradient is the symmetric one, PyTorch's: that of A's symmetric part).
    await expectGradients([[n, n]], [randomSpd(n)], (A) => [tm.linalg.choleskyInverse(tm.linalg.cholesky(A))], (av) => {
      const symmetric = av.map((v, e) => (v + av[(e % n) * n + Math.floor(e / n)]) / 2);
      return solveRef(cholesky64(symmetric, n), n, identity, n);
    });
  });
});
