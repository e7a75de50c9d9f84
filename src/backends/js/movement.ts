// Data movement on the js backend. These copy raw storage (f16 bit patterns
// included), so no value is ever re-rounded.
import { allocStorage, type StorageArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import type { ScanOp } from '../kernels.js';
import { gatherOffsets, output, valuesOf, type Js } from './values.js';

export function stridedCopy(x: Js, outShape: readonly number[], strides: readonly number[], offset: number): StorageArray {
  const offsets = gatherOffsets(outShape, strides, offset);
  const out = allocStorage(x.dtype, offsets.length);
  const src = x.storage;
  for (let i = 0; i < offsets.length; i++) out[i] = src[offsets[i]];
  return out;
}

export function concat(xs: readonly Js[], axis: number, outShape: readonly number[]): StorageArray {
  const out = allocStorage(xs[0].dtype, sizeOf(outShape));
  const outer = sizeOf(outShape.slice(0, axis));
  const outChunk = sizeOf(outShape.slice(axis));
  let column = 0;
  for (const x of xs) {
    const chunk = sizeOf(x.shape.slice(axis));
    for (let r = 0; r < outer; r++) {
      out.set(x.storage.subarray(r * chunk, (r + 1) * chunk), r * outChunk + column);
    }
    column += chunk;
  }
  return out;
}

/** The row each index names on an axis of n (a negative one counts from the end); -1 outside it. */
function rowsOf(indices: Js, n: number): Int32Array {
  const idx = indices.storage;
  const rows = new Int32Array(idx.length);
  for (let j = 0; j < rows.length; j++) {
    const row = idx[j] < 0 ? idx[j] + n : idx[j];
    rows[j] = row >= 0 && row < n ? row : -1;
  }
  return rows;
}

/** Rows shorter than this are copied element by element: a subarray per row costs more than the copy (conv2d gathers rows of one). */
const SHORT_ROW = 32;

/** gather's loop; `out` (every element written) may be memory a backend recycles, as native's pool. */
export function gather(x: Js, indices: Js, outer: number, inner: number, out = allocStorage(x.dtype, outer * sizeOf(indices.shape) * inner)): StorageArray {
  const n = sizeOf(x.shape) / (outer * inner);
  const rows = rowsOf(indices, n);
  const k = rows.length;
  const src = x.storage;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const to = (o * k + j) * inner;
      if (rows[j] < 0) {
        out.fill(0, to, to + inner); // outside the axis
        continue;
      }
      const from = (o * n + rows[j]) * inner;
      if (inner < SHORT_ROW) for (let i = 0; i < inner; i++) out[to + i] = src[from + i];
      else out.set(src.subarray(from, from + inner), to);
    }
  }
  return out;
}

export function scatterAdd(dy: Js, indices: Js, outer: number, n: number, inner: number): StorageArray {
  const rows = rowsOf(indices, n);
  const k = rows.length;
  // Summed in float64 and rounded once, in index order.
  const sums = new Float64Array(outer * n * inner);
  const from = valuesOf(dy);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      if (rows[j] < 0) continue;
      const to = (o * n + rows[j]) * inner;
      const at = (o * k + j) * inner;
      for (let i = 0; i < inner; i++) sums[to + i] += from[at + i];
    }
  }
  const out = output(dy.dtype, sums.length);
  out.values.set(sums);
  return out.finish();
}

/** windowMax's gradient (kernels.ts): each window's share summed in float64 per value and rounded once. */
export function windowMaxGrad(x: Js, table: Js, y: Js, dy: Js): StorageArray {
  const [outer, windows] = y.shape;
  const n = sizeOf(x.shape) / outer;
  const taps = table.shape[1];
  const [from, largest, grads] = [x, y, dy].map(valuesOf);
  const picks = table.storage;
  const out = output(x.dtype, outer * n);
  const sums = new Float64Array(n); // one plane at a time
  for (let o = 0; o < outer; o++) {
    sums.fill(0);
    for (let j = 0; j < windows; j++) {
      const max = largest[o * windows + j];
      let count = 0;
      for (let t = j * taps; t < (j + 1) * taps; t++) if (picks[t] >= 0 && picks[t] < n && from[o * n + picks[t]] === max) count++;
      const share = count ? grads[o * windows + j] / count : NaN;
      for (let t = j * taps; t < (j + 1) * taps; t++) {
        const at = picks[t];
        if (at >= 0 && at < n && (count === 0 || from[o * n + at] === max)) sums[at] += share;
      }
    }
    out.values.set(sums, o * n);
  }
  return out.finish();
}

/**
 * Running sums or products: floats in float64, each rounded once as stored;
 * ints wrap as stored (sums exact below 2^53, products taken in i32 by Math.imul).
 */
export function scan(op: ScanOp, x: Js, outer: number, inner: number): StorageArray {
  const n = sizeOf(x.shape) / (outer * inner);
  const from = valuesOf(x);
  const out = output(x.dtype, sizeOf(x.shape));
  const v = out.values;
  const integer = x.dtype === 'i32' || x.dtype === 'i8';
  const step = op === 'sum' ? (acc: number, a: number) => acc + a : integer ? Math.imul : (acc: number, a: number) => acc * a;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'sum' ? 0 : 1;
      for (let j = 0, at = o * n * inner + i; j < n; j++, at += inner) {
        acc = step(acc, from[at]);
        v[at] = acc;
        if (integer) acc = v[at]; // wrapped, as C's
      }
    }
  }
  return out.finish();
}

export function windowMax(x: Js, table: Js, outer: number): StorageArray {
  const n = sizeOf(x.shape) / outer;
  const [windows, taps] = table.shape;
  const from = valuesOf(x);
  const picks = table.storage;
  const out = output(x.dtype, outer * windows);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < windows; j++) {
      let best = -Infinity;
      for (let t = j * taps; t < (j + 1) * taps; t++) {
        const at = picks[t];
        if (at < 0 || at >= n) continue; // the padding
        const v = from[o * n + at];
        if (v !== v) {
          best = v; // NaN wins
          break;
        }
        if (v > best) best = v;
      }
      out.values[o * windows + j] = best;
    }
  }
  return out.finish();
}
