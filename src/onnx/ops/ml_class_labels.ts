// The class labels of ai.onnx.ml's classifiers (LinearClassifier's and
// SVMClassifier's classlabels_ints, TreeEnsembleClassifier's
// classlabels_int64s, or each one's classlabels_strings), read one way with
// one wording of each refusal. Integer labels must lie within int32 (tmnn
// holds int64 as i32). String labels are the names scikit-learn keeps for a
// model trained on string targets: the classifier then computes each
// sample's class as its place among them (0, 1, 2…), on the device as
// integer labels are, and withStringLabels names it on the host. What an op
// checks beyond that (how many labels for how many classes) stays with it.
import { heldValues } from '../../ops/util.js';
import { Tensor } from '../../tensor.js';
import { USE_RUN_ASYNC, type NodeCall } from '../node_call.js';
import { StringTensor } from '../string_tensor.js';
import { Constant, type Value } from '../value.js';
import type { OnnxOp } from './op.js';

/** The attribute a classifier names its integer labels in. */
export type ClassLabelAttribute = 'classlabels_ints' | 'classlabels_int64s';

/** The string labels, where the classifier has them. */
function stringLabels(call: NodeCall): string[] | undefined {
  const strings = call.strings('classlabels_strings');
  return strings?.length ? strings : undefined;
}

/**
 * The labels in `attribute`, each within int32; for a classifier of string
 * labels, their places 0, 1, 2… (withStringLabels names them). Missing or
 * empty: [] where `optional` (the op then says what that means), else refused.
 */
export function classLabels(call: NodeCall, attribute: ClassLabelAttribute, { optional = false }: { optional?: boolean } = {}): number[] {
  const strings = stringLabels(call);
  const labels = call.ints(attribute, []);
  if (strings && labels.length) throw call.error(`has both classlabels_strings and ${attribute}; a classifier takes one of them`);
  if (strings) return strings.map((_, i) => i);
  if (labels.length === 0 && !optional) throw call.error(`attribute ${attribute} is required: the classifier's class labels are missing or empty (or give them as names, classlabels_strings)`);
  const wide = labels.find((l) => !(l >= -(2 ** 31) && l < 2 ** 31));
  if (wide !== undefined) throw call.error(`${attribute} holds ${wide}, outside int32: tmnn holds int64 labels as int32`);
  return labels;
}

/** The classes `places` name (output 0 of a classifier of string labels), and then the place tensor freed (`values` may be its own memory). */
function named(labels: readonly string[], places: Value, values: ArrayLike<number>): StringTensor {
  const shape = (places as Tensor | Constant).shape;
  const n = shape.reduce((a, b) => a * b, 1);
  const names = new StringTensor(Array.from({ length: n }, (_, k) => labels[values[k]]), shape);
  if (places instanceof Tensor && !places.isDisposed) places.dispose();
  return names;
}

/** The places where they can be read without waiting on the device: a Constant's, a js or native tensor's in place. */
function atOnce(call: NodeCall, places: Value): ArrayLike<number> | undefined {
  return places instanceof Constant ? places.data : places instanceof Tensor ? heldValues(call.node.opType, places) : undefined;
}

/**
 * A classifier `op` that also takes classlabels_strings: its label output
 * (output 0, each sample's place among the labels) becomes a StringTensor
 * of their names. That is a host step: at once where the places can be read
 * without waiting (js, native), else in an asynchronous run, which reads
 * them back; a GPU's synchronous run refuses the model, pointing there.
 */
export function withStringLabels(op: OnnxOp): OnnxOp {
  return {
    ...op,
    run: (call) => {
      const outputs = [op.run(call)].flat();
      const labels = stringLabels(call);
      if (!labels) return outputs;
      const [places, ...rest] = outputs;
      const values = atOnce(call, places);
      if (values === undefined) {
        throw call.error(`its labels are strings (classlabels_strings), named on the host from the class each sample's scores pick, which are computed on the device; ${USE_RUN_ASYNC}: model.runValuesAsync gives them (or leave ${call.node.outputs[0]} out of options.outputs)`);
      }
      return [named(labels, places, values), ...rest];
    },
    runAsync: async (call) => {
      const outputs = [op.runAsync ? await op.runAsync(call) : call.step(() => op.run(call))].flat();
      const labels = stringLabels(call);
      if (!labels) return outputs;
      const [places, ...rest] = outputs;
      let values: ArrayLike<number>;
      try {
        values = atOnce(call, places) ?? (await (places as Tensor).data());
      } catch (err) {
        for (const t of outputs) if (t instanceof Tensor && !t.isDisposed) t.dispose();
        throw err;
      }
      return [named(labels, places, values), ...rest];
    },
  };
}
