// Dropout: in training, zeroes each element with probability `rate` and
// scales the rest by 1/(1-rate) so the expected activation is unchanged; in
// eval mode, the identity. Dropout1d, Dropout2d and Dropout3d zero whole
// channels instead (PyTorch's: neighbouring positions of a feature map are
// correlated, so dropping them one by one regularises little), and
// AlphaDropout keeps SELU's zero mean and unit variance (FeatureAlphaDropout
// does so for whole channels). Each seeded layer
// draws mask after mask from streams of its seed, so a run repeats; the
// uniforms are drawn on the CPU, so every backend gets the same masks.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkSeed, derivedSeed, drawnSeed, freshSeed } from '../random.js';
import { rand, where } from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { SELU_ALPHA, SELU_SCALE } from './activation_functions.js';
import { Module, type LayerConfig } from './module.js';
import { checkOptions, type OptionNames } from '../options.js';

/** The stream of a layer's seed its dropout masks come from, for layers that hold a Dropout of their own (their weights take streams 0, 1, …). */
export const DROPOUT_STREAM = 0xd0;

/** SELU's value for x → −∞, −scale·alpha, the value AlphaDropout drops to. */
const SELU_FLOOR = -SELU_SCALE * SELU_ALPHA;

export interface DropoutOptions {
  /** The rate at which values are zeroed (default 0.5), in [0, 1]. */
  p?: number;
  /** Whether to drop at all (default true, as PyTorch's F.dropout); false is the identity. */
  training?: boolean;
  /** The mask's seed (default: the next from tm.setSeed's sequence). */
  seed?: number;
}

const DROPOUT_OPTIONS: OptionNames<DropoutOptions> = { p: true, training: 'boolean', seed: true };

/** The functional dropouts' options checked, naming `op`: p in [0, 1], a seed where given. */
function dropOptions(op: string, options: DropoutOptions, trainingByDefault: boolean): { p: number; training: boolean; seed: number | undefined } {
  const { p = 0.5, training = trainingByDefault, seed } = checkOptions(op, options, DROPOUT_OPTIONS);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`${op}: p must be a number in [0, 1], got ${formatValue(p)}`);
  if (seed !== undefined) checkSeed(op, seed);
  return { p, training, seed };
}

/** 1 where kept (with probability 1 − p), 0 where dropped, of `shape`, in x's float dtype on its backend. */
function keepFor(op: string, x: Tensor, shape: readonly number[], p: number, seed: number | undefined): Tensor {
  const dtype = x.dtype === 'f16' ? 'f16' : 'f32';
  return tidy(() => onBackendOf(op, x, () => rand(shape, { seed: seed ?? freshSeed(), dtype })).greaterEqual(p).cast(dtype));
}

/**
 * PyTorch's F.dropout: in training each value of x zeroed with probability
 * p and the rest scaled by 1/(1 − p) (p = 1 zeroes all); the identity (a
 * new handle on x) otherwise.
 */
export function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  const { p, training, seed } = dropOptions('dropout', options, true);
  if (!training || p === 0) return x.reshape(x.shape);
  if (p === 1) return x.mul(0);
  return tidy(() => x.mul(keepFor('dropout', x, x.shape, p, seed).mul(1 / (1 - p))));
}

/** A channel dropout's function: x [N, C, ...spatial] or [C, ...spatial], each channel kept or zeroed whole. */
function channelDropout(op: string, spatial: number, layout: string, x: Tensor, options: DropoutOptions): Tensor {
  const { p, training, seed } = dropOptions(op, options, true);
  if (x.rank !== spatial + 1 && x.rank !== spatial + 2) throw new ShapeError(`${op}: x ${formatShape(x.shape)} is not ${layout}`);
  if (!training || p === 0) return x.reshape(x.shape);
  if (p === 1) return x.mul(0);
  const mask = x.shape.map((n, i) => (i < x.rank - spatial ? n : 1));
  return tidy(() => x.mul(keepFor(op, x, mask, p, seed).mul(1 / (1 - p))));
}

/** PyTorch's F.dropout1d: in training each channel of x [N, C, L] or [C, L] zeroed whole with probability p, the rest scaled by 1/(1 − p). */
export function dropout1d(x: Tensor, options: DropoutOptions = {}): Tensor {
  return channelDropout('dropout1d', 1, '[batch, channels, length] or [channels, length]', x, options);
}

/** PyTorch's F.dropout2d, over images [N, C, H, W] or [C, H, W] (a 3-D x one unbatched image, as Dropout2d reads it). */
export function dropout2d(x: Tensor, options: DropoutOptions = {}): Tensor {
  return channelDropout('dropout2d', 2, '[batch, channels, height, width] or [channels, height, width]', x, options);
}

/** PyTorch's F.dropout3d, over volumes [N, C, D, H, W] or [C, D, H, W]. */
export function dropout3d(x: Tensor, options: DropoutOptions = {}): Tensor {
  return channelDropout('dropout3d', 3, '[batch, channels, depth, height, width] or [channels, depth, height, width]', x, options);
}

/**
 * PyTorch's F.alpha_dropout: AlphaDropout's map (each value dropped with
 * probability p to SELU's floor, then a·v + b keeping zero mean and unit
 * variance); like PyTorch's, `training` is false by default (the identity)
 * and p = 1 zeroes all.
 */
export function alphaDropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  const { p, training, seed } = dropOptions('alphaDropout', options, false);
  if (!training || p === 0) return x.reshape(x.shape);
  if (p === 1) return x.mul(0);
  return tidy(() => alphaDropped(x, keepFor('alphaDropout', x, x.shape, p, seed), p));
}

/**
 * PyTorch's F.feature_alpha_dropout: alphaDropout with whole channels
 * dropped, x [N, C, ...] (any rank ≥ 2) drawing one keep per (sample,
 * channel), as PyTorch draws its noise [N, C, 1, …]. `training` is false by
 * default, as PyTorch's.
 */
export function featureAlphaDropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  const { p, training, seed } = dropOptions('featureAlphaDropout', options, false);
  const mask = featureMask('featureAlphaDropout', x);
  if (!training || p === 0) return x.reshape(x.shape);
  if (p === 1) return x.mul(0);
  return tidy(() => alphaDropped(x, keepFor('featureAlphaDropout', x, mask, p, seed), p));
}

/** The shape of a feature dropout's mask, [N, C, 1, …], for x of rank ≥ 2. */
function featureMask(op: string, x: Tensor): number[] {
  if (x.rank < 2) throw new ShapeError(`${op}: x ${formatShape(x.shape)} must have a batch and a channel axis ([batch, channels, ...])`);
  return x.shape.map((n, i) => (i < 2 ? n : 1));
}

/** x where `keep`, SELU's floor α′ elsewhere, then a·v − a·α′·p with a = ((1 − p)(1 + p·α′²))^−½. */
function alphaDropped(x: Tensor, keep: Tensor, p: number): Tensor {
  // PyTorch's _dropout_impl (Dropout.cpp) writes α = 1.7580993408473766 = −α′ and returns x·(keep·a) + (keep − 1)·α·a + α·a·p: the same.
  const a = 1 / Math.sqrt((SELU_FLOOR * SELU_FLOOR * p + 1) * (1 - p));
  return tidy(() => where(keep, x, SELU_FLOOR).mul(a).add(-a * SELU_FLOOR * p));
}

/** What every dropout layer shares: the rate, the seed, and the masks drawn so far. */
export abstract class DropoutBase extends Module {
  private draws = 0;

  constructor(protected readonly type: string, readonly rate: number, readonly seed?: number) {
    super();
    // typeof first: '0.5' >= 0 holds in JavaScript.
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new ValueError(`${type}: rate must be a number in [0, 1), got ${formatValue(rate)}`);
    if (seed !== undefined) checkSeed(type, seed);
  }

  /** Whether this forward drops anything: in training, at a rate above 0. */
  protected get dropping(): boolean {
    return this.training && this.rate > 0;
  }

  /** 1 where a value of `shape` is kept (with probability 1 − rate), 0 where dropped, in x's float dtype on x's backend. A fresh mask each call; reproducible when seeded. */
  protected keepMask(x: Tensor, shape: readonly number[]): Tensor {
    const seed = this.seed === undefined ? freshSeed() : drawnSeed(() => derivedSeed(this.seed!, this.draws++));
    const u = onBackendOf(this.type, x, () => rand(shape, { seed, dtype: x.dtype === 'f16' ? 'f16' : 'f32' }));
    const keep = u.greaterEqual(this.rate);
    u.dispose();
    return keep;
  }

  /** x times a mask of `shape` (broadcast over x) scaled by 1/(1 − rate). */
  protected dropScaled(x: Tensor, shape: readonly number[]): Tensor {
    const keep = this.keepMask(x, shape);
    const scaled = keep.mul(1 / (1 - this.rate));
    keep.dispose();
    const y = x.mul(scaled);
    scaled.dispose();
    return y;
  }

  /** x alpha-dropped (AlphaDropout's map) by a mask of `shape`, broadcast over x. */
  protected alphaDrop(x: Tensor, shape: readonly number[]): Tensor {
    const keep = this.keepMask(x, shape);
    const y = alphaDropped(x, keep, this.rate);
    keep.dispose();
    return y;
  }

  override drawCounts(): Record<string, number> {
    return this.seed === undefined ? {} : { masks: this.draws };
  }

  override setDrawCounts(counts: Record<string, number>): void {
    if (this.seed !== undefined) this.draws = counts.masks;
  }

  config(): LayerConfig {
    return this.seed === undefined ? { type: this.type, rate: this.rate } : { type: this.type, rate: this.rate, seed: this.seed };
  }
}

/** Draw counts of dropouts a layer holds out of children() (in private fields), each named `name.i`. */
export function heldDrawCounts(name: string, held: readonly (DropoutBase | null)[]): Record<string, number> {
  const out: Record<string, number> = {};
  held.forEach((layer, i) => {
    for (const [stream, n] of Object.entries(layer?.drawCounts() ?? {})) out[`${name}.${i}.${stream}`] = n;
  });
  return out;
}

/** Puts back counts heldDrawCounts gave. */
export function setHeldDrawCounts(name: string, held: readonly (DropoutBase | null)[], counts: Record<string, number>): void {
  held.forEach((layer, i) => {
    const prefix = `${name}.${i}.`;
    layer?.setDrawCounts(Object.fromEntries(Object.entries(counts).filter(([k]) => k.startsWith(prefix)).map(([k, n]) => [k.slice(prefix.length), n])));
  });
}

export class Dropout extends DropoutBase {
  constructor(rate: number, seed?: number) {
    super('Dropout', rate, seed);
  }

  forward(x: Tensor): Tensor {
    return this.dropping ? this.dropScaled(x, x.shape) : x.reshape(x.shape);
  }
}

/** Zeroes whole channels: x [N, C, ...] or unbatched [C, ...] of `spatial` axes after the channels, one draw per (sample, channel). */
abstract class ChannelDropout extends DropoutBase {
  constructor(type: string, private readonly spatial: number, private readonly layout: string, rate: number, seed?: number) {
    super(type, rate, seed);
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== this.spatial + 1 && x.rank !== this.spatial + 2) throw new ShapeError(`${this.type}: x ${formatShape(x.shape)} is not ${this.layout}`);
    if (!this.dropping) return x.reshape(x.shape);
    // [N, C, 1…] or [C, 1…]: the mask is the same along every position of a channel.
    return this.dropScaled(x, x.shape.map((n, i) => (i < x.rank - this.spatial ? n : 1)));
  }
}

/**
 * In training, zeroes each channel of x [N, C, L] or [C, L] whole with
 * probability `rate` and scales the rest by 1/(1 − rate), as PyTorch's
 * nn.Dropout1d; the identity in eval mode.
 */
export class Dropout1d extends ChannelDropout {
  constructor(rate: number, seed?: number) {
    super('Dropout1d', 1, '[batch, channels, length] or [channels, length]', rate, seed);
  }
}

/**
 * In training, zeroes each channel of x [N, C, H, W] or [C, H, W] whole
 * with probability `rate` and scales the rest by 1/(1 − rate), as PyTorch's
 * nn.Dropout2d; the identity in eval mode. A 3-D x is one unbatched image
 * [C, H, W] here, as PyTorch's docs and its announced change have it; PyTorch
 * 2.x itself still reads a 3-D input as [N, C, L] (with a UserWarning,
 * pytorch/pytorch#77081) and drops its rows, Dropout1d's behaviour: use
 * Dropout1d for that.
 */
export class Dropout2d extends ChannelDropout {
  constructor(rate: number, seed?: number) {
    super('Dropout2d', 2, '[batch, channels, height, width] or [channels, height, width]', rate, seed);
  }
}

/**
 * In training, zeroes each channel of x [N, C, D, H, W] or [C, D, H, W]
 * whole with probability `rate` and scales the rest by 1/(1 − rate), as
 * PyTorch's nn.Dropout3d; the identity in eval mode.
 */
export class Dropout3d extends ChannelDropout {
  constructor(rate: number, seed?: number) {
    super('Dropout3d', 3, '[batch, channels, depth, height, width] or [channels, depth, height, width]', rate, seed);
  }
}

/**
 * Dropout for self-normalising networks (Klambauer et al. 2017), as
 * PyTorch's nn.AlphaDropout: in training each value is dropped with
 * probability p = `rate` to SELU's floor α′ = −scale·alpha, then all are
 * mapped by a·v + b with a = ((1 − p)(1 + p·α′²))^−½ and b = −a·α′·p, so an
 * input of zero mean and unit variance keeps them. The identity in eval mode.
 */
export class AlphaDropout extends DropoutBase {
  constructor(rate: number, seed?: number) {
    super('AlphaDropout', rate, seed);
  }

  forward(x: Tensor): Tensor {
    return this.dropping ? this.alphaDrop(x, x.shape) : x.reshape(x.shape);
  }
}

/**
 * PyTorch's nn.FeatureAlphaDropout: AlphaDropout dropping whole channels of
 * x [N, C, ...] (one draw per sample and channel, as PyTorch's noise [N, C,
 * 1, …]; a volume [N, C, D, H, W] in SELU networks of 3-D convolutions), to
 * the floor α′ and then a·v + b, so that the mean and variance hold. The
 * identity in eval mode.
 */
export class FeatureAlphaDropout extends DropoutBase {
  constructor(rate: number, seed?: number) {
    super('FeatureAlphaDropout', rate, seed);
  }

  forward(x: Tensor): Tensor {
    const mask = featureMask(this.type, x);
    return this.dropping ? this.alphaDrop(x, mask) : x.reshape(x.shape);
  }
}
