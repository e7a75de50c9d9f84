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
// the host once per model and weight and kept on the device across runs
// (NodeCall.kept); B̂ is kept transposed ([N, K]), the layout the packed
// int8 kernels read.
import * as ops from '../../ops/index.js';
import { adoptStorageArray } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import type { Constant } from '../value.js';

/** The shift that takes a uint8 or int8 value into int8. */
function int8Shift(type: 'uint8' | 'int8'): number {
  return type === 'uint8' ? 128 : 0;
}

/**
 * The product for A (i32 or i8, its values of `aType`) with zero point
 * `aZero` (a number, or a tensor per tensor or laid out [M, 1] per row),
 * and a constant 2-D B of `bType` with zero point `bZero` (per tensor, or
 * one per column; undefined: 0).
 */
export function int8Product(call: NodeCall, a: Tensor, aType: 'uint8' | 'int8', aZero: Tensor | number, b: Constant, bType: 'uint8' | 'int8', bZero: Constant | undefined): Tensor {
  const sa = int8Shift(aType);
  const [k, n] = b.shape;
  const kept = (key: string, make: () => Tensor) => call.kept(b, bZero, key, make);
  const shifted = ops.cast(sa ? ops.sub(a, sa) : a, 'i8');
  let y = ops.matmul(shifted, kept(`int8 ${bType} Bᵀ`, () => adoptStorageArray(shiftedTranspose(b, bType), [n, k], 'i8')), { transposeB: true });
  const beta = betaOf(b, bType, bZero);
  if (beta.some((v) => v !== 0)) {
    const rows = ops.sum(shifted, -1, { keepDims: true });
    y = ops.add(y, ops.mul(rows, beta.every((v) => v === beta[0]) ? beta[0] : kept(`int8 ${bType} β`, () => adoptStorageArray(beta, [n], 'i32'))));
  }
  const alpha = typeof aZero === 'number' ? sa - aZero : ops.sub(sa, aZero.dtype === 'i32' ? aZero : ops.cast(aZero, 'i32'));
  if (alpha !== 0) y = ops.add(y, ops.mul(alpha, kept(`int8 ${bType} colsum + Kβ`, () => adoptStorageArray(corrected(b, bType, beta), [n], 'i32'))));
  return y;
}

/** B̂ᵀ = (B − s_b)ᵀ: [N, K] int8. */
function shiftedTranspose(b: Constant, bType: 'uint8' | 'int8'): Int8Array {
  const sb = int8Shift(bType);
  const [k, n] = b.shape;
  const bt = new Int8Array(n * k);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b.data[p * n + j] - sb;
  return bt;
}

/** β = s_b − b_zp per column. */
function betaOf(b: Constant, bType: 'uint8' | 'int8', bZero: Constant | undefined): Int32Array {
  const sb = int8Shift(bType);
  const n = b.shape[1];
  return Int32Array.from({ length: n }, (_, j) => sb - (bZero ? bZero.data[bZero.size === 1 ? 0 : j] : 0));
}

/** colsum(B̂) + K·β per column. */
function corrected(b: Constant, bType: 'uint8' | 'int8', beta: Int32Array): Int32Array {
  const sb = int8Shift(bType);
  const [k, n] = b.shape;
  const out = new Int32Array(n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[j] += b.data[p * n + j] - sb;
  for (let j = 0; j < n; j++) out[j] += k * beta[j];
  return out;
}
