// The all-pole recursion behind tm.signal's IIR filters (ops/all_pole.ts):
// w[n] = v[n] − Σₖ aₖ·w[n − k] along each row, one pass over the samples.
// Apart from the core kernel contract (kernels.ts) for the reason given in
// kernel_family.ts: only ops/all_pole.ts imports this module, so a page
// that never filters never downloads it.
import type { Backend, TensorInfo } from './kernels.js';
import { kernelFamily } from './kernel_family.js';
import { allPole } from './js/all_pole.js';
import { nativeAllPole } from './native/all_pole.js';
import { webGpuAllPole } from './webgpu/kernels/all_pole.js';
import type { NativeBackend } from './native/index.js';
import type { WebGpuBackend } from './webgpu/index.js';

/** The most coefficients a (beside a₀ = 1) the kernels take: the GPU's keeps the last outputs in registers. */
export const MOST_POLES = 8;

/**
 * For v f32 [rows, n] and a f32 [a₁ … a_p] (a₀ = 1 understood, p ≤
 * MOST_POLES): f32 [rows, n], w[r, i] = v[r, i] − Σₖ aₖ·w[r, i − k] (w
 * before the row's start 0). js and native accumulate in double; the GPU in
 * f32.
 */
export type AllPoleKernel<S = unknown> = (v: TensorInfo<S>, rows: number, a: Float32Array) => S;

const family = kernelFamily<AllPoleKernel>({
  js: () => allPole as AllPoleKernel,
  native: nativeAllPole as (backend: NativeBackend) => AllPoleKernel,
  webgpu: webGpuAllPole as (backend: WebGpuBackend) => AllPoleKernel,
});

/** The backend's all-pole kernel, made on first use. */
export function allPoleKernelOf<S>(backend: Backend<S>): AllPoleKernel<S> {
  return family(backend) as AllPoleKernel<S>;
}
