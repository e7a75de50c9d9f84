// The geometry under convolution and pooling (ops/conv.ts): sizes given per
// spatial axis, the windows they make over an image, and each window's
// values gathered into a row through an index table (im2col). A sequence is
// an image of height 1: every 1-D op runs as a 2-D one.
import { isFloat } from '../dtype.js';
import { backendFor } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isGradEnabled, noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { div, equal, greaterEqual, less, mul, where } from './elementwise.js';
import { gatherOrZero, reshape } from './movement.js';
import { sum } from './reduce.js';
import { checkTensor, computed, fromStorageArray, onBackendOf } from './util.js';

/** A size over images: one number for both axes, or [height, width]. */
export type Size2d = number | readonly [number, number];

/** How an op over one or two spatial axes names its operands. */
export interface SpatialAxes {
  readonly count: 1 | 2;
  readonly x: string;
  readonly weight: string;
}
export const IMAGES: SpatialAxes = { count: 2, x: '[batch, channels, height, width] (or one image [channels, height, width])', weight: '[filters, channels/groups, height, width]' };
export const SEQUENCES: SpatialAxes = { count: 1, x: '[batch, channels, length] (or one sequence [channels, length])', weight: '[filters, channels/groups, length]' };

function pairOf(op: string, name: string, v: unknown, least: number): [number, number] {
  const pair = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || pair.some((n) => !Number.isSafeInteger(n) || n < least)) {
    throw new ValueError(`${op}: ${name} must be an integer ≥ ${least} or a pair [height, width] of them, got ${formatValue(v)}`);
  }
  return [pair[0], pair[1]];
}

/** A size option as [height, width], refused unless integers ≥ least: a 1-D op's single number is the width, its height `flat` (1 for a step or a window, 0 for padding). */
export function sizesOf(op: string, name: string, v: unknown, least: number, axes: SpatialAxes, flat: number): [number, number] {
  if (axes.count === 2) return pairOf(op, name, v, least);
  if (!Number.isSafeInteger(v) || (v as number) < least) throw new ValueError(`${op}: ${name} must be an integer ≥ ${least}, got ${formatValue(v)}`);
  return [flat, v as number];
}

/** sizesOf undone: a size as the op takes it and a file holds it ([height, width] over images, the width along a sequence), a fresh array. */
export function shownSizes(axes: SpatialAxes, sizes: readonly [number, number]): number | [number, number] {
  return axes.count === 2 ? [sizes[0], sizes[1]] : sizes[1];
}

/** A size as errors show it: 3×3, or 5 along a sequence. */
export function shownSize(axes: SpatialAxes, sizes: readonly number[]): string {
  return axes.count === 2 ? sizes.join('×') : String(sizes[1]);
}

/** One window geometry over an image: what the index table and the output's size follow from. */
export interface Windows {
  /** The image's height and width, without padding. */
  readonly height: number;
  readonly width: number;
  /** [before, after] zeros along height, then width. */
  readonly sides: readonly [readonly [number, number], readonly [number, number]];
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Output height and width. */
  readonly out: readonly [number, number];
}

/** The windows over an image of height × width, as many as fit (out may hold 0 or less where none does: the caller checks). */
export function windowsIn(height: number, width: number, sides: Windows['sides'], kernel: [number, number], stride: [number, number], dilation: [number, number]): Windows {
  const padded = [height + sides[0][0] + sides[0][1], width + sides[1][0] + sides[1][1]];
  const out = [0, 1].map((a) => Math.floor((padded[a] - dilation[a] * (kernel[a] - 1) - 1) / stride[a]) + 1) as [number, number];
  return { height, width, sides, kernel, stride, dilation, out };
}

/** The windows over `images` (4-D); errors name x as the user gave it. */
export function windowsOver(op: string, axes: SpatialAxes, x: Tensor, images: Tensor, sides: Windows['sides'], kernel: [number, number], stride: [number, number], dilation: [number, number]): Windows {
  const [height, width] = images.shape.slice(2);
  const windows = windowsIn(height, width, sides, kernel, stride, dilation);
  const { out } = windows;
  if (out[0] < 1 || out[1] < 1) {
    const padded = [height + sides[0][0] + sides[0][1], width + sides[1][0] + sides[1][1]];
    const dilated = dilation.some((d) => d > 1) ? ` dilated ${shownSize(axes, dilation)}` : '';
    const padding = sides.flat().some((p) => p) ? ` padded to ${shownSize(axes, padded)}` : '';
    throw new ShapeError(`${op}: a ${shownSize(axes, kernel)} window${dilated} does not fit in x ${formatShape(x.shape)}${padding}`);
  }
  return windows;
}

/** Index tables made, by geometry: a training loop asks for the same few every step. */
const tables = new Map<string, Int32Array>();
/** Entries the kept tables may hold in all (64 MiB); a larger table is made afresh each call. */
const TABLE_ENTRIES_KEPT = 2 ** 24;
let entriesKept = 0;

/** The table `make` builds for `key`, kept for the next call within TABLE_ENTRIES_KEPT in all, the least recently used dropped first. */
function keptTable(key: string, make: () => Int32Array): Int32Array {
  const kept = tables.get(key);
  if (kept) {
    // Used again: last in line to be dropped (a loop over two geometries keeps both).
    tables.delete(key);
    tables.set(key, kept);
    return kept;
  }
  const table = make();
  if (table.length > TABLE_ENTRIES_KEPT) return table;
  for (const [oldest, old] of tables) {
    if (entriesKept + table.length <= TABLE_ENTRIES_KEPT) break;
    tables.delete(oldest);
    entriesKept -= old.length;
  }
  tables.set(key, table);
  entriesKept += table.length;
  return table;
}

/**
 * For each of `groups` channel groups, each output position, each channel of
 * the group and each tap of the window, where that value sits in one image
 * of `channels`×height×width flattened, or that size (past the end: gather
 * reads 0) for a tap in the padding: [groups, positions, channels/groups ×
 * taps]. */
export function windowTable(op: string, windows: Windows, channels: number, groups: number): Int32Array {
  return keptTable(JSON.stringify([windows, channels, groups]), () => {
    const [kh, kw] = windows.kernel;
    const [oh, ow] = windows.out;
    const perGroup = channels / groups;
    const outside = channels * windows.height * windows.width;
    const entries = channels * oh * ow * kh * kw;
    // An i32 index names at most 2^31 values of an image; a table past 2^30 entries is 4 GiB.
    if (outside >= 2 ** 31 || entries > 2 ** 30) {
      throw new ShapeError(`${op}: ${channels} channels of ${windows.height}×${windows.width} in ${oh}×${ow} windows of ${kh}×${kw} is ${entries.toLocaleString('en-US')} taps to gather per image, more than an index table here holds (2^30; and 2^31 values an image)`);
    }
    const table = new Int32Array(entries);
    let i = 0;
    for (let g = 0; g < groups; g++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          for (let c = g * perGroup; c < (g + 1) * perGroup; c++) {
            for (let ky = 0; ky < kh; ky++) {
              const iy = y * windows.stride[0] + ky * windows.dilation[0] - windows.sides[0][0];
              for (let kx = 0; kx < kw; kx++) {
                const ix = x * windows.stride[1] + kx * windows.dilation[1] - windows.sides[1][0];
                table[i++] = iy >= 0 && iy < windows.height && ix >= 0 && ix < windows.width ? (c * windows.height + iy) * windows.width + ix : outside;
              }
            }
          }
        }
      }
    }
    return table;
  });
}

/**
 * windowTable turned around: for each value of an image, the entries of
 * windowTable (in order) that read it, as many per value as the most any
 * value has, the rest past the end (gather reads 0): [channels × height ×
 * width, readers]. Summing each row of what it gathers undoes the windows
 * (col2im) without adding into one place from many.
 */
function readersTable(op: string, windows: Windows, channels: number, groups: number): Int32Array {
  return keptTable(JSON.stringify(['readers', windows, channels, groups]), () => {
    const table = windowTable(op, windows, channels, groups);
    const pixels = channels * windows.height * windows.width;
    const counts = new Int32Array(pixels);
    for (const at of table) if (at < pixels) counts[at]++;
    const readers = counts.reduce((most, c) => Math.max(most, c), 1); // (spread into Math.max, a large image overflows the stack)
    if (pixels * readers > 2 ** 30) throw new ShapeError(`${op}: ${pixels.toLocaleString('en-US')} values each read by up to ${readers} windows is more than an index table here holds (2^30)`);
    const inverse = new Int32Array(pixels * readers).fill(table.length);
    counts.fill(0);
    table.forEach((at, e) => {
      if (at < pixels) inverse[at * readers + counts[at]++] = e;
    });
    return inverse;
  });
}

/**
 * x as a batch of images [N, C, H, W] (a sequence an image of height 1), and
 * `unbatch` to give a result x's layout back: PyTorch takes one image or
 * sequence without its batch axis too.
 */
export function asImages(op: string, axes: SpatialAxes, x: Tensor): { images: Tensor; unbatch: (y: Tensor) => Tensor } {
  checkTensor(op, x, 'x');
  const batched = x.rank === axes.count + 2;
  if (!batched && x.rank !== axes.count + 1) throw new ShapeError(`${op}: x must be ${axes.x}, got ${formatShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: x must be f32 or f16, got ${x.dtype} (cast it: x.cast('f32'))`);
  const [channels, ...extent] = x.shape.slice(batched ? 1 : 0);
  if (channels === 0 || extent.some((d) => d === 0)) throw new ShapeError(`${op}: x ${formatShape(x.shape)} has no channels or no ${axes.count === 2 ? 'pixels' : 'positions'} (only its batch may be empty)`);
  const images = reshape(x, [batched ? x.shape[0] : 1, channels, ...(axes.count === 1 ? [1] : []), ...extent]);
  const unbatch = (y: Tensor) => reshape(y, [...(batched ? [y.shape[0]] : []), y.shape[1], ...(axes.count === 2 ? [y.shape[2]] : []), y.shape[3]]);
  return { images, unbatch };
}

/**
 * Each window's values of images [N, C, H, W], gathered (im2col): [N,
 * groups, positions, channels/groups × taps]. Its gradient is windowSums.
 */
export function windowValues(op: string, images: Tensor, windows: Windows, groups: number): Tensor {
  const [n, c] = images.shape;
  const flat = reshape(images, [n, c * windows.height * windows.width]);
  const values = noGrad(() => gatherOrZero(flat, windowTableOf(op, images, windows, c, groups), 1));
  return record(values, op, [images], [], (dv) => [reshape(windowSums(op, dv, windows, c, groups), images.shape)]);
}

/**
 * windowValues undone by adding (col2im): from values [N, groups,
 * positions, channels/groups × taps], each value of an image [N, channels ×
 * height × width] the sum of those read from it, gathered through the
 * readers table and summed along each row rather than added in one by one:
 * no atomic adds on a GPU, so the same bits on every run. Its gradient is
 * windowValues.
 */
export function windowSums(op: string, values: Tensor, windows: Windows, channels: number, groups: number): Tensor {
  const n = values.shape[0];
  const readers = readersTable(op, windows, channels, groups);
  const pixels = channels * windows.height * windows.width;
  const table = onBackendOf(op, values, () => fromStorageArray(readers, [pixels, readers.length / pixels], 'i32'));
  const perImage = channels * windows.out[0] * windows.out[1] * windows.kernel[0] * windows.kernel[1];
  const sums = noGrad(() => sum(gatherOrZero(reshape(values, [n, perImage]), table, 1), 2));
  return record(sums, op, [values], [], (ds) => [windowValues(op, reshape(ds, [n, channels, windows.height, windows.width]), windows, groups)]);
}

/** The index table of `windows` over images of `channels` in `groups` (windowTable's), on `like`'s backend: [groups, positions, channels/groups × taps]. */
export function windowTableOf(op: string, like: Tensor, windows: Windows, channels: number, groups: number): Tensor {
  const shape = [groups, windows.out[0] * windows.out[1], (channels / groups) * windows.kernel[0] * windows.kernel[1]];
  return onBackendOf(op, like, () => fromStorageArray(windowTable(op, windows, channels, groups), shape, 'i32'));
}

/**
 * The largest value of each of `windows` over planes [P, height × width]
 * (the backends' windowMax, over their index table: a max pooling in one
 * pass): [P, windows]. Its gradient goes to the values equal to their
 * window's max, a tie shared evenly as tm.max shares it; padding takes none
 * (the backend's windowMaxGrad where it has one).
 */
export function windowMax(op: string, planes: Tensor, windows: Windows): Tensor {
  const positions = windows.out[0] * windows.out[1];
  const table = reshape(windowTableOf(op, planes, windows, 1, 1), [positions, windows.kernel[0] * windows.kernel[1]]);
  const backend = backendFor(op, [planes.dataRef(op), table.dataRef(op)]);
  const [outer, n] = planes.shape;
  const y = computed(op, backend, [outer, positions], planes.dtype, () => backend.windowMax(planes.info(op), table.info(op), outer));
  return record(y, op, [planes], [planes, table, y], (dy, [x, picks, largest]) => {
    // The kernel's gradient has no gradient of its own: a backward pass that records (createGraph) takes the ops.
    if (backend.windowMaxGrad && !isGradEnabled()) return [computed(op, backend, x.shape, x.dtype, () => backend.windowMaxGrad!(x.info(op), picks.info(op), largest.info(op), dy.info(op)))];
    const values = gatherOrZero(x, picks, 1); // [outer, windows, taps]
    const inside = mul(greaterEqual(picks, 0), less(picks, n));
    const hits = mul(equal(values, reshape(largest, [outer, positions, 1])), inside);
    const share = cast(div(hits, sum(hits, 2, { keepDims: true })), dy.dtype);
    // A tap not the max gets nothing, whatever dy is (0 · NaN would be NaN), as the backends' windowMaxGrad gives.
    const grads = where(equal(share, 0), 0, mul(share, reshape(dy, [outer, positions, 1])));
    return [reshape(windowSums(op, reshape(grads, [outer, 1, ...picks.shape]), windows, 1, 1), [outer, n])];
  });
}
