// A matrix product on the GPU: the kernel on the tile chosen for it
// (matmul_tuning.ts), with an optional fused epilogue (matmul_kernel.ts).
// A product whose x or output is more than a kernel binds at once runs in
// bands of rows (windows.ts), x·w with one w for every row.
import type { DType } from '../../../dtype.js';
import type { MatmulConfig } from '../../kernels.js';
import { BYTES } from '../layout.js';
import type { Operand, Runtime } from '../runtime.js';
import { rowBands, rowsOf, windowOf, type BufferWindow } from '../windows.js';
import { encodeWithTile, productDims, type Epilogue, type ProductDims } from './matmul_kernel.js';
import { tileForProduct, type ProductDtypes } from './matmul_tuning.js';

export function matmul(rt: Runtime, a: Operand, b: Operand, config: MatmulConfig, accDtype: DType, out: GPUBuffer, epilogue?: Epilogue): void {
  const d = productDims(a, b, config);
  const dtypes: ProductDtypes = { operands: a.dtype, out: accDtype };
  const { commands } = rt;
  if (!epilogue && (commands.isOversized(a.buffer) || commands.isOversized(out)) && !config.transposeA && d.batchB === 1) {
    inBands(rt, a, b, config, dtypes, out, d);
    return;
  }
  encodeWithTile(rt, a, b, config, accDtype, out, tileForProduct(rt, d, config, dtypes), epilogue, d);
}

/**
 * x [batch × m, k] · w in bands of rows, each band's rows of x and of the
 * output a window (windows.ts `rowBands`). Only w must fit in a binding.
 */
function inBands(rt: Runtime, a: Operand, b: Operand, config: MatmulConfig, dtypes: ProductDtypes, out: GPUBuffer, d: ProductDims): void {
  const bands = rowBands(rt.ctx, d.batchA * d.m, [d.k * BYTES[dtypes.operands], d.n * BYTES[dtypes.out]]);
  if (!bands) {
    // A single run of rows is past the limit: the kernel refuses it with the limit named (commands.ts).
    encodeWithTile(rt, a, b, config, dtypes.out, out, tileForProduct(rt, d, config, dtypes), undefined, d);
    return;
  }
  for (const { start, count } of bands) {
    const x = rowsOf(a, { start, count }, d.k, [1, count, d.k]);
    const part: BufferWindow = windowOf(out, { start: start * d.n, count: count * d.n }, BYTES[dtypes.out]);
    const dims = { ...d, batchA: 1, batch: 1, m: count };
    encodeWithTile(rt, x, b, config, dtypes.out, part, tileForProduct(rt, dims, config, dtypes), undefined, dims);
  }
}
