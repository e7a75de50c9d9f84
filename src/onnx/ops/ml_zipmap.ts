// ai.onnx.ml's ZipMap: a classifier's probabilities [N, C] (or one sample's
// [C]) as one map per sample from class label to probability — how
// skl2onnx ends every classifier unless told not to (options={'zipmap':
// False}). The maps are made on the host, where the caller reads them: the
// probabilities are read back, so a run on device values is an asynchronous
// one (runValuesAsync). No gradient goes through a map.
import { USE_RUN_ASYNC, type NodeCall } from '../node_call.js';
import { MapSequence, type MapKey } from '../map_sequence.js';
import type { OpTable } from './op.js';

/** The keys, from whichever of the two label attributes the node has (exactly one). */
function keysOf(call: NodeCall): { keyType: 'int64' | 'string'; keys: MapKey[] } {
  const ints = call.ints('classlabels_int64s', []);
  const strings = call.strings('classlabels_strings') ?? [];
  if (ints.length && strings.length) throw call.error('has both classlabels_int64s and classlabels_strings; ZipMap takes one of them');
  if (!ints.length && !strings.length) throw call.error('needs its keys in classlabels_int64s or classlabels_strings; it has neither');
  // int64 labels become JS numbers, exact up to 2^53.
  const inexact = ints.find((k) => !Number.isSafeInteger(k));
  if (inexact !== undefined) throw call.error(`classlabels_int64s holds ${inexact}, past 2^53: a JavaScript number cannot hold it exactly as a map key`);
  return ints.length ? { keyType: 'int64', keys: ints } : { keyType: 'string', keys: strings };
}

export const ML_ZIPMAP_OPS: OpTable = {
  ZipMap: {
    hostInputs: [0],
    run: (call) => {
      const { keyType, keys } = keysOf(call);
      if (!call.isConstant(0)) {
        throw call.error(`makes its maps on the host from ${call.node.inputs[0]}, which is computed on the device; ${USE_RUN_ASYNC}: model.runValuesAsync gives ZipMap's maps`);
      }
      const x = call.constant(0, 'input');
      if (x.type !== 'float') throw call.error(`its input ${call.node.inputs[0]} is ${x.type}; ZipMap takes float`);
      if (x.shape.length !== 1 && x.shape.length !== 2) throw call.error(`its input ${call.node.inputs[0]} is [${x.shape.join(', ')}]; ZipMap takes [N, C] or one sample's [C]`);
      const columns = x.shape[x.shape.length - 1];
      if (columns !== keys.length) throw call.error(`its input ${call.node.inputs[0]} is [${x.shape.join(', ')}], ${columns} columns for ${keys.length} labels; ZipMap takes one column per label`);
      const rows = x.shape.length === 2 ? x.shape[0] : 1;
      const maps = Array.from({ length: rows }, (_, n) => new Map(keys.map((key, c) => [key, x.data[n * columns + c]])));
      return new MapSequence(keyType, maps);
    },
  },
};
