// Batching: elements of one structure stacked leaf by leaf into tensors with
// a leading batch axis, PyTorch's default_collate. Tensors are stacked on the
// device; numbers and typed arrays are gathered on the host and uploaded once.
import { dtypeOfArray } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape } from '../errors.js';
import { stack, tensor } from '../ops/index.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { describeValue, disposeElement, isPlainObject, isTypedArray, partName, type TypedArray } from './element.js';

/**
 * The elements stacked into one batch: tensors into a tensor [n, ...their
 * shape], numbers into an f32 tensor [n], typed arrays into a tensor [n,
 * length] of the array's dtype; tuples and objects stacked entry by entry.
 * `first` numbers the elements in errors (their place in the epoch).
 */
export function stackElements(elements: readonly unknown[], first: number): unknown {
  return noGrad(() => stackAt(elements, [], first));
}

function stackAt(items: readonly unknown[], path: (string | number)[], first: number): unknown {
  const head = items[0];
  const mismatch = (i: number, what: string) =>
    new ValueError(`batch: ${partName(first + i, path)} is ${describeValue(items[i])} where ${partName(first, path)} is ${what}; the elements of a batch must have one structure`);
  if (head instanceof Tensor) {
    items.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw mismatch(i, describeValue(head));
      if (t.dtype !== head.dtype) throw new DTypeError(`batch: ${partName(first + i, path)} is ${t.dtype} where ${partName(first, path)} is ${head.dtype}`);
      if (t.shape.length !== head.shape.length || t.shape.some((d, k) => d !== head.shape[k])) {
        throw new ShapeError(`batch: ${partName(first + i, path)} is ${formatShape(t.shape)} where ${partName(first, path)} is ${formatShape(head.shape)}`);
      }
    });
    return stack(items as Tensor[], 0);
  }
  if (typeof head === 'number') {
    const values = new Float32Array(items.length);
    items.forEach((v, i) => {
      if (typeof v !== 'number') throw mismatch(i, 'a number');
      values[i] = v;
    });
    return tensor(values, [items.length]);
  }
  if (isTypedArray(head)) {
    const width = head.length;
    // Gathered in an array of the first's kind, so the batch takes its dtype (tm.tensor's: Int32Array i32, Int8Array i8, others f32).
    const values = new (head.constructor as new (n: number) => TypedArray)(items.length * width);
    items.forEach((v, i) => {
      if (!isTypedArray(v) || v.constructor !== head.constructor) throw mismatch(i, describeValue(head));
      if (v.length !== width) throw new ShapeError(`batch: ${partName(first + i, path)} has ${v.length} values where ${partName(first, path)} has ${width}`);
      values.set(v, i * width);
    });
    return tensor(values, [items.length, width], { dtype: dtypeOfArray(head) });
  }
  if (Array.isArray(head)) {
    items.forEach((v, i) => {
      if (!Array.isArray(v) || v.length !== head.length) throw mismatch(i, describeValue(head));
    });
    return stackParts(head.map((_, k) => k), (v, k) => (v as unknown[])[k as number], items, path, first, (parts) => parts);
  }
  if (isPlainObject(head)) {
    const keys = Object.keys(head);
    items.forEach((v, i) => {
      if (!isPlainObject(v) || Object.keys(v).length !== keys.length || keys.some((k) => !Object.hasOwn(v, k))) throw mismatch(i, describeValue(head));
    });
    return stackParts(keys, (v, k) => (v as Record<string, unknown>)[k], items, path, first, (parts) => Object.fromEntries(keys.map((k, j) => [k, parts[j]])));
  }
  throw new ValueError(`batch: ${partName(first, path)} is ${describeValue(head)}; batch stacks tensors, numbers and typed arrays, and tuples or objects of them`);
}

/** Each entry of a tuple or object stacked; the batches made before a failing entry are freed. */
function stackParts<K extends string | number>(
  keys: readonly K[], entry: (item: unknown, key: K) => unknown, items: readonly unknown[], path: (string | number)[], first: number,
  assemble: (parts: unknown[]) => unknown,
): unknown {
  const parts: unknown[] = [];
  try {
    for (const k of keys) parts.push(stackAt(items.map((v) => entry(v, k)), [...path, k], first));
  } catch (err) {
    disposeElement(parts);
    throw err;
  }
  return assemble(parts);
}
