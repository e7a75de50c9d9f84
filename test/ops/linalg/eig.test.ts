// tm.linalg.eig and eigvals on every backend: eigenvalues against known
// spectra (A = S·B·S⁻¹ in float64 for B block diagonal: real values and 2×2
// blocks [[a, b], [−b, a]] for the pairs a ± ib, some repeated), and for
// random matrices against float64 invariants (their sum is the trace, their
// product the determinant); eigenvectors, which backends may order
// differently, by A·V = V·diag(λ), unit norm and the phase convention (the
// entry of largest modulus real and positive); conjugate pairs adjacent;
// special matrices exactly (I, 0, a rotation, a Jordan block); NaN through;
// gradients against PyTorch's in float64 (test/fixtures/linalg/eig_grad.npz,
// scripts/make-linalg-fixtures.py); bad input refused by name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectNothingLeftBehind, expectSiblingsFreedInAnyOrder, type Decomposition } from '../../helpers/siblings.js';
import { SEED, asF32, expectClose, randomInts, uniform } from '../../helpers/data.js';
import { inverse64, matmul64, wellConditioned } from '../../helpers/linalg.js';

const fixtures = new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'linalg', 'eig_grad.npz')));

type Complex = [number, number];

/** A (f32 values) with eigenvalues `spectrum`, a pair a ± ib given once as [a, b] (b > 0): S·B·S⁻¹ for a well-conditioned S. */
function withSpectrum(spectrum: Complex[]): { a: Float64Array; n: number; values: Complex[] } {
  const n = spectrum.reduce((s, [, b]) => s + (b ? 2 : 1), 0);
  const block = new Float64Array(n * n);
  const values: Complex[] = [];
  let at = 0;
  for (const [re, im] of spectrum) {
    block[at * n + at] = re;
    if (im) {
      block[at * n + at + 1] = im;
      block[(at + 1) * n + at] = -im;
      block[(at + 1) * n + at + 1] = re;
      values.push([re, im], [re, -im]);
      at += 2;
    } else {
      values.push([re, 0]);
      at += 1;
    }
  }
  const s = wellConditioned(n, n);
  return { a: asF32(matmul64(matmul64(s, block, n, n, n), inverse64(s, n), n, n, n)), n, values };
}

/** The determinant of a [n, n] in float64 (Gaussian elimination with partial pivoting). */
function det64(a: ArrayLike<number>, n: number): number {
  const m = Float64Array.from(a);
  let d = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[p * n + k])) p = i;
    if (p !== k) {
      for (let j = 0; j < n; j++) [m[k * n + j], m[p * n + j]] = [m[p * n + j], m[k * n + j]];
      d = -d;
    }
    d *= m[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / m[k * n + k];
      for (let j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j];
    }
  }
  return d;
}

/** Checks matrix `index` of a batch: A·V = V·diag(λ) within tol·‖A‖, unit columns, the phase convention, conjugate pairs adjacent. */
function checkPairs(a: ArrayLike<number>, n: number, values: ArrayLike<number>, vectors: ArrayLike<number>, index: number, tol: number, unitTol = 1e-5): Complex[] {
  const [vb, eb] = [index * n * 2, index * n * n * 2];
  let scale = 0;
  for (let e = 0; e < n * n; e++) scale = Math.max(scale, Math.abs(a[index * n * n + e]));
  const lambda: Complex[] = Array.from({ length: n }, (_, k) => [values[vb + 2 * k], values[vb + 2 * k + 1]]);
  const v = (i: number, k: number): Complex => [vectors[eb + (i * n + k) * 2], vectors[eb + (i * n + k) * 2 + 1]];
  for (let k = 0; k < n; k++) {
    const [lr, li] = lambda[k];
    let squares = 0;
    let largest = 0;
    for (let i = 0; i < n; i++) {
      let [sr, si] = [0, 0];
      for (let j = 0; j < n; j++) {
        const [xr, xi] = v(j, k);
        sr += a[index * n * n + i * n + j] * xr;
        si += a[index * n * n + i * n + j] * xi;
      }
      const [xr, xi] = v(i, k);
      const residual = Math.hypot(sr - (lr * xr - li * xi), si - (lr * xi + li * xr));
      if (!(residual <= tol * (scale + 1))) expect.fail(`matrix ${index}, vector ${k}: |(A·v − λv)[${i}]| = ${residual} (seed ${SEED})`);
      squares += xr * xr + xi * xi;
      largest = Math.max(largest, Math.hypot(xr, xi));
    }
    expect(Math.abs(squares - 1), `‖v${k}‖² − 1 (seed ${SEED})`).toBeLessThan(unitTol);
    // An entry of largest modulus (ties to rounding: which one is the backend's) is real and positive.
    const tops = Array.from({ length: n }, (_, i) => v(i, k)).filter(([xr, xi]) => Math.hypot(xr, xi) >= largest * (1 - unitTol));
    expect(tops.some(([xr, xi]) => xr > 0 && Math.abs(xi) <= unitTol * largest), `vector ${k}'s largest entries ${tops.join('; ')} (seed ${SEED})`).toBe(true);
    if (li > 0) {
      expect(lambda[k + 1], `the pair of λ${k}`).toEqual([lr, -li]);
      for (let i = 0; i < n; i++) expect(v(i, k + 1)).toEqual([v(i, k)[0], -v(i, k)[1]]);
    }
    if (li < 0) expect(k > 0 && lambda[k - 1][1] > 0, `λ${k} = ${lambda[k]} follows its conjugate`).toBe(true);
  }
  return lambda;
}

/** Each of `want` matched by a distinct one of `got` within tol (greedy by distance: the test spectra are separated). */
function expectSameSpectrum(got: Complex[], want: Complex[], tol: number, what: string): void {
  const left = [...got];
  for (const [wr, wi] of want) {
    let best = 0;
    for (let j = 1; j < left.length; j++) {
      if (Math.hypot(left[j][0] - wr, left[j][1] - wi) < Math.hypot(left[best][0] - wr, left[best][1] - wi)) best = j;
    }
    const [gr, gi] = left.splice(best, 1)[0];
    if (!(Math.hypot(gr - wr, gi - wi) <= tol * (Math.hypot(wr, wi) + 1))) expect.fail(`${what}: want ${wr} + ${wi}i, nearest ${gr} + ${gi}i (seed ${SEED})`);
  }
}

describe.each(BACKENDS)('tm.linalg.eig on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([1, 2, 3, 7, 13, 33])('n = %i: a random matrix and known spectra in one batch: A·V = V·diag(λ), Σλ = trace, Πλ = det, known λ found', async (n) => {
    const random = asF32(uniform(n * n, -1, 1));
    const real = withSpectrum(Array.from({ length: n }, (_, i): Complex => [i % 3 === 2 ? 0.5 : -1.5 + 0.4 * i, 0]));
    const pairs = n >= 2 ? [[2, 1.5], [-0.5, 0.25], [1, 0]] as Complex[] : [[3, 0]] as Complex[];
    const mixed = withSpectrum(Array.from({ length: 40 }, (_, i) => pairs[i % pairs.length]).reduce<Complex[]>((s, p) => (s.reduce((c, [, b]) => c + (b ? 2 : 1), 0) + (p[1] ? 2 : 1) <= n ? [...s, p] : s), []));
    const cases = [{ a: random, n, values: null as Complex[] | null }, { ...real }, { ...mixed }].filter((c) => c.n === n);
    const A = tm.tensor(Float32Array.from(cases.flatMap(({ a }) => Array.from(a))), [cases.length, n, n]);
    const { values, vectors } = tm.linalg.eig(A);
    expect(values.shape).toEqual([cases.length, n, 2]);
    expect(vectors.shape).toEqual([cases.length, n, n, 2]);
    const [l, v] = [await values.data(), await vectors.data()];
    const flat = await A.data();
    cases.forEach(({ a, values: want }, b) => {
      const lambda = checkPairs(flat, n, l, v, b, 2e-5 * n);
      if (want) {
        expectSameSpectrum(lambda, want, 1e-3, `known spectrum, matrix ${b}`);
      } else {
        let [tr, pr, pi] = [0, 1, 0];
        for (const [re, im] of lambda) [pr, pi] = [pr * re - pi * im, pr * im + pi * re];
        for (let i = 0; i < n; i++) tr += a[i * n + i];
        expectClose([lambda.reduce((s, [re]) => s + re, 0), lambda.reduce((s, [, im]) => s + im, 0)], [tr, 0], 1e-5 * n, 'Σλ = trace', [n, n]);
        // Each λₖ off by up to ~1e-5·‖A‖ moves the product by that times the product of the others.
        const others = lambda.reduce((s, _, k) => s + lambda.reduce((p, [re, im], j) => (j === k ? p : p * Math.hypot(re, im)), 1), 0);
        expectClose([pr, pi], [det64(a, n), 0], 1e-3 * n, 'Πλ = det', [others, others]);
      }
    });
  });

  it('matrices whose decomposition is known exactly: I, 0, a rotation, a Jordan block (defective: its vectors all e₀)', async () => {
    const eye = await tm.linalg.eig(tm.eye(3));
    expect(await eye.values.array()).toEqual([[1, 0], [1, 0], [1, 0]]);
    expect(await eye.vectors.array()).toEqual([[[1, 0], [0, 0], [0, 0]], [[0, 0], [1, 0], [0, 0]], [[0, 0], [0, 0], [1, 0]]]);
    const zero = await tm.linalg.eig(tm.zeros([2, 2]));
    expect(await zero.values.array()).toEqual([[0, 0], [0, 0]]);
    const rotation = tm.linalg.eig(tm.tensor([[0, -1], [1, 0]]));
    expectClose(await rotation.values.data(), [0, 1, 0, -1], 1e-6, 'the rotation\'s ±i');
    // For i: (1, −i)/√2, its first entry (of two equal) real and positive; for −i the conjugate.
    expectClose(await rotation.vectors.data(), [Math.SQRT1_2, 0, Math.SQRT1_2, 0, 0, -Math.SQRT1_2, 0, Math.SQRT1_2], 1e-6, 'the rotation\'s vectors');
    const jordan = tm.linalg.eig(tm.tensor([[2, 1, 0], [0, 2, 1], [0, 0, 2]]));
    expectClose(await jordan.values.data(), [2, 0, 2, 0, 2, 0], 1e-6, 'a Jordan block\'s eigenvalue');
    const jv = await jordan.vectors.data();
    for (let k = 0; k < 3; k++) expectClose([jv[k * 2], jv[k * 2 + 1]], [1, 0], 1e-5, `the Jordan block's vector ${k}`);
  });

  it('batches of any shape, f16 in and out, eigvals alone the same values, NaN where A holds NaN, empty batches and 0 × 0', async () => {
    const a = asF32(uniform(2 * 3 * 4 * 4, -1, 1));
    const A = tm.tensor(Float32Array.from(a), [2, 3, 4, 4]);
    const { values, vectors } = tm.linalg.eig(A);
    expect([values.shape, vectors.shape]).toEqual([[2, 3, 4, 2], [2, 3, 4, 4, 2]]);
    const [l, v] = [await values.data(), await vectors.data()];
    for (let b = 0; b < 6; b++) checkPairs(a, 4, l, v, b, 1e-4);
    expect(Array.from(await tm.linalg.eigvals(A).data())).toEqual(Array.from(l));

    const half = tm.linalg.eig(A.cast('f16'));
    expect([half.values.dtype, half.vectors.dtype]).toEqual(['f16', 'f16']);
    checkPairs(await A.cast('f16').cast('f32').data(), 4, await half.values.cast('f32').data(), await half.vectors.cast('f32').data(), 0, 2e-2, 1e-2);
    expect(tm.linalg.eigvals(A.cast('f16')).dtype).toBe('f16');

    const withNaN = tm.linalg.eig(tm.tensor([[[1, 2], [3, 4]], [[1, NaN], [0, 1]]]));
    const nl = await withNaN.values.data();
    expect(Array.from(nl.slice(4)).every(Number.isNaN)).toBe(true);
    expect(Array.from((await withNaN.vectors.data()).slice(8)).every(Number.isNaN)).toBe(true);
    expectClose(Array.from(nl.slice(0, 4)).sort((x, y) => x - y), [(5 - Math.sqrt(33)) / 2, 0, 0, (5 + Math.sqrt(33)) / 2], 1e-5, 'the finite matrix beside it');

    expect(tm.linalg.eig(tm.zeros([0, 3, 3])).vectors.shape).toEqual([0, 3, 3, 2]);
    expect(tm.linalg.eig(tm.zeros([2, 0, 0])).values.shape).toEqual([2, 0, 2]);
  });

  it('rank-one matrices of small integers (whose reduction leaves entries near f32\'s underflow) and matrices scaled by 1e-30 to 1e30', async () => {
    for (const n of [6, 12]) {
      const count = 60;
      const a = new Float64Array(count * n * n);
      for (let b = 0; b < count; b++) {
        const [u, w] = [0, 1].map(() => Array.from(randomInts(n, -1, 1), (x, i) => (i === b % n ? 1 : x)));
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[b * n * n + i * n + j] = u[i] * w[j];
      }
      const { values, vectors } = tm.linalg.eig(tm.tensor(Float32Array.from(a), [count, n, n]));
      const [l, v] = [await values.data(), await vectors.data()];
      for (let b = 0; b < count; b++) {
        const lambda = checkPairs(a, n, l, v, b, 1e-4 * n);
        // One eigenvalue wᵀu (the trace), the rest 0. Where wᵀu = 0, A is nilpotent, a 2 × 2 Jordan block: rounding δ
        // moves its eigenvalues by ~√(δ·‖A‖), up to ~1e-3 here, so zeros are held to √eps·‖A‖_F (a wrong one is O(1)).
        let [trace, frobenius] = [0, 0];
        for (let i = 0; i < n; i++) trace += a[b * n * n + i * n + i];
        for (let e = 0; e < n * n; e++) frobenius += a[b * n * n + e] ** 2;
        const nearest = lambda.reduce((best, z, k) => (Math.hypot(z[0] - trace, z[1]) < Math.hypot(lambda[best][0] - trace, lambda[best][1]) ? k : best), 0);
        expect(Math.hypot(lambda[nearest][0] - trace, lambda[nearest][1]), `rank one, n = ${n}, matrix ${b}: wᵀu = ${trace} (seed ${SEED})`).toBeLessThanOrEqual(trace ? 1e-4 * n * (1 + Math.abs(trace)) : 4 * Math.sqrt(2 ** -23 * frobenius));
        for (const [k, [re, im]] of lambda.entries()) {
          if (k !== nearest) expect(Math.hypot(re, im), `rank one, n = ${n}, matrix ${b}: λ${k} (seed ${SEED})`).toBeLessThanOrEqual(4 * Math.sqrt(2 ** -23 * frobenius));
        }
      }
    }
    const base = asF32(uniform(36, -1, 1));
    for (const scale of [1e-30, 1e-18, 1e18, 1e30]) {
      const a = asF32(base.map((x) => x * scale));
      const { values, vectors } = tm.linalg.eig(tm.tensor(Float32Array.from(a), [6, 6]));
      const lambda = checkPairs(a, 6, await values.data(), await vectors.data(), 0, 1e-4);
      const unscaled = checkPairs(base, 6, await tm.linalg.eigvals(tm.tensor(Float32Array.from(base), [6, 6])).data(), await tm.linalg.eig(tm.tensor(Float32Array.from(base), [6, 6])).vectors.data(), 0, 1e-4);
      expectSameSpectrum(lambda.map(([re, im]): Complex => [re / scale, im / scale]), unscaled, 1e-3, `A·${scale}`);
    }
  });

  const decomposition: Decomposition = { both: (x) => tm.linalg.eig(x), values: (x) => tm.linalg.eigvals(x), real: (v) => tm.fft.real(v) };

  it('backward passes that free one of values and vectors before the other: either order, one held elsewhere, a second derivative', async () => {
    const x = tm.tensor(Float32Array.from(asF32(uniform(16, -1, 1))), [4, 4]);
    x.requiresGrad = true;
    await expectSiblingsFreedInAnyOrder(x, decomposition);
  });

  it('leaves nothing behind once its outputs are disposed, with or without a retained backward pass (values and vectors hold one another)', () => {
    const x = tm.tensor(Float32Array.from(asF32(uniform(16, -1, 1))), [4, 4]);
    x.requiresGrad = true;
    expectNothingLeftBehind(x, decomposition);
  });

  it('refuses what is not a batch of float square matrices, naming it', () => {
    expect(() => tm.linalg.eig(tm.zeros([2, 3]))).toThrow(/eig: A must be .*square|eig: .*\[2, 3\]/);
    expect(() => tm.linalg.eigvals(tm.zeros([3]))).toThrow(/eigvals/);
    expect(() => tm.linalg.eig(tm.tensor(new Int32Array(4), [2, 2]))).toThrow(/eig: .*float/);
  });

  it.each([1, 2, 3, 5, 8])('n = %i: gradients of a loss of the values and |vectors| match PyTorch\'s (float64)', async (n) => {
    const torch = tm.fromNpz(fixtures);
    for (const b of [0, 1]) {
      const a = torch[`a_${n}_${b}`];
      const w = await torch[`w_${n}_${b}`].data();
      const x = tm.tensor(await a.data(), a.shape);
      x.requiresGrad = true;
      const loss = tm.tidy(() => {
        const { values, vectors } = tm.linalg.eig(x);
        const [re, im] = [tm.fft.real(values), tm.fft.imag(values)];
        const weighted = tm.sum(tm.mul(tm.tensor(w, [n, 1]), tm.square(tm.fft.abs(vectors))), 0);
        return tm.sum(tm.add(tm.add(tm.pow(re, 3), tm.square(im)), tm.mul(re, weighted)));
      });
      expectClose([await loss.item()], await torch[`loss_${n}_${b}`].data(), 1e-4, `loss, n = ${n}`);
      loss.backward();
      const want = await torch[`grad_${n}_${b}`].data();
      const scale = Math.max(...Array.from(want, Math.abs));
      expectClose(await x.grad!.data(), want, 2e-3, `dA, n = ${n}, matrix ${b}`, want.map(() => scale));
    }
  });

  it('eigvals\' gradient is differentiable again: Σ re(λ²) = trace(A²), whose gradient is 2Aᵀ and the gradient of ⟨2Aᵀ, E⟩ 2Eᵀ', async () => {
    // Eigenvalues 1 apart or more (a pair among them): the vectors' part of the second derivative divides by their gaps.
    const { a, n } = withSpectrum([[1, 0], [-2, 0], [0.5, 1], [3, 0]]);
    const e = asF32(uniform(n * n, -1, 1));
    const x = tm.tensor(Float32Array.from(a), [n, n]);
    x.requiresGrad = true;
    const lambda = tm.linalg.eigvals(x);
    const f = tm.sum(tm.sub(tm.square(tm.fft.real(lambda)), tm.square(tm.fft.imag(lambda))));
    const [g] = tm.grad(f, [x], { createGraph: true });
    const twice = (m: Float64Array) => Float64Array.from({ length: n * n }, (_, i) => 2 * m[(i % n) * n + Math.floor(i / n)]);
    const size = Math.max(...Array.from(a, Math.abs));
    expectClose(await g.data(), twice(a), 1e-3, 'd trace(A²) / dA', a.map(() => 2 * size));
    const [gg] = tm.grad(tm.sum(tm.mul(g, tm.tensor(Float32Array.from(e), [n, n]))), [x]);
    expectClose(await gg.data(), twice(e), 2e-3, 'd⟨2Aᵀ, E⟩ / dA', e.map(() => 4));
  });
});
