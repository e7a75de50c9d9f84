// NumPy's nanargmax and nanargmin: argmax and argmin with NaN left out, as
// NumPy works them: each NaN replaced by −∞ (+∞ for nanargmin) and the
// first largest (smallest) taken, so a slice holding NaN and −∞ and
// nothing larger gives the first of them, as np.nanargmax([nan, -inf]) is 0.
// A slice of nothing but NaN has no answer: NumPy raises, and so do the js
// and native backends, which hold the values in memory; webgpu, where
// looking would wait for the GPU, gives 0 there (the first of equal −∞).
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { where } from './elementwise.js';
import { isNaN } from './logical.js';
import { all, argmax, argmin, type ReduceOptions } from './reduce.js';
import { checkTensor, heldValues } from './util.js';

const OPTIONS: OptionNames<ReduceOptions> = { keepDims: 'boolean' };

function nanArg(op: 'nanargmax' | 'nanargmin', x: Tensor, axis: number | undefined, options: ReduceOptions): Tensor {
  checkTensor(op, x);
  const { keepDims = false } = checkOptions(op, options, OPTIONS);
  const a = axis === undefined ? undefined : normalizeAxis(op, axis, x.rank);
  if (a === undefined ? x.size === 0 : x.shape[a] === 0) {
    throw new ShapeError(`${op}: x ${formatShape(x.shape)} is empty${a === undefined ? '' : ` along axis ${axis}`}: there is nothing to pick`);
  }
  const pick = op === 'nanargmax' ? argmax : argmin;
  if (!isFloat(x.dtype)) return pick(x, a, { keepDims });
  return tidy(() => {
    const nan = isNaN(x);
    // Only where the values are at hand (js, native): on webgpu the test would wait for the GPU.
    if (heldValues(op, x)) {
      const allNaN = all(nan, a);
      const held = heldValues(op, allNaN)!;
      for (let i = 0; i < allNaN.size; i++) {
        if (held[i] !== 0) {
          const which = a === undefined ? 'x' : `slice ${i} along axis ${axis} of x`;
          throw new ValueError(`${op}: ${which} ${formatShape(x.shape)} is all NaN, which has no ${op === 'nanargmax' ? 'largest' : 'smallest'} value (NumPy's "All-NaN slice encountered")`);
        }
      }
    }
    return pick(where(nan, op === 'nanargmax' ? -Infinity : Infinity, x), a, { keepDims });
  });
}

/**
 * The index (i32) of the first largest value that is not NaN along `axis`,
 * or in the flattened tensor without one (np.nanargmax). A slice of nothing
 * but NaN is an error on js and native, as in NumPy; on webgpu it gives 0.
 * Ints are argmax's.
 */
export function nanargmax(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  return nanArg('nanargmax', x, axis, options);
}

/** The index (i32) of the first smallest value that is not NaN (np.nanargmin); an all-NaN slice as nanargmax's. */
export function nanargmin(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  return nanArg('nanargmin', x, axis, options);
}
