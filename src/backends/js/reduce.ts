// Row reductions on the js backend. Every kernel sees x as [outer, inner] and
// works along inner; the ops layer moves the reduced axes there first.
import { isFloat, type DType, type StorageArray } from '../../dtype.js';
import type { ArgReduceOp, ReduceOp } from '../kernels.js';
import { output, valuesOf, type Js, type Values } from './values.js';

function rowOf(values: Values, row: number, inner: number): Values {
  return values.subarray(row * inner, (row + 1) * inner);
}

function sumOf(row: ArrayLike<number>, integer: boolean): number {
  let s = 0;
  if (integer) for (let i = 0; i < row.length; i++) s = (s + row[i]) | 0;
  else for (let i = 0; i < row.length; i++) s += row[i];
  return s;
}

function productOf(row: ArrayLike<number>, integer: boolean): number {
  let p = 1;
  if (integer) for (let i = 0; i < row.length; i++) p = Math.imul(p, row[i]);
  else for (let i = 0; i < row.length; i++) p *= row[i];
  return p;
}

function extremeOf(row: ArrayLike<number>, larger: boolean): number {
  let best = larger ? -Infinity : Infinity;
  for (let i = 0; i < row.length; i++) {
    const x = row[i];
    if (Number.isNaN(x)) return NaN;
    if (larger ? x > best : x < best) best = x;
  }
  return best;
}

export function reduce(op: ReduceOp, x: Js, outDtype: DType): StorageArray {
  const [outer, inner] = x.shape;
  const xs = valuesOf(x);
  const out = output(outDtype, outer);
  // Integer sums and products wrap in i32 like the GPU's; float ones accumulate in float64.
  const integer = !isFloat(x.dtype);
  for (let r = 0; r < outer; r++) {
    const row = rowOf(xs, r, inner);
    switch (op) {
      case 'sum': out.values[r] = sumOf(row, integer); break;
      case 'mean': out.values[r] = sumOf(row, false) / inner; break;
      case 'max': out.values[r] = extremeOf(row, true); break;
      case 'min': out.values[r] = extremeOf(row, false); break;
      case 'prod': out.values[r] = productOf(row, integer); break;
    }
  }
  return out.finish();
}

export function argReduce(op: ArgReduceOp, x: Js): StorageArray {
  const [outer, inner] = x.shape;
  const xs = valuesOf(x);
  const out = new Int32Array(outer);
  const larger = op === 'argmax';
  for (let r = 0; r < outer; r++) {
    const row = rowOf(xs, r, inner);
    let best = 0;
    for (let i = 0; i < inner; i++) {
      if (Number.isNaN(row[i])) { best = i; break; }
      if (larger ? row[i] > row[best] : row[i] < row[best]) best = i;
    }
    out[r] = best;
  }
  return out;
}

export function softmax(x: Js, log: boolean): StorageArray {
  const [outer, inner] = x.shape;
  const xs = valuesOf(x);
  const out = output(x.dtype, outer * inner);
  const v = out.values;
  for (let r = 0; r < outer; r++) {
    const row = rowOf(xs, r, inner);
    const max = extremeOf(row, true);
    // A row of -Infinity has no finite max; shifting by 0 then gives 0/0 = NaN, as it should.
    const shift = Number.isFinite(max) ? max : 0;
    let sum = 0;
    for (let i = 0; i < inner; i++) sum += Math.exp(row[i] - shift);
    const logSum = Math.log(sum);
    for (let i = 0; i < inner; i++) {
      v[r * inner + i] = log ? row[i] - shift - logSum : Math.exp(row[i] - shift) / sum;
    }
  }
  return out.finish();
}
