// onnxruntime's block-quantized weight product (com.microsoft MatMulNBits,
// what its 4-bit quantizer and onnxruntime-genai write for LLMs):
// Y = A · dequant(B)ᵀ (+ bias), B [N, K] stored as `bits`-bit integers
// packed along K in blocks of block_size, lowest bits first, each block with
// its own scale and zero point: w = (q − zp) · scale. The integers less
// their zero points are unpacked on the host once per model (NodeCall.kept);
// the scales stay tensors, so a float scale initializer is a parameter and
// gets its gradient, as DequantizeLinear's does. A's product is in f32 —
// onnxruntime's accuracy_level 4 would quantize A to int8 first; tmnn does not.
import * as ops from '../../ops/index.js';
import { adoptStorageArray } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { Constant } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';

/** The i-th `bits`-bit field of a byte row (lowest bits first). */
function field(bytes: Float64Array, start: number, i: number, bits: number): number {
  const perByte = 8 / bits;
  const byte = bytes[start + Math.floor(i / perByte)];
  return (byte >> ((i % perByte) * bits)) & ((1 << bits) - 1);
}

/**
 * q − zp as f32 [N, blocks, block_size] from the packed B [N, blocks, blob]
 * and packed uint8 zero points [N, ⌈blocks·bits/8⌉] (or the default
 * 2^(bits−1) when `zeroPoints` is undefined; 0 when they are floats, which
 * the device subtracts).
 */
function unpacked(b: Constant, zeroPoints: Constant | undefined, defaultZero: number, bits: number, blockSize: number): Float32Array {
  const [n, blocks, blob] = b.shape;
  const out = new Float32Array(n * blocks * blockSize);
  const zpRow = zeroPoints ? zeroPoints.shape[1] : 0;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < blocks; j++) {
      const zp = zeroPoints ? field(zeroPoints.data, r * zpRow, j, bits) : defaultZero;
      for (let i = 0; i < blockSize; i++) out[(r * blocks + j) * blockSize + i] = field(b.data, (r * blocks + j) * blob, i, bits) - zp;
    }
  }
  return out;
}

/** The constant inputs' shapes against K, N, bits and block_size. */
function checkShapes(call: NodeCall, b: Constant, n: number, k: number, bits: number, blockSize: number): number {
  const blocks = Math.ceil(k / blockSize), blob = (blockSize * bits) / 8;
  if (b.shape.length !== 3 || b.shape[0] !== n || b.shape[1] !== blocks || b.shape[2] !== blob) {
    throw call.error(`B (input 1) is [${b.shape.join(', ')}]; N = ${n}, K = ${k}, bits = ${bits}, block_size = ${blockSize} need [${n}, ${blocks}, ${blob}]`);
  }
  const scales = call.value(2);
  if (scales.size !== n * blocks) throw call.error(`scales (input 2) is [${scales.shape.join(', ')}]; it needs ${n}·${blocks} values, one per block`);
  return blocks;
}

const matMulNBits: OnnxOp = {
  run: (call) => {
    const k = call.int('K'), n = call.int('N'), bits = call.int('bits', 4), blockSize = call.int('block_size');
    if (k === undefined || n === undefined || blockSize === undefined) throw call.error('K, N and block_size are required attributes');
    if (![2, 4, 8].includes(bits)) throw call.error(`bits = ${bits} is not supported: tmnn unpacks 2-, 4- and 8-bit weights`);
    if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw call.error(`block_size = ${blockSize} must be a power of 2, at least 16`);
    call.refuse('weight_prepacked', (v) => v === 0, 'weights prepacked for a CUDA layout are not read by tmnn');
    if (call.has(4)) throw call.error('g_idx (input 4) is not supported: it is deprecated, and its blocks out of order are not run by tmnn');
    if (!call.isConstant(1)) throw call.error('B (input 1) must be an initializer: tmnn unpacks the weights once, on the host');
    const b = call.constant(1, 'B');
    const blocks = checkShapes(call, b, n, k, bits, blockSize);
    const zp = call.has(3) ? call.value(3) : undefined;
    const packedZeros = zp instanceof Constant && (zp.type === 'uint8');
    if (zp !== undefined && !packedZeros && call.elementType(3) === 'uint8') throw call.error('zero_points (input 3) as uint8 must be an initializer (packed, read on the host)');
    if (packedZeros && (zp.shape.length !== 2 || zp.shape[0] !== n || zp.shape[1] !== Math.ceil((blocks * bits) / 8))) {
      throw call.error(`zero_points (input 3) is [${zp.shape.join(', ')}]; packed uint8 ones are [${n}, ${Math.ceil((blocks * bits) / 8)}]`);
    }
    // Float zero points (A's type) are subtracted on the device, from the bare integers.
    const defaultZero = zp === undefined ? 2 ** (bits - 1) : 0;
    const centered = call.kept(b, packedZeros ? zp : undefined, `MatMulNBits ${bits}-bit q − zp, block ${blockSize}`, () =>
      adoptStorageArray(unpacked(b, packedZeros ? zp : undefined, defaultZero, bits, blockSize), [n, blocks, blockSize], 'f32'));
    const scales = ops.reshape(call.tensor(2), [n, blocks, 1]);
    let w = zp !== undefined && !packedZeros ? ops.sub(centered, ops.reshape(call.tensor(3), [n, blocks, 1])) : centered;
    w = ops.reshape(ops.mul(w, scales), [n, blocks * blockSize]);
    if (blocks * blockSize !== k) w = ops.slice(w, [0, 0], [n, k]);
    const a = call.tensor(0);
    if (a.shape[a.rank - 1] !== k) throw call.error(`A (input 0) is [${a.shape.join(', ')}]; its last axis must be K = ${k}`);
    const y = ops.matmul(a, w.dtype === a.dtype ? w : ops.cast(w, a.dtype), { transposeB: true });
    return call.has(5) ? ops.add(y, call.tensor(5)) : y;
  },
};

export const MICROSOFT_NBITS_OPS: OpTable = {
  MatMulNBits: matMulNBits,
};
