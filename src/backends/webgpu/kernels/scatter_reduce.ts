// The scatter-reduce kernel on the GPU (backends/scatter_reduce.ts): the
// tensor written into is copied to the output, then one invocation per
// value combines it in atomically: shaders/scatter_reduce.wgsl for f32 (a
// compare-exchange loop on the bits), shaders/scatter_reduce_int.wgsl for
// i32 (WGSL's own atomics). Nothing is read back.
import scatterReduceShader from '../../../../shaders/scatter_reduce.wgsl';
import scatterReduceIntShader from '../../../../shaders/scatter_reduce_int.wgsl';
import { sizeOf } from '../../../shape.js';
import { SCATTER_REDUCE_OPS, type ScatterReduceKernel, type ScatterReduceOp } from '../../scatter_reduce.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { grid, type Operand, type Runtime } from '../runtime.js';

/** out = into (f32 or i32) with `values` (its dtype) combined at flat `indices` (i32). */
export function scatterReduceInto(rt: Runtime, op: ScatterReduceOp, values: Operand, indices: Operand, into: Operand, out: GPUBuffer): void {
  const [count, size] = [sizeOf(values.shape), sizeOf(into.shape)];
  rt.commands.checkBindable('scatter_reduce', [into.buffer, values.buffer]);
  const int = into.dtype === 'i32';
  const kernel = rt.compiler.kernel({ name: int ? 'scatter_reduce_int' : 'scatter_reduce', source: int ? scatterReduceIntShader : scatterReduceShader, defines: { OP: SCATTER_REDUCE_OPS.indexOf(op) } });
  rt.commands.copy(into.buffer as GPUBuffer, out, size * 4);
  if (count > 0) rt.commands.dispatch(kernel, { values: values.buffer, indices: indices.buffer, out, params: Uint32Array.of(count, size) }, grid(count, 256));
}

/** The webgpu backend's scatter-reduce kernel. The ops layer hands it f32 or i32 (and i32 indices), read as they are. */
export function webGpuScatterReduce(gpu: WebGpuBackend): ScatterReduceKernel<GpuData> {
  return (op, values, indices, into) =>
    gpu.produce(into.dtype, into.shape, (out) => scatterReduceInto(gpu.runtime, op, gpu.operand(values), gpu.operand(indices), gpu.operand(into), out));
}
