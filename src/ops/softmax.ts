// softmax and logSoftmax along one axis. The kernel works on rows, so the axis
// is swapped with the last one for it and swapped back after.
import { floatDTypeOf } from '../dtype.js';
import { normalizeAxis, sizeOf } from '../shape.js';
import { record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { exp, mul, sub } from './elementwise.js';
import { transpose } from './movement.js';
import { sum } from './reduce.js';
import { checkTensor, fromStorage, view, withCasts } from './util.js';

function softmaxOp(op: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor {
  checkTensor(op, x);
  const backend = x.dataRef(op).backend;
  const rank = Math.max(x.rank, 1); // a scalar is a row of one
  const a = normalizeAxis(op, axis, rank);
  // Swapping axis a with the last is its own inverse.
  const perm = Array.from({ length: rank }, (_, i) => (i === a ? rank - 1 : i === rank - 1 ? a : i));
  const y = withCasts([x], floatDTypeOf(x.dtype), ([cx]) => {
    const temps: Tensor[] = [];
    const temp = (t: Tensor): Tensor => (temps.push(t), t);
    try {
      const base = cx.rank === 0 ? temp(view(op, cx, [1])) : cx;
      const moved = a === rank - 1 ? base : temp(transpose(base, perm));
      const inner = moved.shape[rank - 1];
      const rows = temp(view(op, moved, [sizeOf(moved.shape.slice(0, -1)), inner]));
      const out = fromStorage(backend, backend.softmax(rows.info(op), op === 'logSoftmax'), moved.shape, cx.dtype);
      if (moved === cx) return out;
      temp(out);
      const back = moved === base ? out : temp(transpose(out, perm));
      return view(op, back, cx.shape);
    } finally {
      temps.forEach((t) => t.dispose());
    }
  });
  const along = x.rank === 0 ? [] : [a];
  return record(y, op, [x], [y], (dy, [sy]) =>
    op === 'softmax'
      ? [mul(sy, sub(dy, sum(mul(dy, sy), along, { keepDims: true })))]
      : [sub(dy, mul(exp(sy), sum(dy, along, { keepDims: true })))]);
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp('softmax', x, axis);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp('logSoftmax', x, axis);
}
