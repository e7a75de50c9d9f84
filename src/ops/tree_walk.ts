// Walking a forest's trees (the ONNX tree ensembles, onnx/ops/ml_tree.ts):
// each backend's tree-walk kernel takes each (row, tree) from its root to
// its leaf in one pass, where walking by ops takes a dozen per level.
import { backendFor } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { computed } from './util.js';
import { treeWalkKernelOf } from '../backends/tree_walk.js';

/**
 * The leaf each tree leads each row of x (f32 [N, F]) to: i32 [N, T], from
 * a forest's flat node tables: features (i32 [M], each in [0, F)),
 * thresholds (f32 [M]), next (i32 [M·4]: at node·4 + r the node a value's
 * relation r to the threshold leads to; r = 0 less, 1 equal, 2 greater,
 * 3 a NaN value; a NaN threshold is neither greater nor equal, so less; a
 * leaf leads to itself) and the roots (i32 [T]), at most `depth` steps from
 * each root. The caller has checked the tables' indices. Not differentiable.
 */
export function treeWalk(x: Tensor, features: Tensor, thresholds: Tensor, next: Tensor, roots: Tensor, depth: number): Tensor {
  const inputs = [x, features, thresholds, next, roots];
  const backend = backendFor('treeWalk', inputs.map((t) => t.dataRef('treeWalk')));
  const [n, t] = [x.shape[0], roots.shape[0]];
  return computed('treeWalk', backend, [n, t], 'i32', () =>
    treeWalkKernelOf(backend)(x.info('treeWalk'), features.info('treeWalk'), thresholds.info('treeWalk'), next.info('treeWalk'), roots.info('treeWalk'), depth),
  );
}
