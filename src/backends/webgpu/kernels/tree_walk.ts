// The tree-walk kernel on the GPU (shaders/tree_walk.wgsl): one invocation
// per row, walking each tree to its leaf and folding the leaf's values into
// the row's. Nothing is read back.
import orderKeyLib from '../../../../shaders/order_key_lib.wgsl';
import treeWalkShader from '../../../../shaders/tree_walk.wgsl';
import type { TreeReduction, TreeWalkKernel } from '../../tree_walk.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { grid, type Operand, type Runtime } from '../runtime.js';

const WG = 64;
/** The shader's REDUCTION codes. */
const REDUCTION: Record<TreeReduction, number> = { sum: 0, min: 1, max: 2 };

/** out (f32 [N, K]) = the values (f32 [M, K]) of the leaves the trees lead each row of x (f32 [N, F]) to, reduced over the trees. */
export function treeWalk(rt: Runtime, x: Operand, features: Operand, thresholds: Operand, next: Operand, roots: Operand, values: Operand, depth: number, reduction: TreeReduction, out: GPUBuffer): void {
  const [rows, cols] = x.shape;
  const k = values.shape[1];
  if (rows === 0 || k === 0) return;
  const kernel = rt.compiler.kernel({ name: 'tree_walk', source: [orderKeyLib, treeWalkShader], constants: { WG, REDUCTION: REDUCTION[reduction] } });
  const params = Uint32Array.of(rows, roots.shape[0], cols, depth, k);
  rt.commands.dispatch(kernel, { x: x.buffer, features: features.buffer, thresholds: thresholds.buffer, next: next.buffer, roots: roots.buffer, values: values.buffer, out, params }, grid(rows, WG));
}

/** The webgpu backend's tree-walk kernel (backends/tree_walk.ts). The ops layer hands it x, thresholds and values as f32, the tables as i32. */
export function webGpuTreeWalk(gpu: WebGpuBackend): TreeWalkKernel<GpuData> {
  return (x, features, thresholds, next, roots, values, depth, reduction) =>
    gpu.produce('f32', [x.shape[0], values.shape[1]], (out) =>
      treeWalk(gpu.runtime, gpu.operand(x), gpu.operand(features), gpu.operand(thresholds), gpu.operand(next), gpu.operand(roots), gpu.operand(values), depth, reduction, out),
    );
}
