// tril and triu: the lower or upper triangle of the last two axes (a batch
// of matrices), the rest zeroed, as NumPy's and PyTorch's; `diagonal` moves
// the edge (0 the main diagonal, 1 one above it, −1 one below). A causal
// attention mask is triu(ones, 1).
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { greaterEqual, lessEqual, where } from './elementwise.js';
import { checkTensor } from './util.js';

/** The entries on and below diagonal `diagonal` of each matrix in x's last two axes; zeros above. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, diagonal, true);
}

/** The entries on and above diagonal `diagonal`; zeros below. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, diagonal, false);
}

function triangle(op: string, x: Tensor, diagonal: number, lower: boolean): Tensor {
  checkTensor(op, x);
  if (x.rank < 2) throw new ShapeError(`${op}: x must have two axes or more (a matrix, or a batch of them), got ${formatShape(x.shape)}`);
  if (!Number.isSafeInteger(diagonal)) throw new ValueError(`${op}: diagonal must be an integer, got ${formatValue(diagonal)}`);
  const [rows, columns] = x.shape.slice(-2);
  return tidy(() => {
    // Column − row per entry, compared with the diagonal: [rows, columns], broadcast over the batch.
    const offset = arange(0, columns, 1, { dtype: 'i32' }).reshape([1, columns]).sub(arange(0, rows, 1, { dtype: 'i32' }).reshape([rows, 1]));
    const kept = lower ? lessEqual(offset, diagonal) : greaterEqual(offset, diagonal);
    return where(kept, x, 0).cast(x.dtype);
  });
}
