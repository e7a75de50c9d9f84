// DynamicQuantizeLinear's scale and zero point on the GPU in two launches —
// x's range in workgroup parts (shaders/quantize_range.wgsl), then the scale
// and zero point from them (quantize_scale.wgsl) — where the composed tensor
// ops take a min and a max reduction of two launches each and the
// elementwise steps after. Nothing is read back; ops/quantize_uint8.ts
// quantizes x by them.
import orderKeyLib from '../../../../shaders/order_key_lib.wgsl';
import quantizeRangeLib from '../../../../shaders/quantize_range_lib.wgsl';
import quantizeRangeShader from '../../../../shaders/quantize_range.wgsl';
import quantizeScaleShader from '../../../../shaders/quantize_scale.wgsl';
import { sizeOf } from '../../../shape.js';
import type { Operand, Runtime } from '../runtime.js';

const WG = 64;
/**
 * The most workgroups the range pass takes, and the fewest elements each of
 * its invocations reads: on lavapipe fewer, longer workgroups measured
 * faster (128×784: 0.70 ms against 1.0 with 32 each).
 */
const MAX_PARTIALS = 256;
const RANGE_PER = 64;

/** scale (f32 [1]) and zero point (i32 [1]) of x (f32), as ops/quantize_uint8.ts composes them. */
export function dynamicQuantizeScale(rt: Runtime, x: Operand, scale: GPUBuffer, zeroPoint: GPUBuffer): void {
  const size = sizeOf(x.shape);
  const partialCount = Math.min(MAX_PARTIALS, Math.max(1, Math.ceil(size / (WG * RANGE_PER))));
  const partials = rt.pool.acquire(partialCount * 12);
  const kernel = (name: string, shader: string) => rt.compiler.kernel({ name, source: [orderKeyLib, quantizeRangeLib, shader], constants: { WG } });
  rt.commands.dispatch(kernel('quantize_range', quantizeRangeShader), { x: x.buffer, partials, params: Uint32Array.of(size) }, [partialCount]);
  rt.commands.dispatch(kernel('quantize_scale', quantizeScaleShader), { partials, scale_out: scale, zero_point_out: zeroPoint, params: Uint32Array.of(partialCount) }, [1]);
  rt.pool.release(partials);
}
