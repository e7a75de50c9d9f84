// Flatten: [batch, ...] → [batch, everything else], as between an Embedding
// (or any layer with more than one axis per sample) and a Dense; and
// Unflatten, one axis back into several, as a decoder's Dense into the
// [batch, channels, height, width] its ConvTranspose2d takes.
import { reshape } from '../ops/index.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Module, refuseArguments, type LayerConfig } from './module.js';

export class Flatten extends Module {
  constructor(...none: []) {
    super();
    refuseArguments('Flatten', none, ' (it keeps axis 0 and joins the rest; for other axes, reshape)');
  }

  forward(x: Tensor): Tensor {
    if (x.rank === 0) throw new ShapeError(`Flatten: x ${formatShape(x.shape)} has no batch axis to keep`);
    return reshape(x, [x.shape[0], sizeOf(x.shape.slice(1))]);
  }

  config(): LayerConfig {
    return { type: 'Flatten' };
  }
}

/** Whether `shape` is an Unflatten's: positive sizes, one of them -1 at most (the size the others leave). */
export function isUnflattenShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.length > 0 && shape.every((d) => Number.isSafeInteger(d) && (d > 0 || d === -1)) && shape.filter((d) => d === -1).length <= 1;
}

/**
 * Unflatten(axis, shape), as PyTorch's nn.Unflatten(dim, unflattened_size):
 * x's axis `axis` (counted over all of x's axes, batch included: 1 is the
 * first after the batch; negative from the end) split into `shape`, whose
 * sizes multiply to that axis's size (one of them may be -1, inferred).
 */
export class Unflatten extends Module {
  readonly shape: readonly number[];

  constructor(readonly axis: number, shape: readonly number[]) {
    super();
    if (!Number.isSafeInteger(axis)) throw new ValueError(`Unflatten: axis must be an integer, got ${formatValue(axis)}`);
    if (!isUnflattenShape(shape)) throw new ValueError(`Unflatten: shape must be a non-empty list of positive sizes (one may be -1), got ${formatValue(shape)}`);
    this.shape = [...shape];
  }

  forward(x: Tensor): Tensor {
    const axis = this.axis < 0 ? this.axis + x.rank : this.axis;
    if (axis < 0 || axis >= x.rank) throw new ShapeError(`Unflatten: x ${formatShape(x.shape)} has no axis ${this.axis}`);
    const known = sizeOf(this.shape.filter((d) => d !== -1));
    const size = x.shape[axis];
    if (this.shape.includes(-1) ? size % known !== 0 : known !== size) {
      throw new ShapeError(`Unflatten: axis ${this.axis} of x ${formatShape(x.shape)} has size ${size}, which does not split into ${formatShape(this.shape)}`);
    }
    const shape = this.shape.map((d) => (d === -1 ? size / known : d));
    return reshape(x, [...x.shape.slice(0, axis), ...shape, ...x.shape.slice(axis + 1)]);
  }

  config(): LayerConfig {
    return { type: 'Unflatten', axis: this.axis, shape: [...this.shape] };
  }
}
