// What every distribution shares: its batch and event shapes, the members
// each fills in where it has them in closed form (the others say so by
// name), and the checks of parameters, sample shapes and values.
//
// A distribution keeps references to the tensors it was given, as
// PyTorch's do (no copy: a parameter trained by an optimizer is read as it
// is at each call). A number becomes a scalar tensor the distribution owns,
// as does anything it derives once (MultivariateNormal's Cholesky factor);
// dispose() frees those, never the caller's tensors. They are tracked as any
// other tensor: made inside tm.tidy, they are freed with it (unless the
// distribution is returned from it). Every member returns a new tensor the
// caller owns; the intermediates are freed inside.
import { isFloat, type DType } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { broadcastShapes, checkShape, sameShape } from '../shape.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';

/** A distribution's parameter: a tensor (kept by reference) or a number (made a scalar tensor). */
export type Parameter = Tensor | number;

/** The base of tm.distributions: torch.distributions.Distribution's members, under their camelCase names. */
export abstract class Distribution {
  /** The class's name, as errors and klDivergence name it. */
  readonly name: string;
  /** The shape of a batch of independent distributions, the parameters' broadcast shape (less the event's axes). */
  readonly batchShape: readonly number[];
  /** The shape of one draw: [] for a scalar distribution, [n] for a MultivariateNormal's vectors. */
  readonly eventShape: readonly number[];
  readonly #owned: readonly Tensor[];

  protected constructor(name: string, batchShape: readonly number[], eventShape: readonly number[], owned: readonly Tensor[] = []) {
    this.name = name;
    this.batchShape = Object.freeze([...batchShape]);
    this.eventShape = Object.freeze([...eventShape]);
    this.#owned = owned;
  }

  /**
   * Draws of shape [...shape, ...batchShape, ...eventShape], out of the
   * autograd graph, from tmnn's seeded generator (tm.setSeed makes them
   * reproducible).
   */
  sample(shape: readonly number[] = []): Tensor {
    return noGrad(() => this.rsample(shape));
  }

  /**
   * Reparameterised draws, as sample's, through which gradients flow to the
   * parameters (a deterministic function of them and of parameter-free noise).
   */
  rsample(shape: readonly number[] = []): Tensor {
    throw new ValueError(`${this.name}: no reparameterised sample (rsample); sample() draws without a gradient`);
  }

  /**
   * The log of the density (or of the probability, for a discrete
   * distribution) at `value`, whose shape ends with eventShape and broadcasts
   * against batchShape: one per draw, of the broadcast shape less the event's axes.
   */
  abstract logProb(value: Tensor): Tensor;

  /** The entropy of each distribution of the batch, in nats: [...batchShape]. */
  entropy(): Tensor {
    throw this.missing('entropy');
  }

  /** The cumulative distribution function P(X ≤ value). */
  cdf(value: Tensor): Tensor {
    throw this.missing('cdf');
  }

  /** The inverse of the cdf: the value below which the probability is p. */
  icdf(p: Tensor): Tensor {
    throw this.missing('icdf');
  }

  /** The mean: [...batchShape, ...eventShape]. */
  get mean(): Tensor {
    throw this.missing('mean');
  }

  /** The variance (of each entry, for a vector event): [...batchShape, ...eventShape]. */
  get variance(): Tensor {
    throw this.missing('variance');
  }

  /** The standard deviation, the variance's square root. */
  get stddev(): Tensor {
    return tidy(() => this.variance.sqrt());
  }

  /** The most likely value. */
  get mode(): Tensor {
    throw this.missing('mode');
  }

  /** Frees the tensors this distribution made (from numbers, or derived once); the tensors it was given are the caller's. */
  dispose(): void {
    for (const t of this.#owned) if (!t.isDisposed) t.dispose();
  }

  /** The error for a member this distribution lacks in closed form. */
  protected missing(member: string): ValueError {
    return new ValueError(`${this.name}: no ${member} in closed form`);
  }

  /** A draw's shape: [...shape, ...batchShape, ...eventShape], the sample shape checked. */
  protected drawShape(member: string, shape: readonly number[]): number[] {
    return [...checkShape(shape, `${this.name}.${member}`), ...this.batchShape, ...this.eventShape];
  }

  /**
   * Checks a value given to logProb or cdf: a tensor whose last axes are
   * eventShape and whose others broadcast against batchShape, of a float
   * dtype (`'float'`), an int one (`'label'`, a class label's), or either
   * (`'any'`: a distribution whose base checks it).
   */
  protected checkValue(member: string, value: unknown, dtype: 'float' | 'label' | 'any' = 'float', what = 'value'): Tensor {
    const where = `${this.name}.${member}`;
    checkTensor(where, value, what);
    const v = value as Tensor;
    const integer = dtype === 'label';
    if (integer && isFloat(v.dtype)) throw new DTypeError(`${where}: ${what} must be class labels of an int dtype, got ${v.dtype} (${what}.cast('i32'))`);
    if (dtype === 'float' && !isFloat(v.dtype)) throw new DTypeError(`${where}: ${what} must be f32 or f16, got ${v.dtype}`);
    const k = this.eventShape.length;
    const expected = [...this.batchShape, ...this.eventShape];
    if (v.rank < k || !sameShape(v.shape.slice(v.rank - k), this.eventShape)) {
      throw new ShapeError(`${where}: ${what} ${formatShape(v.shape)} does not end with the event shape ${formatShape(this.eventShape)} (batch ${formatShape(this.batchShape)})`);
    }
    try {
      broadcastShapes(where, v.shape, expected);
    } catch {
      throw new ShapeError(`${where}: ${what} ${formatShape(v.shape)} does not broadcast against the batch and event shape ${formatShape(expected)}`);
    }
    return v;
  }

  /** `t` broadcast to the batch shape (followed by `event`), as a member's result is even where a parameter it reads is smaller. */
  protected batched(t: Tensor, event: readonly number[] = []): Tensor {
    const shape = broadcastShapes(this.name, t.shape, [...this.batchShape, ...event]);
    return ops.broadcastTo(t, shape);
  }
}

/** The float dtype's most negative finite value: where a log of 0 is clamped, so that 0·log 0 is 0 (as PyTorch clamps). */
export function lowestFinite(dtype: DType): number {
  return dtype === 'f16' ? -65504 : -3.4028234663852886e38;
}

/**
 * log(1 + eˣ), without overflow: max(x, 0) + log(1 + e^−|x|), each side by
 * where() rather than relu and |·|, whose gradients at 0 are 0 and would
 * make this one 0 there instead of σ(0) = ½.
 */
export function softplus(x: Tensor): Tensor {
  return tidy(() => {
    const positive = x.greater(0);
    return ops.where(positive, x, 0).add(ops.where(positive, x.neg(), x).exp().log1p());
  });
}

/** The sum of t's last k axes (t itself for k = 0, as a view the caller owns). */
export function sumRightmost(t: Tensor, k: number): Tensor {
  if (k === 0) return t.reshape(t.shape);
  return t.sum(Array.from({ length: k }, (_, i) => t.rank - k + i));
}

/** Checks a probability given to icdf: a float tensor. */
export function checkProbability(where: string, p: unknown): Tensor {
  checkTensor(where, p, 'p');
  if (!isFloat((p as Tensor).dtype)) throw new DTypeError(`${where}: p must be f32 or f16, got ${(p as Tensor).dtype}`);
  return p as Tensor;
}

export interface Parameters {
  /** The parameters in the order given, numbers made scalar tensors. */
  readonly tensors: Tensor[];
  /** Their broadcast shape. */
  readonly shape: number[];
  /** The scalar tensors made from numbers. */
  readonly owned: Tensor[];
}

/**
 * A distribution's parameters checked: each a float tensor or a finite
 * number, the tensors of one dtype, their shapes broadcasting together (an
 * error names the two that do not). Numbers become scalar tensors of that
 * dtype (f32 if none is a tensor) on the tensors' backend.
 */
export function parameters(name: string, given: Readonly<Record<string, unknown>>): Parameters {
  const entries = Object.entries(given);
  let dtype: DType | undefined;
  let dtypeOf = '';
  let like: Tensor | undefined;
  for (const [key, value] of entries) {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new ValueError(`${name}: ${key} must be a tensor or a finite number, got ${formatValue(value)}`);
      continue;
    }
    if (!(value instanceof Tensor)) throw new ValueError(`${name}: ${key} must be a tensor or a finite number, got ${formatValue(value)}`);
    checkTensor(name, value, key);
    if (!isFloat(value.dtype)) throw new DTypeError(`${name}: ${key} must be f32 or f16, got ${value.dtype}`);
    if (dtype !== undefined && value.dtype !== dtype) throw new DTypeError(`${name}: ${dtypeOf} is ${dtype} and ${key} ${value.dtype}; give them one dtype`);
    dtype ??= value.dtype;
    dtypeOf ||= key;
    like ??= value;
  }
  const owned: Tensor[] = [];
  const scalarOf = (v: number) => {
    const t = like ? onBackendOf(name, like, () => ops.scalar(v, { dtype })) : ops.scalar(v, { dtype: dtype ?? 'f32' });
    owned.push(t);
    return t;
  };
  const tensors = entries.map(([, v]) => (typeof v === 'number' ? scalarOf(v) : (v as Tensor)));
  let shape: number[] = [];
  let shapeOf = '';
  entries.forEach(([key], i) => {
    const s = tensors[i].shape;
    try {
      shape = broadcastShapes(name, shape, s);
    } catch {
      for (const t of owned) t.dispose();
      throw new ShapeError(`${name}: ${shapeOf} ${formatShape(shape)} and ${key} ${formatShape(s)} cannot be broadcast together`);
    }
    shapeOf = shapeOf ? `${shapeOf} and ${key}` : key;
  });
  return { tensors, shape, owned };
}

/** Standard normal noise of `shape` in `like`'s dtype, on its backend. */
export function standardNormal(where: string, shape: readonly number[], like: Tensor): Tensor {
  return onBackendOf(where, like, () => ops.randn(shape, { dtype: like.dtype }));
}

/** Uniform noise in [min, max) of `shape` in `like`'s dtype, on its backend. */
export function uniformNoise(where: string, shape: readonly number[], like: Tensor, min = 0, max = 1): Tensor {
  return onBackendOf(where, like, () => ops.rand(shape, { dtype: like.dtype, min, max }));
}
