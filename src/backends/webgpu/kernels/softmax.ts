// PLACEHOLDER — being written. Not part of any commit.
import type { DType } from '../../../dtype.js';
import type { Operand, Runtime } from '../runtime.js';
export function softmax(_rt: Runtime, _x: Operand, _log: boolean, _out: GPUBuffer, _outDtype: DType): void { throw new Error('not written yet'); }
