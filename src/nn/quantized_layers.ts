// Which layers hold int8 weights, for the code that must treat them apart
// (summary counts them, fit's refusal names them) without importing the
// layers themselves: Sequential loads summary.ts with every model, and a
// page that never quantizes should not download the quantized layers.
import type { Tensor } from '../tensor.js';
import type { Module } from './module.js';

/** Set on a quantized layer class's prototype (so a copy of the layer, made field by field, is one too). */
export const QUANTIZED: unique symbol = Symbol('tmnn.quantized');

/** What a quantized layer holds: int8 rows, their f32 scales, an f32 bias. */
export interface QuantizedWeights {
  readonly [QUANTIZED]: true;
  weight: Tensor;
  weightScale: Tensor;
  bias: Tensor | null;
}

export function isQuantized(layer: Module): layer is Module & QuantizedWeights {
  return (layer as Partial<QuantizedWeights>)[QUANTIZED] === true;
}
