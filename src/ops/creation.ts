// Making tensors: from nested arrays or typed arrays, and the usual fills.
import { BYTES_PER_ELEMENT, INT_RANGE, checkDType, dtypeOfArray, encodeValues, isFloat, type DType } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { f16Bits, f16Value } from '../f16.js';
import { normal, seedFor, uniform } from '../random.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkShape, sizeOf } from '../shape.js';
import type { NestedArray, Tensor } from '../tensor.js';
import { allocating, checkTensor, filledTensor, fromValues, onBackendOf } from './util.js';

export interface TensorOptions {
  dtype?: DType;
}

export interface RandomOptions extends TensorOptions {
  /** Same seed, same values, on every backend. Without one, a fresh seed is drawn. */
  seed?: number;
}

const TENSOR_OPTIONS: OptionNames<TensorOptions> = { dtype: true };
type RandOptions = RandomOptions & { min?: number; max?: number };
const RAND_OPTIONS: OptionNames<RandOptions> = { dtype: true, seed: true, min: true, max: true };
type RandnOptions = RandomOptions & { mean?: number; std?: number };
const RANDN_OPTIONS: OptionNames<RandnOptions> = { dtype: true, seed: true, mean: true, std: true };

type TypedInput = Float32Array | Float64Array | Int32Array | Int8Array | Int16Array | Uint8Array | Uint16Array | Uint32Array;
export type TensorInput = NestedArray | TypedInput;

/** Infers the shape of nested arrays and flattens them, rejecting ragged nesting and non-numbers. */
function flatten(values: NestedArray): { shape: number[]; flat: number[] } {
  const shape: number[] = [];
  for (let v: NestedArray = values; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const flat: number[] = [];
  const walk = (v: NestedArray, axis: number, path: number[]): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number') {
        throw new ValueError(`tensor: element at [${path.join(',')}] is ${Array.isArray(v) ? 'an array' : typeof v}, expected a number (ragged nesting?)`);
      }
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new ValueError(`tensor: ragged nested array: [${path.join(',')}] has ${Array.isArray(v) ? `length ${v.length}` : 'a number'} where shape ${formatShape(shape)} expects length ${shape[axis]}`);
    }
    // Not forEach, which skips the holes of a sparse array ([1, , 3]): a hole is an undefined element.
    for (let i = 0; i < v.length; i++) walk(v[i], axis + 1, [...path, i]);
  };
  walk(values, 0, []);
  return { shape, flat };
}

function isTypedInput(x: unknown): x is TypedInput {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/**
 * A tensor from values: nested arrays (shape inferred), a number (a scalar),
 * or a flat array / typed array with a shape. Default dtype f32, or i32/i8 for
 * Int32Array/Int8Array.
 */
export function tensor(values: TensorInput, shapeOrOptions?: readonly number[] | TensorOptions, options?: TensorOptions): Tensor {
  const shapeGiven = Array.isArray(shapeOrOptions) ? checkShape(shapeOrOptions, 'tensor') : undefined;
  // tensor(values, undefined, { dtype }) too: an absent shape leaves the options third.
  const opts = checkOptions('tensor', Array.isArray(shapeOrOptions) || shapeOrOptions === undefined ? options : (shapeOrOptions as TensorOptions), TENSOR_OPTIONS);
  let flat: ArrayLike<number>;
  let shape: number[];
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    throw new DTypeError(`tensor: ${values.constructor.name} holds 64-bit integers, which tmnn does not have (f32, f16, i8, i32); convert to Int32Array or Float64Array first`);
  }
  if (isTypedInput(values)) {
    flat = values;
    shape = shapeGiven ?? [values.length];
  } else if (typeof values === 'number' || Array.isArray(values)) {
    const f = flatten(values);
    flat = f.flat;
    shape = shapeGiven ?? f.shape;
  } else {
    throw new ValueError(`tensor: values must be a number, nested arrays or a typed array, got ${values === null ? 'null' : typeof values}`);
  }
  if (sizeOf(shape) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
  }
  const dtype = opts.dtype === undefined ? dtypeOfArray(flat) : checkDType(opts.dtype, 'tensor');
  return fromValues('tensor', flat, shape, dtype);
}

export function scalar(value: number, options: TensorOptions = {}): Tensor {
  if (typeof value !== 'number') throw new ValueError(`scalar: value must be a number, got ${formatValue(value)}`);
  return tensor(value, checkOptions('scalar', options, TENSOR_OPTIONS));
}

/** `op` names the caller in errors (zeros and ones are fills too). */
function filled(op: string, shape: readonly number[], value: number, options: TensorOptions): Tensor {
  const s = checkShape(shape, op);
  // A float dtype stores what Number() makes of anything: '3' as 3, 'a' as NaN.
  if (typeof value !== 'number') throw new ValueError(`${op}: value must be a number, got ${formatValue(value)}`);
  const dtype = checkDType(checkOptions(op, options, TENSOR_OPTIONS).dtype ?? 'f32', op);
  // The value in storage form once, written straight into the tensor's storage (no float64 copy of the whole tensor).
  const [stored] = encodeValues([value], dtype, op);
  return allocating(op, s, BYTES_PER_ELEMENT[dtype], () => filledTensor(s, dtype, (out) => out.fill(stored)));
}

export function fill(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return filled('fill', shape, value, options);
}

/**
 * `shape` filled with `value` (torch.full, np.full): fill under PyTorch's and
 * NumPy's name. f32 unless `dtype` says otherwise, an integer value too (as
 * tm.tensor and fill read numbers; PyTorch and NumPy would make an int);
 * a value an int dtype cannot hold (2.5, NaN, 300 in i8) is an error.
 */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

/** x's shape filled with `value` in x's dtype, or `dtype` (torch.full_like, np.full_like), on x's backend; value as full's. */
export function fullLike(x: Tensor, value: number, options: TensorOptions = {}): Tensor {
  checkTensor('fullLike', x);
  const dtype = checkOptions('fullLike', options, TENSOR_OPTIONS).dtype ?? x.dtype;
  return onBackendOf('fullLike', x, () => filled('fullLike', x.shape, value, { dtype }));
}

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled('zeros', shape, 0, options);
}

export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled('ones', shape, 1, options);
}

/** Zeros of x's shape and dtype, on x's backend. */
export function zerosLike(x: Tensor): Tensor {
  checkTensor('zerosLike', x);
  return onBackendOf('zerosLike', x, () => zeros(x.shape, { dtype: x.dtype }));
}

/** Ones of x's shape and dtype, on x's backend. */
export function onesLike(x: Tensor): Tensor {
  checkTensor('onesLike', x);
  return onBackendOf('onesLike', x, () => ones(x.shape, { dtype: x.dtype }));
}

function floatDType(op: string, options: TensorOptions): DType {
  const dtype = checkDType(options.dtype ?? 'f32', op);
  if (dtype !== 'f32' && dtype !== 'f16') throw new ValueError(`${op}: dtype ${dtype} is not a float dtype; draw f32 and cast`);
  return dtype;
}

/** The value x takes once stored in `dtype`. */
function stored(x: number, dtype: 'f32' | 'f16'): number {
  return dtype === 'f32' ? Math.fround(x) : f16Value(f16Bits(x));
}

/** The largest value of `dtype` strictly below x: one step down in the bit pattern. */
function largestBelow(x: number, dtype: 'f32' | 'f16'): number {
  const near = stored(x, dtype);
  if (near < x) return near;
  // Stepping toward -Infinity: a smaller magnitude for positives, a larger one for negatives.
  const step = near > 0 ? -1 : 1;
  if (dtype === 'f16') return near === 0 ? -(2 ** -24) : f16Value(f16Bits(near) + step);
  if (near === 0) return -(2 ** -149);
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, near);
  view.setUint32(0, view.getUint32(0) + step);
  return view.getFloat32(0);
}

/** A distribution's parameter: a finite number (max: Infinity drew 3.4e38 everywhere, std: NaN all NaN). */
function finite(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(`${op}: ${name} must be a finite number, got ${formatValue(value)}`);
  return value;
}

/** Uniform values in [min, max), in the stored dtype too. */
export function rand(shape: readonly number[], options: RandOptions = {}): Tensor {
  const s = checkShape(shape, 'rand');
  options = checkOptions('rand', options, RAND_OPTIONS);
  const dtype = floatDType('rand', options) as 'f32' | 'f16';
  const min = finite('rand', 'min', options.min ?? 0);
  const max = finite('rand', 'max', options.max ?? 1);
  if (!(min < max)) throw new ValueError(`rand: min ${min} must be less than max ${max}`);
  const seed = seedFor('rand', options.seed);
  const values = allocating('rand', s, 8, () => uniform(sizeOf(s), min, max, seed));
  // A draw just below max can round up onto it when stored (f16 has 11 bits):
  // such draws become the largest stored value below max instead.
  const below = largestBelow(max, dtype);
  for (let i = 0; i < values.length; i++) if (stored(values[i], dtype) >= max) values[i] = below;
  return allocating('rand', s, BYTES_PER_ELEMENT[dtype], () => fromValues('rand', values, s, dtype));
}

/** Normally distributed values. */
export function randn(shape: readonly number[], options: RandnOptions = {}): Tensor {
  const s = checkShape(shape, 'randn');
  options = checkOptions('randn', options, RANDN_OPTIONS);
  const dtype = floatDType('randn', options);
  const mean = finite('randn', 'mean', options.mean ?? 0);
  // A negative std silently negated the draw; NumPy refuses it too.
  const std = finite('randn', 'std', options.std ?? 1);
  if (std < 0) throw new ValueError(`randn: std must not be negative, got ${std}`);
  const seed = seedFor('randn', options.seed);
  const values = allocating('randn', s, 8, () => normal(sizeOf(s), mean, std, seed));
  return allocating('randn', s, BYTES_PER_ELEMENT[dtype], () => fromValues('randn', values, s, dtype));
}

/**
 * The first index of arange's values `at(0 … n−1)` that is not an integer in
 * [lo, hi], or −1: found without visiting each, since the values are integers
 * when the first two are, and run one way (only a value past an end can be
 * out of range).
 */
function firstOutside(at: (i: number) => number, n: number, lo: number, hi: number): number {
  const outside = (i: number) => at(i) < lo || at(i) > hi;
  if (n === 0) return -1;
  if (!Number.isInteger(at(0)) || outside(0)) return 0;
  if (n > 1 && !Number.isInteger(at(1))) return 1;
  if (!outside(n - 1)) return -1;
  const bound = at(n - 1) > hi ? hi : lo;
  let i = Math.min(n - 1, Math.max(0, Math.floor((bound - at(0)) / (at(1) - at(0)))));
  while (!outside(i)) i++;
  while (i > 0 && outside(i - 1)) i--;
  return i;
}

/**
 * Evenly spaced values in [start, stop), like NumPy's arange: `arange(5)` or
 * `arange(2, 10, 2)`. i32 when every argument is an integer, else f32.
 */
export function arange(start: number, stop?: number, step = 1, options: TensorOptions = {}): Tensor {
  options = checkOptions('arange', options, TENSOR_OPTIONS);
  if (stop === undefined) [start, stop] = [0, start];
  for (const [name, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`arange: ${name} must be a finite number, got ${formatValue(v)}`);
  }
  if (step === 0) throw new ValueError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const integral = [start, stop, step].every(Number.isInteger);
  const dtype = options.dtype === undefined ? (integral ? 'i32' : 'f32') : checkDType(options.dtype, 'arange');
  const at = (i: number) => start + i * step;
  if (!isFloat(dtype)) {
    const [lo, hi] = INT_RANGE[dtype];
    const i = firstOutside(at, n, lo, hi);
    if (i >= 0) throw new ValueError(`arange: value ${at(i)} at flat index ${i} is not an integer in ${dtype}'s range [${lo}, ${hi}]`);
  }
  // Written straight into the tensor's storage: a plain array of n numbers ran out of heap at a few hundred million.
  return allocating('arange', [n], BYTES_PER_ELEMENT[dtype], () => filledTensor([n], dtype, (out) => {
    if (dtype === 'f16') for (let i = 0; i < n; i++) out[i] = f16Bits(at(i));
    else for (let i = 0; i < n; i++) out[i] = at(i);
  }));
}

/** The identity matrix [n, m] (m = n by default): 1 on the diagonal, 0 elsewhere. */
export function eye(n: number, m: number | TensorOptions = n, options: TensorOptions = {}): Tensor {
  // tm.eye(3, { dtype }): options in m's place, as tm.zeros(shape, { dtype }) reads.
  if (typeof m === 'object' && m !== null) [m, options] = [n, m];
  const dtype = checkDType(checkOptions('eye', options, TENSOR_OPTIONS).dtype ?? 'f32', 'eye');
  for (const [name, v] of [['n', n], ['m', m]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ValueError(`eye: ${name} must be a non-negative integer, got ${formatValue(v)}`);
  }
  const [one] = encodeValues([1], dtype, 'eye');
  return allocating('eye', [n, m], BYTES_PER_ELEMENT[dtype], () => filledTensor([n, m], dtype, (out) => {
    out.fill(0);
    for (let i = 0; i < Math.min(n, m); i++) out[i * m + i] = one;
  }));
}

/** `num` evenly spaced values from start to stop, both included (NumPy's linspace; f32 by default). */
export function linspace(start: number, stop: number, num: number, options: TensorOptions = {}): Tensor {
  const dtype = floatDType('linspace', checkOptions('linspace', options, TENSOR_OPTIONS));
  for (const [name, v] of [['start', start], ['stop', stop]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`linspace: ${name} must be a finite number, got ${formatValue(v)}`);
  }
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`linspace: num must be a non-negative integer, got ${formatValue(num)}`);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  // The last is stop itself, not start + (num − 1) · step rounded.
  const at = (i: number) => (i === num - 1 && num > 1 ? stop : start + i * step);
  return allocating('linspace', [num], BYTES_PER_ELEMENT[dtype], () => filledTensor([num], dtype, (out) => {
    for (let i = 0; i < num; i++) out[i] = dtype === 'f16' ? f16Bits(at(i)) : at(i);
  }));
}
