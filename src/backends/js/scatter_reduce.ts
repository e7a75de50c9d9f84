// The scatter-reduce kernel on the js backend (backends/scatter_reduce.ts):
// floats combined in float64 and rounded once, in index order; ints in i32,
// wrapping.
import type { StorageArray } from '../../dtype.js';
import type { ScatterReduceOp } from '../scatter_reduce.js';
import { output, valuesOf, type Js } from './values.js';

const COMBINE: Record<ScatterReduceOp, { float: (a: number, b: number) => number; int: (a: number, b: number) => number }> = {
  sum: { float: (a, b) => a + b, int: (a, b) => (a + b) | 0 },
  prod: { float: (a, b) => a * b, int: Math.imul },
  // Math.max and Math.min already let a NaN win.
  max: { float: Math.max, int: Math.max },
  min: { float: Math.min, int: Math.min },
};

export function scatterReduce(op: ScatterReduceOp, values: Js, indices: Js, into: Js): StorageArray {
  const acc = Float64Array.from(valuesOf(into));
  const from = valuesOf(values);
  const at = indices.storage;
  const combine = COMBINE[op][into.dtype === 'f32' ? 'float' : 'int'];
  for (let j = 0; j < at.length; j++) if (at[j] >= 0 && at[j] < acc.length) acc[at[j]] = combine(acc[at[j]], from[j]);
  const out = output(into.dtype, acc.length);
  out.values.set(acc);
  return out.finish();
}
