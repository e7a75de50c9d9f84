// Elementwise ops: unary maps and broadcasting binary ops, each declared once
// with its dtype rule. Kernels live in the backends (see Kernels.unary/binary).
import type { BinaryOp, UnaryOp } from '../backends/kernels.js';
import { floatDTypeOf, isFloat, promoteTypes, type DType } from '../dtype.js';
import { backendFor } from '../engine.js';
import { ValueError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { checkTensor, fromStorage, withCasts, withTensors } from './util.js';

/** neg, abs and relu keep an int dtype; the rest give floats (exp of i32 → f32). */
const KEEPS_INT: ReadonlySet<UnaryOp> = new Set(['neg', 'abs', 'relu']);

function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  checkTensor(op, x);
  const outDtype = KEEPS_INT.has(op) ? x.dtype : floatDTypeOf(x.dtype);
  const backend = x.dataRef(op).backend;
  return withCasts([x], outDtype, ([cx]) => fromStorage(backend, backend.unary(op, cx.info(op)), x.shape, outDtype));
}

/** The result dtype of a binary op: the operands' common dtype, except int ÷ int, which is a float. */
function binaryDType(op: BinaryOp, a: DType, b: DType): DType {
  const common = promoteTypes(a, b);
  return op === 'div' && !isFloat(common) ? 'f32' : common;
}

function binaryOp(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  return withTensors(op, a, b, (ta, tb, backend) => {
    const outShape = broadcastShapes(op, ta.shape, tb.shape);
    const outDtype = binaryDType(op, ta.dtype, tb.dtype);
    return withCasts([ta, tb], outDtype, ([ca, cb]) =>
      fromStorage(backend, backend.binary(op, ca.info(op), cb.info(op), outShape), outShape, outDtype));
  });
}

export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
export const log = (x: Tensor): Tensor => unaryOp('log', x);
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);

export const add = (a: TensorLike, b: TensorLike): Tensor => binaryOp('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binaryOp('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binaryOp('mul', a, b);
/** True division: ints give f32. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binaryOp('div', a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => binaryOp('pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('minimum', a, b);
export const equal = (a: TensorLike, b: TensorLike): Tensor => binaryOp('equal', a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('notEqual', a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => binaryOp('less', a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lessEqual', a, b);
export const greater = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greater', a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greaterEqual', a, b);

export const square = (x: Tensor): Tensor => mul(checkTensor('square', x), x);

/** Limits values to [min, max]. */
export function clip(x: Tensor, min: number, max: number): Tensor {
  checkTensor('clip', x);
  if (!(min <= max)) throw new ValueError(`clip: min ${min} is greater than max ${max}`);
  const low = maximum(x, min);
  try {
    return minimum(low, max);
  } finally {
    low.dispose();
  }
}

/** Picks a where cond is non-zero, else b, broadcasting all three. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', cond, 'cond');
  return withTensors('where', a, b, (ta, tb, backend) => {
    backendFor('where', [cond.dataRef('where'), ta.dataRef('where')]);
    const outShape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
    const outDtype = promoteTypes(ta.dtype, tb.dtype);
    return withCasts([ta, tb], outDtype, ([ca, cb]) =>
      fromStorage(backend, backend.where(cond.info('where'), ca.info('where'), cb.info('where'), outShape), outShape, outDtype));
  });
}
