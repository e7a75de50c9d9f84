// The scatter-reduce kernel behind scatterReduce, and the int adds of
// scatterAdd and indexAdd (ops/scatter.ts): values combined into a copy of
// a tensor at flat indices. Apart from the core kernel contract (kernels.ts)
// for the reason given in kernel_family.ts: only ops/scatter.ts imports this
// module, so a page that never scatters never downloads it.
import type { Backend, TensorInfo } from './kernels.js';
import { kernelFamily } from './kernel_family.js';
import { scatterReduce } from './js/scatter_reduce.js';
import { nativeScatterReduce } from './native/scatter_reduce.js';
import { webGpuScatterReduce } from './webgpu/kernels/scatter_reduce.js';
import type { NativeBackend } from './native/index.js';
import type { WebGpuBackend } from './webgpu/index.js';

/** In the order the scatter-reduce shaders number them (OP). */
export const SCATTER_REDUCE_OPS = ['sum', 'prod', 'max', 'min'] as const;
export type ScatterReduceOp = (typeof SCATTER_REDUCE_OPS)[number];

/**
 * A copy of `into` (f32 or i32) with each of `values` (into's dtype, read
 * flat) combined into the element indices[j] names (i32, read flat; one
 * outside [0, into's size) combines into nothing): summed, multiplied, or
 * the larger or smaller kept (a NaN wins, as max and min give it). Ints
 * wrap. Where an index repeats, a GPU's float sums and products come in
 * any order, and their last bits with them.
 */
export type ScatterReduceKernel<S = unknown> = (op: ScatterReduceOp, values: TensorInfo<S>, indices: TensorInfo<S>, into: TensorInfo<S>) => S;

const family = kernelFamily<ScatterReduceKernel>({
  js: () => scatterReduce as ScatterReduceKernel,
  native: nativeScatterReduce as (backend: NativeBackend) => ScatterReduceKernel,
  webgpu: webGpuScatterReduce as (backend: WebGpuBackend) => ScatterReduceKernel,
});

/** The backend's scatter-reduce kernel, made on first use. */
export function scatterReduceKernelOf<S>(backend: Backend<S>): ScatterReduceKernel<S> {
  return family(backend) as ScatterReduceKernel<S>;
}
