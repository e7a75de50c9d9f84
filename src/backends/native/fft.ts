// The native backend's FFT kernels (backends/fft.ts): fallback/src/fft.cc,
// KissFFT's mixed-radix transforms, present when the addon was built with it.
import type { StorageArray } from '../../dtype.js';
import type { FftKernels } from '../fft.js';
import type { TensorInfo } from '../kernels.js';
import type { Addon } from './addon.js';
import type { NativeBackend } from './index.js';

/**
 * The largest prime factor of a length the kernels take. KissFFT does a
 * prime p it has no butterfly for (all but 2, 3 and 5) in O(p²) per group
 * of p: a length with a larger prime factor is faster as ops/fft composes
 * it (four steps around it, Bluestein for it, whose transforms of a power
 * of two come back here). With 7, 11 and 13 the kernel is still 1.1–5×
 * the faster at n = 448–1155; at p = 67–127 Bluestein is 1.2–2× faster
 * than KissFFT (measured on native, 2026-12-07, 2^18 points a call).
 */
export const LARGEST_PRIME = 13;

/**
 * Lengths up to these are faster as ops/fft's one product with the DFT's
 * matrix (OpenBLAS over rows of 2n floats) than as KissFFT's call per row:
 * 1.5–3× at n ≤ 64 complex and n ≤ 128 real, even at 256 real, the kernel
 * 3–5× faster past them (same measurements).
 */
export const MATRIX_UP_TO = { complex: 64, real: 256 } as const;

/** Whether every prime factor of n is at most LARGEST_PRIME (and n fits KissFFT's int). */
function smooth(n: number): boolean {
  if (!Number.isInteger(n) || n < 1 || n >= 2 ** 31) return false;
  let m = n;
  for (let p = 2; p <= LARGEST_PRIME && m > 1; p++) while (m % p === 0) m /= p;
  return m === 1;
}

/** The addon with its transforms, which it has when built with KissFFT. */
type FftAddon = Required<Pick<Addon, 'fftComplex' | 'fftRealForward' | 'fftRealInverse'>>;

export function nativeFft(native: NativeBackend): FftKernels<StorageArray> | null {
  if (!native.addon.fftComplex || !native.addon.fftRealForward || !native.addon.fftRealInverse) return null;
  // Looked up at each call, as the backend's other kernels are.
  const addon = (): FftAddon => native.addon as FftAddon;
  const input = (x: TensorInfo<StorageArray>) => native.sizedStorage(x) as Float32Array;
  return {
    takes: (n, real) => n > MATRIX_UP_TO[real ? 'real' : 'complex'] && (!real || n % 2 === 0) && smooth(n),
    complex(x, rows, n, sign, scale) {
      const out = native.allocate('f32', rows * n * 2) as Float32Array;
      if (out.length) addon().fftComplex(input(x), rows, n, sign === 1, scale, out);
      return out;
    },
    realForward(x, rows, n, scale) {
      const out = native.allocate('f32', rows * (n / 2 + 1) * 2) as Float32Array;
      if (out.length) addon().fftRealForward(input(x), rows, n, scale, out);
      return out;
    },
    realInverse(x, rows, n, scale) {
      const out = native.allocate('f32', rows * n) as Float32Array;
      if (out.length) addon().fftRealInverse(input(x), rows, n, scale, out);
      return out;
    },
  };
}
