// ONNX's DynamicQuantizeLinear on the GPU in two launches
// (shaders/quantize_range.wgsl, shaders/quantize_uint8.wgsl), where the
// composed tensor ops take seven or more: a min and a max reduction of two
// passes each, and the elementwise steps. Nothing is read back.
import quantizeRangeLib from '../../../../shaders/quantize_range_lib.wgsl';
import quantizeRangeShader from '../../../../shaders/quantize_range.wgsl';
import quantizeShader from '../../../../shaders/quantize_uint8.wgsl';
import { grid, type Operand, type Runtime } from '../runtime.js';

const WG = 256;
/** Elements each invocation of the second pass quantizes. */
const PER = 4;
/** Elements each invocation of the first pass reads at least, so that small inputs take few partials. */
const RANGE_PER = 16;

/** y (i32 [n], uint8 values), scale (f32 [1]) and zero point (i32 [1]) of x (f32), as ops/quantize_uint8.ts composes them. */
export function dynamicQuantizeUint8(rt: Runtime, x: Operand, y: GPUBuffer, scale: GPUBuffer, zeroPoint: GPUBuffer): void {
  const size = x.shape.reduce((a, b) => a * b, 1);
  // At most WG partials, so that each of the second pass's invocations folds at most one.
  const partialCount = Math.min(WG, Math.max(1, Math.ceil(size / (WG * RANGE_PER))));
  const partials = rt.pool.acquire(partialCount * 16);
  const range = rt.compiler.kernel({ name: 'quantize_range', source: [quantizeRangeLib, quantizeRangeShader], constants: { WG } });
  rt.commands.dispatch(range, { x: x.buffer, partials, params: Uint32Array.of(size) }, [partialCount]);
  const quantize = rt.compiler.kernel({ name: 'quantize_uint8', source: [quantizeRangeLib, quantizeShader], constants: { WG, PER } });
  rt.commands.dispatch(quantize, { x: x.buffer, partials, y, scale_out: scale, zero_point_out: zeroPoint, params: Uint32Array.of(size, partialCount) }, grid(size, WG * PER));
  rt.pool.release(partials);
}
