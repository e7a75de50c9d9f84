// Helpers every op uses: checking inputs, turning numbers into tensors, and
// wrapping a kernel's output storage in a new Tensor.
import type { Backend } from '../backends/kernels.js';
import { BYTES_PER_ELEMENT, allocStorage, encodeValues, scalarDTypeNextTo, type DType, type StorageArray } from '../dtype.js';
import { activeBackend, backendFor, creatingOn, creationBackend, newRef } from '../engine.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import { sameShape, sizeOf } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';

export function checkTensor(op: string, x: unknown, name = 'x'): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  }
  x.dataRef(op); // throws if disposed
  return x;
}

/**
 * Checks an elementwise step's operands (an optimizer's: ops/adam.ts,
 * ops/sgd.ts), named as the error should name them, the first the reference
 * shape: each a live tensor of that shape, all on one backend, which it returns.
 */
export function sameShapeOperands(op: string, named: Readonly<Record<string, Tensor>>): Backend {
  const tensors = Object.entries(named);
  const [first, reference] = tensors[0];
  for (const [name, t] of tensors) {
    checkTensor(op, t, name);
    if (!sameShape(t.shape, reference.shape)) {
      throw new ShapeError(`${op}: ${name} ${formatShape(t.shape)} differs from ${first} ${formatShape(reference.shape)}`);
    }
  }
  return backendFor(op, tensors.map(([, t]) => t.dataRef(op)));
}

/**
 * x's values in storage form at once, where its backend keeps them in memory
 * (js, native; Backend.peek): the backend's own array, not a copy, possibly
 * longer than x. Undefined on a GPU, where only an async read sees them.
 */
export function heldValues(op: string, x: Tensor): StorageArray | undefined {
  const { backend, storage } = x.dataRef(op);
  return backend.peek?.(storage);
}

/**
 * Refuses an index outside [lo, hi), naming it and `where` it falls outside,
 * where the backend holds the indices in memory (js, native): a kernel would
 * give zeros for it, which only a GPU, reading them later, is left to do.
 */
export function refuseIndicesOutside(op: string, indices: Tensor, lo: number, hi: number, where: string): void {
  const held = heldValues(op, indices);
  if (!held) return;
  for (let i = 0; i < indices.size; i++) {
    if (held[i] < lo || held[i] >= hi) throw new ValueError(`${op}: index ${held[i]} (at ${i} of indices ${formatShape(indices.shape)}) is outside ${where}`);
  }
}

/** Wraps a kernel's output in a tensor. */
export function fromStorage(backend: Backend, storage: unknown, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(newRef(backend, storage, sizeOf(shape) * BYTES_PER_ELEMENT[dtype]), shape, dtype);
}

/** A tensor `shape` over the storage `compute` has the backend make: fromStorage, with allocating's error for a size past the engine's arrays. */
export function computed(op: string, backend: Backend, shape: readonly number[], dtype: DType, compute: () => unknown): Tensor {
  return fromStorage(backend, allocating(op, shape, BYTES_PER_ELEMENT[dtype], compute), shape, dtype);
}

/**
 * Runs an allocation of a tensor `shape`, turning the engine's refusal of an
 * array that large (a RangeError from a typed array or a Buffer, past 2^32
 * bytes or elements) into an error that names the op, the shape and its
 * size. A RangeError for a smaller tensor is something else and passes on.
 */
export function allocating<T>(op: string, shape: readonly number[], bytesPerElement: number, make: () => T): T {
  try {
    return make();
  } catch (err) {
    const n = sizeOf(shape);
    if (!(err instanceof RangeError) || n * bytesPerElement < LARGEST_CERTAIN_ARRAY) throw err;
    throw new ValueError(`${op}: shape ${formatShape(shape)} has ${n.toLocaleString('en-US')} elements (${(n * bytesPerElement).toLocaleString('en-US')} bytes), more than can be allocated here (${err.message})`);
  }
}

/** Bytes below which every engine tmnn runs on makes an array (V8's smallest limit, 2^31 − 1 bytes on 32-bit hosts). */
const LARGEST_CERTAIN_ARRAY = 2 ** 31 - 1;

/** Uploads user values (checked and encoded for `dtype`) to the active backend (creatingOn's, inside it). */
export function fromValues(op: string, values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  const backend = creationBackend();
  return fromStorage(backend, backend.upload(encodeValues(values, dtype, op), dtype), shape, dtype);
}

/** Uploads values already in storage form (f16 as bit patterns), e.g. read from a file. */
export function fromStorageArray(values: StorageArray, shape: readonly number[], dtype: DType): Tensor {
  return adoptStorageArray(values.slice() as StorageArray, shape, dtype);
}

/**
 * A tensor over an array in storage form that the caller hands over: made for
 * this tensor and never touched again, so not copied. A copy of a large array
 * is fresh memory, and first touches of fresh memory are not free (on this
 * project's VMs, 4 MiB took ~14 ms).
 */
export function adoptStorageArray(values: StorageArray, shape: readonly number[], dtype: DType): Tensor {
  const backend = creationBackend();
  return fromStorage(backend, backend.upload(values, dtype), shape, dtype);
}

/**
 * A tensor whose storage `fill` writes, every element, in storage form (a
 * training batch gathered from the data set): over memory the active backend
 * recycles where it keeps some, else fresh, and not copied.
 */
export function filledTensor(shape: readonly number[], dtype: DType, fill: (out: StorageArray) => void): Tensor {
  const n = sizeOf(shape);
  const out = creationBackend().allocate?.(dtype, n) ?? allocStorage(dtype, n);
  fill(out);
  return adoptStorageArray(out, shape, dtype);
}

/** Runs `make` with the tensors it makes on x's backend (engine.ts creatingOn): an op's own tensors for x. */
export function onBackendOf<T>(op: string, x: Tensor, make: () => T): T {
  return creatingOn(x.dataRef(op).backend, make);
}

/** A tensor sharing x's storage under another shape (same size). */
export function view(op: string, x: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(x.dataRef(op), shape, x.dtype);
}

/**
 * Runs `body` with both operands as tensors. A plain number becomes a scalar
 * tensor on the other operand's backend, typed to sit beside it (see
 * scalarDTypeNextTo), and is disposed afterwards.
 */
export function withTensors(op: string, a: TensorLike, b: TensorLike, body: (a: Tensor, b: Tensor, backend: Backend) => Tensor): Tensor {
  const made: Tensor[] = [];
  const lift = (x: TensorLike, other: TensorLike, name: string): Tensor => {
    if (typeof x !== 'number') return checkTensor(op, x, name);
    const dtype = other instanceof Tensor ? scalarDTypeNextTo(other.dtype, x) : 'f32';
    const backend = other instanceof Tensor ? other.dataRef(op).backend : activeBackend();
    const t = fromStorage(backend, backend.upload(encodeValues([x], dtype, op), dtype), [], dtype);
    made.push(t);
    return t;
  };
  try {
    const ta = lift(a, b, 'a');
    const tb = lift(b, a, 'b');
    return body(ta, tb, backendFor(op, [ta.dataRef(op), tb.dataRef(op)]));
  } finally {
    for (const t of made) t.dispose();
  }
}

/** Runs `body` on the inputs cast to `dtype` (kernels see one dtype throughout), disposing the casts. */
export function withCasts(inputs: readonly Tensor[], dtype: DType, body: (cast: Tensor[]) => Tensor): Tensor {
  const cast = inputs.map((t) => (t.dtype === dtype ? t : t.cast(dtype)));
  try {
    return body(cast);
  } finally {
    cast.forEach((c, i) => c !== inputs[i] && c.dispose());
  }
}
