// Invertible maps y = f(x) with the log of |df/dx|, torch.distributions'
// transforms: what TransformedDistribution pushes a base distribution
// through (a tanh-squashed Normal for a bounded action, an affine map of a
// standard one). Each is elementwise unless it says otherwise (an
// AffineTransform with eventDim reads its last axes as one event).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkTensor } from '../ops/util.js';
import { Tensor } from '../tensor.js';
import { softplus, sumRightmost } from './distribution.js';

/** A bijection y = f(x), as torch.distributions.transforms.Transform. */
export abstract class Transform {
  /** The class's name, as errors name it. */
  readonly name: string;
  /** How many of the last axes one event of the map spans: 0 for an elementwise map. logAbsDetJacobian sums over them. */
  readonly eventDims: number;

  protected constructor(name: string, eventDims = 0) {
    this.name = name;
    this.eventDims = eventDims;
  }

  /** y = f(x). */
  abstract forward(x: Tensor): Tensor;

  /** x = f⁻¹(y). */
  abstract inverse(y: Tensor): Tensor;

  /** log |det ∂y/∂x| at x (with y = f(x) given, for the maps that read it): x's shape less the last eventDims axes. */
  abstract logAbsDetJacobian(x: Tensor, y: Tensor): Tensor;

  /** 1 where f increases, −1 where it decreases (a number, or a tensor where it depends on a parameter): how a cdf passes through f. */
  sign(): number | Tensor {
    return 1;
  }

  /** Whether `other` is the same map: of this class, with the same parameters (the same tensors, or equal numbers). */
  sameAs(other: Transform): boolean {
    return other.constructor === this.constructor && other.eventDims === this.eventDims;
  }

  /** The inverse map, f⁻¹, as a transform (PyTorch's .inv). */
  get inv(): Transform {
    return new InverseTransform(this);
  }
}

/** f⁻¹ of a transform: forward and inverse swapped, the log-determinant negated. */
class InverseTransform extends Transform {
  readonly of: Transform;

  constructor(of: Transform) {
    super(`${of.name}.inv`, of.eventDims);
    this.of = of;
  }

  forward(x: Tensor): Tensor {
    return this.of.inverse(x);
  }

  inverse(y: Tensor): Tensor {
    return this.of.forward(y);
  }

  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return tidy(() => this.of.logAbsDetJacobian(y, x).neg());
  }

  override sign(): number | Tensor {
    return this.of.sign();
  }

  override sameAs(other: Transform): boolean {
    return other instanceof InverseTransform && this.of.sameAs(other.of);
  }

  override get inv(): Transform {
    return this.of;
  }
}

/** y = eˣ (ExpTransform): from the reals onto the positive reals. */
export class ExpTransform extends Transform {
  constructor() {
    super('ExpTransform');
  }

  forward(x: Tensor): Tensor {
    return x.exp();
  }

  inverse(y: Tensor): Tensor {
    return y.log();
  }

  /** log eˣ = x. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return x.reshape(x.shape);
  }
}

/** y = σ(x) = 1/(1 + e⁻ˣ) (SigmoidTransform): onto (0, 1). */
export class SigmoidTransform extends Transform {
  constructor() {
    super('SigmoidTransform');
  }

  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }

  /** log y − log(1 − y). */
  inverse(y: Tensor): Tensor {
    return tidy(() => y.log().sub(y.neg().log1p()));
  }

  /** log σ(x)·(1 − σ(x)) = −softplus(−x) − softplus(x), stable at large |x|. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return tidy(() => softplus(x.neg()).add(softplus(x)).neg());
  }
}

/**
 * y = tanh x (TanhTransform): onto (−1, 1), how a Gaussian policy's action
 * is squashed to bounds. f32 rounds tanh x to ±1 past |x| ≈ 9, whose
 * inverse is ±∞ (logProb there −∞ or NaN, as PyTorch's without its cache):
 * keep the draw before the squash where its log-probability is needed.
 */
export class TanhTransform extends Transform {
  constructor() {
    super('TanhTransform');
  }

  forward(x: Tensor): Tensor {
    return x.tanh();
  }

  inverse(y: Tensor): Tensor {
    return y.atanh();
  }

  /** log(1 − tanh² x) = 2·(log 2 − x − softplus(−2x)), which does not round 1 − tanh² x to 0 at large |x|. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return tidy(() => ops.sub(Math.LN2, x).sub(softplus(x.mul(-2))).mul(2));
  }
}

/** y = log(1 + eˣ) (SoftplusTransform): onto the positive reals. */
export class SoftplusTransform extends Transform {
  constructor() {
    super('SoftplusTransform');
  }

  forward(x: Tensor): Tensor {
    return softplus(x);
  }

  /** log(eʸ − 1) = y + log(1 − e⁻ʸ). */
  inverse(y: Tensor): Tensor {
    return tidy(() => y.add(y.neg().expm1().neg().log()));
  }

  /** log σ(x) = −softplus(−x). */
  logAbsDetJacobian(x: Tensor): Tensor {
    return tidy(() => softplus(x.neg()).neg());
  }
}

/** A tensor, or a finite number, checked as a transform's parameter. */
function transformParameter(where: string, key: string, value: unknown): Tensor | number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValueError(`${where}: ${key} must be a tensor or a finite number, got ${formatValue(value)}`);
    return value;
  }
  checkTensor(where, value, key);
  return value as Tensor;
}

/** y = xᵖ on the positive reals (PowerTransform), p ≠ 0: increasing for p > 0, decreasing for p < 0. */
export class PowerTransform extends Transform {
  /** p, as given (a reference, or the number). */
  readonly exponent: Tensor | number;

  constructor(exponent: Tensor | number) {
    super('PowerTransform');
    this.exponent = transformParameter('PowerTransform', 'exponent', exponent);
  }

  forward(x: Tensor): Tensor {
    return x.pow(this.exponent);
  }

  inverse(y: Tensor): Tensor {
    return tidy(() => y.pow(ops.div(1, this.exponent)));
  }

  /** log |p·y/x|. */
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return tidy(() => ops.mul(y, this.exponent).div(x).abs().log());
  }

  override sign(): number | Tensor {
    return typeof this.exponent === 'number' ? Math.sign(this.exponent) : this.exponent.sign();
  }

  override sameAs(other: Transform): boolean {
    return other instanceof PowerTransform && other.exponent === this.exponent;
  }
}

/**
 * y = loc + scale·x (AffineTransform), loc and scale tensors or numbers
 * broadcast against x. With eventDim k, the last k axes are one event: the
 * log-determinant is summed over them (a vector's scaling, say).
 */
export class AffineTransform extends Transform {
  readonly loc: Tensor | number;
  readonly scale: Tensor | number;

  constructor(loc: Tensor | number, scale: Tensor | number, options: { eventDim?: number } = {}) {
    const eventDim = options.eventDim ?? 0;
    if (!Number.isInteger(eventDim) || eventDim < 0) throw new ValueError(`AffineTransform: eventDim must be an integer ≥ 0, got ${formatValue(eventDim)}`);
    super('AffineTransform', eventDim);
    this.loc = transformParameter('AffineTransform', 'loc', loc);
    this.scale = transformParameter('AffineTransform', 'scale', scale);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => ops.add(ops.mul(x, this.scale), this.loc));
  }

  inverse(y: Tensor): Tensor {
    return tidy(() => ops.div(ops.sub(y, this.loc), this.scale));
  }

  /** log |scale| at every entry of x (the broadcast of the two), summed over the last eventDim axes. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return tidy(() => sumRightmost(ops.mul(ops.onesLike(x), this.scale).abs().log(), this.eventDims));
  }

  override sign(): number | Tensor {
    return this.scale instanceof Tensor ? this.scale.sign() : Math.sign(this.scale);
  }

  override sameAs(other: Transform): boolean {
    return other instanceof AffineTransform && other.eventDims === this.eventDims && other.loc === this.loc && other.scale === this.scale;
  }
}

/** Whether two chains are the same maps in the same order (KL of two TransformedDistributions is then their bases'). */
export function sameMaps(a: readonly Transform[], b: readonly Transform[]): boolean {
  return a.length === b.length && a.every((t, i) => t.sameAs(b[i]));
}
