// Resizing images and sequences (PyTorch's F.interpolate): to a size, or by
// a scale factor. 'nearest' takes, for output position i of an axis resized
// n → m, input floor(i·n/m) (PyTorch's 'nearest'); 'bilinear' (images) and
// 'linear' (sequences) interpolate between the two inputs around the
// output's centre mapped back, (i + ½)·n/m − ½, clamped at the edges
// (align_corners=False). Separable: one axis at a time, a gather of the
// positions needed and, for linear, a weighted sum of the two neighbours,
// so the gradient flows back through gather to the inputs read.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
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
    const out = size !== undefined ? sizesOf(op, 'size', size, 1, axes, 1) : scaled(op, axes, scaleFactor!, extent);
    let y = images;
    // An axis kept at its size is the identity in either mode (linear's weights are then 0).
    for (const a of [0, 1] as const) if (out[a] !== extent[a]) y = resizeAxis(op, y, 2 + a, extent[a], out[a], mode !== 'nearest');
    return unbatch(y);
  });
}

/** The output size for a scale factor: each axis times it, rounded down, at least 1. */
function scaled(op: string, axes: SpatialAxes, factor: number | readonly [number, number], extent: [number, number]): [number, number] {
  const pair = typeof factor === 'number' ? [axes.count === 2 ? factor : 1, factor] : axes.count === 2 ? factor : null;
  if (!pair || pair.length !== 2 || pair.some((f) => typeof f !== 'number' || !(f > 0) || !Number.isFinite(f))) {
    throw new ValueError(`${op}: scaleFactor must be a finite number > 0${axes.count === 2 ? ' or a pair [height, width] of them' : ''}, got ${formatValue(factor)}`);
  }
  return [0, 1].map((a) => Math.max(1, Math.floor(extent[a] * pair[a]))) as [number, number];
}

/** x resized along `axis` from n to m positions. */
function resizeAxis(op: string, x: Tensor, axis: number, n: number, m: number, linear: boolean): Tensor {
  const ratio = n / m;
  const positions = (at: Int32Array) => onBackendOf(op, x, () => tensor(at));
  if (!linear) return gather(x, positions(Int32Array.from({ length: m }, (_, i) => Math.min(n - 1, Math.floor(i * ratio)))), axis);
  const low = new Int32Array(m);
  const high = new Int32Array(m);
  const weight = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const source = Math.max(0, (i + 0.5) * ratio - 0.5);
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
