// PLACEHOLDER — being written (tiled matmul). Not part of any commit.
import type { DType } from '../../../dtype.js';
import type { MatmulConfig } from '../../kernels.js';
import type { FusedCode } from '../fusion.js';
import type { Operand, Runtime } from '../runtime.js';
export const EPILOGUE_FIRST_BINDING = 8;
export interface Epilogue { code: FusedCode; outDtype: DType }
export function matmul(_rt: Runtime, _a: Operand, _b: Operand, _config: MatmulConfig, _accDtype: DType, _out: GPUBuffer, _epilogue?: Epilogue): void {
  throw new Error('webgpu matmul: not written yet');
}
