// The complex discrete Fourier transform every tm.fft function comes down
// to, along the middle axis of x [rows, n, 2] (complex, f32):
//   y[k] = scale · Σ_j x[j] · e^(sign·2πi·jk/n).
// One call of the backend's FFT kernel where it has one that takes n
// (native's with KissFFT, webgpu's for powers of two: kernel.ts); otherwise
// built from ops every backend has, so that it runs on js, native and webgpu
// alike and autograd differentiates it:
// - n up to DIRECT: one product with the DFT's matrix, the complex one as a
//   real 2n × 2n matrix acting on the 2n interleaved floats, its entries
//   computed in float64 on the host;
// - composite n = n1·n2: the four-step (Cooley–Tukey) factorization, DFTs
//   of size n1, twiddle factors, DFTs of size n2, a transpose, each DFT this
//   function again, so the work is O(n·(n1 + n2 + ...)) rather than O(n²);
// - prime n above DIRECT: Bluestein's algorithm, a chirp-modulated circular
//   convolution of power-of-two length done by this function's own DFTs.
// The matrices and factors are made per call on x's backend and freed with
// the call's other intermediates (a product's gradient keeps what it saves).
import { tidy } from '../../engine.js';
import type { Tensor } from '../../tensor.js';
import { mul } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { pad, reshape, slice, transpose } from '../movement.js';
import type { FftSign } from '../../backends/fft.js';
import { complexByKernel } from './kernel.js';
import { constant, timesComplex } from './pairs.js';

/** e^(+2πi·jk/n) (the inverse transform's) or e^(−2πi·jk/n) (the forward one's): the kernels' sign. */
export type Sign = FftSign;

/**
 * Sizes up to this are one matrix product: 8n flops an entry, but one op,
 * where a factorization's half a dozen ops cost more than they save.
 */
export const DIRECT = 64;

/** cos and sin of 2π·t/n, with t reduced mod n first so that large j·k lose nothing. */
export function rootOfUnity(t: number, n: number): [number, number] {
  const angle = (2 * Math.PI * (t % n)) / n;
  return [Math.cos(angle), Math.sin(angle)];
}

/** cos and sin of 2π·t/n for t = 0 … n − 1: a matrix of n² roots looks them up by (j·k) mod n instead of computing each. */
export function rootsOfUnity(n: number): [Float64Array, Float64Array] {
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let t = 0; t < n; t++) [cos[t], sin[t]] = rootOfUnity(t, n);
  return [cos, sin];
}

/** The DFT along axis 1 of x [rows, n, 2], as described above. */
export function dft(x: Tensor, sign: Sign, scale: number): Tensor {
  const n = x.shape[1];
  if (n === 1) return mul(x, scale);
  // The transpose of the map is the conjugate one (the DFT's matrix is symmetric).
  const byKernel = complexByKernel(x, sign, scale, (dy) => dft(dy, -sign as Sign, scale));
  if (byKernel) return byKernel;
  if (n <= DIRECT) return direct(x, sign, scale);
  const n1 = balancedFactor(n);
  return n1 === 1 ? bluestein(x, sign, scale) : fourStep(x, n1, sign, scale);
}

/** n's largest divisor ≤ √n: 1 for a prime. */
function balancedFactor(n: number): number {
  for (let d = Math.floor(Math.sqrt(n)); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/**
 * The product with the real 2n × 2n matrix of the complex DFT: an entry
 * w = c + i·s of the complex matrix takes (re, im) to re·[c, s] + im·[−s, c].
 */
function direct(x: Tensor, sign: Sign, scale: number): Tensor {
  const [rows, n] = x.shape;
  const m = new Float64Array(4 * n * n);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      const [c, s] = rootOfUnity(j * k, n);
      const [wr, wi] = [scale * c, scale * sign * s];
      const at = 2 * j * 2 * n + 2 * k;
      m[at] = wr;
      m[at + 1] = wi;
      m[at + 2 * n] = -wi;
      m[at + 2 * n + 1] = wr;
    }
  }
  return tidy(() => reshape(matmul(reshape(x, [rows, 2 * n]), constant('fft', x, m, [2 * n, 2 * n])), [rows, n, 2]));
}

/**
 * n = n1·n2 with input index j = n2·j1 + j2 and output index k = k1 + n1·k2:
 *   y[k1 + n1·k2] = Σ_j2 e^(sign·2πi·j2·k2/n2) · w^(j2·k1) · Σ_j1 x[n2·j1 + j2] · e^(sign·2πi·j1·k1/n1),
 * w = e^(sign·2πi/n): size-n1 DFTs along j1 (moved last), the twiddle
 * factors w^(j2·k1), size-n2 DFTs along j2, and k2 moved before k1.
 */
function fourStep(x: Tensor, n1: number, sign: Sign, scale: number): Tensor {
  const [rows, n] = x.shape;
  const n2 = n / n1;
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  for (let j2 = 0; j2 < n2; j2++) {
    for (let k1 = 0; k1 < n1; k1++) {
      const [c, s] = rootOfUnity(j2 * k1, n);
      wr[j2 * n1 + k1] = c;
      wi[j2 * n1 + k1] = sign * s;
    }
  }
  return tidy(() => {
    const byJ1 = reshape(transpose(reshape(x, [rows, n1, n2, 2]), [0, 2, 1, 3]), [rows * n2, n1, 2]);
    const inner = reshape(dft(byJ1, sign, scale), [rows, n2, n1, 2]);
    const twiddled = timesComplex('fft', inner, [n2, n1], wr, wi);
    const byJ2 = reshape(transpose(twiddled, [0, 2, 1, 3]), [rows * n1, n2, 2]);
    const outer = reshape(dft(byJ2, sign, 1), [rows, n1, n2, 2]);
    return reshape(transpose(outer, [0, 2, 1, 3]), [rows, n, 2]);
  });
}

/**
 * Bluestein: j·k = (j² + k² − (k − j)²)/2 makes the DFT a convolution,
 *   y[k] = scale · c[k] · Σ_j (x[j]·c[j]) · conj(c[k − j]),  c[j] = e^(sign·πi·j²/n),
 * done as a circular one of power-of-two length M ≥ 2n − 1 (which keeps
 * the wrapped-around terms apart): the chirped x zero-padded, a DFT, times
 * the DFT of conj(c) (computed on the host in float64, 1/M included), the
 * inverse DFT, its first n entries chirped again.
 */
function bluestein(x: Tensor, sign: Sign, scale: number): Tensor {
  const [rows, n] = x.shape;
  const M = 2 ** Math.ceil(Math.log2(2 * n - 1));
  const cr = new Float64Array(n);
  const ci = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // e^(sign·πi·j²/n) = e^(sign·2πi·(j² mod 2n)/2n): j² exact in a double for any n an array can hold.
    const [c, s] = rootOfUnity(j * j, 2 * n);
    [cr[j], ci[j]] = [c, sign * s];
  }
  const kr = new Float64Array(M);
  const ki = new Float64Array(M);
  for (let j = 0; j < n; j++) {
    [kr[j], ki[j]] = [cr[j], -ci[j]];
    if (j > 0) [kr[M - j], ki[M - j]] = [cr[j], -ci[j]];
  }
  hostFft(kr, ki, -1);
  for (let i = 0; i < M; i++) [kr[i], ki[i]] = [kr[i] / M, ki[i] / M];
  return tidy(() => {
    const chirped = pad(timesComplex('fft', x, [n], cr, ci), [[0, 0], [0, M - n], [0, 0]]);
    const product = timesComplex('fft', dft(chirped, -1, 1), [M], kr, ki);
    const convolved = slice(dft(product, 1, 1), [0, 0, 0], [rows, n, 2]);
    return timesComplex('fft', convolved, [n], cr.map((v) => scale * v), ci.map((v) => scale * v));
  });
}

/**
 * The DFT of (re, im) in place, in float64, for a power-of-two length:
 * iterative radix-2 Cooley–Tukey, each twiddle factor computed directly.
 */
function hostFft(re: Float64Array, im: Float64Array, sign: Sign): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let length = 2; length <= n; length *= 2) {
    const half = length / 2;
    for (let k = 0; k < half; k++) {
      const [c, s] = rootOfUnity(k, length);
      const [wr, wi] = [c, sign * s];
      for (let i = k; i < n; i += length) {
        const j = i + half;
        const tr = re[j] * wr - im[j] * wi;
        const ti = re[j] * wi + im[j] * wr;
        [re[j], im[j]] = [re[i] - tr, im[i] - ti];
        re[i] += tr;
        im[i] += ti;
      }
    }
  }
}
