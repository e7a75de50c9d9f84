// What a dataset's elements are made of, and the walks over them that the
// transforms share: freeing an element's tensors, copying them, and naming a
// part of an element in an error.
import { formatShape } from '../errors.js';
import { clone } from '../ops/index.js';
import { tidy } from '../engine.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';

/** The typed arrays an element may hold: one sample's values, stacked by batch into a tensor of the array's dtype (tm.tensor's). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Int8Array | Int16Array | Uint8Array | Uint16Array | Uint32Array;

/** The values batch stacks: a tensor, a number, or a typed array. */
export type Leaf = Tensor | number | TypedArray;

/** A dataset's element: a leaf, or a tuple or object of elements (`{ x, y }`, `[x, y]`). */
export type Element = Leaf | readonly Element[] | { readonly [key: string]: Element };

/** An element as batch makes it: every leaf a tensor with a leading batch axis, the structure kept. */
export type Batched<T> = T extends Leaf ? Tensor : T extends readonly unknown[] ? { -readonly [K in keyof T]: Batched<T[K]> } : T extends object ? { -readonly [K in keyof T]: Batched<T[K]> } : never;

export function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

/** A plain object ({ x, y }), as opposed to a tensor, an array or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Every tensor in `value`, through tuples and plain objects. */
export function tensorsIn(value: unknown, into: Set<Tensor> = new Set()): Set<Tensor> {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, into);
  else if (isPlainObject(value)) for (const v of Object.values(value)) tensorsIn(v, into);
  return into;
}

/** Frees the tensors of an element nobody will use again (one a transform dropped, or fit trained on). */
export function disposeElement(value: unknown): void {
  for (const t of tensorsIn(value)) if (!t.isDisposed) t.dispose();
}

/** Frees the tensors of `input` that `output` does not hold: what a map dropped. */
export function disposeDropped(input: unknown, output: unknown): void {
  const kept = tensorsIn(output);
  for (const t of tensorsIn(input)) if (!kept.has(t) && !t.isDisposed) t.dispose();
}

/** The element with each tensor replaced by `f`'s result, its structure kept. */
export function replaceTensors<T>(value: T, f: (t: Tensor) => Tensor): T {
  if (value instanceof Tensor) return f(value) as T;
  if (Array.isArray(value)) return value.map((v) => replaceTensors(v, f)) as T;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceTensors(v, f)])) as T;
  return value;
}

const copy = (t: Tensor) => noGrad(() => clone(t));

/** Row i of t along its first axis, without that axis (a sample of a batch), out of the graph. */
export function rowOf(t: Tensor, i: number): Tensor {
  return noGrad(() => tidy(() => t.slice([i], [1]).reshape(t.shape.slice(1))));
}

/**
 * The element with each tensor copied: a collection iterated every epoch
 * keeps its own tensors while the pipeline frees the copies. Numbers and
 * typed arrays are values the pipeline never frees, shared as they are.
 */
export function cloneElement<T>(value: T): T {
  return replaceTensors(value, copy);
}

/**
 * The element a generator or a map function handed over, made the
 * pipeline's: its tensors made since `since` (nextTensorId() when the work
 * began) and those of `input` pass as they are; any older one is someone
 * else's (a label tensor a map adds to every element, a tensor a generator
 * yields from the caller's array), and is copied so that freeing the element
 * leaves it be.
 */
export function adoptElement<T>(value: T, since: number, input?: unknown): T {
  const given = tensorsIn(input);
  return replaceTensors(value, (t) => (t.id >= since || given.has(t) ? t : copy(t)));
}

/** A place within an element, for errors: `x`, `[1]`, `x[0]` ('' for the whole element). */
export function pathName(path: readonly (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
}

/** A part of an element, for errors: `element 3`, `element 3's x`, `element 3's [1]`. */
export function partName(index: number, path: readonly (string | number)[]): string {
  const where = pathName(path);
  return where ? `element ${index}'s ${where}` : `element ${index}`;
}

/** What a value is, for errors: `a tensor [4,3] f32`, `a number`, `an Int32Array(3)`, `a string`. */
export function describeValue(value: unknown): string {
  if (value instanceof Tensor) return `a tensor ${formatShape(value.shape)} ${value.dtype}`;
  if (isTypedArray(value)) return `${/^[AEIOU]/.test(value.constructor.name) ? 'an' : 'a'} ${value.constructor.name}(${value.length})`;
  if (Array.isArray(value)) return `a tuple of ${value.length}`;
  if (isPlainObject(value)) return `an object {${Object.keys(value).join(', ')}}`;
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
