// Per-sample windows resized to one size, for the random crops: each
// sample's rows and columns read from its own window, one gather per tap
// for the whole batch. Along an axis, output i of a window [start, start +
// len) resized to m reads what interpolate2d reads resizing that window
// alone: floor(i·len/m) (nearest), or between the two pixels around
// (i + ½)·len/m − ½, clamped at the window's edges (bilinear); a crop is
// nearest at len = m. Bicubic (Keys' a = −0.75 over the four around
// (i + ½)·len/m − ½, past the window's edges its edge) and the antialiased
// modes (ops/antialias.ts's weights on the window) are products instead:
// each sample's weights [m, H] (zero outside its window) times its rows,
// then the same for its columns.
import { antialiasBand, bandMatrix } from '../ops/antialias.js';
import { add, mul, sub } from '../ops/elementwise.js';
import { cubicWeights } from '../ops/interpolate.js';
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
  if (mode === 'bicubic' || (mode === 'bilinear' && antialias)) {
    const [h, w] = x.shape.slice(2);
    const weightsOf = (len: number, m: number) => (antialias ? bandMatrix(antialiasBand(mode === 'bicubic' ? 'cubic' : 'linear', len, m, len / m), len) : cubicOn(len, m));
    const byRows = matmul(constantLike(op, x, windowWeights(rows, h, size[0], weightsOf), [rows.length, 1, size[0], h]), x);
    return matmul(byRows, constantLike(op, x, windowWeights(columns, w, size[1], weightsOf), [columns.length, 1, size[1], w]), { transposeB: true });
  }
  const down = alongAxis(op, x, rows, size[0], mode);
  return transpose(alongAxis(op, transpose(down, [0, 1, 3, 2]), columns, size[1], mode), [0, 1, 3, 2]);
}

/** Per sample, weights [m, full]: those of its window of len inputs resized to m, at the window's place, zero elsewhere. */
function windowWeights(windows: readonly Window[], full: number, m: number, weightsOf: (len: number, m: number) => Float64Array): Float32Array {
  const out = new Float32Array(windows.length * m * full);
  const known = new Map<number, Float64Array>();
  windows.forEach(({ start, length: len }, s) => {
    let weights = known.get(len);
    if (!weights) known.set(len, (weights = weightsOf(len, m)));
    for (let i = 0; i < m; i++) out.set(weights.subarray(i * len, (i + 1) * len), (s * m + i) * full + start);
  });
  return out;
}

/** interpolate2d's bicubic weights [m × n] along an axis resized n → m (corners not aligned): four taps around (i + ½)·n/m − ½, past the edges the edge. */
function cubicOn(n: number, m: number): Float64Array {
  const weights = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const source = ((i + 0.5) * n) / m - 0.5;
    const floor = Math.floor(source);
    cubicWeights(source - floor).forEach((v, k) => (weights[i * n + Math.min(n - 1, Math.max(0, floor - 1 + k))] += v));
  }
  return weights;
}

/** x [N, C, L, K] resized along L, sample by sample. */
function alongAxis(op: string, x: Tensor, windows: readonly Window[], m: number, mode: 'nearest' | 'bilinear'): Tensor {
  const [n, c, length, k] = x.shape;
  const low = new Int32Array(n * m);
  const high = new Int32Array(n * m);
  const weight = new Float32Array(n * m);
  windows.forEach(({ start, length: len }, s) => {
    for (let i = 0; i < m; i++) {
      const source = mode === 'nearest' ? Math.floor((i * len) / m) : Math.max(0, ((i + 0.5) * len) / m - 0.5);
      const lo = Math.min(len - 1, Math.floor(source));
      low[s * m + i] = start + lo;
      high[s * m + i] = start + Math.min(len - 1, lo + 1);
      weight[s * m + i] = source - lo;
    }
  });
  // Row r of sample s, channel ch is row (s·C + ch)·L + r of x seen as [N·C·L, K].
  const rowsOf = (picks: Int32Array) => {
    const flat = new Int32Array(n * c * m);
    for (let s = 0; s < n; s++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < m; i++) flat[(s * c + ch) * m + i] = (s * c + ch) * length + picks[s * m + i];
    return reshape(gather(reshape(x, [n * c * length, k]), indicesLike(op, x, flat, [n * c * m]), 0), [n, c, m, k]);
  };
  const a = rowsOf(low);
  if (mode === 'nearest') return a;
  return add(a, mul(sub(rowsOf(high), a), constantLike(op, x, weight, [n, 1, m, 1])));
}
