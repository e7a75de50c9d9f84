// (A − a_zp)·(B − b_zp) on tmnn's int8 product (i8 × i8 → i32: VNNI on
// native, dot4I8Packed on webgpu) when B is a constant matrix, as the
// weights of onnxruntime's dynamic format are. The operands minus their zero
// points span up to 511 values, more than an i8 holds, so the product is
// taken of the operands shifted into int8 instead, and the shift undone by
// rank-one corrections:
//   Â = A − s_a, B̂ = B − s_b   (s = 128 for uint8, 0 for int8: Â, B̂ are int8)
//   α = s_a − a_zp, β = s_b − b_zp   (per tensor, per row of A, per column of B)
//   (A − a_zp)(B − b_zp) = (Â + α)(B̂ + β)
//                        = Â·B̂ + rowsum(Â)·β + α·(colsum(B̂) + K·β)
// Every term is an integer computed in i32 (the int8 product accumulates in
// i32 on every backend; the sums, products and additions are i32 ops), and
// i32 arithmetic wraps modulo 2^32 alike on every backend, so the sum is
// exact modulo 2^32: exactly the true value whenever that fits in int32,
// which ONNX's int32 output presumes. B̂ᵀ and colsum(B̂) + K·β are made on
// the host once per weight; B̂ is kept transposed ([N, K]), the layout the
// packed int8 kernels read.
import * as ops from '../../ops/index.js';
import { fromStorageArray } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import type { Constant } from '../value.js';

/** The shift that takes a uint8 or int8 value into int8. */
export function int8Shift(type: 'uint8' | 'int8'): number {
  return type === 'uint8' ? 128 : 0;
}

/**
 * The product for A (i32 or i8, its values of `aType`) with zero point
 * `aZero` (a number, or a tensor per tensor or laid out [M, 1] per row),
 * and a constant 2-D B of `bType` with zero point `bZero` (per tensor, or
 * one per column; undefined: 0).
 */
export function int8Product(a: Tensor, aType: 'uint8' | 'int8', aZero: Tensor | number, b: Constant, bType: 'uint8' | 'int8', bZero: Constant | undefined): Tensor {
  const sa = int8Shift(aType);
  const [k, n] = b.shape;
  const { bt, beta, corrected } = preparedWeight(b, bType, bZero);
  const shifted = ops.cast(sa ? ops.sub(a, sa) : a, 'i8');
  let y = ops.matmul(shifted, fromStorageArray(bt, [n, k], 'i8'), { transposeB: true });
  if (beta.some((v) => v !== 0)) {
    const rows = ops.sum(shifted, -1, { keepDims: true });
    y = ops.add(y, ops.mul(rows, beta.every((v) => v === beta[0]) ? beta[0] : fromStorageArray(beta, [n], 'i32')));
  }
  const alpha = typeof aZero === 'number' ? sa - aZero : ops.sub(sa, ops.cast(aZero, 'i32'));
  if (alpha !== 0) y = ops.add(y, ops.mul(alpha, fromStorageArray(corrected, [n], 'i32')));
  return y;
}

interface PreparedWeight {
  /** B̂ᵀ: [N, K]. */
  bt: Int8Array;
  /** β per column. */
  beta: Int32Array;
  /** colsum(B̂) + K·β per column. */
  corrected: Int32Array;
}

/** What int8Product needs of a weight, made on the host once per weight and zero point (a model runs many times): plain arrays, on no backend. */
const prepared = new WeakMap<Constant, { bZero: Constant | undefined; weight: PreparedWeight }>();

function preparedWeight(b: Constant, bType: 'uint8' | 'int8', bZero: Constant | undefined): PreparedWeight {
  const kept = prepared.get(b);
  if (kept && kept.bZero === bZero) return kept.weight;
  const sb = int8Shift(bType);
  const [k, n] = b.shape;
  const bt = new Int8Array(n * k), beta = new Int32Array(n), corrected = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    beta[j] = sb - (bZero ? bZero.data[bZero.size === 1 ? 0 : j] : 0);
    let sum = 0;
    for (let p = 0; p < k; p++) {
      const v = b.data[p * n + j] - sb;
      bt[j * k + p] = v;
      sum += v;
    }
    corrected[j] = sum + k * beta[j];
  }
  const weight = { bt, beta, corrected };
  prepared.set(b, { bZero, weight });
  return weight;
}
