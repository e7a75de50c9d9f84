// AdaptiveAvgPool3d and AdaptiveMaxPool3d over NCDHW volumes, as PyTorch's:
// the output size is fixed and the blocks follow from the input's
// (ops/adaptive_pool3d.ts). AdaptiveAvgPool3d(1) is the global average
// pooling before a 3-D CNN's classifier, whatever the volume's size.
import { adaptiveAvgPool3d, adaptiveMaxPool3d } from '../ops/adaptive_pool3d.js';
import { triplesOf, type Size3d, type Triple } from '../ops/volumes.js';
import type { Tensor } from '../tensor.js';
import { Module, refuseArguments, type LayerConfig } from './module.js';

abstract class AdaptivePool3d extends Module {
  private readonly size: Triple;

  constructor(private readonly kind: string, private readonly pool: (x: Tensor, size: Size3d) => Tensor, outputSize: Size3d, extra: unknown[]) {
    super();
    this.size = triplesOf(kind, 'outputSize', outputSize, 1);
    refuseArguments(kind, extra, ' (an adaptive pool takes its output size alone)');
  }

  get outputSize(): Triple {
    return [...this.size];
  }

  forward(x: Tensor): Tensor {
    return this.pool(x, this.size);
  }

  config(): LayerConfig {
    return { type: this.kind, outputSize: this.outputSize };
  }
}

export class AdaptiveAvgPool3d extends AdaptivePool3d {
  constructor(outputSize: Size3d, ...none: []) {
    super('AdaptiveAvgPool3d', adaptiveAvgPool3d, outputSize, none);
  }
}

export class AdaptiveMaxPool3d extends AdaptivePool3d {
  constructor(outputSize: Size3d, ...none: []) {
    super('AdaptiveMaxPool3d', adaptiveMaxPool3d, outputSize, none);
  }
}
