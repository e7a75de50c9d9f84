// Resizing images and sequences (PyTorch's F.interpolate): to a size, or by
// a scale factor s (the size floor(n·s)). An output position i maps back to
// i·r in the input, r = n/m for a size and 1/s for a scale factor (as
// PyTorch maps it, recompute_scale_factor unset): 'nearest' takes input
// floor(i·r), 'nearest-exact' floor((i + ½)·r); 'bilinear' (images) and
// 'linear' (sequences) interpolate between the two inputs around the
// output's centre mapped back, (i + ½)·r − ½, clamped at the edges, and
// 'bicubic' (images) over the four around it, Keys' cubic with a = −0.75 as
// PyTorch's, reading past the edges as the edge; with alignCorners the
// corners' centres meet instead, i·(n − 1)/(m − 1). Separable: one axis at a
// time, a gather of the positions needed and, but for nearest, a weighted
// sum of the neighbours, so the gradient flows back through gather to the
// inputs read. With antialias (the interpolating modes), antialias.ts's
// weights, the filter widened when downscaling: as many gathers as an
// output reads inputs when they are few, else a product with the weights
// [m, n] (a shrink by 10 reads some 20 to 40 inputs an output).
import { tidy } from '../engine.js';
import { ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { antialiasBand, bandMatrix, MOST_GATHERS, type Band } from './antialias.js';
import { tensor } from './creation.js';
import { matmul } from './matmul.js';
import { gather } from './movement.js';
import { onBackendOf } from './util.js';
import { asImages, IMAGES, SEQUENCES, sizesOf, type Size2d, type SpatialAxes } from './windows.js';

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic';

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

const OPTIONS: OptionNames<InterpolateOptions> = { size: true, scaleFactor: true, mode: true, alignCorners: 'boolean', antialias: 'boolean' };

/** The modes of sequences (1) and images (2), and of either (Upsample's, which takes both). */
export const INTERPOLATE_MODES: Readonly<Record<1 | 2 | 'either', readonly InterpolateMode[]>> = {
  1: ['nearest', 'nearest-exact', 'linear'], 2: ['nearest', 'nearest-exact', 'bilinear', 'bicubic'], either: ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic'],
};

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
  return resize('interpolate2d', IMAGES, x, options);
}

/** x [N, C, L] (or [C, L]) resized along its length. */
export function interpolate1d(x: Tensor, options: InterpolateOptions): Tensor {
  return resize('interpolate1d', SEQUENCES, x, options);
}

function resize(op: string, axes: SpatialAxes, x: Tensor, options: InterpolateOptions): Tensor {
  const { size, scaleFactor, mode = 'nearest', alignCorners = false, antialias = false } = checkOptions(op, options, OPTIONS);
  checkMode(op, INTERPOLATE_MODES[axes.count], mode, alignCorners);
  if (antialias && (mode === 'nearest' || mode === 'nearest-exact')) throw new ValueError(`${op}: antialias applies to the interpolating modes, not to ${formatValue(mode)}`);
  if ((size === undefined) === (scaleFactor === undefined)) throw new ValueError(`${op}: give size or scaleFactor (one of them)`);
  return tidy(() => {
    const { images, unbatch } = asImages(op, axes, x);
    const extent = images.shape.slice(2) as [number, number];
    const factors = scaleFactor === undefined ? null : factorsOf(op, axes, scaleFactor);
    const out = factors ? scaled(op, x, factors, extent) : sizesOf(op, 'size', size, 1, axes, 1);
    let y = images;
    for (const a of [0, 1] as const) {
      const [n, m] = [extent[a], out[a]];
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

/** A scale factor as [height, width] (a sequence's height 1), checked. */
function factorsOf(op: string, axes: SpatialAxes, factor: number | readonly [number, number]): [number, number] {
  const pair = typeof factor === 'number' ? [axes.count === 2 ? factor : 1, factor] : axes.count === 2 ? factor : null;
  if (!pair || pair.length !== 2 || pair.some((f) => typeof f !== 'number' || !(f > 0) || !Number.isFinite(f))) {
    throw new ValueError(`${op}: scaleFactor must be a finite number > 0${axes.count === 2 ? ' or a pair [height, width] of them' : ''}, got ${formatValue(factor)}`);
  }
  return [pair[0], pair[1]];
}

/** The output size for scale factors: each axis times its own, rounded down; an empty one is refused, as PyTorch refuses it. */
function scaled(op: string, x: Tensor, factors: [number, number], extent: [number, number]): [number, number] {
  const out = [0, 1].map((a) => Math.floor(extent[a] * factors[a])) as [number, number];
  if (out.some((d) => d < 1)) throw new ValueError(`${op}: scaleFactor ${formatValue(factors)} leaves no output of x ${formatShape(x.shape)}`);
  if (out.some((d) => d > 2 ** 24)) throw new ValueError(`${op}: scaleFactor ${formatValue(factors)} asks for ${out.join('×')} positions of x ${formatShape(x.shape)}, past 2^24 along an axis`);
  return out;
}

/** How output i maps into the input: a nearest mode's pick, or where an interpolating mode centres its taps. */
interface Mapping {
  readonly kind: 'nearest' | 'linear' | 'cubic';
  readonly source: (i: number) => number;
}

/**
 * The mapping of a mode: i·r (nearest), (i + ½)·r (nearest-exact), i·r with
 * the corners aligned, else (i + ½)·r − ½ (clamped at 0 for linear, as
 * PyTorch clamps it, not for cubic). For a size, r is n/m, and i·n/m is
 * computed as such (`sizes`), as PyTorch's integer arithmetic picks.
 */
function mapping(mode: InterpolateMode, alignCorners: boolean, ratio: number, sizes: [number, number] | null): Mapping {
  const times = (t: number) => (sizes ? (t * sizes[0]) / sizes[1] : t * ratio);
  if (mode === 'nearest') return { kind: 'nearest', source: (i) => Math.floor(times(i)) };
  if (mode === 'nearest-exact') return { kind: 'nearest', source: (i) => Math.floor(times(i + 0.5)) };
  const kind = mode === 'bicubic' ? 'cubic' : 'linear';
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
