// Softmax and log-softmax along rows on the GPU (shaders/softmax.wgsl),
// launched like the row reductions (kernels/reduce.ts): one invocation per
// short row, one workgroup per longer row, subgroup operations when the
// device has them and reduceOptions.subgroups allows, long rows among few
// rows split into chunks (two launches: chunk stats, then combine and write).
import type { DType } from '../../../dtype.js';
import softmaxShader from '../../../../shaders/softmax.wgsl';
import { computeType } from '../layout.js';
import { grid, type Operand, type Runtime } from '../runtime.js';
import { SPLIT_CHUNK, SPLIT_MAX_ROWS, SPLIT_MIN_INNER, rowLaunch, rowLib, useSubgroups, type RowLaunch } from './reduce.js';

export function softmax(rt: Runtime, x: Operand, log: boolean, out: Operand['buffer'], outDtype: DType): void {
  const [outer, inner] = x.shape;
  const { features } = rt.ctx;
  const run = (phase: 0 | 1 | 2, stats: GPUBuffer, params: Uint32Array, launch: RowLaunch) => {
    const subgroups = useSubgroups(rt) && !launch.perInvocation;
    const kernel = rt.compiler.kernel({
      name: 'softmax',
      source: [...rowLib(subgroups), softmaxShader],
      types: { V: 'f32', In: computeType(x.dtype, features), Out: computeType(outDtype, features) },
      defines: { LOG: log, PHASE: phase, PER_INVOCATION: launch.perInvocation, SUBGROUPS: subgroups },
      constants: { WG: launch.WG },
    });
    rt.commands.dispatch(kernel, { x: x.buffer, out, stats, params }, launch.groups);
  };
  if (outer <= SPLIT_MAX_ROWS && inner >= SPLIT_MIN_INNER) {
    const parts = Math.ceil(inner / SPLIT_CHUNK);
    const stats = rt.pool.acquire(outer * parts * 8);
    const params = Uint32Array.of(outer * parts, inner, parts, SPLIT_CHUNK);
    const launch: RowLaunch = { WG: 256, perInvocation: false, groups: grid(outer * parts, 1) };
    run(1, stats, params, launch);
    run(2, stats, params, launch);
    rt.pool.release(stats);
    return;
  }
  // Unsplit, `stats` is unused; a small scratch buffer stands in (it may not alias `out`).
  const scratch = rt.pool.acquire(16);
  run(0, scratch, Uint32Array.of(outer, inner, 1, inner), rowLaunch(rt, outer, inner));
  rt.pool.release(scratch);
}
