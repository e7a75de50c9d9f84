// tm.fft's transforms against a float64 DFT written here (the defining sum,
// one term at a time), on fresh random data: every length class the
// implementation has (one matrix product up to 64, the four-step
// factorization of composite sizes, Bluestein's algorithm for primes above
// 64; on native, one KissFFT call for lengths whose prime factors are at
// most 13, on webgpu one kernel launch for powers of two up to 2048, the
// others composed around them), every norm, leading and trailing axes around the transformed one,
// cropping and zero-padding, the 2-D and n-D forms, round trips, f16, and
// gradients against central differences and the DFT's adjoint.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { SEED, asF32, expectClose, expectNormwise, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { expectGradients } from '../../helpers/linalg.js';

const LENGTHS = [1, 2, 3, 7, 8, 12, 13, 64, 97, 210, 262, 1000, 1024, 1031];
const NORMS = ['backward', 'ortho', 'forward'] as const;
type Norm = (typeof NORMS)[number];

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The factor numpy's norm puts on a transform of length n. */
function normScale(norm: Norm, n: number, inverse: boolean): number {
  if (norm === 'ortho') return 1 / Math.sqrt(n);
  return (norm === 'forward') !== inverse ? 1 / n : 1;
}

/**
 * scale · Σ_j z[j]·e^(sign·2πi·jk/n) along `axis` of complex z (interleaved
 * pairs over the signal shape `shape`), z cropped or zero-padded to n first.
 */
function dftRef(z: Float64Array, shape: number[], axis: number, n: number, sign: 1 | -1, scale: number): Float64Array {
  const m = shape[axis];
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const out = new Float64Array(2 * outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let k = 0; k < n; k++) {
        let [re, im] = [0, 0];
        for (let j = 0; j < Math.min(m, n); j++) {
          const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
          const at = 2 * ((o * m + j) * inner + i);
          re += z[at] * Math.cos(angle) - z[at + 1] * Math.sin(angle);
          im += z[at] * Math.sin(angle) + z[at + 1] * Math.cos(angle);
        }
        const at = 2 * ((o * n + k) * inner + i);
        [out[at], out[at + 1]] = [scale * re, scale * im];
      }
    }
  }
  return out;
}

/** Real x as complex pairs with zero imaginary parts. */
const asComplex = (x: Float64Array) => Float64Array.from({ length: 2 * x.length }, (_, i) => (i % 2 ? 0 : x[i / 2]));

/** The first `bins` entries along `axis` of complex z over `shape`. */
function firstBins(z: Float64Array, shape: number[], axis: number, bins: number): Float64Array {
  const [outer, m, inner] = [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
  const out = new Float64Array(2 * outer * bins * inner);
  for (let o = 0; o < outer; o++) for (let k = 0; k < bins; k++) for (let i = 0; i < 2 * inner; i++) out[2 * (o * bins + k) * inner + i] = z[2 * (o * m + k) * inner + i];
  return out;
}

/**
 * numpy's irfft along `axis`: the bins cropped or zero-padded to ⌊n/2⌋ + 1,
 * x[j] = scale·(Re X₀ + Σ_{0<k<n/2} 2·Re(X_k·e^(2πi·jk/n)) + Re X_{n/2}·(−1)^j for even n).
 */
function irfftRef(z: Float64Array, shape: number[], axis: number, n: number, scale: number): Float64Array {
  const [outer, m, inner] = [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
  const h = Math.floor(n / 2);
  const out = new Float64Array(outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let k = 0; k <= Math.min(h, m - 1); k++) {
          const at = 2 * ((o * m + k) * inner + i);
          const angle = (2 * Math.PI * ((j * k) % n)) / n;
          const term = z[at] * Math.cos(angle) - z[at + 1] * Math.sin(angle);
          sum += k === 0 ? z[at] : 2 * k === n ? z[at] * (j % 2 ? -1 : 1) : 2 * term;
        }
        out[(o * n + j) * inner + i] = scale * sum;
      }
    }
  }
  return out;
}

/** f32's tolerance for a transform of length n. */
const tolFor = (n: number) => 1e-5 * Math.max(1, Math.log2(n));

describe.each(BACKENDS)('tm.fft transforms on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(LENGTHS)('fft and ifft of length %i, two signals, every norm: the float64 DFT; ifft(fft(z)) = z', async (n) => {
    const before = await collected();
    const z = asF32(uniform(2 * 2 * n, -1, 1));
    const Z = tm.tensor(Float32Array.from(z), [2, n, 2]);
    for (const norm of NORMS) {
      const [y, back] = [tm.fft.fft(Z, { norm }), tm.fft.ifft(Z, { norm })];
      expect(y.shape).toEqual([2, n, 2]);
      expectNormwise(await y.data(), dftRef(z, [2, n], 1, n, -1, normScale(norm, n, false)), tolFor(n), `fft ${n} ${norm}`);
      expectNormwise(await back.data(), dftRef(z, [2, n], 1, n, 1, normScale(norm, n, true)), tolFor(n), `ifft ${n} ${norm}`);
      const round = tm.fft.ifft(y, { norm });
      expectNormwise(await round.data(), z, tolFor(n), `ifft(fft(z)) ${n} ${norm}`);
      for (const t of [y, back, round]) t.dispose();
    }
    Z.dispose();
    expect(await collected()).toBe(before);
  });

  it.each(LENGTHS)('rfft and irfft of length %i, three signals, every norm; irfft(rfft(x), n) = x', async (n) => {
    const before = await collected();
    const h = Math.floor(n / 2);
    const x = asF32(uniform(3 * n, -1, 1));
    const X = tm.tensor(Float32Array.from(x), [3, n]);
    // A spectrum with nonzero imaginary parts at bin 0 and n/2, which irfft ignores.
    const s = asF32(uniform(3 * (h + 1) * 2, -1, 1));
    const S = tm.tensor(Float32Array.from(s), [3, h + 1, 2]);
    for (const norm of NORMS) {
      const y = tm.fft.rfft(X, { norm });
      expect(y.shape).toEqual([3, h + 1, 2]);
      const full = dftRef(asComplex(x), [3, n], 1, n, -1, normScale(norm, n, false));
      expectNormwise(await y.data(), firstBins(full, [3, n], 1, h + 1), tolFor(n), `rfft ${n} ${norm}`);
      const back = tm.fft.irfft(S, { n, norm });
      expect(back.shape).toEqual([3, n]);
      expectNormwise(await back.data(), irfftRef(s, [3, h + 1], 1, n, normScale(norm, n, true)), tolFor(n), `irfft ${n} ${norm}`);
      const round = tm.fft.irfft(y, { n, norm });
      expectNormwise(await round.data(), x, tolFor(n), `irfft(rfft(x)) ${n} ${norm}`);
      for (const t of [y, back, round]) t.dispose();
    }
    for (const t of [X, S]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it('a middle axis of a batch [3, n, 4], and the first axis: the other axes carried through', async () => {
    for (const n of [5, 96, 131]) {
      const z = asF32(uniform(3 * n * 4 * 2, -1, 1));
      const Z = tm.tensor(Float32Array.from(z), [3, n, 4, 2]);
      expectNormwise(await tm.fft.fft(Z, { axis: 1 }).data(), dftRef(z, [3, n, 4], 1, n, -1, 1), tolFor(n), `fft axis 1, ${n}`);
      expectNormwise(await tm.fft.ifft(Z, { axis: -2, norm: 'ortho' }).data(), dftRef(z, [3, n, 4], 1, n, 1, 1 / Math.sqrt(n)), tolFor(n), `ifft axis -2, ${n}`);
      const x = asF32(uniform(n * 3, -1, 1));
      const y = tm.fft.rfft(tm.tensor(Float32Array.from(x), [n, 3]), { axis: 0 });
      const h = Math.floor(n / 2);
      expect(y.shape).toEqual([h + 1, 3, 2]);
      expectNormwise(await y.data(), firstBins(dftRef(asComplex(x), [n, 3], 0, n, -1, 1), [n, 3], 0, h + 1), tolFor(n), `rfft axis 0, ${n}`);
      const back = tm.fft.irfft(y, { axis: 0, n });
      expect(back.shape).toEqual([n, 3]);
      expectNormwise(await back.data(), x, tolFor(n), `irfft axis 0, ${n}`);
    }
  });

  it('n crops or zero-pads the axis first; irfft takes 2·(bins − 1) by default, any n given', async () => {
    const z = asF32(uniform(2 * 10 * 2, -1, 1));
    const Z = tm.tensor(Float32Array.from(z), [2, 10, 2]);
    for (const n of [4, 10, 16, 67]) {
      const y = tm.fft.fft(Z, { n });
      expect(y.shape).toEqual([2, n, 2]);
      expectNormwise(await y.data(), dftRef(z, [2, 10], 1, n, -1, 1), tolFor(n), `fft n ${n}`);
      const x = tm.fft.irfft(Z, { n });
      expect(x.shape).toEqual([2, n]);
      expectNormwise(await x.data(), irfftRef(z, [2, 10], 1, n, 1 / n), tolFor(n), `irfft n ${n}`);
    }
    expect(tm.fft.irfft(Z).shape).toEqual([2, 18]);
    expectNormwise(await tm.fft.irfft(Z).data(), irfftRef(z, [2, 10], 1, 18, 1 / 18), 1e-5, 'irfft default n');
    const r = asF32(uniform(7, -1, 1));
    const y = tm.fft.rfft(tm.tensor(Float32Array.from(r)), { n: 12 });
    expectNormwise(await y.data(), firstBins(dftRef(asComplex(r), [7], 0, 12, -1, 1), [12], 0, 7), 1e-5, 'rfft n 12 of 7');
  });

  it('fft2, ifft2, rfft2, irfft2 and fftn: one transform per axis, the last two (or all) by default', async () => {
    const [a, b] = [6, 10];
    const z = asF32(uniform(2 * a * b * 2, -1, 1));
    const Z = tm.tensor(Float32Array.from(z), [2, a, b, 2]);
    const twice = (v: Float64Array, sign: 1 | -1, scale: number) => dftRef(dftRef(v, [2, a, b], 2, b, sign, scale), [2, a, b], 1, a, sign, 1);
    expectNormwise(await tm.fft.fft2(Z).data(), twice(z, -1, 1), 1e-4, 'fft2');
    expectNormwise(await tm.fft.ifft2(Z, { norm: 'ortho' }).data(), twice(z, 1, 1 / Math.sqrt(a * b)), 1e-4, 'ifft2');
    expectNormwise(await tm.fft.fftn(Z, { axes: [1, 2] }).data(), twice(z, -1, 1), 1e-4, 'fftn axes [1, 2]');
    const all = dftRef(twice(z, -1, 1), [2, a, b], 0, 2, -1, 1);
    expectNormwise(await tm.fft.fftn(Z).data(), all, 1e-4, 'fftn');
    expectNormwise(await tm.fft.ifftn(tm.fft.fftn(Z)).data(), z, 1e-4, 'ifftn(fftn(z))');
    // fft2 with s: each axis cropped or padded to its length.
    const cropped = dftRef(dftRef(z, [2, a, b], 2, 7, -1, 1), [2, a, 7], 1, 4, -1, 1);
    expectNormwise(await tm.fft.fft2(Z, { s: [4, 7] }).data(), cropped, 1e-4, 'fft2 s [4, 7]');
    const x = asF32(uniform(2 * a * b, -1, 1));
    const X = tm.tensor(Float32Array.from(x), [2, a, b]);
    const half = Math.floor(b / 2) + 1;
    const spectrum = tm.fft.rfft2(X);
    expect(spectrum.shape).toEqual([2, a, half, 2]);
    expectNormwise(await spectrum.data(), firstBins(twice(asComplex(x), -1, 1), [2, a, b], 2, half), 1e-4, 'rfft2');
    expectNormwise(await tm.fft.irfft2(spectrum, { s: [a, b] }).data(), x, 1e-4, 'irfft2(rfft2(x))');
    expectNormwise(await tm.fft.irfftn(tm.fft.rfftn(X, { axes: [0, 2] }), { axes: [0, 2], s: [2, b] }).data(), x, 1e-4, 'irfftn(rfftn(x)) over axes 0, 2');
  });

  it.each([1, 2, 7, 12, 64, 97, 210])('hfft and ihfft of length %i, every norm: the DFT of the Hermitian signal z\'s half gives, and the first bins of x\'s inverse DFT', async (n) => {
    const bins = Math.floor(n / 2) + 1;
    const z = asF32(uniform(2 * 2 * bins));
    const x = asF32(uniform(2 * n));
    for (const norm of NORMS) {
      // The whole Hermitian signal: z's bins, then their conjugates mirrored (bin 0's and n/2's imaginary parts ignored, as irfft).
      const full = new Float64Array(2 * 2 * n);
      for (let r = 0; r < 2; r++) {
        for (let j = 0; j < n; j++) {
          const k = j < bins ? j : n - j;
          const real = j === 0 || 2 * j === n;
          full[2 * (r * n + j)] = z[2 * (r * bins + k)];
          full[2 * (r * n + j) + 1] = real ? 0 : (j < bins ? 1 : -1) * z[2 * (r * bins + k) + 1];
        }
      }
      const spectrum = dftRef(full, [2, n], 1, n, -1, normScale(norm, n, false));
      const got = await tm.fft.hfft(tm.tensor(Float32Array.from(z), [2, bins, 2]), { n, norm }).data();
      expectNormwise(got, spectrum.filter((_, i) => i % 2 === 0), tolFor(n), `hfft n=${n} ${norm}`);
      const inverse = firstBins(dftRef(asComplex(x), [2, n], 1, n, 1, normScale(norm, n, true)), [2, n], 1, bins);
      expectNormwise(await tm.fft.ihfft(tm.tensor(Float32Array.from(x), [2, n]), { norm }).data(), inverse, tolFor(n), `ihfft n=${n} ${norm}`);
      // hfft(ihfft(x), n) = x.
      const back = tm.fft.hfft(tm.fft.ihfft(tm.tensor(Float32Array.from(x), [2, n]), { norm }), { n, norm });
      expectNormwise(await back.data(), x, tolFor(n), `hfft(ihfft(x)) n=${n} ${norm}`);
    }
  });

  it('hfft2, ihfft2 and hfftn: PyTorch\'s values; hfft2(ihfft2(x), s) = x', async () => {
    // PyTorch 1.13: hfft([1+0.5i, 2+i, 3−i]) and with n = 5, ortho; ihfft([1, 2, 3, 4, 5]).
    expectClose(await tm.fft.hfft(tm.tensor([[1, 0.5], [2, 1], [3, -1]])).data(), [8, 0, 0, -4], 1e-5, 'hfft');
    expectClose(await tm.fft.hfft(tm.tensor([[1, 0.5], [2, 1], [3, -1]]), { n: 5, norm: 'ortho' }).data(), [4.919349670410156, -0.8459007143974304, 1.2055613994598389, -1.5472023487091064, -1.4957401752471924], 1e-5, 'hfft n=5 ortho');
    expectClose(await tm.fft.ihfft(tm.tensor([1, 2, 3, 4, 5])).data(), [3, 0, -0.5, -0.6881909966468811, -0.5, -0.1624598354101181], 1e-6, 'ihfft');
    const X = tm.tensor([[1, 2, 3], [4, 5, 7]]);
    const half = tm.fft.ihfft2(X);
    expect(half.shape).toEqual([2, 2, 2]);
    expectClose(await half.data(), [3.6666667461395264, 0, -0.5833333730697632, -0.4330126941204071, -1.6666667461395264, 0, 0.0833333432674408, 0.14433756470680237], 1e-6, 'ihfft2');
    expectClose(await tm.fft.hfft2(half, { s: [2, 3] }).data(), [1, 2, 3, 4, 5, 7], 1e-5, 'hfft2(ihfft2(x))');
    expectClose(await tm.fft.hfftn(tm.tensor([[[1, 1], [2, 0]], [[3, 0], [4, -2]]]), { norm: 'forward' }).data(), [2.5, -0.5, -1, 0], 1e-6, 'hfftn forward');
    expect(() => tm.fft.hfft(tm.ones([3]))).toThrow(/hfft: /);
    expect(() => tm.fft.ihfftn(tm.ones([2, 2]), { norm: 'both' as never })).toThrow("ihfftn: norm must be 'backward', 'ortho' or 'forward', got \"both\"");
  });

  it('an empty batch gives an empty result of the transform\'s shape', async () => {
    for (const n of [8, 100]) {
      expect(tm.fft.fft(tm.zeros([0, n, 2])).shape).toEqual([0, n, 2]);
      expect(tm.fft.rfft(tm.zeros([0, n])).shape).toEqual([0, n / 2 + 1, 2]);
      const x = tm.fft.irfft(tm.zeros([0, n / 2 + 1, 2]));
      expect(x.shape).toEqual([0, n]);
      expect((await x.data()).length).toBe(0);
    }
    expect(tm.fft.fft(tm.zeros([4, 0, 8, 2])).shape).toEqual([4, 0, 8, 2]);
  });

  it('f16 in, f16 out, computed in f32', async () => {
    const z = uniform(64 * 2, -1, 1);
    const Z = tm.tensor(Float32Array.from(z), [64, 2]).cast('f16');
    const held = Float64Array.from(await Z.data());
    const y = tm.fft.fft(Z);
    expect(y.dtype).toBe('f16');
    expectNormwise(await y.data(), dftRef(held, [64], 0, 64, -1, 1), 2e-3, 'f16 fft');
    const r = tm.fft.irfft(tm.fft.rfft(tm.fft.real(Z)), { n: 64 });
    expect(r.dtype).toBe('f16');
    expectNormwise(await r.data(), held.filter((_, i) => i % 2 === 0), 2e-3, 'f16 irfft(rfft)');
  });

  it('refuses what is not complex, bad lengths, axes, norms and options, naming them', () => {
    expect(() => tm.fft.fft(tm.ones([3, 4]))).toThrow('fft: z must be complex, a float tensor [..., n, 2] whose last axis holds (real, imaginary) pairs, got [3,4]');
    expect(() => tm.fft.ifft(tm.ones([2]))).toThrow('ifft: z must be complex, a float tensor [..., n, 2] whose last axis holds (real, imaginary) pairs, got [2]');
    expect(() => tm.fft.irfft(tm.ones([5, 3]))).toThrow(tm.ShapeError);
    expect(() => tm.fft.fft(tm.ones([3, 2], { dtype: 'i32' }))).toThrow('fft: z must be a float tensor (f32 or f16), got i32');
    expect(() => tm.fft.rfft(tm.scalar(1))).toThrow('rfft: x must have an axis to transform, got a scalar []');
    expect(() => tm.fft.fft(tm.ones([3, 2]), { n: 0 })).toThrow("fft: the transform's length n must be a positive integer, got 0");
    expect(() => tm.fft.fft(tm.ones([3, 2]), { n: 2.5 })).toThrow("fft: the transform's length n must be a positive integer, got 2.5");
    expect(() => tm.fft.fft(tm.ones([0, 2]))).toThrow("fft: the transform's length n must be a positive integer, got 0 (the length of axis 0 of [0,2])");
    expect(() => tm.fft.irfft(tm.ones([1, 2]))).toThrow("irfft: the transform's length n must be a positive integer, got 0 (2·(bins − 1) for the 1 bins of axis 0 of [1,2])");
    expect(() => tm.fft.fft(tm.ones([3, 2]), { axis: 1 })).toThrow('fft: axis 1 is out of range for a tensor of rank 1');
    expect(() => tm.fft.rfft(tm.ones([3]), { norm: 'none' as never })).toThrow("rfft: norm must be 'backward', 'ortho' or 'forward', got \"none\"");
    expect(() => tm.fft.fft(tm.ones([3, 2]), { dim: 0 } as never)).toThrow('fft: unknown option "dim"; the options are n, axis, norm');
    expect(() => tm.fft.fft2(tm.ones([3, 2]))).toThrow('fft2: axis -2 is out of range for a tensor of rank 1');
    expect(() => tm.fft.fftn(tm.ones([3, 3, 2]), { axes: [0, -2] })).toThrow('fftn: axes [0, -2] name an axis twice');
    expect(() => tm.fft.fftn(tm.ones([3, 3, 2]), { axes: [0, 1], s: [3] })).toThrow('fftn: s [3] and axes [0, 1] differ in length');
    expect(() => tm.fft.rfftn(tm.ones([3, 3]), { axes: [] })).toThrow('rfftn: needs an axis to transform, got axes []');
  });
});

describe.each(BACKENDS)('tm.fft gradients on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** The float64 reference as expectGradients wants it: a function of the flat input. */
  const ref = (f: (v: Float64Array) => Float64Array) => (v: Float64Array) => f(v);

  it.each([3, 12, 72, 67])('fft, ifft, rfft and irfft of length %i (a matrix, four steps, Bluestein): central differences', async (n) => {
    const h = Math.floor(n / 2);
    const z = uniform(2 * n * 2, -1, 1);
    await expectGradients([[2, n, 2]], [z], (Z) => [tm.fft.fft(Z)], ref((v) => dftRef(v, [2, n], 1, n, -1, 1)));
    await expectGradients([[2, n, 2]], [z], (Z) => [tm.fft.ifft(Z, { norm: 'ortho' })], ref((v) => dftRef(v, [2, n], 1, n, 1, 1 / Math.sqrt(n))));
    await expectGradients([[n]], [uniform(n, -1, 1)], (X) => [tm.fft.rfft(X, { norm: 'forward' })], ref((v) => firstBins(dftRef(asComplex(v), [n], 0, n, -1, 1 / n), [n], 0, h + 1)));
    await expectGradients([[h + 1, 2]], [uniform(2 * (h + 1), -1, 1)], (S) => [tm.fft.irfft(S, { n, norm: 'backward' })], ref((v) => irfftRef(v, [h + 1], 0, n, 1 / n)));
  });

  it('second order: the gradients of Σ w·|rfft(x)|² (n 300) and Σ w·|fft(z)|² (n 128), themselves differentiated: central differences of their float64 formulas', async () => {
    // L = Σ_k w_k·|X_k|², X_k = Σ_j x_j·e^(−iθ), θ = 2π·jk/n: ∂L/∂x_j = 2·Σ_k w_k·(Re X_k·cos θ − Im X_k·sin θ), and for
    // complex z also ∂L/∂Im z_j = 2·Σ_k w_k·(Re Z_k·sin θ + Im Z_k·cos θ). (Native runs both through its kernels, webgpu the
    // fft of 128; its rfft of 300 is composed.)
    const gradientOf = (v: Float64Array, n: number, bins: number, w: Float64Array, complexInput: boolean) => {
      const z = complexInput ? v : asComplex(v);
      const Z = dftRef(z, [n], 0, n, -1, 1);
      const out = new Float64Array(complexInput ? 2 * n : n);
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < bins; k++) {
          const angle = (2 * Math.PI * ((j * k) % n)) / n;
          const [c, s] = [Math.cos(angle), Math.sin(angle)];
          const [re, im] = [Z[2 * k], Z[2 * k + 1]];
          if (complexInput) {
            out[2 * j] += 2 * w[k] * (re * c - im * s);
            out[2 * j + 1] += 2 * w[k] * (re * s + im * c);
          } else out[j] += 2 * w[k] * (re * c - im * s);
        }
      }
      return out;
    };
    const [n, m] = [300, 128];
    const w = asF32(uniform(n / 2 + 1, -1, 1));
    const u = asF32(uniform(m, -1, 1));
    const weightsOf = (v: Float64Array, like: tm.Tensor) => tm.tensor(Float32Array.from(v), [v.length]).cast(like.dtype);
    await expectGradients([[n]], [uniform(n, -1, 1)], (x) => {
      const loss = tm.fft.rfft(x).square().sum(-1).mul(weightsOf(w, x)).sum();
      return tm.grad(loss, [x], { createGraph: true });
    }, ref((v) => gradientOf(v, n, n / 2 + 1, w, false)));
    await expectGradients([[m, 2]], [uniform(2 * m, -1, 1)], (z) => {
      const loss = tm.fft.fft(z).square().sum(-1).mul(weightsOf(u, z)).sum();
      return tm.grad(loss, [z], { createGraph: true });
    }, ref((v) => gradientOf(v, m, m, u, true)));
  });

  it.each([400, 1000, 1030])('the gradients of Σ w·rfft(x) and Σ v·irfft(X) are the transforms\' adjoints, length %i', async (n) => {
    const before = await collected();
    const h = n / 2;
    const w = asF32(uniform(2 * (h + 1), -1, 1));
    const v = asF32(uniform(n, -1, 1));
    const x = tm.tensor(Float32Array.from(uniform(n, -1, 1)), [n]);
    const X = tm.tensor(Float32Array.from(uniform(2 * (h + 1), -1, 1)), [h + 1, 2]);
    x.requiresGrad = true;
    X.requiresGrad = true;
    const loss = tm.tidy(() => tm.fft.rfft(x).mul(tm.tensor(Float32Array.from(w), [h + 1, 2])).sum().add(tm.fft.irfft(X, { n }).mul(tm.tensor(Float32Array.from(v), [n])).sum()));
    loss.backward();
    // rfft: ∂/∂x[j] = Σ_k wr_k·cos(2π·jk/n) − wi_k·sin(2π·jk/n). irfft (1/n, bins but 0 and n/2 twice, their imaginary
    // parts ignored): ∂/∂Re X_k = c_k/n · Σ_j v_j·cos, ∂/∂Im X_k = −c_k/n · Σ_j v_j·sin, 0 at bins 0 and n/2.
    const [dx, dX] = [new Float64Array(n), new Float64Array(2 * (h + 1))];
    for (let j = 0; j < n; j++) {
      for (let k = 0; k <= h; k++) {
        const angle = (2 * Math.PI * ((j * k) % n)) / n;
        const [c, s] = [Math.cos(angle), Math.sin(angle)];
        dx[j] += w[2 * k] * c - w[2 * k + 1] * s;
        const edge = k === 0 || k === h;
        dX[2 * k] += ((edge ? 1 : 2) / n) * v[j] * c;
        dX[2 * k + 1] += edge ? 0 : (-2 / n) * v[j] * s;
      }
    }
    expectNormwise(await x.grad!.data(), dx, tolFor(n), `rfft adjoint ${n} (seed ${SEED})`);
    expectNormwise(await X.grad!.data(), dX, tolFor(n), `irfft adjoint ${n} (seed ${SEED})`);
    for (const t of [loss, x.grad!, X.grad!, x, X]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it.each([1000, 1031])('the gradient of Σ w·fft(z) is the adjoint DFT of w, length %i', async (n) => {
    const before = await collected();
    const w = asF32(uniform(2 * n * 2, -1, 1));
    const Z = tm.tensor(Float32Array.from(uniform(2 * n * 2, -1, 1)), [2, n, 2]);
    Z.requiresGrad = true;
    const W = tm.tensor(Float32Array.from(w), [2, n, 2]);
    const loss = tm.tidy(() => tm.fft.fft(Z).mul(W).sum());
    loss.backward();
    // ∂/∂z of Σ Re(conj(w_k)·y_k), y = F·z: Fᴴ·w, the inverse DFT without its 1/n.
    expectNormwise(await Z.grad!.data(), dftRef(w, [2, n], 1, n, 1, 1), tolFor(n), `adjoint ${n} (seed ${SEED})`);
    for (const t of [loss, Z.grad!, Z, W]) t.dispose();
    expect(await collected()).toBe(before);
  });
});
