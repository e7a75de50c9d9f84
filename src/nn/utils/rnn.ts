// Sequences of different lengths made one batch for the recurrent layers
// (PyTorch's torch.nn.utils.rnn.pad_sequence): padded at the end to the
// longest, batch first as tmnn's layers take them. The layers then take the
// lengths (forward(x, { lengths })) where PyTorch packs the batch.
import { tidy } from '../../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { pad, stack } from '../../ops/index.js';
import { checkOptions } from '../../options.js';
import { Tensor } from '../../tensor.js';

export interface PadSequenceOptions {
  /** What fills the steps past a sequence's end. Default 0. */
  paddingValue?: number;
  /** 'right' (default): padding after each sequence; 'left': before it. */
  paddingSide?: 'right' | 'left';
}

/**
 * Sequences [length_i, ...features] (one dtype and feature shape) as one
 * batch [count, longest, ...features], each padded to the longest; PyTorch's
 * pad_sequence with batch_first=True. Pass the lengths to the layer with it.
 */
export function padSequence(sequences: readonly Tensor[], options: PadSequenceOptions = {}): Tensor {
  const { paddingValue = 0, paddingSide = 'right' } = checkOptions('padSequence', options, { paddingValue: true, paddingSide: true });
  if (typeof paddingValue !== 'number') throw new ValueError(`padSequence: paddingValue must be a number, got ${formatValue(paddingValue)}`);
  if (paddingSide !== 'right' && paddingSide !== 'left') throw new ValueError(`padSequence: paddingSide must be 'right' or 'left', got ${formatValue(paddingSide)}`);
  if (!Array.isArray(sequences) || sequences.length === 0 || !sequences.every((s) => s instanceof Tensor)) {
    throw new ValueError(`padSequence: expects a non-empty array of tensors, got ${formatValue(sequences)}`);
  }
  const [first] = sequences;
  if (first.rank === 0) throw new ShapeError('padSequence: a sequence must have a step axis, got a scalar');
  for (const [i, s] of sequences.entries()) {
    if (s.rank !== first.rank || s.shape.slice(1).some((d, a) => d !== first.shape[a + 1])) {
      throw new ShapeError(`padSequence: sequence ${i} is ${formatShape(s.shape)}, sequence 0 ${formatShape(first.shape)}: every step must have the same shape`);
    }
    if (s.dtype !== first.dtype) throw new DTypeError(`padSequence: sequence ${i} is ${s.dtype}, sequence 0 ${first.dtype}`);
  }
  const longest = Math.max(...sequences.map((s) => s.shape[0]));
  return tidy(() => stack(sequences.map((s) => {
    const missing = longest - s.shape[0];
    const steps: [number, number] = paddingSide === 'right' ? [0, missing] : [missing, 0];
    return missing ? pad(s, [steps, ...s.shape.slice(1).map((): [number, number] => [0, 0])], paddingValue) : s;
  }), 0));
}
