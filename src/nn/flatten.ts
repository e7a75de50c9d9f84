// Flatten: [batch, ...] → [batch, everything else], as between an Embedding
// (or any layer with more than one axis per sample) and a Dense.
import { reshape } from '../ops/index.js';
import { ShapeError, formatShape } from '../errors.js';
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
