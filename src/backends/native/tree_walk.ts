// The native backend's tree-walk kernel (backends/tree_walk.ts): fallback/src/tree_walk.cc.
import type { StorageArray } from '../../dtype.js';
import type { TreeReduction, TreeWalkKernel } from '../tree_walk.js';
import type { NativeBackend } from './index.js';

/** The addon's reduction codes. */
const REDUCTION: Record<TreeReduction, number> = { sum: 0, min: 1, max: 2 };

export function nativeTreeWalk(native: NativeBackend): TreeWalkKernel<StorageArray> {
  return (x, features, thresholds, next, roots, values, depth, reduction) => {
    const [rows, cols] = x.shape;
    const out = native.allocate('f32', rows * values.shape[1]) as Float32Array;
    const s = (t: typeof x) => native.sizedStorage(t);
    native.addon.treeWalk(s(x) as Float32Array, s(features) as Int32Array, s(thresholds) as Float32Array, s(next) as Int32Array, s(roots) as Int32Array, s(values) as Float32Array, rows, cols, depth, REDUCTION[reduction], out);
    return out;
  };
}
