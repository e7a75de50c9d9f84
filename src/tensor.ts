// Tensor: a shape, a dtype and a handle on backend storage. Every operation is
// a method that forwards to src/ops/, where the op is declared once; nothing
// here knows about any particular backend.
import type { TensorInfo, BackendName } from './backends/kernels.js';
import { decodeStorage, isFloat, type DataArray, type DType, type StorageArray } from './dtype.js';
import { release, releaseCollected, retain, track, type DataRef } from './engine.js';
import { DTypeError, DisposedTensorError, ValueError, formatShape, formatValue } from './errors.js';
import * as ops from './ops/index.js';
import { releaseUnreachable, type GradNode } from './tape.js';
import { backward, type BackwardOptions } from './autograd/backward.js';
import { sameShape, sizeOf } from './shape.js';
import { formatValues, type PrintOptions } from './printing.js';

/** Nested JS arrays, as `array()` returns them. */
export type NestedArray = number | NestedArray[];

/** Something an op accepts where a tensor goes: a tensor or a plain number. */
export type TensorLike = Tensor | number;

// Storage of tensors a user forgot to dispose is still freed once they are
// garbage. Only tensors that no tidy scope holds are registered (when they
// leave the last scope): one made and freed inside tidy, as most are, never
// is, and registering cost ~a quarter of a small op's CPU time, with the
// garbage collector's work on the registry's cells besides.
const finalizer = new FinalizationRegistry<DataRef>(releaseCollected);

let nextId = 0;

/** Internal: the id the next tensor made will get; every tensor with a smaller one was made before now. */
export function nextTensorId(): number {
  return nextId;
}

/** A function called with a tensor's gradient during backward passes (Tensor.registerHook); what it returns, if a tensor, replaces the gradient. */
export type GradientHook = (grad: Tensor) => Tensor | void;

/** What registering a hook gives back: `remove()` unregisters it. */
export interface HookHandle {
  remove(): void;
}

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  private ref: DataRef | null;
  /** Whether the finalizer knows it (see above). */
  private registered = false;
  #requiresGrad = false;
  /** The gradient accumulated by `backward()`, for tensors with requiresGrad. */
  grad: Tensor | null = null;
  /** Internal: the op that made this tensor, when it was recorded for autograd. */
  gradFn: GradNode | null = null;
  /** Internal: the hooks registerHook added, in order. */
  gradHooks: readonly GradientHook[] = [];
  /**
   * Internal: how many recorded ops not yet freed hold this tensor, as an
   * input or as what a saved tensor was saved from. Disposing a tensor none
   * holds frees its graph (tape.ts's releaseUnreachable).
   */
  graphUses = 0;

  /**
   * Internal: tensors come from tm.tensor and the ops. `owned`: a view whose
   * maker frees it on every path (autograd's saved views, tape.ts), so
   * neither a tidy scope nor the finalizer takes it: freed twice otherwise.
   */
  constructor(ref: DataRef, shape: readonly number[], dtype: DType, owned = false) {
    this.ref = ref;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    retain(ref);
    if (!owned) track(this);
  }

  /**
   * Whether gradients should flow into this tensor (set it on parameters).
   * Only a float tensor can have them: an int one's gradient, cast to its
   * dtype, would be truncated (PyTorch refuses it too).
   */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  set requiresGrad(on: boolean) {
    if (typeof on !== 'boolean') throw new ValueError(`requiresGrad must be true or false, got ${formatValue(on)}`);
    if (on && !isFloat(this.dtype)) throw new DTypeError(`requiresGrad: only f32 and f16 tensors can have gradients, this one is ${this.dtype}; cast it first`);
    this.#requiresGrad = on;
  }

  /** Internal: no tidy scope holds it; the finalizer frees its storage if it is never disposed. */
  untracked(): void {
    if (this.registered || !this.ref) return;
    finalizer.register(this, this.ref, this);
    this.registered = true;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.ref === null;
  }

  /** Which backend holds this tensor's data. */
  get backend(): BackendName {
    return this.dataRef('backend').backend.name;
  }

  /** Internal: the storage handle, checked to be alive. */
  dataRef(op: string): DataRef {
    if (!this.ref) throw new DisposedTensorError(`${op}: tensor #${this.id} ${formatShape(this.shape)} ${this.dtype} was disposed`);
    return this.ref;
  }

  /** Internal: how a kernel sees this tensor. */
  info(op: string): TensorInfo {
    return { storage: this.dataRef(op).storage, shape: this.shape, dtype: this.dtype };
  }

  /** A copy of the values as a typed array (f16 decoded to Float32Array). */
  async data(): Promise<DataArray> {
    const ref = this.dataRef('data');
    const storage = await ref.backend.download(ref.storage, this.dtype, this.size);
    return decodeStorage(storage, this.dtype);
  }

  /** A copy of the values in storage form (f16 as its 16-bit patterns), for serialisation. */
  async storageData(): Promise<StorageArray> {
    const ref = this.dataRef('storageData');
    return ref.backend.download(ref.storage, this.dtype, this.size);
  }

  /** The values as nested arrays (a number for a scalar). */
  async array(): Promise<NestedArray> {
    const flat = await this.data();
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.rank) return flat[offset];
      const stride = sizeOf(this.shape.slice(axis + 1));
      return Array.from({ length: this.shape[axis] }, (_, i) => build(axis + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    this.dataRef('item'); // a disposed tensor says so first
    if (this.size !== 1) throw new ValueError(`item: tensor ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    return (await this.data())[0];
  }

  /** Frees the storage (once no view shares it). Using the tensor afterwards throws. */
  dispose(): void {
    if (!this.ref) return;
    if (this.registered) finalizer.unregister(this);
    const ref = this.ref;
    this.ref = null;
    release(ref);
    // Held by a graph it may still be freed with: as one of sibling outputs that only hold one another.
    if (this.gradFn && (this.graphUses === 0 || this.gradFn.siblings)) releaseUnreachable(this);
  }

  /**
   * Back-propagates from this tensor (a scalar, unless `gradient` of the same
   * shape is given), accumulating `.grad` on every tensor with requiresGrad.
   */
  backward(gradient?: Tensor, options?: BackwardOptions): void;
  /** backward() of a scalar with options: `loss.backward({ createGraph: true })`. */
  backward(options: BackwardOptions): void;
  backward(gradientOrOptions?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    this.dataRef('backward');
    // Options only as a plain object: anything else in first place is a gradient, which backward checks (and names).
    const isOptions = typeof gradientOrOptions === 'object' && gradientOrOptions !== null && Object.getPrototypeOf(gradientOrOptions) === Object.prototype;
    if (!isOptions) backward(this, gradientOrOptions as Tensor | undefined, options);
    else if (options !== undefined) throw new ValueError('backward: options come once, after the gradient: backward(gradient, options) or backward(options)');
    else backward(this, undefined, gradientOrOptions as BackwardOptions);
  }

  /**
   * Calls `hook` with this tensor's gradient whenever a backward pass (or
   * tm.grad) computes it, whole, before it flows on to what this tensor was
   * computed from or is added to `.grad` (PyTorch's register_hook): to look
   * at it, or to change it by returning a tensor of its shape. Hooks run in
   * the order they were added; `remove()` on the handle takes one out. The
   * hook runs synchronously, in a tidy: tensors it makes and does not return are freed.
   */
  registerHook(hook: GradientHook): HookHandle {
    this.dataRef('registerHook');
    if (typeof hook !== 'function') throw new ValueError(`registerHook: expects a function of the gradient, got ${formatValue(hook)}`);
    if (!this.requiresGrad && this.gradFn === null) {
      throw new ValueError(`registerHook: this tensor ${formatShape(this.shape)} ${this.dtype} neither has requiresGrad nor was computed from one that has, so no gradient will reach it`);
    }
    this.gradHooks = [...this.gradHooks, hook];
    return { remove: () => void (this.gradHooks = this.gradHooks.filter((h) => h !== hook)) };
  }

  /** The same values, cut off from the autograd graph. */
  detach(): Tensor {
    return new Tensor(this.dataRef('detach'), this.shape, this.dtype);
  }

  /**
   * Replaces this tensor's values with `value`'s (same shape and dtype) in
   * place: how optimisers update parameters while the parameter object, and
   * everything holding it, stays the same.
   */
  assign(value: Tensor): this {
    const ref = value.dataRef('assign');
    const own = this.dataRef('assign');
    if (value.dtype !== this.dtype || !sameShape(value.shape, this.shape)) {
      throw new ValueError(`assign: value ${formatShape(value.shape)} ${value.dtype} does not match ${formatShape(this.shape)} ${this.dtype}`);
    }
    if (ref.backend !== own.backend) {
      throw new ValueError(`assign: value lives on ${ref.backend.name}, this tensor on ${own.backend.name}`);
    }
    retain(ref);
    this.ref = ref;
    // Only a tensor the finalizer already knows moves to the new storage there: one a tidy
    // scope holds is freed by the scope, and a registration here would free it a second time.
    if (this.registered) {
      finalizer.unregister(this);
      finalizer.register(this, ref, this);
    }
    release(own);
    return this;
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}${this.ref ? `, ${this.ref.backend.name}` : ', disposed'})`;
  }

  /** The values as text, nested as NumPy and PyTorch print them; past `threshold` elements, the first and last few per axis. */
  async format(options?: PrintOptions): Promise<string> {
    this.dataRef('format'); // a disposed tensor says so first
    return formatValues(await this.data(), this.shape, this.dtype, options);
  }

  /** Logs what the tensor is (`Tensor([2,3], f32, js)`) and its values (see format). */
  async print(options?: PrintOptions): Promise<void> {
    const text = await this.format(options);
    console.log(`${this}\n${text}`);
  }

  /** What console.log and util.inspect show in Node: the tensor, not the backend's internals (values need `await print()`). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // Elementwise arithmetic, broadcasting like NumPy.
  add(b: TensorLike): Tensor { return ops.add(this, b); }
  sub(b: TensorLike): Tensor { return ops.sub(this, b); }
  mul(b: TensorLike): Tensor { return ops.mul(this, b); }
  div(b: TensorLike, options?: ops.DivOptions): Tensor { return ops.div(this, b, options); }
  floorDivide(b: TensorLike): Tensor { return ops.floorDivide(this, b); }
  pow(b: TensorLike): Tensor { return ops.pow(this, b); }
  maximum(b: TensorLike): Tensor { return ops.maximum(this, b); }
  minimum(b: TensorLike): Tensor { return ops.minimum(this, b); }
  atan2(b: TensorLike): Tensor { return ops.atan2(this, b); }
  remainder(b: TensorLike): Tensor { return ops.remainder(this, b); }
  xlogy(b: TensorLike): Tensor { return ops.xlogy(this, b); }
  logaddexp(b: TensorLike): Tensor { return ops.logaddexp(this, b); }
  hypot(b: TensorLike): Tensor { return ops.hypot(this, b); }
  copysign(b: TensorLike): Tensor { return ops.copysign(this, b); }
  lerp(end: TensorLike, weight: TensorLike): Tensor { return ops.lerp(this, end, weight); }
  // Comparisons: 1 where true, 0 where false, in the inputs' common dtype.
  equal(b: TensorLike): Tensor { return ops.equal(this, b); }
  notEqual(b: TensorLike): Tensor { return ops.notEqual(this, b); }
  less(b: TensorLike): Tensor { return ops.less(this, b); }
  lessEqual(b: TensorLike): Tensor { return ops.lessEqual(this, b); }
  greater(b: TensorLike): Tensor { return ops.greater(this, b); }
  greaterEqual(b: TensorLike): Tensor { return ops.greaterEqual(this, b); }
  // Bitwise ops of ints (i32, i8), as PyTorch's: floats are refused.
  bitwiseAnd(b: TensorLike): Tensor { return ops.bitwiseAnd(this, b); }
  bitwiseOr(b: TensorLike): Tensor { return ops.bitwiseOr(this, b); }
  bitwiseXor(b: TensorLike): Tensor { return ops.bitwiseXor(this, b); }
  bitwiseNot(): Tensor { return ops.bitwiseNot(this); }
  bitwiseLeftShift(b: TensorLike): Tensor { return ops.bitwiseLeftShift(this, b); }
  bitwiseRightShift(b: TensorLike): Tensor { return ops.bitwiseRightShift(this, b); }

  neg(): Tensor { return ops.neg(this); }
  abs(): Tensor { return ops.abs(this); }
  sign(): Tensor { return ops.sign(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  square(): Tensor { return ops.square(this); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  floor(): Tensor { return ops.floor(this); }
  ceil(): Tensor { return ops.ceil(this); }
  round(): Tensor { return ops.round(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  erf(): Tensor { return ops.erf(this); }
  log1p(): Tensor { return ops.log1p(this); }
  expm1(): Tensor { return ops.expm1(this); }
  tan(): Tensor { return ops.tan(this); }
  asin(): Tensor { return ops.asin(this); }
  acos(): Tensor { return ops.acos(this); }
  atan(): Tensor { return ops.atan(this); }
  sinh(): Tensor { return ops.sinh(this); }
  cosh(): Tensor { return ops.cosh(this); }
  asinh(): Tensor { return ops.asinh(this); }
  acosh(): Tensor { return ops.acosh(this); }
  atanh(): Tensor { return ops.atanh(this); }
  trunc(): Tensor { return ops.trunc(this); }
  erfc(): Tensor { return ops.erfc(this); }
  erfinv(): Tensor { return ops.erfinv(this); }
  lgamma(): Tensor { return ops.lgamma(this); }
  digamma(): Tensor { return ops.digamma(this); }
  polygamma(n: number): Tensor { return ops.polygamma(n, this); }
  sinc(): Tensor { return ops.sinc(this); }
  i0(): Tensor { return ops.i0(this); }
  i1(): Tensor { return ops.i1(this); }
  logit(options?: ops.LogitOptions): Tensor { return ops.logit(this, options); }
  nanToNum(options?: ops.NanToNumOptions): Tensor { return ops.nanToNum(this, options); }
  clip(min: TensorLike | null, max: TensorLike | null): Tensor { return ops.clip(this, min, max); }

  matmul(b: Tensor | ops.QuantizedTensor, options?: ops.MatmulOptions): Tensor { return ops.matmul(this, b, options); }

  sum(axes?: number | number[], options?: ops.ReduceOptions): Tensor { return ops.sum(this, axes, options); }
  mean(axes?: number | number[], options?: ops.ReduceOptions): Tensor { return ops.mean(this, axes, options); }
  max(axes?: number | number[], options?: ops.ReduceOptions): Tensor { return ops.max(this, axes, options); }
  min(axes?: number | number[], options?: ops.ReduceOptions): Tensor { return ops.min(this, axes, options); }
  prod(axes?: number | number[], options?: ops.ReduceOptions): Tensor { return ops.prod(this, axes, options); }
  variance(axes?: number | number[], options?: ops.VarianceOptions): Tensor { return ops.variance(this, axes, options); }
  any(axes?: number | number[], options?: ops.ReduceOptions): Tensor { return ops.any(this, axes, options); }
  all(axes?: number | number[], options?: ops.ReduceOptions): Tensor { return ops.all(this, axes, options); }
  std(axes?: number | number[], options?: ops.VarianceOptions): Tensor { return ops.std(this, axes, options); }
  argmax(axis?: number, options?: ops.ReduceOptions): Tensor { return ops.argmax(this, axis, options); }
  argmin(axis?: number, options?: ops.ReduceOptions): Tensor { return ops.argmin(this, axis, options); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }

  reshape(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  flatten(): Tensor { return ops.reshape(this, [this.size]); }
  transpose(perm?: readonly number[]): Tensor { return ops.transpose(this, perm); }
  slice(begin: readonly number[], size?: readonly number[]): Tensor { return ops.slice(this, begin, size); }
  broadcastTo(shape: readonly number[]): Tensor { return ops.broadcastTo(this, shape); }
  pad(paddings: readonly (readonly [number, number])[], valueOrOptions: number | ops.PadOptions = 0): Tensor { return ops.pad(this, paddings, valueOrOptions); }
  expandDims(axis = 0): Tensor { return ops.expandDims(this, axis); }
  squeeze(axes?: number | number[]): Tensor { return ops.squeeze(this, axes); }
  clone(): Tensor { return ops.clone(this); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
  bitcast(dtype: DType): Tensor { return ops.bitcast(this, dtype); }
  oneHot(depth: number, dtype?: DType): Tensor { return ops.oneHot(this, depth, dtype); }
  gather(indices: Tensor, axis?: number): Tensor { return ops.gather(this, indices, axis); }
  split(sizes: number | readonly number[], axis?: number): Tensor[] { return ops.split(this, sizes, axis); }
  flip(axes?: number | number[]): Tensor { return ops.flip(this, axes); }
  cumsum(axis?: number): Tensor { return ops.cumsum(this, axis); }
  cumprod(axis?: number): Tensor { return ops.cumprod(this, axis); }
  roll(shifts: number | readonly number[], axes?: number | readonly number[]): Tensor { return ops.roll(this, shifts, axes); }
  /** NumPy's x[...]: `x.index('1:3, ..., -1')`, `x.index(0, '::2', null, indices)`; see tm.index. */
  index(...parts: ops.IndexPart[]): Tensor { return ops.index(this, ...parts); }
  chunk(chunks: number, axis?: number): Tensor[] { return ops.chunk(this, chunks, axis); }
  unbind(axis?: number): Tensor[] { return ops.unbind(this, axis); }
  repeatInterleave(repeats: number, axis?: number): Tensor { return ops.repeatInterleave(this, repeats, axis); }
  takeAlongAxis(indices: Tensor, axis: number): Tensor { return ops.takeAlongAxis(this, indices, axis); }
  sort(options?: ops.SortOptions): ops.Sorted { return ops.sort(this, options); }
  tile(reps: readonly number[]): Tensor { return ops.tile(this, reps); }
  tril(diagonal?: number): Tensor { return ops.tril(this, diagonal); }
  triu(diagonal?: number): Tensor { return ops.triu(this, diagonal); }
  diagonal(options?: ops.DiagonalOptions): Tensor { return ops.diagonal(this, options); }
  diag(offset?: number): Tensor { return ops.diag(this, offset); }
  trace(): Tensor { return ops.trace(this); }
  outer(b: Tensor): Tensor { return ops.outer(this, b); }
  isNaN(): Tensor { return ops.isNaN(this); }
  maskedFill(mask: Tensor, value: number): Tensor { return ops.maskedFill(this, mask, value); }
  isFinite(): Tensor { return ops.isFinite(this); }
  isclose(b: TensorLike, options?: ops.IscloseOptions): Tensor { return ops.isclose(this, b, options); }
  allclose(b: TensorLike, options?: ops.IscloseOptions): Promise<boolean> { return ops.allclose(this, b, options); }
  logsumexp(axes?: number | readonly number[], options?: ops.ReduceOptions): Tensor { return ops.logsumexp(this, axes, options); }
  norm(axes?: number | readonly number[], options?: ops.NormOptions): Tensor { return ops.norm(this, axes, options); }
  argsort(options?: ops.SortOptions): Tensor { return ops.argsort(this, options); }
  topk(k: number, options?: ops.TopkOptions): ops.Sorted { return ops.topk(this, k, options); }
}
