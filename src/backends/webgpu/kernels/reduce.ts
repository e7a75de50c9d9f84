// PLACEHOLDER — being written. Not part of any commit.
import type { DType } from '../../../dtype.js';
import type { ArgReduceOp, ReduceOp } from '../../kernels.js';
import type { Operand, Runtime } from '../runtime.js';
export function reduce(_rt: Runtime, _op: ReduceOp, _x: Operand, _out: GPUBuffer, _outDtype: DType): void { throw new Error('not written yet'); }
export function argReduce(_rt: Runtime, _op: ArgReduceOp, _x: Operand, _out: GPUBuffer): void { throw new Error('not written yet'); }
