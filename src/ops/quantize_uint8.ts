// ONNX's DynamicQuantizeLinear: x's range widened to hold 0, split into 255
// steps (the scale), the zero point where 0 falls (rounded, saturated to
// uint8), and x quantized by them:
//   lo = min(min x, 0), hi = max(max x, 0), scale = (hi − lo) / 255
//   zero point = saturate(round(−lo / scale)), y = saturate(round(x / scale) + zero point)
// An x of zeros alone has no range, and the formula's 0 / 0 no value: its
// scale is 1 there, y and the zero point 0, as onnxruntime gives.
//
// Composed, it is a dozen tensor ops, each a pass over x or a tiny launch.
// Native computes all of it in one kernel (fallback/src/dynamic_quantize.cc),
// the same bits in two passes. Webgpu finds the scale and zero point in two
// launches, one on a software adapter for a small x
// (backends/webgpu/kernels/quantize_scale.ts), and quantizes x by them with the
// composed elementwise ops, which fuse with what reads y (an int8 product's
// shift into int8) into one launch. The composed ops stay where a gradient
// must reach x through the scale (a fine-tuned ONNX model), and for what the
// kernel leaves to them (a NaN or an infinity in x).
import { backendFor, tidy } from '../engine.js';
import { isGradEnabled, needsGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { scalar } from './creation.js';
import { add, clip, div, equal, maximum, minimum, neg, round, sub, where } from './elementwise.js';
import { max, min } from './reduce.js';
import { fromStorage, onBackendOf } from './util.js';

/** [y (i32 holding uint8 values, x's shape), scale (f32, a scalar), zero point (i32 holding a uint8, a scalar)]. */
export function dynamicQuantizeUint8(x: Tensor): [Tensor, Tensor, Tensor] {
  return tidy(() => {
    const xf = x.dtype === 'f32' ? x : cast(x, 'f32');
    let scale: Tensor | undefined, zeroPoint: Tensor | undefined;
    if (!(isGradEnabled() && needsGrad(xf))) {
      const backend = backendFor('dynamicQuantizeLinear', [xf.dataRef('dynamicQuantizeLinear')]);
      const info = xf.info('dynamicQuantizeLinear');
      const found = backend.dynamicQuantizeUint8?.(info);
      if (found) {
        const y = fromStorage(backend, found.y, x.shape, 'i32');
        return onBackendOf('dynamicQuantizeLinear', xf, () => [y, scalar(found.scale), scalar(found.zeroPoint, { dtype: 'i32' })]);
      }
      const params = backend.dynamicQuantizeScale?.(info);
      if (params) [scale, zeroPoint] = [fromStorage(backend, params.scale, [], 'f32'), fromStorage(backend, params.zeroPoint, [], 'i32')];
    }
    if (!scale || !zeroPoint) {
      const lo = minimum(min(xf), 0), hi = maximum(max(xf), 0);
      const range = div(sub(hi, lo), 255);
      scale = where(equal(range, 0), 1, range);
      zeroPoint = cast(clip(round(clip(neg(div(lo, scale)), 0, 255)), 0, 255), 'i32');
    }
    const y = cast(clip(add(round(div(xf, scale)), zeroPoint), 0, 255), 'i32');
    return [y, scale, zeroPoint];
  });
}
