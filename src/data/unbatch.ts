// unbatch: each element of batches split back into its rows (tf.data's
// unbatch): every tensor of the element sliced along its first axis, the
// element's structure kept, the rows handed out as they are read.
import { ShapeError, ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { describeValue, disposeElement, isPlainObject, partName, replaceTensors, rowOf } from './element.js';

/** The number of rows of each leaf of `value`, which must all be tensors of one leading size; a part that is not is named. */
function rowCount(value: unknown, index: number): number {
  const found: { rows?: number; at?: string } = {};
  collectRows(value, index, [], found);
  if (found.rows === undefined) throw new ValueError(`unbatch: element ${index} holds no tensor`);
  return found.rows;
}

function collectRows(value: unknown, index: number, path: (string | number)[], found: { rows?: number; at?: string }): void {
  if (value instanceof Tensor) {
    if (value.rank === 0) throw new ShapeError(`unbatch: ${partName(index, path)} is a scalar tensor, with no rows to split`);
    const rows = value.shape[0];
    if (found.rows !== undefined && rows !== found.rows) throw new ShapeError(`unbatch: ${partName(index, path)} has ${rows} rows and ${found.at} ${found.rows}`);
    found.rows = rows;
    found.at ??= partName(index, path);
  } else if (Array.isArray(value)) value.forEach((v, i) => collectRows(v, index, [...path, i], found));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) collectRows(v, index, [...path, k], found);
  else throw new ValueError(`unbatch: ${partName(index, path)} is ${describeValue(value)}, not a tensor of rows (batch() stacks every part into one)`);
}

/** Each of `source`'s elements as its rows, in order; an element is freed once its last row is out (or the reader stops). */
export async function* unbatched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  let index = 0;
  for await (const element of source) {
    try {
      const rows = rowCount(element, index++);
      for (let i = 0; i < rows; i++) yield replaceTensors(element, (t) => rowOf(t, i));
    } finally {
      disposeElement(element);
    }
  }
}
