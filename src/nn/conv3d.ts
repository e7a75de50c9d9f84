// Conv3d: filters slid over NCDHW volumes ([batch, channels, depth, height,
// width]: video clips, CT and MRI scans, voxel grids), as PyTorch's: y =
// conv3d(x, W) + b, W of shape [outChannels, inChannels/groups, kd, kh, kw].
// Weights start He-normal over the fan-in (channels per group × window), as
// Conv2d's; bias zeros. Sizes are one number for all three axes or [depth,
// height, width] triples, as the op takes them. What Conv3d shares with
// ConvTranspose3d (nn/conv_transpose3d.ts) is VolumeConvolution's.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { CONV3D_OPTIONS, conv3d, conv3dSides, conv3dSizes, type Conv3dOptions, type Conv3dSizes } from '../ops/conv3d.js';
import { zeros } from '../ops/index.js';
import { triplesOf, VOLUMES, type Size3d, type Triple } from '../ops/volumes.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed } from '../random.js';
import type { Tensor } from '../tensor.js';
import { PADDING_MODES, type LayerOnly, type PaddingMode } from './conv.js';
import { INITIALIZERS, initShaped } from './init.js';
import { Module, type LayerConfig } from './module.js';

export interface Conv3dLayerOptions extends Conv3dOptions, LayerOnly {
  /** What fills the padding, as PyTorch's padding_mode: zeros, or x's own entries (tm.pad's modes). Default 'zeros'. */
  paddingMode?: PaddingMode;
}

const OPTIONS: OptionNames<Conv3dLayerOptions> = { ...CONV3D_OPTIONS, bias: 'boolean', init: true, seed: true, paddingMode: true };

/**
 * What the convolution layers over volumes share: the weight, drawn by
 * `init` (He by default) over PyTorch's fans (the weight's axis 1 in, axis 0
 * out, each times the window), and a bias of zeros; the window and the
 * sizes, as [depth, height, width] triples.
 */
export abstract class VolumeConvolution<Sizes extends { stride: Triple; dilation: Triple; groups: number }> extends Module {
  weight: Tensor;
  bias: Tensor | null;
  protected readonly kernel: Triple;

  /** `transposed`: the weight is [inChannels, outChannels/groups, ...kernel] rather than [outChannels, inChannels/groups, ...kernel]. */
  protected constructor(
    protected readonly kind: string, protected readonly sizes: Sizes,
    readonly inChannels: number, readonly outChannels: number, kernelSize: Size3d, { bias, init, seed }: LayerOnly, transposed: boolean,
  ) {
    super();
    this.kernel = triplesOf(kind, 'kernelSize', kernelSize, 1);
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`${kind}: ${name} must be a positive integer, got ${formatValue(v)}`);
    }
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new ValueError(`${kind}: groups must be a positive integer dividing inChannels ${inChannels} and outChannels ${outChannels}, got ${formatValue(this.groups)}`);
    }
    if (init !== undefined && !INITIALIZERS.includes(init)) throw new ValueError(`${kind}: unknown init ${formatValue(init)}; expected one of ${INITIALIZERS.join(', ')}`);
    if (seed !== undefined) checkSeed(kind, seed);
    const taps = this.kernel[0] * this.kernel[1] * this.kernel[2];
    const [first, second] = transposed ? [inChannels, outChannels / this.groups] : [outChannels, inChannels / this.groups];
    this.weight = initShaped(init ?? 'he', [first, second, ...this.kernel], second * taps, first * taps, seed);
    this.weight.requiresGrad = true;
    this.bias = bias === false ? null : zeros([outChannels]);
    if (this.bias) this.bias.requiresGrad = true;
  }

  get kernelSize(): Triple {
    return [...this.kernel];
  }

  get stride(): Triple {
    return [...this.sizes.stride];
  }

  get dilation(): Triple {
    return [...this.sizes.dilation];
  }

  get groups(): number {
    return this.sizes.groups;
  }

  /** `op` applied to x and the weight, plus the bias along the channels (axis 1, or 0 of one volume); an f16 x computes in f16 with f16 copies of both, as Dense. */
  protected convolved(x: Tensor, op: (x: Tensor, weight: Tensor) => Tensor): Tensor {
    return tidy(() => {
      const y = op(x, this.inPrecisionOf(x, this.weight));
      if (!this.bias) return y;
      return y.add(this.inPrecisionOf(x, this.bias).reshape(y.rank === 5 ? [1, this.outChannels, 1, 1, 1] : [this.outChannels, 1, 1, 1]));
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  /** The description every convolution over volumes has, with `sizes` (its padding and the like) in the middle. */
  protected described(sizes: Record<string, unknown>): LayerConfig {
    return {
      type: this.kind, inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride,
      ...sizes, dilation: this.dilation, groups: this.groups, bias: this.bias !== null,
    };
  }
}

/** Over NCDHW volumes [batch, inChannels, depth, height, width] (or one volume without the batch); sizes a number for all three axes or [depth, height, width]. */
export class Conv3d extends VolumeConvolution<Conv3dSizes> {
  readonly paddingMode: PaddingMode;

  constructor(inChannels: number, outChannels: number, kernelSize: Size3d, options: Conv3dLayerOptions = {}) {
    const { bias, init, seed, paddingMode = 'zeros', ...convOptions } = checkOptions('Conv3d', options, OPTIONS);
    super('Conv3d', conv3dSizes('Conv3d', convOptions), inChannels, outChannels, kernelSize, { bias, init, seed }, false);
    if (!PADDING_MODES.includes(paddingMode)) throw new ValueError(`Conv3d: unknown paddingMode ${formatValue(paddingMode)}; expected ${PADDING_MODES.join(', ')}`);
    this.paddingMode = paddingMode;
  }

  get padding(): Triple | 'same' {
    return this.sizes.padding === 'same' ? 'same' : [...this.sizes.padding];
  }

  /** x [N, inChannels, D, H, W] (or one volume without N) → [N, outChannels, D', H', W']. */
  forward(x: Tensor): Tensor {
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return this.convolved(x, (x, w) => conv3d(x, w, { ...options, padding: this.padding }));
    // Padded first with x's own entries, then convolved with none (as PyTorch does for its other modes);
    // x checked before, so that errors show the x given rather than the padded one.
    if (x.rank !== 4 && x.rank !== 5) throw new ShapeError(`Conv3d: x must be ${VOLUMES}, got ${formatShape(x.shape)}`);
    const channels = x.shape[x.rank - 4];
    if (channels !== this.inChannels) throw new ShapeError(`Conv3d: takes ${this.inChannels} channels, x ${formatShape(x.shape)} has ${channels}`);
    const sides = conv3dSides(this.sizes, this.kernel);
    const mode = this.paddingMode;
    return tidy(() => {
      const padded = x.pad(x.shape.map((_, i) => sides[i - (x.rank - 3)] ?? ([0, 0] as [number, number])), { mode });
      return this.convolved(padded, (p, w) => conv3d(p, w, { ...options, padding: 0 }));
    });
  }

  config(): LayerConfig {
    return this.described({ padding: this.padding, ...(this.paddingMode === 'zeros' ? {} : { paddingMode: this.paddingMode }) });
  }
}
