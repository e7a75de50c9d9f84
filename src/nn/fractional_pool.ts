// FractionalMaxPool2d and FractionalMaxPool3d, as PyTorch's: max pooling
// whose windows step pseudo-randomly so that the output is any size between
// x's and a window's (ops/fractional_pool.ts). Each forward draws fresh
// samples, in eval mode too, as PyTorch's does; a seeded layer draws them
// from streams of its seed, as a seeded Dropout draws its masks, so a run
// repeats and a resumed one goes on with the draws the unbroken run made.
import { checkOptions, type OptionNames } from '../options.js';
import { fractionalMaxPool, fractionalSizes, type AnyFractionalOptions, type FractionalSizes, type Ratio2d, type Ratio3d } from '../ops/fractional_pool.js';
import type { PooledWithIndices } from '../ops/unpool.js';
import type { Size3d, Triple } from '../ops/volumes.js';
import type { Size2d } from '../ops/windows.js';
import { checkSeed, derivedSeed, drawnSeed, freshSeed } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

/** A FractionalMaxPool2d's options: the output's size (outputSize) or its ratio to x's (outputRatio, in (0, 1)), not both; and a seed for the samples. */
export type FractionalMaxPool2dLayerOptions = { seed?: number } & ({ outputSize: Size2d; outputRatio?: undefined } | { outputRatio: Ratio2d; outputSize?: undefined });

/** A FractionalMaxPool3d's options, as FractionalMaxPool2d's over [depth, height, width]. */
export type FractionalMaxPool3dLayerOptions = { seed?: number } & ({ outputSize: Size3d; outputRatio?: undefined } | { outputRatio: Ratio3d; outputSize?: undefined });

type AnyLayerOptions = { seed?: number; outputSize?: Size2d | Size3d; outputRatio?: Ratio2d | Ratio3d };

const OPTIONS: OptionNames<AnyLayerOptions> = { outputSize: true, outputRatio: true, seed: true };

abstract class FractionalMaxPool<Sizes extends [number, number] | Triple> extends Module {
  private readonly sizes: FractionalSizes;
  /** The samples' seed; none: each forward's from tm.setSeed's sequence. */
  readonly seed?: number;
  /** Forwards made so far with the seed: the next draws from stream `draws` of it. */
  private draws = 0;

  constructor(private readonly kind: 'FractionalMaxPool2d' | 'FractionalMaxPool3d', private readonly count: 2 | 3, kernelSize: Size2d | Size3d, options: AnyLayerOptions) {
    super();
    const opts = checkOptions(kind, options, OPTIONS);
    this.sizes = fractionalSizes(kind, count, kernelSize, opts);
    if (opts.seed !== undefined) this.seed = checkSeed(kind, opts.seed);
  }

  get kernelSize(): Sizes {
    return [...this.sizes.kernel] as Sizes;
  }

  /** The output's size, where the layer was given one. */
  get outputSize(): Sizes | undefined {
    return this.sizes.outputSize && ([...this.sizes.outputSize] as Sizes);
  }

  /** The output's size over x's along each axis, where the layer was given that instead. */
  get outputRatio(): Sizes | undefined {
    return this.sizes.outputRatio && ([...this.sizes.outputRatio] as Sizes);
  }

  /** The largest value of each of this forward's windows of x. */
  forward(x: Tensor): Tensor {
    const { values, indices } = this.forwardWithIndices(x);
    indices.dispose();
    return values;
  }

  /** forward's values, and the position of each in its channel's plane (volume) of x, i32, for a MaxUnpool. */
  forwardWithIndices(x: Tensor): PooledWithIndices {
    const seed = this.seed === undefined ? freshSeed() : drawnSeed(() => derivedSeed(this.seed!, this.draws++));
    const options: AnyFractionalOptions = this.sizes.outputSize ? { outputSize: this.outputSize, seed } : { outputRatio: this.outputRatio, seed };
    return fractionalMaxPool(this.kind, this.count, x, this.kernelSize, options);
  }

  override drawCounts(): Record<string, number> {
    return this.seed === undefined ? {} : { samples: this.draws };
  }

  override setDrawCounts(counts: Record<string, number>): void {
    if (this.seed !== undefined) this.draws = counts.samples;
  }

  config(): LayerConfig {
    const output = this.outputSize ? { outputSize: this.outputSize } : { outputRatio: this.outputRatio };
    return { type: this.kind, kernelSize: this.kernelSize, ...output, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}

/** Fractional max pooling over images x [N, C, H, W] (or [C, H, W]), as PyTorch's nn.FractionalMaxPool2d. */
export class FractionalMaxPool2d extends FractionalMaxPool<[number, number]> {
  constructor(kernelSize: Size2d, options: FractionalMaxPool2dLayerOptions) {
    super('FractionalMaxPool2d', 2, kernelSize, options);
  }
}

/** Fractional max pooling over volumes x [N, C, D, H, W] (or [C, D, H, W]), as PyTorch's nn.FractionalMaxPool3d. */
export class FractionalMaxPool3d extends FractionalMaxPool<Triple> {
  constructor(kernelSize: Size3d, options: FractionalMaxPool3dLayerOptions) {
    super('FractionalMaxPool3d', 3, kernelSize, options);
  }
}
