// ai.onnx.ml's ZipMap: a classifier's probabilities [N, C] (or one sample's
// [C]) as one map per sample from class label to probability — how
// skl2onnx ends every classifier unless told not to (options={'zipmap':
// False}). The maps are made on the host, where the caller reads them: from
// the probabilities in place on js and native, read back from a GPU by an
// asynchronous run (runValuesAsync), which a GPU's synchronous run points
// at. No gradient goes through a map.
import { hostValues } from '../host_values.js';
import type { NodeCall } from '../node_call.js';
import { MapSequence, type MapKey } from '../map_sequence.js';
import { Tensor } from '../../tensor.js';
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
      const x = call.isConstant(0) ? call.constant(0, 'input') : call.tensor(0);
      const type = x instanceof Tensor ? (call.elementType(0) ?? x.dtype) : x.type;
      if (type !== 'float') throw call.error(`its input ${call.node.inputs[0]} is ${type}; ZipMap takes float`);
      if (x.shape.length !== 1 && x.shape.length !== 2) throw call.error(`its input ${call.node.inputs[0]} is [${x.shape.join(', ')}]; ZipMap takes [N, C] or one sample's [C]`);
      const columns = x.shape[x.shape.length - 1];
      if (columns !== keys.length) throw call.error(`its input ${call.node.inputs[0]} is [${x.shape.join(', ')}], ${columns} columns for ${keys.length} labels; ZipMap takes one column per label`);
      const data = hostValues(call, 0, 'makes its maps on the host');
      const rows = x.shape.length === 2 ? x.shape[0] : 1;
      const maps = Array.from({ length: rows }, (_, n) => new Map(keys.map((key, c) => [key, data[n * columns + c]])));
      return new MapSequence(keyType, maps);
    },
  },
};
