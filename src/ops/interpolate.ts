// Resizing images and sequences (PyTorch's F.interpolate): to a size, or by
// a scale factor s (the size floor(n·s)). An output position i maps back to
// i·r in the input, r = n/m for a size and 1/s for a scale factor (as
// PyTorch maps it, recompute_scale_factor unset): 'nearest' takes input
// floor(i·r); 'bilinear' (images) and 'linear' (sequences) interpolate
// between the two inputs around the output's centre mapped back,
// (i + ½)·r − ½, clamped at the edges (align_corners=False). Separable: one axis at a time, a gather of the
// positions needed and, for linear, a weighted sum of the two neighbours,
// so the gradient flows back through gather to the inputs read.
import { tidy } from '../engine.js';
import { ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { gather } from './movement.js';
import { onBackendOf } from './util.js';
import { asImages, IMAGES, SEQUENCES, sizesOf, type Size2d, type SpatialAxes } from './windows.js';

export type InterpolateMode = 'nearest' | 'linear' | 'bilinear';

export interface InterpolateOptions {
  /** The output's size: a number (both axes of an image), or [height, width]. Give this or scaleFactor. */
  size?: Size2d;
  /** Each axis times this (a number, or [height, width]), rounded down: the output's size. */
  scaleFactor?: number | readonly [number, number];
  /** 'nearest' (default); 'bilinear' for images, 'linear' for sequences. */
  mode?: InterpolateMode;
}

const OPTIONS: OptionNames<InterpolateOptions> = { size: true, scaleFactor: true, mode: true };

/** x [N, C, H, W] (or [C, H, W]) resized to the output size. */
export function interpolate2d(x: Tensor, options: InterpolateOptions): Tensor {
  return resize('interpolate2d', IMAGES, x, options);
}

/** x [N, C, L] (or [C, L]) resized along its length. */
export function interpolate1d(x: Tensor, options: InterpolateOptions): Tensor {
  return resize('interpolate1d', SEQUENCES, x, options);
}

function resize(op: string, axes: SpatialAxes, x: Tensor, options: InterpolateOptions): Tensor {
  const { size, scaleFactor, mode = 'nearest' } = checkOptions(op, options, OPTIONS);
  const linear = axes.count === 2 ? 'bilinear' : 'linear';
  if (mode !== 'nearest' && mode !== linear) throw new ValueError(`${op}: mode must be 'nearest' or '${linear}', got ${formatValue(mode)}`);
  if ((size === undefined) === (scaleFactor === undefined)) throw new ValueError(`${op}: give size or scaleFactor (one of them)`);
  return tidy(() => {
    const { images, unbatch } = asImages(op, axes, x);
    const extent = images.shape.slice(2) as [number, number];
    const factors = scaleFactor === undefined ? null : factorsOf(op, axes, scaleFactor);
    const out = factors ? scaled(op, x, factors, extent) : sizesOf(op, 'size', size, 1, axes, 1);
    let y = images;
    for (const a of [0, 1] as const) {
      // An axis mapped onto itself (r = 1) is the identity in either mode (linear's weights are then 0).
      const ratio = factors ? 1 / factors[a] : extent[a] / out[a];
      if (out[a] !== extent[a] || ratio !== 1) y = resizeAxis(op, y, 2 + a, extent[a], out[a], factors ? ratio : null, mode !== 'nearest');
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

/** x resized along `axis` from n to m positions, output i read at i·ratio (n/m for a size, when `ratio` is null). */
function resizeAxis(op: string, x: Tensor, axis: number, n: number, m: number, ratio: number | null, linear: boolean): Tensor {
  const at = (i: number) => (ratio === null ? (i * n) / m : i * ratio);
  const positions = (picks: Int32Array) => onBackendOf(op, x, () => tensor(picks));
  if (!linear) return gather(x, positions(Int32Array.from({ length: m }, (_, i) => Math.min(n - 1, Math.floor(at(i))))), axis);
  const low = new Int32Array(m);
  const high = new Int32Array(m);
  const weight = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const source = Math.max(0, at(i + 0.5) - 0.5);
    low[i] = Math.min(n - 1, Math.floor(source));
    high[i] = Math.min(n - 1, low[i] + 1);
    weight[i] = source - low[i];
  }
  const along = x.shape.map((_, d) => (d === axis ? m : 1));
  const w = onBackendOf(op, x, () => tensor(weight, along, { dtype: x.dtype === 'f16' ? 'f16' : 'f32' }));
  const a = gather(x, positions(low), axis);
  const b = gather(x, positions(high), axis);
  return a.add(b.sub(a).mul(w));
}
