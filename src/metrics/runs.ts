// Runs of tied values in sorted rows, found on the device: where each run
// begins and ends. Ranking metrics treat a run of tied scores as one
// threshold (scikit-learn's), and Spearman's correlation gives each entry
// of a run the run's average rank. A run's ends come from one segment sum
// (gather's scatter-add) over run numbers counted by a cumulative sum, so
// nothing is read back: O(n) work past the sort.
import * as ops from '../ops/index.js';
import { scatterRows } from '../ops/movement.js';
import type { Tensor } from '../tensor.js';

/** Positions along the row (i32, sorted's shape) of the first and last entry of each entry's run. */
export interface Runs {
  first: Tensor;
  last: Tensor;
}

/**
 * The runs of equal values along each row of `sorted` [rows, n] (sorted
 * either way; NaN equals nothing, so each NaN is a run of its own). Call
 * inside a tidy.
 */
export function runsOf(sorted: Tensor): Runs {
  const [rows, n] = sorted.shape;
  // 1 where a run begins: each row's first entry, and each entry unequal to the one before it.
  const begins = n === 1
    ? ops.ones([rows, 1])
    : ops.concat([ops.ones([rows, 1]), sorted.slice([0, 1]).notEqual(sorted.slice([0, 0], [rows, n - 1])).cast('f32')], 1);
  // Runs numbered across the rows laid flat (a row's first entry always begins one, so none spans two rows).
  const run = begins.reshape([rows * n]).cumsum().sub(1).cast('i32');
  const lengths = scatterRows(ops.ones([rows * n]), run, [rows * n], 0);
  const ends = lengths.cumsum().sub(1);
  const rowStarts = ops.arange(0, rows * n, n).reshape([rows, 1]);
  const last = ends.gather(run).reshape([rows, n]).sub(rowStarts);
  const first = last.sub(lengths.gather(run).reshape([rows, n])).add(1);
  return { first: first.cast('i32'), last: last.cast('i32') };
}

/**
 * The rank of each entry along the rows of x [rows, n], from 1 up,
 * ascending, tied entries given their run's average rank (SciPy's rankdata
 * 'average'), in f32. Call inside a tidy.
 */
export function averageRanks(x: Tensor): Tensor {
  const [rows, n] = x.shape;
  const { values, indices } = ops.sort(x, { axis: -1 });
  const { first, last } = runsOf(values);
  const ranks = first.add(last).cast('f32').div(2).add(1);
  // Each sorted entry's rank put back where it came from: the sort's positions, made flat.
  const from = indices.add(ops.arange(0, rows * n, n, { dtype: 'i32' }).reshape([rows, 1])).reshape([rows * n]);
  return scatterRows(ranks.reshape([rows * n]), from, [rows * n], 0).reshape([rows, n]);
}
