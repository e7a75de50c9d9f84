// Upsample, as PyTorch's: resizes NCHW images (nearest, bilinear or
// bicubic), NCL sequences (nearest or linear) or NCDHW volumes (nearest or
// trilinear), by the input's rank, to a size or by a
// scale factor (ops/interpolate.ts). A decoder's or a U-Net's way up
// without learned weights; Identity, a layer that passes x through (a
// placeholder in a Sequential, as PyTorch's).
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { interpolate1d, interpolate2d, interpolate3d, type InterpolateMode, type InterpolateOptions } from '../ops/index.js';
import { INTERPOLATE_MODES, checkMode, checkModeForRank } from '../ops/interpolate.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { Module, refuseArguments, type LayerConfig } from './module.js';

/** A size or factor as the layer keeps and hands it out: a pair copied, so that the caller's array changed later changes nothing. */
const copy = <T>(v: T): T => (Array.isArray(v) ? ([...v] as T) : v);

/** interpolate's options but antialias, which PyTorch's Upsample lacks too; sizes of a volume's three axes too. */
export interface UpsampleOptions extends Omit<InterpolateOptions, 'antialias' | 'size' | 'scaleFactor'> {
  /** The output's size: a number (every axis), [height, width] or [depth, height, width]. Give this or scaleFactor. */
  size?: number | readonly [number, number] | readonly [number, number, number];
  /** Each axis times this (a number, or one per axis), rounded down. */
  scaleFactor?: number | readonly [number, number] | readonly [number, number, number];
}

export class Upsample extends Module {
  readonly size?: UpsampleOptions['size'];
  readonly scaleFactor?: UpsampleOptions['scaleFactor'];
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean;

  constructor(options: UpsampleOptions, ...none: []) {
    super();
    refuseArguments('Upsample', none);
    const { size, scaleFactor, mode = 'nearest', alignCorners = false } = checkOptions<UpsampleOptions>('Upsample', options, { size: true, scaleFactor: true, mode: true, alignCorners: 'boolean' });
    // What does not depend on x's rank is checked now rather than at the first forward (the ops check the rest).
    checkScale('Upsample', size, scaleFactor, true);
    // A mode of any rank here; forward refuses one of another rank than x's (bilinear of a sequence).
    checkMode('Upsample', INTERPOLATE_MODES.any, mode, alignCorners);
    [this.size, this.scaleFactor, this.mode, this.alignCorners] = [copy(size), copy(scaleFactor), mode, alignCorners];
  }

  forward(x: Tensor): Tensor {
    const options = { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners };
    if (x.rank >= 3 && x.rank <= 5) checkModeForRank('Upsample', (x.rank - 2) as 1 | 2 | 3, x, this.mode);
    // A pair or triple given for another rank is refused by the op, which names the sizes it takes.
    if (x.rank === 5) return interpolate3d(x, options as Parameters<typeof interpolate3d>[1]);
    if (x.rank === 4) return interpolate2d(x, options as InterpolateOptions);
    if (x.rank === 3) return interpolate1d(x, options as InterpolateOptions);
    throw new ShapeError(`Upsample: x must be images [batch, channels, height, width], sequences [batch, channels, length] or volumes [batch, channels, depth, height, width], got ${formatShape(x.shape)}`);
  }

  config(): LayerConfig {
    return {
      type: 'Upsample', ...(this.size === undefined ? {} : { size: copy(this.size) }), ...(this.scaleFactor === undefined ? {} : { scaleFactor: copy(this.scaleFactor) }),
      mode: this.mode, alignCorners: this.alignCorners,
    };
  }
}

/**
 * size and scaleFactor checked, naming `op`: exactly one of them, a positive
 * number or one per axis ([height, width], or with `volumes` [depth, height,
 * width] too).
 */
function checkScale(op: string, size: unknown, scaleFactor: unknown, volumes: boolean): void {
  if ((size === undefined) === (scaleFactor === undefined)) throw new ValueError(`${op}: give size or scaleFactor (one of them)`);
  const positive = (v: unknown, integer: boolean) => typeof v === 'number' && v > 0 && Number.isFinite(v) && (!integer || Number.isSafeInteger(v));
  const valid = (v: unknown, integer: boolean) => positive(v, integer) || (Array.isArray(v) && (v.length === 2 || (volumes && v.length === 3)) && v.every((e) => positive(e, integer)));
  const pairs = volumes ? 'a pair [height, width] or a triple [depth, height, width] of them' : 'a pair [height, width] of them';
  if (size !== undefined && !valid(size, true)) throw new ValueError(`${op}: size must be a positive integer or ${pairs}, got ${formatValue(size)}`);
  if (scaleFactor !== undefined && !valid(scaleFactor, false)) throw new ValueError(`${op}: scaleFactor must be a finite number > 0 or ${pairs}, got ${formatValue(scaleFactor)}`);
}

/** An image's size or scale factor, for the fixed-mode layers below. */
export type UpsamplingOptions = Pick<InterpolateOptions, 'size' | 'scaleFactor'>;

/**
 * PyTorch's fixed-mode upsampling layers: Upsample of images only, its
 * options and x checked under the layer's own name (an Upsample's errors
 * would offer sizes of volumes, or name the op of x's rank and a mode the
 * caller never chose). Saved as the Upsample each is.
 */
abstract class Upsampling2d extends Upsample {
  private readonly layer: string;

  constructor(layer: string, options: UpsamplingOptions, fixed: Pick<UpsampleOptions, 'mode' | 'alignCorners'>) {
    const { size, scaleFactor } = checkOptions<UpsamplingOptions>(layer, options, { size: true, scaleFactor: true });
    checkScale(layer, size, scaleFactor, false);
    super({ size, scaleFactor, ...fixed });
    this.layer = layer;
  }

  override forward(x: Tensor): Tensor {
    if (x.rank !== 4) throw new ShapeError(`${this.layer}: x must be images [batch, channels, height, width], got ${formatShape(x.shape)}`);
    return super.forward(x);
  }
}

/** PyTorch's nn.UpsamplingNearest2d: Upsample with mode 'nearest', of images. */
export class UpsamplingNearest2d extends Upsampling2d {
  constructor(options: UpsamplingOptions, ...none: []) {
    refuseArguments('UpsamplingNearest2d', none);
    super('UpsamplingNearest2d', options, { mode: 'nearest' });
  }
}

/**
 * PyTorch's nn.UpsamplingBilinear2d: Upsample with mode 'bilinear' and
 * alignCorners true (the corners' pixels fixed, PyTorch's choice for this
 * layer, unlike Upsample's default), of images.
 */
export class UpsamplingBilinear2d extends Upsampling2d {
  constructor(options: UpsamplingOptions, ...none: []) {
    refuseArguments('UpsamplingBilinear2d', none);
    super('UpsamplingBilinear2d', options, { mode: 'bilinear', alignCorners: true });
  }
}

export class Identity extends Module {
  constructor(...none: []) {
    super();
    refuseArguments('Identity', none);
  }
  forward(x: Tensor): Tensor { return x.reshape(x.shape); }
  config(): LayerConfig { return { type: 'Identity' }; }
}
