// DynamicQuantizeLinear's scale and zero point on the GPU, where the composed
// tensor ops take a min and a max reduction of two launches each and the
// elementwise steps after: two launches — x's range in workgroup parts
// (shaders/quantize_range.wgsl), then the scale and zero point from them
// (quantize_scale.wgsl) — or, on a software adapter and an x of up to
// SINGLE_PASS_MAX elements, one launch of one workgroup
// (quantize_range_scale.wgsl). Nothing is read back; ops/quantize_uint8.ts
// quantizes x by them.
import orderKeyLib from '../../../../shaders/order_key_lib.wgsl';
import quantizeRangeLib from '../../../../shaders/quantize_range_lib.wgsl';
import quantizeRangeShader from '../../../../shaders/quantize_range.wgsl';
import quantizeRangeScaleShader from '../../../../shaders/quantize_range_scale.wgsl';
import quantizeScaleShader from '../../../../shaders/quantize_scale.wgsl';
import quantizeScaleOut from '../../../../shaders/quantize_scale_out.wgsl';
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
/**
 * The most elements one workgroup reads alone on a software adapter, where a
 * launch costs ~0.1 ms: on lavapipe the int8 MLP's three (128×784, 128×256,
 * 128×256) took 0.3–0.8 ms of GPU time in one launch each against 1.1–1.4 ms
 * in two, and a run 2.04–2.16 ms against 2.22–2.33 (best of rounds,
 * alternated, 2026-12-05). Not on a GPU: there one workgroup's loads wait on
 * memory one after another (~4,000 of them at this size, each ~0.5 µs),
 * where two launches cost µs.
 */
export const SINGLE_PASS_MAX = 2 ** 18;

/** scale (f32 [1]) and zero point (i32 [1]) of x (f32), as ops/quantize_uint8.ts composes them. */
export function dynamicQuantizeScale(rt: Runtime, x: Operand, scale: GPUBuffer, zeroPoint: GPUBuffer): void {
  const size = sizeOf(x.shape);
  const kernel = (name: string, ...shader: string[]) => rt.compiler.kernel({ name, source: [orderKeyLib, quantizeRangeLib, ...shader], constants: { WG } });
  if (rt.ctx.software && size <= SINGLE_PASS_MAX) {
    rt.commands.dispatch(kernel('quantize_range_scale', quantizeRangeScaleShader, quantizeScaleOut), { x: x.buffer, scale_out: scale, zero_point_out: zeroPoint, params: Uint32Array.of(size) }, [1]);
    return;
  }
  const partialCount = Math.min(MAX_PARTIALS, Math.max(1, Math.ceil(size / (WG * RANGE_PER))));
  const partials = rt.pool.acquire(partialCount * 12);
  rt.commands.dispatch(kernel('quantize_range', quantizeRangeShader), { x: x.buffer, partials, params: Uint32Array.of(size) }, [partialCount]);
  rt.commands.dispatch(kernel('quantize_scale', quantizeScaleShader, quantizeScaleOut), { partials, scale_out: scale, zero_point_out: zeroPoint, params: Uint32Array.of(partialCount) }, [1]);
  rt.pool.release(partials);
}
