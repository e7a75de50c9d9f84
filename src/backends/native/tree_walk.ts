// The native backend's tree-walk kernel (backends/tree_walk.ts): fallback/src/tree_walk.cc.
import type { StorageArray } from '../../dtype.js';
import type { TreeWalkKernel } from '../tree_walk.js';
import type { NativeBackend } from './index.js';

export function nativeTreeWalk(native: NativeBackend): TreeWalkKernel<StorageArray> {
  return (x, features, thresholds, next, roots, depth) => {
    const [rows, cols] = x.shape;
    const out = native.allocate('i32', rows * roots.shape[0]) as Int32Array;
    const s = (t: typeof x) => native.sizedStorage(t);
    native.addon.treeWalk(s(x) as Float32Array, s(features) as Int32Array, s(thresholds) as Float32Array, s(next) as Int32Array, s(roots) as Int32Array, rows, cols, depth, out);
    return out;
  };
}
