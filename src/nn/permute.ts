// Permute: reorders the axes after the batch axis, as Keras's Permute: the
// axes are numbered from 1 (0 is the batch, which stays first), so
// Permute([2, 1]) turns an Embedding's [batch, length, dim] into the
// [batch, channels, length] a Conv1d takes.
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

/** Whether `axes` orders 1..axes.length, each once. */
export function isAxisOrder(axes: unknown): axes is number[] {
  return Array.isArray(axes) && axes.length > 0 && [...axes].sort((a, b) => a - b).every((a, i) => a === i + 1);
}

export class Permute extends Module {
  readonly axes: readonly number[];

  constructor(axes: readonly number[]) {
    super();
    if (!isAxisOrder(axes)) throw new ValueError(`Permute: axes must order 1..n (0, the batch, stays first), each once, got ${formatValue(axes)}`);
    this.axes = [...axes];
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== this.axes.length + 1) throw new ShapeError(`Permute: x ${formatShape(x.shape)} has ${x.rank} axes; the layer orders ${this.axes.length} after the batch axis`);
    return x.transpose([0, ...this.axes]);
  }

  config(): LayerConfig {
    return { type: 'Permute', axes: [...this.axes] };
  }
}
