// The native backend's CTC kernel (backends/ctc.ts): fallback/src/ctc.cc.
import type { StorageArray } from '../../dtype.js';
import type { CtcKernel } from '../ctc.js';
import type { NativeBackend } from './index.js';

export function nativeCtc(native: NativeBackend): CtcKernel<StorageArray> {
  return (lp, targets, inputLengths, targetLengths, blank, withGrad) => {
    const [frames, batch, classes] = lp.shape;
    const out = native.allocate('f32', batch + (withGrad ? frames * batch * classes : 0)) as Float32Array;
    native.addon.ctc(native.sizedStorage(lp) as Float32Array, native.sizedStorage(targets) as Int32Array, inputLengths, targetLengths, frames, classes, blank, withGrad, out);
    return out;
  };
}
