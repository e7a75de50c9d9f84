// Sorting rows on the GPU (shaders/sort.wgsl): a bitonic network over each
// row's positions padded to a power of two P, one launch per stage
// (log₂P·(log₂P+1)/2 of them), every stage comparing P/2 pairs per row.
// Work is O(P log² P) per row whatever k is; the launches are what a short
// row costs.
import sortShader from '../../../../shaders/sort.wgsl';
import { grid, type Operand, type Runtime } from '../runtime.js';

/** out [rows, k] (i32) = the positions of the first k of each row of x [rows, n] (f32 or i32) in sorted order. */
export function sortRows(rt: Runtime, x: Operand, k: number, descending: boolean, out: GPUBuffer): void {
  const [rows, n] = x.shape;
  const padded = 2 ** Math.ceil(Math.log2(Math.max(n, 2)));
  const order = rt.pool.acquire(rows * padded * 4);
  const stage = (phase: 0 | 1 | 2, block: number, distance: number, invocations: number) => {
    const kernel = rt.compiler.kernel({
      name: 'sort', source: sortShader, types: { T: x.dtype === 'i32' ? 'i32' : 'f32' },
      defines: { PHASE: phase, DESCENDING: descending, FLOAT: x.dtype !== 'i32' },
    });
    rt.commands.dispatch(kernel, { x: x.buffer, order, out, params: Uint32Array.of(rows, n, padded, block, distance, k, 0, 0) }, grid(invocations, 256));
  };
  stage(0, 0, 0, rows * padded);
  for (let block = 2; block <= padded; block *= 2) {
    for (let distance = block / 2; distance >= 1; distance /= 2) stage(1, block, distance, (rows * padded) / 2);
  }
  stage(2, 0, 0, rows * k);
  rt.pool.release(order);
}
