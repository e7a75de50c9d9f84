// Per-sample windows resized to one size, for the random crops: each
// sample's rows and columns read from its own window, the whole batch at
// once. Along an axis, output i of a window [start, start + len) resized to
// m reads what interpolate2d reads resizing that window alone: floor(i·len/m)
// in f32 (nearest, ops/interpolate.ts's nearestSource); the two pixels around (i + ½)·len/m − ½, clamped at the
// window's edges (bilinear); the four around it, Keys' a = −0.75, past the
// window's edges its edge (bicubic); or, antialiased, ops/antialias.ts's
// weights on the window. A crop is nearest at len = m. With few inputs an
// output reads, one gather per input for the whole batch; with many (a
// window shrunk a lot, antialiased), a product with each sample's weights
// [m, H], zero outside its window.
import { antialiasBand, bandMatrix, MOST_GATHERS } from '../ops/antialias.js';
import { add, mul } from '../ops/elementwise.js';
import { cubicWeights, nearestSource } from '../ops/interpolate.js';
import { matmul } from '../ops/matmul.js';
import { gather, reshape, transpose } from '../ops/movement.js';
import type { Tensor } from '../tensor.js';
import { constantLike, indicesLike } from './images.js';

/** How the windows are resized. */
export type ResampleMode = 'nearest' | 'bilinear' | 'bicubic';

/** One sample's window along an axis. */
export interface Window {
  start: number;
  length: number;
}

/** images [N, C, H, W] → [N, C, size[0], size[1]], sample n reading rows[n] × columns[n]; antialias applies to bilinear and bicubic. */
export function resampleWindows(op: string, x: Tensor, rows: readonly Window[], columns: readonly Window[], size: readonly [number, number], mode: ResampleMode, antialias: boolean): Tensor {
  const weightsOf = weightsFor(mode, antialias && mode !== 'nearest');
  const down = alongAxis(op, x, rows, size[0], weightsOf);
  return transpose(alongAxis(op, transpose(down, [0, 1, 3, 2]), columns, size[1], weightsOf), [0, 1, 3, 2]);
}

/** A window of len inputs resized to m: its weights [m × len]. */
type WeightsOf = (len: number, m: number) => Float64Array;

function weightsFor(mode: ResampleMode, antialias: boolean): WeightsOf {
  if (antialias) return (len, m) => bandMatrix(antialiasBand(mode === 'bicubic' ? 'cubic' : 'linear', len, m, len / m), len);
  return (len, m) => {
    const weights = new Float64Array(m * len);
    const put = (i: number, j: number, w: number) => (weights[i * len + Math.min(len - 1, Math.max(0, j))] += w);
    for (let i = 0; i < m; i++) {
      if (mode === 'nearest') {
        put(i, nearestSource(i, len / m, false), 1);
        continue;
      }
      const source = ((i + 0.5) * len) / m - 0.5;
      if (mode === 'bilinear') {
        const s = Math.max(0, source);
        const low = Math.floor(s);
        put(i, low, 1 - (s - low));
        put(i, low + 1, s - low);
        continue;
      }
      const floor = Math.floor(source);
      cubicWeights(source - floor).forEach((w, k) => put(i, floor - 1 + k, w));
    }
    return weights;
  };
}

/** x [N, C, L, K] resized along L to m, sample s from its window. */
function alongAxis(op: string, x: Tensor, windows: readonly Window[], m: number, weightsOf: WeightsOf): Tensor {
  const [n, c, length, k] = x.shape;
  const known = new Map<number, Float64Array>();
  const perSample = windows.map(({ length: len }) => {
    if (!known.has(len)) known.set(len, weightsOf(len, m));
    return known.get(len)!;
  });
  // The inputs an output reads: from its first weight not 0 to its last.
  const spans = windows.map(({ length: len }, s) => Array.from({ length: m }, (_, i) => span(perSample[s], i, len)));
  const taps = spans.reduce((most, rows) => rows.reduce((t, { first, last }) => Math.max(t, last - first + 1), most), 1);
  if (taps > MOST_GATHERS) {
    const weights = new Float32Array(n * m * length);
    windows.forEach(({ start, length: len }, s) => {
      for (let i = 0; i < m; i++) weights.set(perSample[s].subarray(i * len, (i + 1) * len), (s * m + i) * length + start);
    });
    return matmul(constantLike(op, x, weights, [n, 1, m, length]), x);
  }
  // Row r of sample s, channel ch is row (s·C + ch)·L + r of x seen as [N·C·L, K].
  const rowsOf = (picks: Int32Array) => {
    const flat = new Int32Array(n * c * m);
    for (let s = 0; s < n; s++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < m; i++) flat[(s * c + ch) * m + i] = (s * c + ch) * length + picks[s * m + i];
    return reshape(gather(reshape(x, [n * c * length, k]), indicesLike(op, x, flat, [n * c * m]), 0), [n, c, m, k]);
  };
  const terms = Array.from({ length: taps }, (_, t) => {
    const at = new Int32Array(n * m);
    const weight = new Float32Array(n * m);
    let ones = true;
    windows.forEach(({ start, length: len }, s) => {
      for (let i = 0; i < m; i++) {
        // Past a shorter span (or window), a tap reads the window's last input with weight 0.
        const j = spans[s][i].first + t;
        at[s * m + i] = start + Math.min(j, len - 1);
        weight[s * m + i] = j <= spans[s][i].last ? perSample[s][i * len + j] : 0;
        ones &&= weight[s * m + i] === 1;
      }
    });
    const rows = rowsOf(at);
    // A crop's (or nearest's) single tap reads its input as it is.
    return ones ? rows : mul(rows, constantLike(op, x, weight, [n, 1, m, 1]));
  });
  return terms.reduce((sum, term) => add(sum, term));
}

/** Row i of weights [m × len]: its first and last input of weight not 0 (the first input if none). */
function span(weights: Float64Array, i: number, len: number): { first: number; last: number } {
  let [first, last] = [-1, 0];
  for (let j = 0; j < len; j++) {
    if (weights[i * len + j] === 0) continue;
    if (first < 0) first = j;
    last = j;
  }
  return first < 0 ? { first: 0, last: 0 } : { first, last };
}
