// ONNX's bit operations: BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot
// (opset 18) and BitShift (opset 11), on tmnn's bitwise ops (tm.bitwiseAnd …
// tm.bitwiseRightShift). tmnn holds every integer type in i32 tensors.
//
// What is exact, and what is refused: an i32 holds int8 … int64 and uint8,
// uint16 values whole (an int64 within i32's range: AND/OR/XOR/NOT of
// sign-extended values is the sign extension of the 32-bit result), and
// uint32/uint64 values below 2³¹ (a Constant past that cannot become a
// tensor). So BitwiseNot of a uint32 or uint64 (always ≥ 2³¹) and a left
// BitShift of one (which can pass 2³¹, unknowably without reading the
// device) are refused on the device. On the host, where inputs are
// Constants (shape arithmetic), every op is exact for every width through
// BigInt. An i32 tensor of unknown width (an integer no op recorded the type
// of) is taken as signed.
//
// A shift by the width or more gives 0, as NumPy's (ONNX's reference) does:
// on the device, tm's shifts give 0 (left) and the sign's fill (right, 0 for
// the unsigned values BitShift takes) past 31, and a uint8 or uint16 left
// shift is masked to its width.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { hostMap } from '../host_math.js';
import type { NodeCall } from '../node_call.js';
import type { Constant, ElementType } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';

const WIDTH: Partial<Record<ElementType, number>> = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, int64: 64, uint64: 64 };
const UNSIGNED = new Set<ElementType>(['uint8', 'uint16', 'uint32', 'uint64']);

/** The inputs' ONNX integer type (any of them that is known; they share T), or undefined for i32 tensors of unknown width. */
function integerType(call: NodeCall): ElementType | undefined {
  let known: ElementType | undefined;
  for (let i = 0; i < call.inputCount; i++) {
    const type = call.elementType(i);
    if (type !== undefined && !WIDTH[type]) throw call.error(`input ${i} (${call.node.inputs[i]}) is ${type}; ${call.node.opType} takes integers (int8 … int64, uint8 … uint64)`);
    known ??= type;
  }
  return known;
}

/** Integer x as `type` holds it: wrapped to its width, signed or not. */
function wrap(x: bigint, type: ElementType): number {
  const width = WIDTH[type]!;
  return Number(UNSIGNED.has(type) ? BigInt.asUintN(width, x) : BigInt.asIntN(width, x));
}

/** The host op: exact through BigInt. */
function hostBitwise(call: NodeCall, inputs: readonly Constant[], fn: (...v: bigint[]) => bigint): Constant {
  const type = inputs[0].type;
  if (!WIDTH[type]) throw call.error(`its input is ${type}; ${call.node.opType} takes integers (int8 … int64, uint8 … uint64)`);
  return hostMap(call.node.opType, inputs, type, (...v) => wrap(fn(...v.map((x) => BigInt(x))), type));
}

function bitwise(device: (a: Tensor, b: Tensor) => Tensor, host: (a: bigint, b: bigint) => bigint): OnnxOp {
  return {
    run: (call) => {
      const type = integerType(call);
      const out = device(ops.cast(call.tensor(0), 'i32'), ops.cast(call.tensor(1), 'i32'));
      return type ? call.typed(out, type) : out;
    },
    host: (call, inputs) => hostBitwise(call, inputs, host),
  };
}

function bitwiseNot(call: NodeCall): Tensor {
  const type = integerType(call);
  const x = ops.cast(call.tensor(0), 'i32');
  if (type === 'uint32' || type === 'uint64') {
    throw call.error(`BitwiseNot of ${type} on the device is not supported: its result is 2^${WIDTH[type]} − 1 − x, at least 2^31 for every value tmnn's i32 tensors hold as ${type}; on Constants (the host) it is exact`);
  }
  // An unsigned width's w bits flipped (never past i32's range), every bit of two's complement.
  const out = type === 'uint8' || type === 'uint16' ? ops.bitwiseXor(x, 2 ** WIDTH[type]! - 1) : ops.bitwiseNot(x);
  return type ? call.typed(out, type) : out;
}

function bitShiftDirection(call: NodeCall): 'LEFT' | 'RIGHT' {
  const direction = call.string('direction');
  if (direction !== 'LEFT' && direction !== 'RIGHT') {
    throw call.error(direction === undefined ? 'attribute direction (LEFT or RIGHT) is required' : `direction = '${direction}' is not supported: it is LEFT or RIGHT`);
  }
  return direction;
}

function checkUnsigned(call: NodeCall, type: ElementType | undefined): void {
  if (type !== undefined && !UNSIGNED.has(type)) throw call.error(`its inputs are ${type}; BitShift takes unsigned integers (uint8, uint16, uint32, uint64)`);
}

const BIT_SHIFT: OnnxOp = {
  run: (call) => {
    const direction = bitShiftDirection(call);
    const type = integerType(call);
    checkUnsigned(call, type);
    const [x, y] = [ops.cast(call.tensor(0), 'i32'), ops.cast(call.tensor(1), 'i32')];
    if (direction === 'RIGHT') {
      const out = ops.bitwiseRightShift(x, y);
      return type ? call.typed(out, type) : out;
    }
    if (type !== 'uint8' && type !== 'uint16') {
      throw call.error(`BitShift LEFT of ${type ?? 'integers of unknown width'} on the device is not supported: ${type ? 'its result can pass 2^31, past what tmnn\'s i32 tensors hold, which the synchronous run cannot check' : 'the width its result wraps at is not known'}; uint8 and uint16 shift on the device, and every width on Constants (the host)`);
    }
    // Bits shifted past the width dropped: 2^width − 1 < 2^16 masks them.
    return call.typed(ops.bitwiseAnd(ops.bitwiseLeftShift(x, y), 2 ** WIDTH[type]! - 1), type);
  },
  host: (call, inputs) => {
    const direction = bitShiftDirection(call);
    checkUnsigned(call, inputs[0].type);
    const width = BigInt(WIDTH[inputs[0].type] ?? 0);
    return hostBitwise(call, inputs, (x, y) => (y >= width ? 0n : direction === 'LEFT' ? x << y : x >> y));
  },
};

export const BITWISE_OPS: OpTable = {
  BitwiseAnd: bitwise(ops.bitwiseAnd, (a, b) => a & b),
  BitwiseOr: bitwise(ops.bitwiseOr, (a, b) => a | b),
  BitwiseXor: bitwise(ops.bitwiseXor, (a, b) => a ^ b),
  BitwiseNot: {
    run: bitwiseNot,
    host: (call, inputs) => hostBitwise(call, inputs, (x) => ~x),
  },
  BitShift: BIT_SHIFT,
};

