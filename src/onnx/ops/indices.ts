// Index arithmetic shared by ONNX's gathers and scatters: indices known on
// the host wrapped and checked here, indices computed on the device wrapped
// there (and checked where the backend holds them on the host: js, native).
import { isFloat } from '../../dtype.js';
import { ValueError } from '../../errors.js';
import * as ops from '../../ops/index.js';
import { refuseIndicesOutside } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';

export function i32(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  return ops.tensor(Int32Array.from(values), [...shape], { dtype: 'i32' });
}

/** An index along an axis of `size`, negative counting from the end, checked. */
export function wrap(call: NodeCall, i: number, size: number): number {
  if (i < -size || i >= size) throw call.error(`index ${i} is outside an axis of ${size}`);
  return i < 0 ? i + size : i;
}

/** Input 1, the node's indices, as an i32 tensor on the device. */
export function indicesTensor(call: NodeCall): Tensor {
  const t = call.tensor(1);
  if (isFloat(t.dtype)) throw call.error(`indices (input 1) are ${t.dtype}; they must be integers`);
  return t.dtype === 'i32' ? t : ops.cast(t, 'i32');
}

/**
 * Indices on the device wrapped into [0, size). One outside [−size, size)
 * is refused where the backend holds the values on the host; on a GPU,
 * which would have to wait to read them, it stays out of range, and the
 * gathers and scatters built on it read zeros and write nowhere.
 */
export function wrapComputed(call: NodeCall, indices: Tensor, size: number, what: string): Tensor {
  try {
    refuseIndicesOutside(call.node.opType, indices, -size, size, what);
  } catch (e) {
    throw e instanceof ValueError ? call.error(e.message) : e;
  }
  return ops.where(ops.less(indices, 0), ops.add(indices, size), indices);
}

/** GatherElements' and ScatterElements' axis, with the indices' shape checked against data's: the same rank, no axis but that one longer. */
export function elementsAxis(call: NodeCall, shape: readonly number[], indexShape: readonly number[]): number {
  const rank = shape.length;
  const a0 = call.int('axis', 0);
  if (a0 < -rank || a0 >= rank) throw call.error(`axis ${a0} is outside data's ${rank} axes`);
  const a = a0 < 0 ? a0 + rank : a0;
  if (indexShape.length !== rank || indexShape.some((d, i) => i !== a && d > shape[i])) {
    throw call.error(`indices are [${indexShape.join(', ')}]; for data [${shape.join(', ')}] they need ${rank} axes, none longer than data's but axis ${a}`);
  }
  return a;
}
