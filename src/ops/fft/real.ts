// The transforms between real signals and their half spectra, along the
// last axis of x [rows, n] and of X [rows, ⌊n/2⌋ + 1, 2]. A real signal's
// spectrum is Hermitian, X[n − k] = conj(X[k]), so its first ⌊n/2⌋ + 1
// entries say it all. Even n is one call of the backend's FFT kernel where
// it has a real one that takes n (kernel.ts); otherwise small n is one
// product with a real matrix; even n packs the signal into a complex one
// of half the length, z[j] = x[2j] + i·x[2j + 1], whose DFT of size n/2
// gives the spectrum after one pass that pairs bins k and n/2 − k (and the
// inverse the other way round): half the work of the complex transform of
// the signal. Odd n above DIRECT_REAL takes that complex transform.
//
// The real product is n·(n + 2) multiply-adds a row, O(n²), against the
// factorization's O(n log n) in half a dozen ops that each pass over the
// data; up to n = 512 the one product is the faster on native and webgpu
// (`node` timings of 2026-12-07, rfft of ~400K samples in rows of n: native
// 2.3–7× faster at n = 96–512, 1.7× at 1024, 0.64× at 2048; webgpu on
// lavapipe 1.3–3× at 96–512, 0.3–1.45× at 1024), so the short-time
// transforms of audio (nFft 256–512) take it. The js backend, the
// reference, is ~1.5× slower that way at 400–512. The price in f32: a sum of
// n terms, ~7e-7 of the largest value at n = 512 against the
// factorization's ~2e-7 (measured on native by the review of 2026-12-07).
import { tidy } from '../../engine.js';
import type { Tensor } from '../../tensor.js';
import { add, mul } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { tensor } from '../creation.js';
import { gather, pad, reshape, slice } from '../movement.js';
import { onBackendOf } from '../util.js';
import { dft, rootOfUnity, rootsOfUnity } from './dft.js';
import { realForwardByKernel, realInverseByKernel } from './kernel.js';
import { constant, pairMap } from './pairs.js';

/** Lengths up to this are one product with a real matrix (see above). */
const DIRECT_REAL = 512;

/** Entries `at` of axis 1 of X [rows, m, 2]. */
function bins(X: Tensor, at: readonly number[]): Tensor {
  return gather(X, onBackendOf('fft', X, () => tensor(Int32Array.from(at), [at.length])), 1);
}

/** The half spectrum scale · Σ_j x[j]·e^(−2πi·jk/n), k ≤ n/2, of each row of x [rows, n]: [rows, ⌊n/2⌋ + 1, 2]. */
export function realToHalfSpectrum(x: Tensor, scale: number): Tensor {
  const [rows, n] = x.shape;
  const h = Math.floor(n / 2);
  // The map's transpose: x[j] = scale · Σ_k (re_k·cos − im_k·sin)(2π·jk/n) over k ≤ n/2, which is
  // halfSpectrumToReal of the bins halved but for 0 and n/2 (those it counts once, the others twice).
  const byKernel = realForwardByKernel(x, scale, (dy) => {
    const halved = Float64Array.from({ length: h + 1 }, (_, k) => (k === 0 || 2 * k === n ? 1 : 0.5));
    return tidy(() => halfSpectrumToReal(mul(dy, constant('rfft', dy, halved, [h + 1, 1])), n, scale));
  });
  if (byKernel) return byKernel;
  if (n <= DIRECT_REAL) {
    const [cos, sin] = rootsOfUnity(n);
    const m = new Float32Array(n * 2 * (h + 1));
    for (let j = 0; j < n; j++) {
      for (let k = 0; k <= h; k++) {
        const t = (j * k) % n;
        m[j * 2 * (h + 1) + 2 * k] = scale * cos[t];
        m[j * 2 * (h + 1) + 2 * k + 1] = -scale * sin[t];
      }
    }
    return tidy(() => reshape(matmul(x, constant('rfft', x, m, [n, 2 * (h + 1)])), [rows, h + 1, 2]));
  }
  if (n % 2 === 1) return tidy(() => slice(dft(pad(reshape(x, [rows, n, 1]), [[0, 0], [0, 0], [0, 1]]), -1, scale), [0, 0, 0], [rows, h + 1, 2]));
  // Z = DFT(z) holds the even samples' spectrum E = (Z[k] + conj Z[h − k])/2 and the odd ones' O = (Z[k] − conj Z[h − k])/2i
  // (indices mod h), and X[k] = E[k] + w^k·O[k], w = e^(−2πi/n): X[k] = Z[k]·(1 − i·w^k)/2 + conj(Z[h − k])·(1 + i·w^k)/2.
  const [ar, ai, br, bi] = [new Float64Array(h + 1), new Float64Array(h + 1), new Float64Array(h + 1), new Float64Array(h + 1)];
  for (let k = 0; k <= h; k++) {
    const [c, s] = rootOfUnity(k, n);
    // i·w^k = i·(c − i·s) = s + i·c.
    [ar[k], ai[k], br[k], bi[k]] = [(1 - s) / 2, -c / 2, (1 + s) / 2, c / 2];
  }
  const here = Array.from({ length: h + 1 }, (_, k) => k % h);
  const mirrored = Array.from({ length: h + 1 }, (_, k) => (h - k) % h);
  return tidy(() => {
    const Z = dft(reshape(x, [rows, h, 2]), -1, scale);
    // Z[k]·a: the complex product; conj(Z[h − k])·b: re' = br·re + bi·im, im' = bi·re − br·im.
    const straight = pairMap('rfft', bins(Z, here), [h + 1], ar, ai.map((v) => -v), ai, ar);
    const crossed = pairMap('rfft', bins(Z, mirrored), [h + 1], br, bi, bi, br.map((v) => -v));
    return add(straight, crossed);
  });
}

/**
 * The real signal scale · Σ_k X[k]·e^(2πi·jk/n) over the whole Hermitian
 * spectrum that the half one X [rows, ⌊n/2⌋ + 1, 2] stands for (numpy's
 * irfft: the imaginary parts of bin 0 and, for even n, of bin n/2 are
 * ignored, as the real part of the sum ignores them): [rows, n].
 */
export function halfSpectrumToReal(X: Tensor, n: number, scale: number): Tensor {
  const rows = X.shape[0];
  const h = Math.floor(n / 2);
  // The map's transpose: each bin's gradient is realToHalfSpectrum's, doubled but for bins 0 and n/2,
  // whose imaginary parts the map ignores (gradient 0).
  const byKernel = realInverseByKernel(X, n, scale, (dy) => {
    const weights = new Float64Array(2 * (h + 1));
    for (let k = 0; k <= h; k++) {
      const edge = k === 0 || 2 * k === n;
      [weights[2 * k], weights[2 * k + 1]] = edge ? [1, 0] : [2, 2];
    }
    return tidy(() => mul(realToHalfSpectrum(dy, scale), constant('irfft', dy, weights, [h + 1, 2])));
  });
  if (byKernel) return byKernel;
  if (n <= DIRECT_REAL) {
    // x[j] = scale · Σ_k weight_k·(re_k·cos − im_k·sin)(2π·jk/n): each bin but 0 and n/2 stands for two.
    const [cos, sin] = rootsOfUnity(n);
    const m = new Float32Array(2 * (h + 1) * n);
    for (let k = 0; k <= h; k++) {
      const edge = k === 0 || 2 * k === n;
      for (let j = 0; j < n; j++) {
        const t = (j * k) % n;
        m[2 * k * n + j] = scale * (edge ? 1 : 2) * cos[t];
        m[(2 * k + 1) * n + j] = edge ? 0 : -scale * 2 * sin[t];
      }
    }
    return tidy(() => matmul(reshape(X, [rows, 2 * (h + 1)]), constant('irfft', X, m, [2 * (h + 1), n])));
  }
  if (n % 2 === 1) {
    // The whole spectrum, X[n − k] = conj(X[k]) for k > h; its inverse DFT's real part.
    const at = Array.from({ length: n }, (_, k) => (k <= h ? k : n - k));
    const one = Float64Array.from(at, () => 1);
    const zero = new Float64Array(n);
    const conjugated = Float64Array.from({ length: n }, (_, k) => (k <= h ? 1 : -1));
    return tidy(() => {
      const whole = pairMap('irfft', bins(X, at), [n], one, zero, zero, conjugated);
      return reshape(slice(dft(whole, 1, scale), [0, 0, 0], [rows, n, 1]), [rows, n]);
    });
  }
  // The inverse of realToHalfSpectrum's pass: z = x[2j] + i·x[2j + 1] has the spectrum
  // Z[k] = E[k] + i·O[k] = X[k]·(1 + i·w^−k)/2 + conj(X[h − k])·(1 − i·w^−k)/2, k < h, w = e^(−2πi/n);
  // its inverse DFT of size h is x's, times n/h = 2 for the 1/n that scale stands for.
  // Bin 0 enters only as X[k] at k = 0 and bin h only as X[h − k] there: their imaginary parts get weight 0.
  const [ar, ai, br, bi] = [new Float64Array(h), new Float64Array(h), new Float64Array(h), new Float64Array(h)];
  for (let k = 0; k < h; k++) {
    const [c, s] = rootOfUnity(k, n);
    // i·w^−k = i·(c + i·s) = −s + i·c.
    [ar[k], ai[k], br[k], bi[k]] = [(1 - s) / 2, c / 2, (1 + s) / 2, -c / 2];
  }
  const [straightIm, crossedIm] = [ai.map((v) => -v), bi.slice()];
  const [straightRe, crossedRe] = [ar.slice(), br.map((v) => -v)];
  [straightIm[0], straightRe[0], crossedIm[0], crossedRe[0]] = [0, 0, 0, 0];
  const here = Array.from({ length: h }, (_, k) => k);
  const mirrored = Array.from({ length: h }, (_, k) => h - k);
  return tidy(() => {
    // X[k]·a: the complex product; conj(X[h − k])·b: re' = br·re + bi·im, im' = bi·re − br·im. The
    // second column of each matrix (the weights of the imaginary part) zero at k = 0.
    const straight = pairMap('irfft', bins(X, here), [h], ar, straightIm, ai, straightRe);
    const crossed = pairMap('irfft', bins(X, mirrored), [h], br, crossedIm, bi, crossedRe);
    return reshape(dft(add(straight, crossed), 1, 2 * scale), [rows, n]);
  });
}
