// Resizing sequences, images and volumes (PyTorch's F.interpolate): to a size, or by
// a scale factor s (the size floor(n·s)). An output position i maps back to
// i·r in the input, r = n/m for a size and 1/s for a scale factor (as
// PyTorch maps it, recompute_scale_factor unset): 'nearest' takes input
// floor(i·r), 'nearest-exact' floor((i + ½)·r); 'linear' (sequences),
// 'bilinear' (images) and 'trilinear' (volumes) interpolate between the two
// inputs around the output's centre mapped back along each axis, (i + ½)·r − ½, clamped at the edges, and
// 'bicubic' (images) over the four around it, Keys' cubic with a = −0.75 as
// PyTorch's, reading past the edges as the edge; with alignCorners the
// corners' centres meet instead, i·(n − 1)/(m − 1). (PyTorch's CPU kernels
// of images and volumes take a shortcut for 'nearest' by a scale factor:
// an axis of m = n is left as it is and one of m = 2n reads i >> 1,
// whatever the factor; here, as on PyTorch's GPUs and for its sequences,
// the formula holds, which differs from them for factors that only round
// to n or 2n, such as 2.3 of 3.) Separable: one axis at a
// time, a gather of the positions needed and, but for nearest, a weighted
// sum of the neighbours, so the gradient flows back through gather to the
// inputs read. With antialias (the interpolating modes), antialias.ts's
// weights, the filter widened when downscaling: as many gathers as an
// output reads inputs when they are few, else a product with the weights
// [m, n] (a shrink by 10 reads some 20 to 40 inputs an output).
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { antialiasBand, bandMatrix, MOST_GATHERS, type Band } from './antialias.js';
import { tensor } from './creation.js';
import { matmul } from './matmul.js';
import { gather } from './movement.js';
import { checkTensor, onBackendOf } from './util.js';
import { asVolumes, triplesOf, type Size3d } from './volumes.js';
import { asImages, IMAGES, SEQUENCES, sizesOf, type Size2d } from './windows.js';

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear';

export interface InterpolateOptions {
  /** The output's size: a number (both axes of an image), or [height, width]. Give this or scaleFactor. */
  size?: Size2d;
  /** Each axis times this (a number, or [height, width]), rounded down: the output's size. */
  scaleFactor?: number | readonly [number, number];
  /** 'nearest' (default) or 'nearest-exact'; 'bilinear' or 'bicubic' for images, 'linear' for sequences. */
  mode?: InterpolateMode;
  /** The interpolating modes: map the corner pixels' centres onto each other (PyTorch's align_corners). Default false. */
  alignCorners?: boolean;
  /**
   * The interpolating modes: widen the filter by the scale when downscaling,
   * averaging every input the output covers (PyTorch's antialias, PIL's
   * resampling; bicubic then with Keys' a = −½). PyTorch takes it for
   * images only; here a sequence's linear takes it too. Default false.
   */
  antialias?: boolean;
}

/** interpolate3d's options: sizes over [depth, height, width], and no antialias (PyTorch has none for volumes either). */
export interface Interpolate3dOptions {
  /** The output's size: a number (all three axes), or [depth, height, width]. Give this or scaleFactor. */
  size?: Size3d;
  /** Each axis times this (a number, or [depth, height, width]), rounded down: the output's size. */
  scaleFactor?: number | readonly [number, number, number];
  /** 'nearest' (default), 'nearest-exact' or 'trilinear'. */
  mode?: InterpolateMode;
  /** trilinear: map the corner voxels' centres onto each other (PyTorch's align_corners). Default false. */
  alignCorners?: boolean;
}

/** The options of a resize of any rank: the sizes as a list. */
interface ResizeOptions {
  size?: number | readonly number[];
  scaleFactor?: number | readonly number[];
  mode?: InterpolateMode;
  alignCorners?: boolean;
  antialias?: boolean;
}

const OPTIONS: OptionNames<InterpolateOptions> = { size: true, scaleFactor: true, mode: true, alignCorners: 'boolean', antialias: 'boolean' };
const OPTIONS_3D: OptionNames<Interpolate3dOptions> = { size: true, scaleFactor: true, mode: true, alignCorners: 'boolean' };

/** The modes of sequences (1), images (2) and volumes (3), and of any (Upsample's, which takes all). */
export const INTERPOLATE_MODES: Readonly<Record<1 | 2 | 3 | 'any', readonly InterpolateMode[]>> = {
  1: ['nearest', 'nearest-exact', 'linear'], 2: ['nearest', 'nearest-exact', 'bilinear', 'bicubic'], 3: ['nearest', 'nearest-exact', 'trilinear'],
  any: ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear'],
};

/** What each rank resizes, as errors name it. */
const LAYOUTS = {
  1: { what: 'sequences', shape: '[batch, channels, length]' },
  2: { what: 'images', shape: '[batch, channels, height, width]' },
  3: { what: 'volumes', shape: '[batch, channels, depth, height, width]' },
} as const;

/**
 * Refuses a mode of another rank than x's (`spatial` axes), for tm.interpolate
 * and Upsample, which pick the op by x's rank: that op would list its own
 * modes, naming an op the caller never called and not saying that x's rank
 * is what is wrong. A name that is no mode is left to the op.
 */
export function checkModeForRank(op: string, spatial: 1 | 2 | 3, x: Tensor, mode: unknown): void {
  if (mode === undefined || INTERPOLATE_MODES[spatial].includes(mode as InterpolateMode)) return;
  const of = ([1, 2, 3] as const).find((s) => INTERPOLATE_MODES[s].includes(mode as InterpolateMode));
  if (of === undefined) return;
  const modes = INTERPOLATE_MODES[spatial].map((m) => `'${m}'`).join(', ');
  throw new ShapeError(`${op}: mode ${formatValue(mode)} resizes ${LAYOUTS[of].what} ${LAYOUTS[of].shape}, not x ${formatShape(x.shape)} (${LAYOUTS[spatial].what}, whose modes are ${modes})`);
}

/** Checks `mode` (one of `modes`) and `alignCorners` (the checks Upsample shares). */
export function checkMode(op: string, modes: readonly InterpolateMode[], mode: unknown, alignCorners: unknown): InterpolateMode {
  if (!modes.includes(mode as InterpolateMode)) throw new ValueError(`${op}: mode must be ${modes.map((m) => `'${m}'`).join(', ')}, got ${formatValue(mode)}`);
  if (alignCorners === true && (mode === 'nearest' || mode === 'nearest-exact')) {
    throw new ValueError(`${op}: alignCorners applies to the interpolating modes, not to ${formatValue(mode)}`);
  }
  return mode as InterpolateMode;
}

/** x [N, C, H, W] (or [C, H, W]) resized to the output size. */
export function interpolate2d(x: Tensor, options: InterpolateOptions): Tensor {
  return resize('interpolate2d', 2, x, checkOptions('interpolate2d', options, OPTIONS));
}

/** x [N, C, L] (or [C, L]) resized along its length. */
export function interpolate1d(x: Tensor, options: InterpolateOptions): Tensor {
  return resize('interpolate1d', 1, x, checkOptions('interpolate1d', options, OPTIONS));
}

/**
 * x [N, C, D, H, W] (or [C, D, H, W]) resized to the output size: nearest,
 * nearest-exact or trilinear (linear along each axis in turn, which is the
 * trilinear weighting), mapped as the other ranks map (PyTorch's
 * F.interpolate of volumes).
 */
export function interpolate3d(x: Tensor, options: Interpolate3dOptions): Tensor {
  return resize('interpolate3d', 3, x, checkOptions('interpolate3d', options, OPTIONS_3D));
}

/**
 * PyTorch's F.interpolate: x of rank 3, 4 or 5 ([N, C, L], [N, C, H, W] or
 * [N, C, D, H, W], batched: the rank says which) resized by interpolate1d,
 * interpolate2d or interpolate3d.
 */
export function interpolate(x: Tensor, options: InterpolateOptions | Interpolate3dOptions): Tensor {
  checkTensor('interpolate', x, 'x');
  if (x.rank >= 3 && x.rank <= 5) checkModeForRank('interpolate', (x.rank - 2) as 1 | 2 | 3, x, (options as { mode?: unknown } | undefined)?.mode);
  if (x.rank === 3) return interpolate1d(x, options as InterpolateOptions);
  if (x.rank === 4) return interpolate2d(x, options as InterpolateOptions);
  if (x.rank === 5) return interpolate3d(x, options as Interpolate3dOptions);
  throw new ShapeError(`interpolate: x must be sequences [batch, channels, length], images [batch, channels, height, width] or volumes [batch, channels, depth, height, width], got ${formatShape(x.shape)}`);
}

/** x in the layout of a resize over `spatial` axes ([N, C, H, W] for sequences and images, a sequence's height 1; [N, C, D, H, W] for volumes), and the way back. */
function asGrid(op: string, spatial: 1 | 2 | 3, x: Tensor): { grid: Tensor; unbatch: (y: Tensor) => Tensor } {
  if (spatial === 3) {
    const { volumes, unbatch } = asVolumes(op, x);
    return { grid: volumes, unbatch };
  }
  const { images, unbatch } = asImages(op, spatial === 2 ? IMAGES : SEQUENCES, x);
  return { grid: images, unbatch };
}

/** A size option as one size per axis of the grid (a sequence's height 1). */
function sizesFor(op: string, spatial: 1 | 2 | 3, size: unknown): number[] {
  return spatial === 3 ? triplesOf(op, 'size', size, 1) : sizesOf(op, 'size', size, 1, spatial === 2 ? IMAGES : SEQUENCES, 1);
}

function resize(op: string, spatial: 1 | 2 | 3, x: Tensor, options: ResizeOptions): Tensor {
  const { size, scaleFactor, mode = 'nearest', alignCorners = false, antialias = false } = options;
  checkMode(op, INTERPOLATE_MODES[spatial], mode, alignCorners);
  if (antialias && (mode === 'nearest' || mode === 'nearest-exact')) throw new ValueError(`${op}: antialias applies to the interpolating modes, not to ${formatValue(mode)}`);
  if ((size === undefined) === (scaleFactor === undefined)) throw new ValueError(`${op}: give size or scaleFactor (one of them)`);
  return tidy(() => {
    const { grid, unbatch } = asGrid(op, spatial, x);
    const extent = grid.shape.slice(2);
    const factors = scaleFactor === undefined ? null : factorsOf(op, spatial, scaleFactor);
    const out = factors ? scaled(op, x, factors, extent) : sizesFor(op, spatial, size);
    let y = grid;
    for (const [a, n] of extent.entries()) {
      const m = out[a];
      // With alignCorners the corners meet whatever the scale factor (as PyTorch's); a single output reads the first input.
      const ratio = alignCorners ? (m > 1 ? (n - 1) / (m - 1) : 0) : factors ? 1 / factors[a] : n / m;
      // PyTorch leaves an axis of unchanged size as it is when antialiasing, whatever the scale factor.
      if (antialias) {
        if (m !== n) y = antialiasAxis(op, y, 2 + a, antialiasBand(mode === 'bicubic' ? 'cubic' : 'linear', n, m, ratio), n);
        continue;
      }
      // An axis mapped onto itself (r = 1) is the identity in every mode (the neighbours' weights are then 0).
      if (m !== n || ratio !== 1) y = resizeAxis(op, y, 2 + a, n, m, mapping(mode, alignCorners, ratio, factors ? null : [n, m]));
    }
    return unbatch(y);
  });
}

/** A scale factor as one per axis of the grid (a sequence's height 1), checked. */
function factorsOf(op: string, spatial: 1 | 2 | 3, factor: number | readonly number[]): number[] {
  const axes = spatial === 1 ? 1 : spatial;
  const list = typeof factor === 'number' ? Array<number>(axes).fill(factor) : factor;
  if (!Array.isArray(list) || (spatial === 1 && typeof factor !== 'number') || list.length !== axes || list.some((f) => typeof f !== 'number' || !(f > 0) || !Number.isFinite(f))) {
    const per = spatial === 2 ? ' or a pair [height, width] of them' : spatial === 3 ? ' or a triple [depth, height, width] of them' : '';
    throw new ValueError(`${op}: scaleFactor must be a finite number > 0${per}, got ${formatValue(factor)}`);
  }
  return spatial === 1 ? [1, list[0]] : [...list];
}

/** The output size for scale factors: each axis times its own, rounded down; an empty one is refused, as PyTorch refuses it. */
function scaled(op: string, x: Tensor, factors: readonly number[], extent: readonly number[]): number[] {
  const out = extent.map((n, a) => Math.floor(n * factors[a]));
  if (out.some((d) => d < 1)) throw new ValueError(`${op}: scaleFactor ${formatValue(factors)} leaves no output of x ${formatShape(x.shape)}`);
  if (out.some((d) => d > 2 ** 24)) throw new ValueError(`${op}: scaleFactor ${formatValue(factors)} asks for ${out.join('×')} positions of x ${formatShape(x.shape)}, past 2^24 along an axis`);
  return out;
}

/**
 * The input a nearest mode reads for output i at ratio r (input per
 * output), as PyTorch's kernels pick it in float32: floorf(i·r), or
 * floorf((i + ½)·r) for nearest-exact, r rounded to f32 first. (Each
 * product is exact in float64, an integer or half-integer times an f32, so
 * one fround rounds it as f32 does.) The random crops read their windows
 * by it too (vision/resample.ts).
 */
export function nearestSource(i: number, r: number, exact: boolean): number {
  return Math.floor(Math.fround((i + (exact ? 0.5 : 0)) * Math.fround(r)));
}

/** How output i maps into the input: a nearest mode's pick, or where an interpolating mode centres its taps. */
interface Mapping {
  readonly kind: 'nearest' | 'linear' | 'cubic';
  readonly source: (i: number) => number;
}

/**
 * The mapping of a mode: i·r (nearest), (i + ½)·r (nearest-exact), i·r with
 * the corners aligned, else (i + ½)·r − ½ (clamped at 0 for linear, as
 * PyTorch clamps it, not for cubic). For a size, r is n/m, computed as such
 * (`sizes`) where it only weighs neighbours. The nearest modes pick as
 * PyTorch's kernels do, in float32: r rounded to f32, then
 * floorf(i·r) or floorf((i + ½)·r). Exact arithmetic picks the other input
 * where the product lands on an integer that f32 misses (26 → 22: output
 * 11 is 13 exactly, 12.999999 in f32, and PyTorch reads input 12).
 */
function mapping(mode: InterpolateMode, alignCorners: boolean, ratio: number, sizes: [number, number] | null): Mapping {
  const times = (t: number) => (sizes ? (t * sizes[0]) / sizes[1] : t * ratio);
  if (mode === 'nearest' || mode === 'nearest-exact') {
    const r = sizes ? sizes[0] / sizes[1] : ratio;
    return { kind: 'nearest', source: (i) => nearestSource(i, r, mode === 'nearest-exact') };
  }
  const kind = mode === 'bicubic' ? 'cubic' : 'linear'; // linear, bilinear and trilinear: linear along each axis
  if (alignCorners) return { kind, source: (i) => i * ratio };
  return { kind, source: kind === 'linear' ? (i) => Math.max(0, times(i + 0.5) - 0.5) : (i) => times(i + 0.5) - 0.5 };
}

/** Keys' cubic convolution weights (a = −0.75, PyTorch's) of the inputs at floor(s) − 1 … floor(s) + 2, for t = s − floor(s). */
export function cubicWeights(t: number): [number, number, number, number] {
  const a = -0.75;
  const near = (d: number) => ((a + 2) * d - (a + 3)) * d * d + 1; // |d| ≤ 1
  const far = (d: number) => ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; // 1 < |d| < 2
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/** Images x [N, C, H, W] resized along `axis` (2 or 3) from n positions by a band of weights. */
function antialiasAxis(op: string, x: Tensor, axis: number, band: Band, n: number): Tensor {
  const m = band.first.length;
  if (band.count <= MOST_GATHERS) {
    const taps = Array.from({ length: band.count }, (_, k) => ({
      at: Int32Array.from(band.first, (first) => first + k),
      weight: Float32Array.from({ length: m }, (_, i) => band.weights[i * band.count + k]),
    }));
    return weightedSum(op, x, axis, taps);
  }
  const w = onBackendOf(op, x, () => tensor(Float32Array.from(bandMatrix(band, n)), [m, n], { dtype: x.dtype }));
  return axis === 3 ? matmul(x, w, { transposeB: true }) : matmul(w, x);
}

/** Σ over taps of x's positions `at` along `axis` (gathered) times the tap's weights, one per output position. */
function weightedSum(op: string, x: Tensor, axis: number, taps: readonly { at: Int32Array; weight: Float32Array }[]): Tensor {
  const along = x.shape.map((_, d) => (d === axis ? taps[0].at.length : 1));
  const term = ({ at, weight }: { at: Int32Array; weight: Float32Array }) =>
    gather(x, onBackendOf(op, x, () => tensor(at)), axis).mul(onBackendOf(op, x, () => tensor(weight, along, { dtype: x.dtype === 'f16' ? 'f16' : 'f32' })));
  return taps.map(term).reduce((sum, t) => sum.add(t));
}

/** x resized along `axis` from n to m positions, by `map`. */
function resizeAxis(op: string, x: Tensor, axis: number, n: number, m: number, map: Mapping): Tensor {
  const clamp = (i: number) => Math.min(n - 1, Math.max(0, i));
  const positions = (picks: Int32Array) => onBackendOf(op, x, () => tensor(picks));
  if (map.kind === 'nearest') return gather(x, positions(Int32Array.from({ length: m }, (_, i) => clamp(map.source(i)))), axis);
  const along = x.shape.map((_, d) => (d === axis ? m : 1));
  const weights = (w: Float32Array) => onBackendOf(op, x, () => tensor(w, along, { dtype: x.dtype === 'f16' ? 'f16' : 'f32' }));
  if (map.kind === 'linear') {
    const low = new Int32Array(m);
    const high = new Int32Array(m);
    const weight = new Float32Array(m);
    for (let i = 0; i < m; i++) {
      const source = map.source(i);
      low[i] = clamp(Math.floor(source));
      high[i] = clamp(low[i] + 1);
      weight[i] = source - low[i];
    }
    const a = gather(x, positions(low), axis);
    const b = gather(x, positions(high), axis);
    return a.add(b.sub(a).mul(weights(weight)));
  }
  // Four taps, each a gather of its inputs (past the edges, the edge) times its weights.
  const taps = Array.from({ length: 4 }, () => ({ at: new Int32Array(m), weight: new Float32Array(m) }));
  for (let i = 0; i < m; i++) {
    const source = map.source(i);
    const floor = Math.floor(source);
    cubicWeights(source - floor).forEach((w, k) => {
      taps[k].at[i] = clamp(floor - 1 + k);
      taps[k].weight[i] = w;
    });
  }
  return weightedSum(op, x, axis, taps);
}
