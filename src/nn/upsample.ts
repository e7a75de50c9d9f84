// Upsample, as PyTorch's: resizes NCHW images (nearest, bilinear or
// bicubic), NCL sequences (nearest or linear) or NCDHW volumes (nearest or
// trilinear), by the input's rank, to a size or by a
// scale factor (ops/interpolate.ts). A decoder's or a U-Net's way up
// without learned weights; Identity, a layer that passes x through (a
// placeholder in a Sequential, as PyTorch's).
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { interpolate1d, interpolate2d, interpolate3d, type InterpolateMode, type InterpolateOptions } from '../ops/index.js';
import { INTERPOLATE_MODES, checkMode } from '../ops/interpolate.js';
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
    if ((size === undefined) === (scaleFactor === undefined)) throw new ValueError('Upsample: give size or scaleFactor (one of them)');
    // A mode of either rank here; forward's op refuses one of the other rank (bilinear of a sequence).
    checkMode('Upsample', INTERPOLATE_MODES.any, mode, alignCorners);
    const positive = (v: unknown, integer: boolean) => typeof v === 'number' && v > 0 && Number.isFinite(v) && (!integer || Number.isSafeInteger(v));
    const valid = (v: unknown, integer: boolean) => positive(v, integer) || (Array.isArray(v) && (v.length === 2 || v.length === 3) && v.every((e) => positive(e, integer)));
    const pairs = 'a pair [height, width] or a triple [depth, height, width] of them';
    if (size !== undefined && !valid(size, true)) throw new ValueError(`Upsample: size must be a positive integer or ${pairs}, got ${formatValue(size)}`);
    if (scaleFactor !== undefined && !valid(scaleFactor, false)) throw new ValueError(`Upsample: scaleFactor must be a finite number > 0 or ${pairs}, got ${formatValue(scaleFactor)}`);
    [this.size, this.scaleFactor, this.mode, this.alignCorners] = [copy(size), copy(scaleFactor), mode, alignCorners];
  }

  forward(x: Tensor): Tensor {
    const options = { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners };
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

/** Upsample's size or scale factor, for the fixed-mode layers below. */
export type UpsamplingOptions = Pick<UpsampleOptions, 'size' | 'scaleFactor'>;

/**
 * PyTorch's nn.UpsamplingNearest2d: Upsample with mode 'nearest' (images
 * only, as its name says). Saved as the Upsample it is.
 */
export class UpsamplingNearest2d extends Upsample {
  constructor(options: UpsamplingOptions, ...none: []) {
    refuseArguments('UpsamplingNearest2d', none);
    super({ ...checkOptions<UpsamplingOptions>('UpsamplingNearest2d', options, { size: true, scaleFactor: true }), mode: 'nearest' });
  }

  override forward(x: Tensor): Tensor {
    if (x.rank !== 4) throw new ShapeError(`UpsamplingNearest2d: x must be images [batch, channels, height, width], got ${formatShape(x.shape)}`);
    return super.forward(x);
  }
}

/**
 * PyTorch's nn.UpsamplingBilinear2d: Upsample with mode 'bilinear' and
 * alignCorners true (the corners' pixels fixed, PyTorch's choice for this
 * layer, unlike Upsample's default). Saved as the Upsample it is.
 */
export class UpsamplingBilinear2d extends Upsample {
  constructor(options: UpsamplingOptions, ...none: []) {
    refuseArguments('UpsamplingBilinear2d', none);
    super({ ...checkOptions<UpsamplingOptions>('UpsamplingBilinear2d', options, { size: true, scaleFactor: true }), mode: 'bilinear', alignCorners: true });
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
