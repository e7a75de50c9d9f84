// The binary-search kernel on the GPU (shaders/search.wgsl): one invocation
// per value, each searching its row of sorted. Nothing is read back.
import orderKeyLib from '../../../../shaders/order_key_lib.wgsl';
import searchShader from '../../../../shaders/search.wgsl';
import type { SearchSortedKernel } from '../../search.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { sizeOf } from '../../../shape.js';
import { grid, type Operand, type Runtime } from '../runtime.js';

const WG = 64;

/** out (i32 [rows · m]) = each value's place in its row of sorted (rows · n), both f32 or both i32 (backends/search.ts). */
export function searchSorted(rt: Runtime, sorted: Operand, values: Operand, rows: number, right: boolean, out: GPUBuffer): void {
  const size = sizeOf(values.shape);
  if (size === 0) return;
  const n = sizeOf(sorted.shape) / rows, m = size / rows;
  const float = sorted.dtype !== 'i32';
  const kernel = rt.compiler.kernel({ name: 'search', source: [orderKeyLib, searchShader], types: { T: float ? 'f32' : 'i32' }, defines: { FLOAT: float, RIGHT: right }, constants: { WG } });
  const params = Uint32Array.of(size, n, m, 0);
  rt.commands.dispatch(kernel, { sorted: sorted.buffer, values: values.buffer, out, params }, grid(size, WG));
}

/** The webgpu backend's binary-search kernel (backends/search.ts). The ops layer hands it f32 or i32, both alike. */
export function webGpuSearchSorted(gpu: WebGpuBackend): SearchSortedKernel<GpuData> {
  return (sorted, values, rows, right) =>
    gpu.produce('i32', values.shape, (out) => searchSorted(gpu.runtime, gpu.operand(sorted), gpu.operand(values), rows, right, out));
}
