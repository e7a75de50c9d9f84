// Batching: elements of one structure stacked leaf by leaf into tensors with
// a leading batch axis, PyTorch's default_collate; or, for paddedBatch,
// tensors and typed arrays of different lengths padded first to the batch's
// longest (or to fixed shapes), tf.data's padded_batch. Tensors are stacked
// on the device; numbers and typed arrays are gathered on the host and
// uploaded once.
import { tidy } from '../engine.js';
import { dtypeOfArray, isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { pad, stack, tensor } from '../ops/index.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { describeValue, disposeElement, isPlainObject, isTypedArray, partName, pathName, type TypedArray } from './element.js';

/**
 * How paddedBatch fills the part of an element at one place in its
 * structure: `value` the number padding it (or a structure of them below a
 * tuple or object), `shape` the shape padded to (null axes: the batch's
 * longest), or a structure of shapes.
 */
export interface Padding {
  readonly value: unknown;
  readonly shape: unknown;
}

/**
 * The elements stacked into one batch: tensors into a tensor [n, ...their
 * shape], numbers into an f32 tensor [n], typed arrays into a tensor [n,
 * length] of the array's dtype; tuples and objects stacked entry by entry.
 * With `padding`, tensors (of one rank) and typed arrays are first padded at
 * the end of each axis to the longest of the batch or to the shape given.
 * `first` numbers the elements in errors (their place in the epoch).
 */
export function stackElements(elements: readonly unknown[], first: number, padding?: Padding): unknown {
  return noGrad(() => stackAt(elements, [], first, padding));
}

function stackAt(items: readonly unknown[], path: (string | number)[], first: number, padding: Padding | undefined): unknown {
  const head = items[0];
  const op = padding ? 'paddedBatch' : 'batch';
  const mismatch = (i: number, what: string) =>
    new ValueError(`${op}: ${partName(first + i, path)} is ${describeValue(items[i])} where ${partName(first, path)} is ${what}; the elements of a batch must have one structure`);
  if (head instanceof Tensor) {
    items.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw mismatch(i, describeValue(head));
      if (t.dtype !== head.dtype) throw new DTypeError(`${op}: ${partName(first + i, path)} is ${t.dtype} where ${partName(first, path)} is ${head.dtype}`);
      const differs = padding ? t.rank !== head.rank : t.shape.length !== head.shape.length || t.shape.some((d, k) => d !== head.shape[k]);
      if (differs) {
        throw new ShapeError(`${op}: ${partName(first + i, path)} is ${formatShape(t.shape)} where ${partName(first, path)} is ${formatShape(head.shape)}${padding ? ': padding keeps the rank' : ''}`);
      }
    });
    if (!padding) return stack(items as Tensor[], 0);
    const tensors = items as Tensor[];
    const target = paddedShape(tensors.map((t) => t.shape), padding, path, first, head.rank);
    const value = paddingValue(padding, path);
    if (!isFloat(head.dtype) && !Number.isInteger(value)) throw new ValueError(`paddedBatch: the padding ${value} of ${partName(first, path)} is not a whole number, as its ${head.dtype} tensor needs`);
    return tidy(() => stack(tensors.map((t) => (t.shape.every((d, k) => d === target[k]) ? t : pad(t, t.shape.map((d, k): [number, number] => [0, target[k] - d]), value))), 0));
  }
  if (typeof head === 'number') {
    if (padding) paddedShape(items.map(() => []), padding, path, first, 0);
    const values = new Float32Array(items.length);
    items.forEach((v, i) => {
      if (typeof v !== 'number') throw mismatch(i, 'a number');
      values[i] = v;
    });
    return tensor(values, [items.length]);
  }
  if (isTypedArray(head)) {
    items.forEach((v, i) => {
      if (!isTypedArray(v) || v.constructor !== head.constructor) throw mismatch(i, describeValue(head));
      if (!padding && v.length !== head.length) throw new ShapeError(`batch: ${partName(first + i, path)} has ${v.length} values where ${partName(first, path)} has ${head.length}`);
    });
    const arrays = items as TypedArray[];
    const [width] = padding ? paddedShape(arrays.map((v) => [v.length]), padding, path, first, 1) : [head.length];
    // Gathered in an array of the first's kind, so the batch takes its dtype (tm.tensor's: Int32Array i32, Int8Array i8, others f32).
    const values = new (head.constructor as new (n: number) => TypedArray)(items.length * width);
    if (padding) {
      const value = paddingValue(padding, path);
      // Float arrays take any number (rounded, as every value they hold); an integer array only one it holds exactly.
      if (!(head instanceof Float32Array || head instanceof Float64Array)) {
        const probe = new (head.constructor as new (n: number) => TypedArray)(1);
        probe[0] = value;
        if (probe[0] !== value) throw new ValueError(`paddedBatch: the padding ${value} of ${partName(first, path)} cannot be held in its ${head.constructor.name}`);
      }
      values.fill(value);
    }
    arrays.forEach((v, i) => values.set(v, i * width));
    return tensor(values, [items.length, width], { dtype: dtypeOfArray(head) });
  }
  if (Array.isArray(head)) {
    items.forEach((v, i) => {
      if (!Array.isArray(v) || v.length !== head.length) throw mismatch(i, describeValue(head));
    });
    return stackParts(head.map((_, k) => k), (v, k) => (v as unknown[])[k as number], items, path, first, padding, (parts) => parts);
  }
  if (isPlainObject(head)) {
    const keys = Object.keys(head);
    items.forEach((v, i) => {
      if (!isPlainObject(v) || Object.keys(v).length !== keys.length || keys.some((k) => !Object.hasOwn(v, k))) throw mismatch(i, describeValue(head));
    });
    return stackParts(keys, (v, k) => (v as Record<string, unknown>)[k], items, path, first, padding, (parts) => Object.fromEntries(keys.map((k, j) => [k, parts[j]])));
  }
  throw new ValueError(`${op}: ${partName(first, path)} is ${describeValue(head)}; ${op} stacks tensors, numbers and typed arrays, and tuples or objects of them`);
}

/** Each entry of a tuple or object stacked; the batches made before a failing entry are freed. */
function stackParts<K extends string | number>(
  keys: readonly K[], entry: (item: unknown, key: K) => unknown, items: readonly unknown[], path: (string | number)[], first: number,
  padding: Padding | undefined, assemble: (parts: unknown[]) => unknown,
): unknown {
  const parts: unknown[] = [];
  try {
    for (const k of keys) parts.push(stackAt(items.map((v) => entry(v, k)), [...path, k], first, padding && paddingBelow(padding, k, path)));
  } catch (err) {
    disposeElement(parts);
    throw err;
  }
  return assemble(parts);
}

/** Where a padding structure names a part: this part's key. */
const where = (path: readonly (string | number)[]) => (path.length ? `at ${pathName(path)}` : 'for the whole element');

/** The padding of entry `key` of a tuple or object: a number stays for every part below it; a structure gives its entry. */
function paddingBelow(padding: Padding, key: string | number, path: readonly (string | number)[]): Padding {
  const entry = (spec: unknown, what: string) => {
    if (spec === undefined || typeof spec === 'number') return spec;
    if (Array.isArray(spec) || isPlainObject(spec)) return (spec as Record<string | number, unknown>)[key];
    throw new ValueError(`paddedBatch: ${what} ${where(path)} must be a structure like the element's, got ${formatValue(spec)}`);
  };
  // A shape is an array of numbers at a leaf: below a tuple, shapes come as an array of them, one per entry.
  return { value: entry(padding.value, 'paddingValues'), shape: padding.shape === undefined ? undefined : entry(padding.shape, 'paddedShapes') };
}

/** The number padding this part: the one given for it or above it, 0 where none is. */
function paddingValue(padding: Padding, path: readonly (string | number)[]): number {
  const { value } = padding;
  if (value === undefined) return 0;
  if (typeof value !== 'number') throw new ValueError(`paddedBatch: paddingValues ${where(path)} must be a number, got ${formatValue(value)}`);
  return value;
}

/**
 * The shape this part's `shapes` are padded to: each axis the shape given
 * fixes (an error names a part longer than it), the longest of the batch on
 * the others (null, or no shape given).
 */
function paddedShape(shapes: readonly (readonly number[])[], padding: Padding, path: readonly (string | number)[], first: number, rank: number): number[] {
  const fixed = padding.shape;
  const valid = fixed === undefined || (Array.isArray(fixed) && fixed.length === rank && fixed.every((d) => d === null || (Number.isInteger(d) && d >= 0)));
  if (!valid) {
    throw new ValueError(`paddedBatch: paddedShapes ${where(path)} must be ${rank} axes, each a length or null (the batch's longest), for ${rank === 0 ? 'a number' : `a part of rank ${rank}`}; got ${formatValue(fixed)}`);
  }
  return Array.from({ length: rank }, (_, k) => {
    const longest = Math.max(...shapes.map((s) => s[k]));
    const given = (fixed as readonly (number | null)[] | undefined)?.[k] ?? null;
    if (given === null) return longest;
    const over = shapes.findIndex((s) => s[k] > given);
    if (over >= 0) {
      throw new ShapeError(`paddedBatch: ${partName(first + over, path)} is ${formatShape(shapes[over])}, longer than its padded shape [${(fixed as (number | null)[]).join(',').replace(/(^|,)(?=,|$)/g, '$1null')}] on axis ${k}`);
    }
    return given;
  });
}
