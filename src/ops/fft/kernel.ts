// The transforms as one call of the backend's FFT kernels (backends/fft.ts),
// where it has them and they take the length: null otherwise, and dft.ts
// and real.ts compose the transform of other ops instead. Each is linear,
// so its gradient is a transform too, which the caller passes in (written
// with its own functions, which come back here for the kernel).
import { backendFor } from '../../engine.js';
import { record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { fftKernelsOf, type FftKernels, type FftSign } from '../../backends/fft.js';
import { computed } from '../util.js';

type Backward = (dy: Tensor) => Tensor;

/**
 * The run of a kernel of x's backend that `pick` finds, into a tensor `shape`, or null where the backend has
 * none, it does not take n, or `pick` finds none (a backend without real transforms).
 */
function byKernel(x: Tensor, n: number, real: boolean, shape: readonly number[], pick: (kernels: FftKernels) => (() => unknown) | undefined, backward: Backward): Tensor | null {
  const backend = backendFor('fft', [x.dataRef('fft')]);
  const kernels = fftKernelsOf(backend);
  const run = kernels?.takes(n, real) ? pick(kernels) : undefined;
  if (!run) return null;
  const y = computed('fft', backend, shape, 'f32', run);
  return record(y, 'fft', [x], [], (dy) => [backward(dy)]);
}

/** The complex DFT along axis 1 of x [rows, n, 2] (f32): dft.ts's, in one kernel call. */
export function complexByKernel(x: Tensor, sign: FftSign, scale: number, backward: Backward): Tensor | null {
  const [rows, n] = x.shape;
  return byKernel(x, n, false, [rows, n, 2], (k) => () => k.complex(x.info('fft'), rows, n, sign, scale), backward);
}

/** The half spectrum [rows, n/2 + 1, 2] of each row of x [rows, n] (f32; the kernels take only even n): real.ts's realToHalfSpectrum. */
export function realForwardByKernel(x: Tensor, scale: number, backward: Backward): Tensor | null {
  const [rows, n] = x.shape;
  return byKernel(x, n, true, [rows, Math.floor(n / 2) + 1, 2], ({ realForward }) => realForward && (() => realForward(x.info('fft'), rows, n, scale)), backward);
}

/** The real signals [rows, n] (the kernels take only even n) of half spectra X [rows, n/2 + 1, 2] (f32): real.ts's halfSpectrumToReal. */
export function realInverseByKernel(X: Tensor, n: number, scale: number, backward: Backward): Tensor | null {
  const rows = X.shape[0];
  if (X.shape[1] !== Math.floor(n / 2) + 1) return null;
  return byKernel(X, n, true, [rows, n], ({ realInverse }) => realInverse && (() => realInverse(X.info('fft'), rows, n, scale)), backward);
}
