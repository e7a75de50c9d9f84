// Row reductions on the GPU: sum, mean, max, min and argmax/argmin of x seen
// as [outer, inner], one workgroup per row (shaders/reduce.wgsl,
// reduce_mean_int.wgsl, arg_reduce.wgsl). The workgroup is narrower for
// short rows, so that many short rows (a softmax over 10 classes) do not
// leave most invocations idle.
import { isFloat, type DType } from '../../../dtype.js';
import type { ArgReduceOp, ReduceOp } from '../../kernels.js';
import argReduceShader from '../../../../shaders/arg_reduce.wgsl';
import elementwiseLib from '../../../../shaders/elementwise_lib.wgsl';
import reduceShader from '../../../../shaders/reduce.wgsl';
import reduceMeanIntShader from '../../../../shaders/reduce_mean_int.wgsl';
import { computeType } from '../layout.js';
import { grid, type Operand, type Runtime } from '../runtime.js';

const OPS: Record<ReduceOp, number> = { sum: 0, mean: 1, max: 2, min: 3 };

/** Invocations per row: a power of two from 16 to 256, about the row's length. */
export function rowWorkgroup(inner: number): number {
  let wg = 16;
  while (wg < 256 && wg < inner) wg *= 2;
  return wg;
}

/** Workgroups for `outer` rows: [x, y] within the per-dimension limit (a row is wg.x + wg.y·num_workgroups.x). */
export const rowGrid = (outer: number): [number, number] => grid(outer, 1);

export function reduce(rt: Runtime, op: ReduceOp, x: Operand, out: GPUBuffer, outDtype: DType): void {
  const [outer, inner] = x.shape;
  const { features } = rt.ctx;
  const params = Uint32Array.of(outer, inner);
  const WG = rowWorkgroup(inner);
  if (op === 'mean' && !isFloat(x.dtype)) {
    const kernel = rt.compiler.kernel({ name: 'reduce_mean_int', source: reduceMeanIntShader, types: { Out: computeType(outDtype, features) }, constants: { WG } });
    rt.commands.dispatch(kernel, { x: x.buffer, out, params }, rowGrid(outer));
    return;
  }
  const float = isFloat(x.dtype);
  const kernel = rt.compiler.kernel({
    name: 'reduce',
    source: `${elementwiseLib}\n${reduceShader}`,
    types: { V: float ? 'f32' : 'i32', In: computeType(x.dtype, features), Out: computeType(outDtype, features) },
    defines: { OP: OPS[op], IS_FLOAT: float ? 1 : 0 },
    constants: { WG },
  });
  rt.commands.dispatch(kernel, { x: x.buffer, out, params }, rowGrid(outer));
}

export function argReduce(rt: Runtime, op: ArgReduceOp, x: Operand, out: GPUBuffer): void {
  const [outer, inner] = x.shape;
  const float = isFloat(x.dtype);
  const kernel = rt.compiler.kernel({
    name: 'arg_reduce',
    source: argReduceShader,
    types: { V: float ? 'f32' : 'i32', In: computeType(x.dtype, rt.ctx.features) },
    defines: { LARGEST: op === 'argmax' ? 1 : 0, IS_FLOAT: float ? 1 : 0 },
    constants: { WG: rowWorkgroup(inner) },
  });
  rt.commands.dispatch(kernel, { x: x.buffer, out, params: Uint32Array.of(outer, inner) }, rowGrid(outer));
}
