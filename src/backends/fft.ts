// Fast Fourier transform kernels behind tm.fft (ops/fft), where a backend
// has them: native's when the addon was built with KissFFT (complex and
// real), webgpu's (complex, powers of two up to 2048). The js backend has
// none, and ops/fft composes the transforms of matrix products there
// (dft.ts, real.ts), as it does for a length the kernels do not take.
// Apart from the core kernel contract (kernels.ts) for the reason given in
// kernel_family.ts: only ops/fft imports this module.
import type { Backend, TensorInfo } from './kernels.js';
import { kernelFamily } from './kernel_family.js';
import { nativeFft } from './native/fft.js';
import type { NativeBackend } from './native/index.js';
import { webGpuFft } from './webgpu/kernels/fft.js';
import type { WebGpuBackend } from './webgpu/index.js';

/** e^(+2πi·jk/n) (the inverse transform's) or e^(−2πi·jk/n) (the forward one's). */
export type FftSign = 1 | -1;

/**
 * A backend's transforms, each of `rows` rows, unnormalised then times
 * `scale`, in f32, for the lengths n the backend says it `takes` (the
 * lengths its kernels are the faster way to; the real ones' n is even):
 * - complex: x [rows, n, 2] (real, imaginary) → y[k] = scale · Σ_j x[j]·e^(sign·2πi·jk/n), [rows, n, 2];
 * - realForward: x [rows, n] real → its half spectrum, bins 0 … n/2 of the forward transform, [rows, n/2 + 1, 2];
 * - realInverse: a half spectrum [rows, n/2 + 1, 2] → the real signal of the Hermitian spectrum it stands for,
 *   scale · Σ_k X[k]·e^(2πi·jk/n) over all n bins, [rows, n] (numpy's irfft: the imaginary parts of bins 0 and n/2
 *   are ignored).
 */
export interface FftKernels<S = unknown> {
  takes(n: number, real: boolean): boolean;
  complex(x: TensorInfo<S>, rows: number, n: number, sign: FftSign, scale: number): S;
  /** Present where `takes(n, true)` can be true. */
  realForward?(x: TensorInfo<S>, rows: number, n: number, scale: number): S;
  realInverse?(x: TensorInfo<S>, rows: number, n: number, scale: number): S;
}

/** The family's entry: a backend's kernels, or none. */
interface Entry {
  kernels: FftKernels | null;
}

const family = kernelFamily<Entry>({
  js: () => ({ kernels: null }),
  native: (backend: NativeBackend) => ({ kernels: nativeFft(backend) as FftKernels | null }),
  webgpu: (backend: WebGpuBackend) => ({ kernels: webGpuFft(backend) as FftKernels }),
});

/** The backend's FFT kernels, or null where it composes its transforms of other ops. */
export function fftKernelsOf<S>(backend: Backend<S>): FftKernels<S> | null {
  return family(backend).kernels as FftKernels<S> | null;
}
