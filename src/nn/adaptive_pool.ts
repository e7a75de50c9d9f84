// AdaptiveAvgPool and AdaptiveMaxPool (2d over NCHW images, 1d over NCL
// sequences), as PyTorch's: the output size is fixed and the blocks follow
// from the input's (ops/adaptive_pool.ts). AdaptiveAvgPool2d(1) is the
// global average pooling before a CNN's classifier, whatever the image size.
import { adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d } from '../ops/index.js';
import { IMAGES, SEQUENCES, shownSizes, sizesOf, type Size2d, type SpatialAxes } from '../ops/windows.js';
import type { Tensor } from '../tensor.js';
import { Module, refuseArguments, type LayerConfig } from './module.js';

abstract class AdaptivePool<Size extends number | readonly [number, number]> extends Module {
  private readonly size: [number, number];

  constructor(private readonly kind: string, private readonly axes: SpatialAxes, private readonly pool: (x: Tensor, size: Size) => Tensor, outputSize: Size2d, extra: unknown[]) {
    super();
    this.size = sizesOf(kind, 'outputSize', outputSize, 1, axes, 1);
    refuseArguments(kind, extra, ' (an adaptive pool takes its output size alone)');
  }

  get outputSize(): Size {
    return shownSizes(this.axes, this.size) as Size;
  }

  forward(x: Tensor): Tensor {
    return this.pool(x, this.outputSize);
  }

  config(): LayerConfig {
    return { type: this.kind, outputSize: this.outputSize };
  }
}

export class AdaptiveAvgPool2d extends AdaptivePool<readonly [number, number]> {
  constructor(outputSize: Size2d, ...none: []) {
    super('AdaptiveAvgPool2d', IMAGES, adaptiveAvgPool2d, outputSize, none);
  }
}

export class AdaptiveMaxPool2d extends AdaptivePool<readonly [number, number]> {
  constructor(outputSize: Size2d, ...none: []) {
    super('AdaptiveMaxPool2d', IMAGES, adaptiveMaxPool2d, outputSize, none);
  }
}

export class AdaptiveAvgPool1d extends AdaptivePool<number> {
  constructor(outputSize: number, ...none: []) {
    super('AdaptiveAvgPool1d', SEQUENCES, adaptiveAvgPool1d, outputSize, none);
  }
}

export class AdaptiveMaxPool1d extends AdaptivePool<number> {
  constructor(outputSize: number, ...none: []) {
    super('AdaptiveMaxPool1d', SEQUENCES, adaptiveMaxPool1d, outputSize, none);
  }
}
