// The tree-walk kernel on the js backend (backends/tree_walk.ts): each row's
// walk down each tree, comparing f32 values as doubles (exact), each leaf's
// values folded into the row's in f32 as the tree is done.
import type { StorageArray } from '../../dtype.js';
import type { TreeReduction } from '../tree_walk.js';
import { valuesOf, type Js } from './values.js';

const LESS = 0, EQUAL = 1, GREATER = 2, NAN = 3;

const IDENTITY: Record<TreeReduction, number> = { sum: 0, min: Infinity, max: -Infinity };
// As the other backends compare: a NaN passes on; between equal values (±0) the one held stays.
const COMBINE: Record<TreeReduction, (held: number, v: number) => number> = {
  sum: (held, v) => held + v,
  min: (held, v) => (v < held || Number.isNaN(v) ? v : held),
  max: (held, v) => (v > held || Number.isNaN(v) ? v : held),
};

export function treeWalk(x: Js, features: Js, thresholds: Js, next: Js, roots: Js, leafValues: Js, depth: number, reduction: TreeReduction): StorageArray {
  const [rows, cols] = x.shape;
  const trees = roots.shape[0], k = leafValues.shape[1];
  const [values, feature, threshold, to, root, leaf] = [valuesOf(x), valuesOf(features), valuesOf(thresholds), valuesOf(next), valuesOf(roots), valuesOf(leafValues)];
  const combine = COMBINE[reduction];
  const out = new Float32Array(rows * k).fill(IDENTITY[reduction]);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let t = 0; t < trees; t++) {
      let at = root[t];
      for (let step = 0; step < depth; step++) {
        const value = values[row + feature[at]], limit = threshold[at];
        // A NaN threshold is neither greater nor equal: less.
        const relation = Number.isNaN(value) ? NAN : value > limit ? GREATER : value === limit ? EQUAL : LESS;
        const then = to[at * 4 + relation];
        if (then === at) break;
        at = then;
      }
      // out is f32, so each store rounds the fold as the other backends' f32 accumulators do.
      for (let c = 0; c < k; c++) out[r * k + c] = combine(out[r * k + c], leaf[at * k + c]);
    }
  }
  return out;
}
