// Where datasets come from: tensors or arrays sliced along their first axis,
// a collection iterated each epoch, or a generator called each epoch.
import { dtypeOfArray } from '../dtype.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { tidy } from '../engine.js';
import { gather, tensor } from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import { noGrad } from '../tape.js';
import { Tensor, nextTensorId, type NestedArray } from '../tensor.js';
import { Dataset } from './dataset.js';
import { adoptElement, cloneElement, isTypedArray, rowOf, type Batched, type TypedArray } from './element.js';

/** A sample of fromTensors with targets, as fit takes a batch of them. */
export interface Sample<X, Y> {
  x: X;
  y: Y;
}

/**
 * The slices of x along axis 0 as elements (x[0], x[1], …), or with y the
 * pairs { x: x[i], y: y[i] }, to map, shuffle and batch sample by sample. The
 * slices are new tensors each epoch; x and y stay the caller's. batch()
 * straight after it (or after a shuffle) gathers each batch of rows at once
 * instead of stacking their slices.
 */
export function fromTensors(x: Tensor): Dataset<Tensor>;
export function fromTensors(x: Tensor, y: Tensor): Dataset<Sample<Tensor, Tensor>>;
export function fromTensors(x: Tensor, y?: Tensor): Dataset<Tensor | Sample<Tensor, Tensor>> {
  checkSliceable('fromTensors', 'x', x);
  if (y !== undefined) {
    checkSliceable('fromTensors', 'y', y);
    if (y.shape[0] !== x.shape[0]) {
      throw new ShapeError(`fromTensors: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} must have the same number of samples along axis 0`);
    }
  }
  const n = x.shape[0];
  const rows = (t: Tensor, at: Int32Array) => noGrad(() => tidy(() => gather(t, onBackendOf('batch', t, () => tensor(at, [at.length], { dtype: 'i32' })))));
  const take = (at: Int32Array) => (y === undefined ? rows(x, at) : { x: rows(x, at), y: rows(y, at) });
  return new Dataset(async function* () {
    for (let i = 0; i < n; i++) yield y === undefined ? rowOf(x, i) : { x: rowOf(x, i), y: rowOf(y, i) };
  }, n, {
    order: async function* () {
      for (let i = 0; i < n; i++) yield i;
    },
    take: take as (at: Int32Array) => Batched<Tensor | Sample<Tensor, Tensor>>,
  });
}

function checkSliceable(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a tensor, got ${formatValue(t)}`);
  if (t.rank === 0) throw new ShapeError(`${op}: ${name} is a scalar; its samples are sliced along axis 0`);
}

/** Arrays fromArrays slices: nested arrays of numbers, or a typed array (one number a sample). */
export type ArrayData = NestedArray[] | TypedArray;

/**
 * The rows of JavaScript arrays as elements, each made a tensor as the epoch
 * reaches it (tm.tensor(x[i])): nested arrays give f32 rows, a typed array
 * one scalar a sample in its dtype (Int32Array for class labels). With y, the
 * pairs { x: x[i], y: y[i] }.
 */
export function fromArrays(x: ArrayData): Dataset<Tensor>;
export function fromArrays(x: ArrayData, y: ArrayData): Dataset<Sample<Tensor, Tensor>>;
export function fromArrays(x: ArrayData, y?: ArrayData): Dataset<Tensor | Sample<Tensor, Tensor>> {
  checkArray('x', x);
  if (y !== undefined) {
    checkArray('y', y);
    if (y.length !== x.length) throw new ShapeError(`fromArrays: x has ${x.length} samples and y ${y.length}; they must have as many`);
  }
  const row = (a: ArrayData, i: number): Tensor => {
    if (isTypedArray(a)) return tensor(a.subarray(i, i + 1) as TypedArray, [], { dtype: dtypeOfArray(a) });
    const v = a[i];
    if (typeof v !== 'number' && !Array.isArray(v)) throw new ValueError(`fromArrays: sample ${i} is ${formatValue(v)}, expected a number or nested arrays of numbers`);
    try {
      return tensor(v);
    } catch (err) {
      // tensor's words about a row the caller never passed to it, in fromArrays' name and the sample's.
      if (err instanceof ValueError) throw new ValueError(`fromArrays: sample ${i}: ${err.message.replace(/^tensor: /, '')}`);
      throw err;
    }
  };
  return new Dataset(async function* () {
    for (let i = 0; i < x.length; i++) yield y === undefined ? row(x, i) : { x: row(x, i), y: row(y, i) };
  }, x.length);
}

function checkArray(name: string, a: unknown): void {
  if (!Array.isArray(a) && !isTypedArray(a)) throw new ValueError(`fromArrays: ${name} must be an array or a typed array, got ${formatValue(a)}`);
}

/**
 * The elements of a collection (an array, a Set, any iterable or async
 * iterable that starts over each time it is iterated), read each epoch. Its
 * tensors are copied as they are read, so the collection keeps its own. A
 * generator object iterates once: pass its function to fromGenerator.
 */
export function fromIterable<T>(items: Iterable<T> | AsyncIterable<T>): Dataset<T> {
  const open = iterableOpener<T>(items);
  if (!open) throw new ValueError(`fromIterable: expects an iterable (an array, a Set) or an async iterable, got ${formatValue(items)}`);
  // An iterator (a generator's result) is its own iterable, used up after one pass; a collection has no next().
  if (typeof (items as { next?: unknown }).next === 'function') {
    throw new ValueError('fromIterable: got an iterator, which is used up after one epoch; pass its generator function to fromGenerator, which calls it each epoch');
  }
  const size = Array.isArray(items) ? items.length : items instanceof Set || items instanceof Map ? items.size : null;
  return new Dataset<T>(async function* () {
    for await (const item of { [Symbol.asyncIterator]: () => toAsync(open()) }) yield cloneElement(item);
  }, size);
}

/**
 * The elements a generator yields, calling `make` afresh each epoch (a
 * function* or async function*, or any function returning an iterable or
 * async iterable): data streamed from files, made up, or augmented as it goes.
 * The tensors it makes as it goes become the pipeline's, freed once used;
 * one that existed before the epoch began (from an array of the caller's) is
 * copied, so the caller's stays.
 */
export function fromGenerator<T>(make: () => Iterable<T> | AsyncIterable<T>): Dataset<T> {
  if (typeof make !== 'function') throw new ValueError(`fromGenerator: expects a function that returns an iterable (a generator function), got ${formatValue(make)}`);
  return new Dataset<T>(async function* () {
    const since = nextTensorId();
    const made = make();
    const open = iterableOpener<T>(made);
    if (!open) throw new ValueError(`fromGenerator: the function returned ${formatValue(made)}; it must return an iterable or async iterable (write it as function* or async function*)`);
    for await (const item of { [Symbol.asyncIterator]: () => toAsync(open()) }) yield adoptElement(item, since);
  });
}

/** A function that starts an iteration over `items`, or null when it is not iterable. */
function iterableOpener<T>(items: unknown): (() => Iterator<T> | AsyncIterator<T>) | null {
  if (items === null || (typeof items !== 'object' && typeof items !== 'function')) return null;
  const asyncOpen = (items as AsyncIterable<T>)[Symbol.asyncIterator];
  if (typeof asyncOpen === 'function') return () => asyncOpen.call(items);
  const open = (items as Iterable<T>)[Symbol.iterator];
  if (typeof open === 'function') return () => open.call(items);
  return null;
}

/** An iterator read with await either way. */
function toAsync<T>(it: Iterator<T> | AsyncIterator<T>): AsyncIterator<T> {
  return {
    next: async () => it.next(),
    return: async () => (await it.return?.()) ?? { done: true, value: undefined },
  };
}
