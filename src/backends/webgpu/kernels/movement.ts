// PLACEHOLDER — being written. Not part of any commit.
import type { Operand, Runtime } from '../runtime.js';
export function stridedCopy(_rt: Runtime, _x: Operand, _outShape: readonly number[], _strides: readonly number[], _offset: number, _out: GPUBuffer): void { throw new Error('not written yet'); }
export function concat(_rt: Runtime, _xs: readonly Operand[], _axis: number, _outShape: readonly number[], _out: GPUBuffer): void { throw new Error('not written yet'); }
