// ONNX's products: MatMul (NumPy's matmul, batched and broadcast), Gemm
// (alpha·A'·B' + beta·C, what PyTorch's Linear exports to) and Einsum.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { OpTable } from './op.js';

/** NumPy's matmul for 1-D operands too: a vector is a row on the left, a column on the right, and that axis leaves the result. */
export function matmul(call: NodeCall, a: Tensor, b: Tensor): Tensor {
  if (a.rank === 0 || b.rank === 0) throw call.error('MatMul of a scalar');
  const left = a.rank === 1, right = b.rank === 1;
  const y = ops.matmul(left ? ops.reshape(a, [1, a.shape[0]]) : a, right ? ops.reshape(b, [b.shape[0], 1]) : b);
  if (!left && !right) return y;
  const shape = [...y.shape];
  if (right) shape.splice(shape.length - 1, 1);
  if (left) shape.splice(shape.length - (right ? 1 : 2), 1);
  return ops.reshape(y, shape);
}

export const MATMUL_OPS: OpTable = {
  MatMul: { run: (call) => matmul(call, call.tensor(0), call.tensor(1)) },
  Gemm: {
    run: (call) => {
      const a = call.tensor(0), b = call.tensor(1);
      if (a.rank !== 2 || b.rank !== 2) throw call.error(`A and B must be matrices, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
      const alpha = call.float('alpha', 1), beta = call.float('beta', 1);
      // The transposes go to the matmul kernel as flags: no copies.
      let y = ops.matmul(a, b, { transposeA: call.int('transA', 0) === 1, transposeB: call.int('transB', 0) === 1 });
      if (alpha !== 1) y = ops.mul(y, alpha);
      if (!call.has(2) || beta === 0) return y;
      const c = call.tensor(2);
      return ops.add(y, beta === 1 ? c : ops.mul(c, beta));
    },
  },
  Einsum: {
    run: (call) => {
      const equation = call.string('equation');
      if (!equation) throw call.error('equation is required');
      return ops.einsum(equation.replace(/\s+/g, ''), ...call.allTensors());
    },
  },
};
