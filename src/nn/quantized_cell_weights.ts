// The int8 weights of one recurrent cell, as the quantized recurrent layers
// hold them for each layer and direction (named with its suffix: L0,
// L1Reverse…) and the quantized single-step cells hold them (no suffix):
// weightIh int8 [gates·hidden, input] and weightHh int8 [gates·hidden,
// hidden] (PyTorch's layout, rows the float weight's columns, as
// QuantizedDense's), weightIhScale and weightHhScale f32 [gates·hidden], and
// f32 biasIh, biasHh [gates·hidden] where the layer has biases. One place
// for what QuantizedRecurrent and QuantizedRecurrentCell share.
import { DTypeError } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { QuantizedTensor, quantize } from '../ops/quantize.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import type { CellWeights } from './recurrent_steps.js';

/** A layer's tensors by field name (the cells' fields, or a layer's suffixed ones). */
export type Fields = Record<string, Tensor | null | undefined>;

/** The names of one cell's tensors (before the suffix), in the order they are saved. */
export function cellTensorNames(bias: boolean): string[] {
  return ['weightIh', 'weightIhScale', 'weightHh', 'weightHhScale', ...(bias ? ['biasIh', 'biasHh'] : [])];
}

/** Zeros (scales of one) in `fields` for one cell of `width` = gates·hidden rows, to be filled by a load or by quantizeCell. */
export function emptyCell(fields: Fields, suffix: string, width: number, input: number, hidden: number, bias: boolean): void {
  fields[`weightIh${suffix}`] = zeros([width, input], { dtype: 'i8' });
  fields[`weightIhScale${suffix}`] = ones([width]);
  fields[`weightHh${suffix}`] = zeros([width, hidden], { dtype: 'i8' });
  fields[`weightHhScale${suffix}`] = ones([width]);
  if (bias) {
    fields[`biasIh${suffix}`] = zeros([width]);
    fields[`biasHh${suffix}`] = zeros([width]);
  }
}

/**
 * One float cell's weights (`from`, x·W's layout) quantized (tm.quantize)
 * into `fields`, in place of what they held (disposed); its biases copied in
 * f32. `kind` names the layer in the error.
 */
export function quantizeCell(kind: string, fields: Fields, from: Fields, suffix: string): void {
  for (const name of ['weightIh', 'weightHh']) {
    const w = from[`${name}${suffix}`]!;
    if (w.dtype !== 'f32' && w.dtype !== 'f16') throw new DTypeError(`${kind}: ${name}${suffix} must be f32 or f16, got ${w.dtype}`);
    const q = quantize(w);
    fields[`${name}${suffix}`]!.dispose();
    fields[`${name}Scale${suffix}`]!.dispose();
    fields[`${name}${suffix}`] = q.values;
    fields[`${name}Scale${suffix}`] = q.scales;
  }
  for (const name of ['biasIh', 'biasHh']) {
    const b = from[`${name}${suffix}`];
    const mine = fields[`${name}${suffix}`];
    if (!b || !mine) continue;
    // A copy even in f32: the new layer owns what it holds (disposing one model leaves the other whole).
    const copy = noGrad(() => (b.dtype === 'f32' ? b.clone() : b.cast('f32')));
    mine.dispose();
    fields[`${name}${suffix}`] = copy;
  }
}

/** One cell's weights as the steps multiply by them (int8, through tm.matmul(x, q)'s path), the biases through `bias` (into x's precision). */
export function quantizedCellWeights(fields: Fields, suffix: string, bias: (b: Tensor) => Tensor): CellWeights {
  const biasOf = (name: string): Tensor | null => {
    const b = fields[`${name}${suffix}`];
    return b ? bias(b) : null;
  };
  return {
    weightIh: new QuantizedTensor(fields[`weightIh${suffix}`]!, fields[`weightIhScale${suffix}`]!),
    weightHh: new QuantizedTensor(fields[`weightHh${suffix}`]!, fields[`weightHhScale${suffix}`]!),
    biasIh: biasOf('biasIh'),
    biasHh: biasOf('biasHh'),
  };
}
