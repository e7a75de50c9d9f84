// Values an op reads on the host although they may be computed on the device:
// the indices onnxruntime checks before it gathers, the classes it turns into
// string labels. They can be read at once where they are constants, or held
// in memory by the js and native backends (Backend.peek); a GPU's are read
// back only by an asynchronous run (valuesRead), which the synchronous run,
// never reading the device, leaves to the caller to choose.
import { heldValues } from '../ops/util.js';
import { Tensor } from '../tensor.js';
import { USE_RUN_ASYNC, type NodeCall } from './node_call.js';
import type { OnnxOp } from './ops/op.js';

/** Values an asynchronous run read back for an op (valuesRead), by tensor. */
const readBack = new WeakMap<Tensor, ArrayLike<number>>();

/**
 * x's values (input i of the call) where they can be read without waiting on
 * the device: a constant input, a js or native tensor (not f16, held as raw
 * bits), or one read back. Possibly longer than x (a backend's own array).
 */
export function readable(call: NodeCall, i: number, x: Tensor): ArrayLike<number> | undefined {
  if (call.isConstant(i)) return call.constant(i, 'input').data;
  return readBack.get(x) ?? (x.dtype === 'f16' ? undefined : heldValues(call.node.opType, x));
}

/** Input i's values on the host (readable), or an error saying why the synchronous run cannot have them: `why` the op needs them. */
export function hostValues(call: NodeCall, i: number, why: string): ArrayLike<number> {
  if (call.isConstant(i)) return call.constant(i, 'input').data;
  const values = readable(call, i, call.tensor(i));
  if (values === undefined) throw call.error(`${why}, from ${call.node.inputs[i]}, which is computed on the device; ${USE_RUN_ASYNC}: model.runValuesAsync (runAsync) reads it back`);
  return values;
}

/** Input i on the host (hostValues) with its shape. */
export function hostArray(call: NodeCall, i: number, why: string): { shape: readonly number[]; values: ArrayLike<number> } {
  const shape = call.isConstant(i) ? call.constant(i, 'input').shape : call.tensor(i).shape;
  return { shape, values: hostValues(call, i, why) };
}

/**
 * `op`, which reads input i's values on the host where `needed` says so
 * (readable, hostValues), with an asynchronous form that reads them back
 * first where they cannot be read at once (a GPU's): so runAsync has them on
 * every backend.
 */
export function valuesRead(op: OnnxOp, i: number, needed: (call: NodeCall) => boolean): OnnxOp {
  return {
    ...op,
    runAsync: async (call) => {
      const x = call.has(i) ? call.anyValue(i) : undefined;
      const read = x instanceof Tensor && needed(call) && readable(call, i, x) === undefined;
      if (read) readBack.set(x, await x.data());
      try {
        return await (op.runAsync ? op.runAsync(call) : call.step(() => op.run(call)));
      } finally {
        // Only for this node: a later run (a synchronous one, or after the tensor's values change) reads afresh.
        if (read) readBack.delete(x);
      }
    },
  };
}
