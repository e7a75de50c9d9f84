// Which layers hold int8 weights, for the code that must treat them apart
// (summary counts them, fit's refusal names them) without importing the
// layers themselves: Sequential loads summary.ts with every model, and a
// page that never quantizes should not download the quantized layers.
import type { Tensor } from '../tensor.js';
import type { Module } from './module.js';

/** Set on a quantized layer class's prototype (so a copy of the layer, made field by field, is one too). */
export const QUANTIZED: unique symbol = Symbol('tmnn.quantized');

/** What a quantized layer holds, as summary counts it. */
export interface QuantizedWeights {
  readonly [QUANTIZED]: true;
  /** What stands for the float layer's parameters (counted as parameters, though buffers): its int8 weights and f32 biases. */
  weightsAndBiases(): Tensor[];
  /** The f32 scales of the int8 weights' rows: memory, not parameters. */
  weightScales(): Tensor[];
}

export function isQuantized(layer: Module): layer is Module & QuantizedWeights {
  return (layer as Partial<QuantizedWeights>)[QUANTIZED] === true;
}
