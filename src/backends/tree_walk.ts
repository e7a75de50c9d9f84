// The tree-walk kernel behind the ONNX tree ensembles (onnx/ops/ml_tree.ts):
// each sample's walk down each tree and the reduction of the leaves' values
// over the trees, in one pass. Apart from the core kernel contract
// (kernels.ts) for the reason given in kernel_family.ts: only
// ops/tree_walk.ts imports this module, so a page without a tree ensemble
// never downloads it.
import type { Backend, TensorInfo } from './kernels.js';
import { kernelFamily } from './kernel_family.js';
import { treeWalk } from './js/tree_walk.js';
import { nativeTreeWalk } from './native/tree_walk.js';
import { webGpuTreeWalk } from './webgpu/kernels/tree_walk.js';
import type { NativeBackend } from './native/index.js';
import type { WebGpuBackend } from './webgpu/index.js';

/** How the leaves' values combine over the trees; min and max pass a NaN on. */
export type TreeReduction = 'sum' | 'min' | 'max';

/**
 * f32 [N, K]: for each row n of x (f32 [N, F]) and column k, the values
 * (f32 [M, K]) of the leaves the trees lead the row to, reduced over the
 * trees in their order (from 0, +∞ or −∞; the sum in f32, one tree at a
 * time). The forest is flat node tables: features (i32 [M], each in
 * [0, F)), thresholds (f32 [M]), next (i32 [M·4], each a node: where a
 * value's relation r to the node's threshold leads, at node·4 + r, r = 0
 * less, 1 equal, 2 greater, 3 NaN value; a NaN threshold is neither greater
 * nor equal, so less; a leaf leads to itself) and the trees' roots
 * (i32 [T]), each walk at most `depth` steps. A walk may stop once a step
 * stays on its node: every later step would too.
 */
export type TreeWalkKernel<S = unknown> = (
  x: TensorInfo<S>,
  features: TensorInfo<S>,
  thresholds: TensorInfo<S>,
  next: TensorInfo<S>,
  roots: TensorInfo<S>,
  values: TensorInfo<S>,
  depth: number,
  reduction: TreeReduction,
) => S;

const family = kernelFamily<TreeWalkKernel>({
  js: () => treeWalk as TreeWalkKernel,
  native: nativeTreeWalk as (backend: NativeBackend) => TreeWalkKernel,
  webgpu: webGpuTreeWalk as (backend: WebGpuBackend) => TreeWalkKernel,
});

/** The backend's tree-walk kernel, made on first use. */
export function treeWalkKernelOf<S>(backend: Backend<S>): TreeWalkKernel<S> {
  return family(backend) as TreeWalkKernel<S>;
}
