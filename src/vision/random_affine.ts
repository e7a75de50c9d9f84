// Random rotations and affine maps (torchvision's RandomRotation,
// RandomAffine): a map drawn per sample, the batch warped in one pass
// (affine.ts: a θ per sample).
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { roundHalfEven } from '../round.js';
import { checkWarpOptions, warp, WARP_OPTIONS, type AffineParams, type RotateOptions, type WarpOptions } from './affine.js';
import { asBatch, rangeOf} from './images.js';
import { RandomTransform, uniformIn } from './transform.js';

/** Degrees as a range: d is [−d, d]. */
function degreeRange(op: string, name: string, degrees: unknown): [number, number] {
  if (typeof degrees === 'number') {
    if (!(degrees >= 0) || !Number.isFinite(degrees)) throw new ValueError(`${op}: ${name} as a single number must be finite and ≥ 0 (the range [−d, d]), got ${formatValue(degrees)}`);
    return [-degrees, degrees];
  }
  return rangeOf(op, name, degrees, Number.isFinite, 'finite degrees');
}

const ROTATION_OPTIONS: OptionNames<RotateOptions> = { ...WARP_OPTIONS, expand: 'boolean' };

/**
 * Each sample rotated by an angle drawn uniformly from `degrees` (d: [−d,
 * d]), counter-clockwise as vision.rotate. Options as rotate's; fill
 * defaults to 0 (torchvision's RandomRotation: outside pixels blended in).
 * With expand, the output's size follows the angle, so a batch draws one
 * angle for all its samples (as torchvision draws one per call).
 */
export class RandomRotation extends RandomTransform<AffineParams> {
  readonly degrees: [number, number];
  readonly expand: boolean;
  readonly options: WarpOptions;

  constructor(degrees: number | readonly [number, number], options: RotateOptions = {}) {
    super('RandomRotation');
    this.degrees = degreeRange(this.name, 'degrees', degrees);
    const { expand = false, ...warpOptions } = checkOptions(this.name, options, ROTATION_OPTIONS);
    this.expand = expand;
    this.options = { fill: 0, ...warpOptions };
    checkWarpOptions(this.name, this.options);
  }

  override draw(images: Tensor): AffineParams[] {
    const params = super.draw(images);
    return this.expand ? params.map(() => params[0]) : params;
  }

  /** The sample's map; rotate(x, a) is affine(x, { angle: −a }), so angle holds −a. */
  protected drawOne(next: () => number): AffineParams {
    return { angle: -uniformIn(next, this.degrees[0], this.degrees[1]), translate: [0, 0], scale: 1, shear: [0, 0] };
  }

  protected applyAll(images: Tensor, params: readonly AffineParams[]): Tensor {
    if (this.expand && params.some((q) => q.angle !== params[0].angle)) {
      throw new ValueError(`${this.name}: with expand, every sample must take the same angle (the output's size follows it), got ${formatValue(params.map((q) => -q.angle))}`);
    }
    return warp(this.name, asBatch(this.name, images), this.expand ? [params[0]] : params, this.options, this.expand);
  }
}

export interface RandomAffineOptions extends WarpOptions {
  /** Largest shift as fractions [x, y] of the width and height, each in [0, 1]; the shift in whole pixels. Default none. */
  translate?: readonly [number, number];
  /** Scale drawn uniformly from [min, max], > 0. Default 1. */
  scale?: readonly [number, number];
  /** Shear in degrees: s ([−s, s] along x), [min, max] along x, or [xmin, xmax, ymin, ymax]. Default none. */
  shear?: number | readonly number[];
}

const AFFINE_OPTIONS: OptionNames<RandomAffineOptions> = { ...WARP_OPTIONS, translate: true, scale: true, shear: true };

/**
 * Each sample through an affine map drawn per sample (torchvision's
 * RandomAffine): angle uniform in `degrees` (clockwise, as vision.affine),
 * shift uniform within translate·[W, H] rounded to whole pixels, scale and
 * shear uniform in their ranges. fill defaults to 0, as torchvision's.
 */
export class RandomAffine extends RandomTransform<AffineParams> {
  readonly degrees: [number, number];
  readonly translate: [number, number] | null;
  readonly scale: [number, number] | null;
  readonly shear: [number, number, number, number] | null;
  readonly options: WarpOptions;

  constructor(degrees: number | readonly [number, number], options: RandomAffineOptions = {}) {
    super('RandomAffine');
    const { translate, scale, shear, ...warpOptions } = checkOptions(this.name, options, AFFINE_OPTIONS);
    this.degrees = degreeRange(this.name, 'degrees', degrees);
    this.translate = translate === undefined ? null : fractions(this.name, translate);
    this.scale = scale === undefined ? null : rangeOf(this.name, 'scale', scale, (v) => v > 0 && Number.isFinite(v), 'finite numbers > 0');
    this.shear = shear === undefined ? null : shearRanges(this.name, shear);
    this.options = { fill: 0, ...warpOptions };
    checkWarpOptions(this.name, this.options);
  }

  protected drawOne(next: () => number, _c: number, h: number, w: number): AffineParams {
    const angle = uniformIn(next, this.degrees[0], this.degrees[1]);
    const shift = (limit: number) => roundHalfEven(uniformIn(next, -limit, limit));
    const translate: [number, number] = this.translate ? [shift(this.translate[0] * w), shift(this.translate[1] * h)] : [0, 0];
    const scale = this.scale ? uniformIn(next, this.scale[0], this.scale[1]) : 1;
    const shear: [number, number] = this.shear ? [uniformIn(next, this.shear[0], this.shear[1]), uniformIn(next, this.shear[2], this.shear[3])] : [0, 0];
    return { angle, translate, scale, shear };
  }

  protected applyAll(images: Tensor, params: readonly AffineParams[]): Tensor {
    return warp(this.name, asBatch(this.name, images), params, this.options);
  }
}

function fractions(op: string, translate: unknown): [number, number] {
  if (!Array.isArray(translate) || translate.length !== 2 || !translate.every((t) => typeof t === 'number' && t >= 0 && t <= 1)) {
    throw new ValueError(`${op}: translate must be a pair [x, y] of fractions in [0, 1], got ${formatValue(translate)}`);
  }
  return [translate[0], translate[1]];
}

function shearRanges(op: string, shear: unknown): [number, number, number, number] {
  if (typeof shear === 'number') return [...degreeRange(op, 'shear', shear), 0, 0];
  if (Array.isArray(shear) && shear.length === 2) return [...rangeOf(op, 'shear', shear, Number.isFinite, 'finite degrees'), 0, 0];
  if (Array.isArray(shear) && shear.length === 4) return [...rangeOf(op, 'shear x', shear.slice(0, 2), Number.isFinite, 'finite degrees'), ...rangeOf(op, 'shear y', shear.slice(2), Number.isFinite, 'finite degrees')];
  throw new ValueError(`${op}: shear must be a number, [min, max] or [xmin, xmax, ymin, ymax] of degrees, got ${formatValue(shear)}`);
}
