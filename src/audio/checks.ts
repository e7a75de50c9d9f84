// The checks tm.audio's functions share.
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { isFloat } from '../dtype.js';
import { checkTensor } from '../ops/util.js';
import type { Tensor } from '../tensor.js';

/** Checks that `name` is a float tensor of at least `rank` axes, laid out as `layout` says. */
export function checkFloatTensor(op: string, x: unknown, name: string, rank: number, layout: string): Tensor {
  const t = checkTensor(op, x, name);
  if (!isFloat(t.dtype)) throw new DTypeError(`${op}: ${name} must be a float tensor (f32 or f16), got ${t.dtype}`);
  if (t.rank < rank) throw new ShapeError(`${op}: ${name} ${formatShape(t.shape)} must be ${layout}`);
  return t;
}
