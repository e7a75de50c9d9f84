// PLACEHOLDER — being written. Not part of any commit.
import type { DType } from '../../../dtype.js';
import type { Operand, Runtime } from '../runtime.js';
export function oneHot(_rt: Runtime, _indices: Operand, _depth: number, _out: GPUBuffer, _outDtype: DType): void { throw new Error('not written yet'); }
