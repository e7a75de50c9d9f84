// Rotations and affine maps of images (torchvision's rotate, affine) through
// tm.affineGrid and tm.gridSample. torchvision describes the map in pixels
// about the image centre and samples with the inverse matrix; here that
// inverse is rescaled into affineGrid's normalised coordinates (alignCorners
// false), one 2×3 θ per sample, so a batch may take a different map per
// image in one sampling pass (the random transforms do).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { affineGrid } from '../ops/affine_grid.js';
import { add, less, mul, sub, where } from '../ops/elementwise.js';
import { gridSample } from '../ops/grid_sample.js';
import { concat, slice } from '../ops/movement.js';
import { ones } from '../ops/creation.js';
import { onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { asBatch, constantLike, numberOf, perChannel, type Batch } from './images.js';
import { checkInterpolation } from './resize.js';

export type WarpInterpolation = 'nearest' | 'bilinear' | 'bicubic';

export interface WarpOptions {
  /** 'nearest' (default, torchvision's), 'bilinear' or 'bicubic' (gridSample's, not clamped: it may overshoot [0, 1] a little, as torchvision's). */
  interpolation?: WarpInterpolation;
  /** What pixels from outside the image read: a number or one per channel. Unset, zeros, as gridSample pads (torchvision's fill=None); set, the sampled image is blended with it by how much of each output pixel fell inside. */
  fill?: number | readonly number[];
  /** The fixed point [x, y] in pixels from the top-left corner (pixel j's centre at j + 0.5); by default the image's centre. */
  center?: readonly [number, number];
}

export interface RotateOptions extends WarpOptions {
  /** Enlarge the output to hold the whole rotated image (torchvision's expand: the rotated corners' bounding box, to 1e-4 px), centred on it. Default false. */
  expand?: boolean;
}

export interface AffineOptions extends WarpOptions {
  /** Rotation in degrees, clockwise (torchvision's affine). Default 0. */
  angle?: number;
  /** Shift [x, y] in pixels, after the rest. Default [0, 0]. */
  translate?: readonly [number, number];
  /** Overall scale, > 0. Default 1. */
  scale?: number;
  /** Shear in degrees along x, or [x, y]. Default 0. */
  shear?: number | readonly [number, number];
}

/** One sample's map, as torchvision's affine takes it. */
export interface AffineParams {
  angle: number;
  translate: readonly [number, number];
  scale: number;
  shear: readonly [number, number];
}

export const WARP_OPTIONS: OptionNames<WarpOptions> = { interpolation: true, fill: true, center: true };
const ROTATE_OPTIONS: OptionNames<RotateOptions> = { ...WARP_OPTIONS, expand: 'boolean' };
const AFFINE_OPTIONS: OptionNames<AffineOptions> = { ...WARP_OPTIONS, angle: true, translate: true, scale: true, shear: true };

/** Images rotated by `angle` degrees counter-clockwise about their centre (or `center`), keeping their size or, with expand, enlarged to hold all of it. */
export function rotate(images: Tensor, angle: number, options: RotateOptions = {}): Tensor {
  const op = 'rotate';
  const { expand = false, ...warpOptions } = checkOptions(op, options, ROTATE_OPTIONS);
  numberOf(op, 'angle', angle, () => true, 'a finite number of degrees');
  return warp(op, asBatch(op, images), [{ angle: -angle, translate: [0, 0], scale: 1, shear: [0, 0] }], warpOptions, expand);
}

/** Images through the affine map of `options` (rotation, scale and shear about the centre, then the shift), keeping their size. */
export function affine(images: Tensor, options: AffineOptions = {}): Tensor {
  const op = 'affine';
  const { angle = 0, translate = [0, 0], scale = 1, shear = 0, ...warpOptions } = checkOptions(op, options, AFFINE_OPTIONS);
  numberOf(op, 'angle', angle, () => true, 'a finite number of degrees');
  numberOf(op, 'scale', scale, (s) => s > 0, 'a number > 0');
  const shift = pairOf(op, 'translate', translate);
  const shears = typeof shear === 'number' ? [numberOf(op, 'shear', shear, () => true, 'a finite number of degrees'), 0] as const : pairOf(op, 'shear', shear);
  return warp(op, asBatch(op, images), [{ angle, translate: shift, scale, shear: shears }], warpOptions);
}

/**
 * The batch resampled through each sample's map (one map for all where
 * `params` holds one), as torchvision's affine and rotate. With `expand`
 * (one map for all), the output is the size torchvision's
 * _compute_affine_output_size gives the map.
 */
export function warp(op: string, batch: Batch, params: readonly AffineParams[], options: WarpOptions, expand = false): Tensor {
  const { images: x, n, h, w } = batch;
  const mode = checkWarpOptions(op, options);
  const [cx, cy] = options.center === undefined ? [0, 0] : [options.center[0] - w * 0.5, options.center[1] - h * 0.5];
  const matrices = params.map((p) => inverseMatrix(p, cx, cy));
  const [oh, ow] = expand ? expandedSize(matrices[0], h, w) : [h, w];
  const thetas = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) thetas.set(normalizedTheta(matrices[matrices.length === 1 ? 0 : i], h, w, oh, ow), i * 6);
  return sampleThrough(op, batch, mode, options.fill, (channels) => affineGrid(constantLike(op, x, thetas, [n, 2, 3]), [n, channels, oh, ow]));
}

/**
 * The batch read at `grid` [N, H', W', 2] (made for the channels it will
 * sample), as torchvision's _apply_grid_transform: gridSample with zeros
 * outside, or, with a fill, a channel of ones sampled alongside to tell how
 * much of each pixel came from inside, and the fill blended in by it.
 */
export function sampleThrough(op: string, batch: Batch, mode: WarpInterpolation, fillOption: WarpOptions['fill'], gridFor: (channels: number) => Tensor): Tensor {
  const { images: x, n, c, h, w, unbatch } = batch;
  const fill = fillOption === undefined ? null : perChannel(op, 'fill', fillOption, x, c);
  return tidy(() => {
    const withMask = fill ? concat([x, onBackendOf(op, x, () => ones([n, 1, h, w], { dtype: x.dtype }))], 1) : x;
    const grid = gridFor(withMask.shape[1]);
    const sampled = gridSample(withMask, grid, { mode, paddingMode: 'zeros' });
    if (!fill) return unbatch(sampled);
    const [oh, ow] = [grid.shape[1], grid.shape[2]];
    const image = slice(sampled, [0, 0, 0, 0], [n, c, oh, ow]);
    const inside = slice(sampled, [0, c, 0, 0], [n, 1, oh, ow]);
    const colour = constantLike(op, x, fill, [1, c, 1, 1]);
    return unbatch(mode === 'nearest' ? where(less(inside, 0.5), colour, image) : add(mul(image, inside), mul(sub(1, inside), colour)));
  });
}

/**
 * torchvision's _compute_affine_output_size: the corners (about the centre)
 * through the matrix, their bounding box shifted to [0, w] × [0, h], its
 * ends cut to 1e-4 px (so a float's 1e-15 past a whole number does not
 * round up a pixel) and rounded outwards; [height, width]. In float32, as
 * torchvision computes it: float64 would leave a corner a hair below a
 * whole number (cos 90° is 6e-17), which the cut then takes a pixel further.
 */
export function expandedSize(m: readonly number[], h: number, w: number): [number, number] {
  const f = Math.fround;
  const corners = [[-0.5 * w, -0.5 * h], [-0.5 * w, 0.5 * h], [0.5 * w, 0.5 * h], [0.5 * w, -0.5 * h]];
  const through = (r: number, half: number) => corners.map(([x, y]) => f(f(f(f(m[r]) * x) + f(f(m[r + 1]) * y)) + f(m[r + 2])) + half);
  const cut = (v: number) => f(Math.trunc(f(f(v) * f(1e4))) * f(1e-4));
  const extent = (vs: number[]) => Math.ceil(cut(Math.max(...vs))) - Math.floor(cut(Math.min(...vs)));
  return [extent(through(3, 0.5 * h)), extent(through(0, 0.5 * w))];
}

/** Checks what warp's options can be checked without the images (fill's length needs their channels); the interpolation. */
export function checkWarpOptions(op: string, { interpolation = 'nearest', fill, center }: WarpOptions): WarpInterpolation {
  if (fill !== undefined && typeof fill !== 'number' && !(Array.isArray(fill) && fill.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    throw new ValueError(`${op}: fill must be a number or a list of numbers, one per channel, got ${formatValue(fill)}`);
  }
  if (center !== undefined) pairOf(op, 'center', center);
  return checkInterpolation(op, interpolation, ['nearest', 'bilinear', 'bicubic'] as const);
}

/**
 * torchvision's _get_inverse_affine_matrix: the map output pixel → input
 * pixel, both about the centre (cx, cy) offset from the image's, as
 * [a, b, tx, c, d, ty].
 */
function inverseMatrix({ angle, translate: [tx, ty], scale, shear }: AffineParams, cx: number, cy: number): number[] {
  const rad = Math.PI / 180;
  const [rot, sx, sy] = [angle * rad, shear[0] * rad, shear[1] * rad];
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  // The rotation-scale-shear's inverse (its determinant is 1 before scaling).
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx;
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy;
  return m;
}

/**
 * A pixel-space matrix (about the centres) as affineGrid's θ over [−1, 1]²,
 * from an oh × ow output to an h × w image (torchvision's _gen_affine_grid).
 */
function normalizedTheta(m: readonly number[], h: number, w: number, oh: number, ow: number): number[] {
  return [(m[0] * ow) / w, (m[1] * oh) / w, (2 * m[2]) / w, (m[3] * ow) / h, (m[4] * oh) / h, (2 * m[5]) / h];
}

function pairOf(op: string, name: string, pair: unknown): [number, number] {
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ValueError(`${op}: ${name} must be a pair [x, y] of finite numbers, got ${formatValue(pair)}`);
  }
  return [pair[0], pair[1]];
}
