// The checks tm.audio's functions share.
import { ShapeError, formatShape } from '../errors.js';
import { checkFloat } from '../ops/fft/pairs.js';
import type { Tensor } from '../tensor.js';

/** Checks that `name` is a float tensor of at least `rank` axes, laid out as `layout` says. */
export function checkFloatTensor(op: string, x: unknown, name: string, rank: number, layout: string): Tensor {
  const t = checkFloat(op, x, name);
  if (t.rank < rank) throw new ShapeError(`${op}: ${name} ${formatShape(t.shape)} must be ${layout}`);
  return t;
}
