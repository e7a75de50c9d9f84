// The tree-walk kernel on the js backend (backends/tree_walk.ts): each row's
// walk down each tree, comparing f32 values as doubles (exact).
import type { StorageArray } from '../../dtype.js';
import { valuesOf, type Js } from './values.js';

const LESS = 0, EQUAL = 1, GREATER = 2, NAN = 3;

export function treeWalk(x: Js, features: Js, thresholds: Js, next: Js, roots: Js, depth: number): StorageArray {
  const [rows, cols] = x.shape;
  const trees = roots.shape[0];
  const [values, feature, threshold, to, root] = [valuesOf(x), valuesOf(features), valuesOf(thresholds), valuesOf(next), valuesOf(roots)];
  const out = new Int32Array(rows * trees);
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
      out[r * trees + t] = at;
    }
  }
  return out;
}
