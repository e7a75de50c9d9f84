// The tree-walk kernel on the GPU (shaders/tree_walk.wgsl): one invocation
// per (row, tree), each walking to its leaf. Nothing is read back.
import treeWalkShader from '../../../../shaders/tree_walk.wgsl';
import type { TreeWalkKernel } from '../../tree_walk.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { grid, type Operand, type Runtime } from '../runtime.js';

const WG = 64;

/** out (i32 [N, T]) = the leaf each tree leads each row of x (f32 [N, F]) to, from the node tables (i32, f32, i32 [M·4], i32 [T]). */
export function treeWalk(rt: Runtime, x: Operand, features: Operand, thresholds: Operand, next: Operand, roots: Operand, depth: number, out: GPUBuffer): void {
  const [rows, cols] = x.shape;
  const trees = roots.shape[0];
  const size = rows * trees;
  if (size === 0) return;
  const kernel = rt.compiler.kernel({ name: 'tree_walk', source: treeWalkShader, constants: { WG } });
  const params = Uint32Array.of(size, trees, cols, depth);
  rt.commands.dispatch(kernel, { x: x.buffer, features: features.buffer, thresholds: thresholds.buffer, next: next.buffer, roots: roots.buffer, out, params }, grid(size, WG));
}

/** The webgpu backend's tree-walk kernel (backends/tree_walk.ts). The ops layer hands it x and thresholds as f32, the tables as i32. */
export function webGpuTreeWalk(gpu: WebGpuBackend): TreeWalkKernel<GpuData> {
  return (x, features, thresholds, next, roots, depth) =>
    gpu.produce('i32', [x.shape[0], roots.shape[0]], (out) => treeWalk(gpu.runtime, gpu.operand(x), gpu.operand(features), gpu.operand(thresholds), gpu.operand(next), gpu.operand(roots), depth, out));
}
