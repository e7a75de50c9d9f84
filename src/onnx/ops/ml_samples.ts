// The input X of ai.onnx.ml's models: rows of features [N, F], or one
// sample [F] taken as [1, F]; floats or integers, computed in f32 as
// onnxruntime casts them (tmnn holds double as f32, int64 as i32).
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';

/** The ONNX types the models take X as. */
const INPUT_TYPES = ['float', 'double', 'int64', 'int32'];

/** X as f32 rows [N, F]. */
export function sampleRows(call: NodeCall): Tensor {
  const x = call.tensor(0);
  const type = call.elementType(0);
  if (type !== undefined && !INPUT_TYPES.includes(type)) throw call.error(`its input X is ${type}; it takes ${INPUT_TYPES.join(', ')}`);
  if (x.dtype !== 'f32' && x.dtype !== 'i32') throw call.error(`its input X is ${x.dtype}; it takes floats or integers (${INPUT_TYPES.join(', ')})`);
  if (x.rank !== 1 && x.rank !== 2) throw call.error(`its input X should be [N, F] or one sample [F], it is [${x.shape.join(', ')}]`);
  const rows = x.rank === 1 ? ops.reshape(x, [1, x.shape[0]]) : x;
  return x.dtype === 'f32' ? rows : ops.cast(rows, 'f32');
}
