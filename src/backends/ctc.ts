// The CTC loss's kernel (tm.losses.ctc): α, β and the gradient in one pass.
// Apart from the core kernel contract (kernels.ts) for the reason given in
// kernel_family.ts: only ops/ctc.ts imports this module, so a page without a
// CTC loss never downloads it.
import type { Backend, TensorInfo } from './kernels.js';
import { kernelFamily } from './kernel_family.js';
import { ctc } from './js/ctc.js';
import { nativeCtc } from './native/ctc.js';
import { webGpuCtc } from './webgpu/kernels/ctc.js';
import type { NativeBackend } from './native/index.js';
import type { WebGpuBackend } from './webgpu/index.js';

/**
 * CTC's negative log-likelihood of each sample's target from
 * log-probabilities lp (f32 [T, N, C]) and targets (i32 [N, S]), sample n
 * taking inputLengths[n] ≥ 1 frames and its first targetLengths[n] labels
 * (interleaved with `blank`): out f32 [N] (+∞ where no alignment spells
 * the target, NaN where a label is not a class), then with `withGrad`
 * d out[n] / d lp[t, n, c] ([T, N, C]: 0 past a sample's frames and for
 * an unspellable target). ops/ctc.ts also runs the recursion as ops, a
 * dozen per frame (ctcLossesByOps, tested against it on every backend).
 */
export type CtcKernel<S = unknown> = (lp: TensorInfo<S>, targets: TensorInfo<S>, inputLengths: Int32Array, targetLengths: Int32Array, blank: number, withGrad: boolean) => S;

const family = kernelFamily<CtcKernel>({
  js: () => ctc as CtcKernel,
  native: nativeCtc as (backend: NativeBackend) => CtcKernel,
  webgpu: webGpuCtc as (backend: WebGpuBackend) => CtcKernel,
});

/** The backend's CTC kernel, made on first use. */
export function ctcKernelOf<S>(backend: Backend<S>): CtcKernel<S> {
  return family(backend) as CtcKernel<S>;
}
