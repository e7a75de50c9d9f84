// A matrix product on the GPU: the kernel on the tile chosen for it
// (matmul_tuning.ts), with an optional fused epilogue (matmul_kernel.ts).
import type { DType } from '../../../dtype.js';
import type { MatmulConfig } from '../../kernels.js';
import type { Operand, Runtime } from '../runtime.js';
import { encodeWithTile, productDims, type Epilogue } from './matmul_kernel.js';
import { tileForProduct } from './matmul_tuning.js';

export function matmul(rt: Runtime, a: Operand, b: Operand, config: MatmulConfig, accDtype: DType, out: GPUBuffer, epilogue?: Epilogue): void {
  const d = productDims(a, b, config);
  encodeWithTile(rt, a, b, config, accDtype, out, tileForProduct(rt, d, config), epilogue, d);
}
