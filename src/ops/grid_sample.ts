// Spatial-transformer sampling (PyTorch's F.grid_sample): each output
// position reads the input at the point its grid entry names in normalised
// coordinates, (−1, −1) the top-left corner and (1, 1) the bottom-right —
// the corner pixels' centres with alignCorners, their outer edges without.
// The point is unnormalised to pixels and, but for bicubic, folded into the
// image by the padding mode; bicubic folds each of its 4×4 integer taps
// instead, as PyTorch's kernel does. Each tap (1 nearest, 2×2 bilinear, 4×4
// bicubic) is one gather over the input laid out as rows [N·H·W, C] — an
// index per position, the channels coming along as its row — then weighted
// and summed. Autograd gives both gradients: the input's through gather's
// scatter-add, the grid's through the weights (the taps' positions, being
// whole pixels, carry none).
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { zeros, zerosLike } from './creation.js';
import { add, clip, floor, greater, greaterEqual, less, mul, neg, remainder, round, sub, where } from './elementwise.js';
import { gatherOrZero, reshape, slice, transpose } from './movement.js';
import { checkTensor, fromStorageArray, onBackendOf, view } from './util.js';

export type GridSampleMode = 'bilinear' | 'nearest' | 'bicubic';

/** What a point (or a bicubic tap) outside the input reads: 0, the nearest edge pixel, or the point reflected about the edges. */
export type GridSamplePaddingMode = 'zeros' | 'border' | 'reflection';

export interface GridSampleOptions {
  /** 'bilinear' (default), 'nearest' (halves to the even pixel, as PyTorch's nearbyint) or 'bicubic' (Keys' a = −0.75). */
  mode?: GridSampleMode;
  /** 'zeros' (default), 'border' or 'reflection'. */
  paddingMode?: GridSamplePaddingMode;
  /** −1 and 1 are the corner pixels' centres (true) or their outer edges (false, the default), as PyTorch's align_corners. */
  alignCorners?: boolean;
}

const OPTIONS: OptionNames<GridSampleOptions> = { mode: true, paddingMode: true, alignCorners: 'boolean' };
const MODES: readonly GridSampleMode[] = ['bilinear', 'nearest', 'bicubic'];
const PADDING_MODES: readonly GridSamplePaddingMode[] = ['zeros', 'border', 'reflection'];

/**
 * input [N, C, H, W] sampled at grid [N, Ho, Wo, 2] → [N, C, Ho, Wo]
 * (PyTorch's grid_sample): grid[n, i, j] is the point (x, y) that output
 * [n, :, i, j] reads, x along the width and y down the height, both in
 * [−1, 1] across the image (and beyond it, where `paddingMode` says what is
 * read). input and grid share a float dtype (f32 or f16). Differentiable in
 * both; with 'nearest' the grid's gradient is 0, as PyTorch's.
 */
export function gridSample(input: Tensor, grid: Tensor, options: GridSampleOptions = {}): Tensor {
  const op = 'gridSample';
  const { mode = 'bilinear', paddingMode = 'zeros', alignCorners = false } = checkOptions(op, options, OPTIONS);
  checkTensor(op, input, 'input');
  checkTensor(op, grid, 'grid');
  if (!MODES.includes(mode)) throw new ValueError(`${op}: unknown mode ${formatValue(mode)}; expected ${MODES.map((m) => `'${m}'`).join(', ')}`);
  if (!PADDING_MODES.includes(paddingMode)) {
    throw new ValueError(`${op}: unknown paddingMode ${formatValue(paddingMode)}; expected ${PADDING_MODES.map((m) => `'${m}'`).join(', ')}`);
  }
  if (input.rank !== 4) throw new ShapeError(`${op}: input ${formatShape(input.shape)} must be images [N, C, H, W]`);
  const [n, channels, height, width] = input.shape;
  if (grid.rank !== 4 || grid.shape[3] !== 2 || grid.shape[0] !== n) {
    throw new ShapeError(`${op}: grid ${formatShape(grid.shape)} must be [N, Ho, Wo, 2] with input ${formatShape(input.shape)}'s N = ${n}`);
  }
  if (!isFloat(input.dtype) || input.dtype !== grid.dtype) throw new DTypeError(`${op}: input (${input.dtype}) and grid (${grid.dtype}) must share a float dtype`);
  if (height === 0 || width === 0) throw new ShapeError(`${op}: input ${formatShape(input.shape)} has no pixels to sample`);
  if (n * height * width >= 2 ** 31) throw new ShapeError(`${op}: input ${formatShape(input.shape)} has more positions than an i32 index names (2^31)`);
  const [, outHeight, outWidth] = grid.shape;
  const outShape = [n, channels, outHeight, outWidth];
  if (channels * outHeight * outWidth === 0) return onBackendOf(op, input, () => zeros(outShape, { dtype: input.dtype }));
  return tidy(() => {
    const points = n * outHeight * outWidth;
    const rows = reshape(channelsLast(input), [n * height * width, channels]);
    // The points' coordinates in f32 (an f16 grid's too: f16 would leave a 64-pixel axis a 32nd of a pixel), [N, Ho·Wo, 1].
    const taps = () => {
      const xy = reshape(grid.dtype === 'f32' ? grid : cast(grid, 'f32'), [n, outHeight * outWidth, 2]);
      const [x, y] = [0, 1].map((k) => slice(xy, [0, 0, k], [n, outHeight * outWidth, 1]));
      return { across: axisTaps(x, width, mode, paddingMode, alignCorners), down: axisTaps(y, height, mode, paddingMode, alignCorners) };
    };
    // Nearest's taps carry no gradient: worked out off the tape, which would keep what their ops saved for a backward
    // pass that never reaches them.
    const { across, down } = mode === 'nearest' ? noGrad(taps) : taps();
    const imageStarts = onBackendOf(op, input, () => fromStorageArray(Int32Array.from({ length: n }, (_, b) => b * height * width), [n, 1, 1], 'i32'));
    const columns = across.at.map((at) => cast(at, 'i32'));
    const rowStarts = down.at.map((at) => add(imageStarts, mul(cast(at, 'i32'), width)));
    let sum: Tensor | null = null;
    down.inside.forEach((insideRow, j) => {
      across.inside.forEach((insideColumn, i) => {
        // A tap off the image is sent past the last row, where gatherOrZero reads 0 (and its gradient adds nothing).
        const at = where(mul(insideRow, insideColumn), add(rowStarts[j], columns[i]), rows.shape[0]);
        let term = gatherOrZero(rows, reshape(at, [points]), 0);
        if (down.weights && across.weights) term = mul(term, reshape(cast(mul(down.weights[j], across.weights[i]), input.dtype), [points, 1]));
        sum = sum ? add(sum, term) : term;
      });
    });
    const out = channelsFirst(reshape(sum!, [n, outHeight, outWidth, channels]));
    return mode === 'nearest' ? withZeroGradient(op, out, grid) : out;
  });
}

/** One axis's taps for points at `coord` (normalised): each tap's pixel along the axis, whether it lies in the image (0/1), and its weight (none for nearest). */
interface AxisTaps {
  at: Tensor[];
  inside: Tensor[];
  weights: Tensor[] | null;
}

function axisTaps(coord: Tensor, size: number, mode: GridSampleMode, padding: GridSamplePaddingMode, alignCorners: boolean): AxisTaps {
  const source = unnormalize(coord, size, alignCorners);
  let at: Tensor[];
  let weights: Tensor[] | null = null;
  if (mode === 'bicubic') {
    const low = noGrad(() => floor(source));
    at = [-1, 0, 1, 2].map((k) => noGrad(() => fold(add(low, k), size, padding, alignCorners)));
    weights = cubicWeights(sub(source, low));
  } else {
    const folded = fold(source, size, padding, alignCorners);
    if (mode === 'nearest') {
      at = [noGrad(() => round(folded))];
    } else {
      const low = noGrad(() => floor(folded));
      const t = sub(folded, low);
      at = [low, add(low, 1)];
      weights = [sub(1, t), t];
    }
  }
  return { at, inside: at.map((a) => mul(greaterEqual(a, 0), less(a, size))), weights };
}

/** A normalised coordinate in pixels: −1…1 onto 0…size − 1 (corners aligned) or −½…size − ½, in PyTorch's order of operations. */
function unnormalize(coord: Tensor, size: number, alignCorners: boolean): Tensor {
  return alignCorners ? mul(add(coord, 1), (size - 1) / 2) : mul(sub(mul(add(coord, 1), size), 1), 0.5);
}

/** PyTorch's compute_coordinates: a pixel coordinate brought into the image by border or reflection padding (zeros leaves it). */
function fold(source: Tensor, size: number, padding: GridSamplePaddingMode, alignCorners: boolean): Tensor {
  if (padding === 'zeros') return source;
  const reflected = padding === 'reflection' ? reflect(source, alignCorners ? 0 : -0.5, alignCorners ? size - 1 : size - 0.5) : source;
  return clipToImage(reflected, size);
}

/** x clamped to [0, size − 1], with PyTorch's clip_coordinates gradient: 1 strictly inside, 0 at the edges and past them. */
function clipToImage(x: Tensor, size: number): Tensor {
  return where(mul(greater(x, 0), less(x, size - 1)), x, noGrad(() => clip(x, 0, size - 1)));
}

/**
 * x reflected about low and high until it lies between them (PyTorch's
 * reflect_coordinates), its gradient ±1 as the number of reflections is
 * even or odd. A single pixel with aligned corners (low = high) is left to
 * the clip that follows, which pins it to 0, as PyTorch does.
 */
function reflect(x: Tensor, low: number, high: number): Tensor {
  if (low === high) return x;
  const span = high - low;
  const d = sub(x, low);
  // |x − low|, its gradient −1 below low and 1 from low on, as PyTorch's.
  const distance = where(less(d, 0), neg(d), d);
  // Within a period of two reflections: the first half read forwards, the second back.
  const r = remainder(distance, 2 * span);
  return where(less(r, span), add(r, low), sub(2 * span + low, r));
}

/** Keys' cubic convolution weights (a = −0.75, PyTorch's) of the taps at floor − 1 … floor + 2, for t the point's distance past floor. */
function cubicWeights(t: Tensor): Tensor[] {
  const a = -0.75;
  const near = (d: Tensor) => add(mul(mul(sub(mul(d, a + 2), a + 3), d), d), 1); // |d| ≤ 1
  const far = (d: Tensor) => sub(mul(add(mul(sub(mul(d, a), 5 * a), d), 8 * a), d), 4 * a); // 1 < |d| < 2
  const s = sub(1, t);
  return [far(add(t, 1)), near(t), near(s), far(add(s, 1))];
}

/** [N, C, H, W] as [N, H, W, C]; a single channel's is the same layout, viewed. */
function channelsLast(x: Tensor): Tensor {
  return x.shape[1] === 1 ? reshape(x, [x.shape[0], x.shape[2], x.shape[3], 1]) : transpose(x, [0, 2, 3, 1]);
}

/** [N, H, W, C] as [N, C, H, W]. */
function channelsFirst(x: Tensor): Tensor {
  return x.shape[3] === 1 ? reshape(x, [x.shape[0], 1, x.shape[1], x.shape[2]]) : transpose(x, [0, 3, 1, 2]);
}

/** y, with grid among its inputs for a gradient of zeros: nearest's, as PyTorch gives it (where autograd would otherwise give none). */
function withZeroGradient(op: string, y: Tensor, grid: Tensor): Tensor {
  return record(view(op, y, y.shape), op, [y, grid], [grid], (dy, [g], needs) => [reshape(dy, dy.shape), needs[1] ? onBackendOf(op, g, () => zerosLike(g)) : null]);
}
