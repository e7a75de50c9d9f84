// Walking a forest's trees (the ONNX tree ensembles, onnx/ops/ml_tree.ts):
// each backend's tree-walk kernel takes each (row, tree) from its root to
// its leaf and folds the leaf's values into the row's in one pass, where
// walking by ops takes a dozen per level and the leaves' values gathered
// per tree take [N, T, K] memory.
import { backendFor } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { computed } from './util.js';
import { treeWalkKernelOf, type TreeReduction } from '../backends/tree_walk.js';

export type { TreeReduction } from '../backends/tree_walk.js';

/** A forest as flat node tables (see treeWalk) and the most steps from a root to a leaf. */
export interface ForestTables {
  features: Tensor;
  thresholds: Tensor;
  next: Tensor;
  roots: Tensor;
  depth: number;
}

/**
 * f32 [N, K]: for each row of x (f32 [N, F]), the values (f32 [M, K]) of
 * the leaves the trees lead it to, reduced over the trees in their order:
 * 'sum' (in f32, one tree at a time, from 0), 'min' or 'max' (from ±∞,
 * passing a NaN on). The forest is flat node tables: features (i32 [M],
 * each in [0, F)), thresholds (f32 [M]), next (i32 [M·4]: at node·4 + r the
 * node a value's relation r to the threshold leads to; r = 0 less, 1 equal,
 * 2 greater, 3 a NaN value; a NaN threshold is neither greater nor equal,
 * so less; a leaf leads to itself) and the roots (i32 [T]), at most `depth`
 * steps from each root. The caller has checked the tables' indices. Not
 * differentiable.
 */
export function treeWalk(
  x: Tensor,
  forest: ForestTables,
  values: Tensor,
  reduction: TreeReduction,
): Tensor {
  const { features, thresholds, next, roots, depth } = forest;
  const inputs = [x, features, thresholds, next, roots, values];
  const backend = backendFor('treeWalk', inputs.map((t) => t.dataRef('treeWalk')));
  const info = (t: Tensor) => t.info('treeWalk');
  return computed('treeWalk', backend, [x.shape[0], values.shape[1]], 'f32', () =>
    treeWalkKernelOf(backend)(info(x), info(features), info(thresholds), info(next), info(roots), info(values), depth, reduction),
  );
}
