// The native backend's all-pole recursion (backends/all_pole.ts): fallback/src/all_pole.cc.
import type { StorageArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import type { AllPoleKernel } from '../all_pole.js';
import type { NativeBackend } from './index.js';

export function nativeAllPole(native: NativeBackend): AllPoleKernel<StorageArray> {
  return (v, rows, a) => {
    const out = native.allocate('f32', sizeOf(v.shape)) as Float32Array;
    if (out.length > 0) native.addon.allPole(native.sizedStorage(v) as Float32Array, rows, a, out);
    return out;
  };
}
