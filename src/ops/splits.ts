// NumPy's splitting helpers, the inverses of hstack, vstack and dstack:
// hsplit, vsplit and dsplit cut x along the axis their names say (np.hsplit,
// torch.hsplit, …), each a tensorSplit with NumPy's split rule for a count:
// it must divide the axis evenly (tensorSplit, NumPy's array_split, lets
// the pieces differ by one). A list of indices cuts before each, as
// tensorSplit does. Each piece is a slice, so gradients come from those.
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { tensorSplit } from './indexing.js';
import { checkTensor } from './util.js';

/** tensorSplit of x along `axis`, a count of sections refused unless it divides the axis. */
function splitEvenly(op: string, x: Tensor, sections: number | readonly number[], axis: number): Tensor[] {
  if (typeof sections === 'number') {
    if (!Number.isSafeInteger(sections) || sections <= 0) {
      throw new ValueError(`${op}: sections must be a positive integer or an array of indices, got ${formatValue(sections)}`);
    }
    const n = x.shape[axis];
    if (n % sections !== 0) {
      throw new ShapeError(`${op}: axis ${axis} of x ${formatShape(x.shape)} has ${n} entries, which ${sections} sections do not divide evenly (tensorSplit allows uneven pieces)`);
    }
  } else if (!Array.isArray(sections)) {
    throw new ValueError(`${op}: sections must be a positive integer or an array of indices, got ${formatValue(sections)}`);
  }
  return tensorSplit(x, sections, axis);
}

/**
 * x cut column-wise (np.hsplit, torch.hsplit): along axis 1, or axis 0 for a
 * vector. `sections` is a count of equal pieces, which must divide the
 * axis, or the indices to cut before (x[:i₀], x[i₀:i₁], …, x[iₖ:], as
 * tensorSplit reads them).
 */
export function hsplit(x: Tensor, sections: number | readonly number[]): Tensor[] {
  checkTensor('hsplit', x);
  if (x.rank < 1) throw new ShapeError('hsplit: x is a scalar; it needs at least 1 axis');
  return splitEvenly('hsplit', x, sections, x.rank === 1 ? 0 : 1);
}

/** x cut row-wise along axis 0 (np.vsplit, torch.vsplit): x needs at least 2 axes; sections as hsplit's. */
export function vsplit(x: Tensor, sections: number | readonly number[]): Tensor[] {
  checkTensor('vsplit', x);
  if (x.rank < 2) throw new ShapeError(`vsplit: x ${formatShape(x.shape)} has ${x.rank} axes; it needs at least 2`);
  return splitEvenly('vsplit', x, sections, 0);
}

/** x cut depth-wise along axis 2 (np.dsplit, torch.dsplit): x needs at least 3 axes; sections as hsplit's. */
export function dsplit(x: Tensor, sections: number | readonly number[]): Tensor[] {
  checkTensor('dsplit', x);
  if (x.rank < 3) throw new ShapeError(`dsplit: x ${formatShape(x.shape)} has ${x.rank} axes; it needs at least 3`);
  return splitEvenly('dsplit', x, sections, 2);
}
