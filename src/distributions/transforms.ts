// Invertible maps y = f(x) with the log of |df/dx|, torch.distributions'
// transforms: what TransformedDistribution pushes a base distribution
// through (a tanh-squashed Normal for a bounded action, an affine map of a
// standard one). Each is elementwise unless it says otherwise (an
// AffineTransform with eventDim reads its last axes as one event; a
// StickBreakingTransform maps vectors to vectors one longer), or builds
// one of others (ComposeTransform, IndependentTransform, CatTransform,
// StackTransform). A map that
// is not bijective (AbsTransform, SoftmaxTransform, LowerCholeskyTransform)
// has forward and a right inverse but no log-determinant, as PyTorch's.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { broadcastShapes, checkShape, sameShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { Distribution, softplus, sumRightmost } from './distribution.js';

/** A bijection y = f(x), as torch.distributions.transforms.Transform. */
export abstract class Transform {
  /** The class's name, as errors name it. */
  readonly name: string;
  /** How many of x's last axes one event of the map spans (torch's domain.event_dim): 0 for an elementwise map. */
  readonly domainEventDims: number;
  /** How many of y's last axes one event spans (torch's codomain.event_dim): 2 for CorrCholeskyTransform's matrices from vectors. */
  readonly codomainEventDims: number;

  /** @param codomainEventDims y's event axes, where they differ from x's (a vector made a matrix). */
  protected constructor(name: string, domainEventDims = 0, codomainEventDims = domainEventDims) {
    this.name = name;
    this.domainEventDims = domainEventDims;
    this.codomainEventDims = codomainEventDims;
  }

  /**
   * How many of the last axes one event of the map spans, on either side:
   * logAbsDetJacobian sums over them. An error for a map whose sides differ
   * (read domainEventDims or codomainEventDims), as PyTorch's event_dim.
   */
  get eventDims(): number {
    if (this.domainEventDims !== this.codomainEventDims) {
      throw new ValueError(`${this.name}: maps events of ${this.domainEventDims} axes to events of ${this.codomainEventDims}; read domainEventDims or codomainEventDims`);
    }
    return this.domainEventDims;
  }

  /** Whether f is one-to-one onto its codomain, with a log-determinant (false for |x|, softmax, LowerCholeskyTransform). */
  get bijective(): boolean {
    return true;
  }

  /** y = f(x). */
  abstract forward(x: Tensor): Tensor;

  /** x = f⁻¹(y) (for a map that is not bijective, one x with f(x) = y). */
  abstract inverse(y: Tensor): Tensor;

  /**
   * log |det ∂y/∂x| at x (with y = f(x) given, for the maps that read it):
   * x's shape less its last domainEventDims axes.
   */
  abstract logAbsDetJacobian(x: Tensor, y: Tensor): Tensor;

  /** 1 where f increases, −1 where it decreases (a number, or a tensor where it depends on a parameter): how a cdf passes through f. */
  sign(): number | Tensor {
    return 1;
  }

  /** The shape of f(x) for x of `shape` (the same, for most maps). */
  forwardShape(shape: readonly number[]): number[] {
    return [...shape];
  }

  /** The shape of f⁻¹(y) for y of `shape`. */
  inverseShape(shape: readonly number[]): number[] {
    return [...shape];
  }

  /** Whether `other` is the same map: of this class, with the same parameters (the same tensors, or equal numbers). */
  sameAs(other: Transform): boolean {
    return other.constructor === this.constructor && other.domainEventDims === this.domainEventDims && other.codomainEventDims === this.codomainEventDims;
  }

  /** The inverse map, f⁻¹, as a transform (PyTorch's .inv). */
  get inv(): Transform {
    return new InverseTransform(this);
  }

  /** The error of logAbsDetJacobian for a map that is not bijective. */
  protected notBijective(why: string): ValueError {
    return new ValueError(`${this.name}: not bijective (${why}), so no log-determinant`);
  }

  /** The error of sign for a map that is not monotone in one variable. */
  protected noSign(): ValueError {
    return new ValueError(`${this.name}: no sign (it is not a monotone map of one variable)`);
  }

  /** Checks that `t` (x or y, named `what`) has the `k` axes an event spans, the last `event` if given. */
  protected checkEvent(member: string, t: unknown, k: number, what: string, event?: readonly number[]): Tensor {
    const where = `${this.name}.${member}`;
    checkTensor(where, t, what);
    const v = t as Tensor;
    if (v.rank < k) throw new ShapeError(`${where}: ${what} ${formatShape(v.shape)} has fewer axes than the ${k} an event spans`);
    if (event && !sameShape(v.shape.slice(v.rank - event.length), event)) {
      throw new ShapeError(`${where}: ${what} ${formatShape(v.shape)} does not end with the event shape ${formatShape(event)}`);
    }
    return v;
  }
}

/** f⁻¹ of a transform: forward and inverse swapped, the log-determinant negated, the sides' event axes and shapes swapped. */
class InverseTransform extends Transform {
  readonly of: Transform;

  constructor(of: Transform) {
    super(`${of.name}.inv`, of.codomainEventDims, of.domainEventDims);
    this.of = of;
  }

  override get bijective(): boolean {
    return this.of.bijective;
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

  override forwardShape(shape: readonly number[]): number[] {
    return this.of.inverseShape(shape);
  }

  override inverseShape(shape: readonly number[]): number[] {
    return this.of.forwardShape(shape);
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

  /** x's shape broadcast against loc's and scale's (a parameter of more entries widens the draws). */
  override forwardShape(shape: readonly number[]): number[] {
    return broadcastShapes(`${this.name}.forwardShape`, shape, this.parameterShape());
  }

  override inverseShape(shape: readonly number[]): number[] {
    return broadcastShapes(`${this.name}.inverseShape`, shape, this.parameterShape());
  }

  override sameAs(other: Transform): boolean {
    return other instanceof AffineTransform && other.eventDims === this.eventDims && other.loc === this.loc && other.scale === this.scale;
  }

  private parameterShape(): number[] {
    const shapeOf = (p: Tensor | number) => (p instanceof Tensor ? p.shape : []);
    return broadcastShapes(this.name, shapeOf(this.loc), shapeOf(this.scale));
  }
}

/**
 * y = |x| (AbsTransform): onto [0, ∞). Not bijective (x and −x meet), so
 * inverse gives the non-negative root y itself and there is no
 * log-determinant or sign, as PyTorch's; a TransformedDistribution through
 * it samples but has no logProb (fold the density by hand: HalfNormal).
 */
export class AbsTransform extends Transform {
  constructor() {
    super('AbsTransform');
  }

  override get bijective(): boolean {
    return false;
  }

  forward(x: Tensor): Tensor {
    return x.abs();
  }

  /** y itself (a view), the root of |x| = y that is ≥ 0. */
  inverse(y: Tensor): Tensor {
    return y.reshape(y.shape);
  }

  logAbsDetJacobian(_x?: Tensor, _y?: Tensor): never {
    throw this.notBijective('|x| = |−x|');
  }

  override sign(): number | Tensor {
    throw this.noSign();
  }
}

/** The event axes of a chain's input and output: torch's ComposeTransform.domain and codomain event_dim. */
function chainEventDims(parts: readonly Transform[]): { domain: number; codomain: number } {
  if (parts.length === 0) return { domain: 0, codomain: 0 };
  // Each side spans as many axes as the widest map needs, carried through the maps that add or drop axes.
  let domain = parts[parts.length - 1].codomainEventDims;
  for (const p of [...parts].reverse()) domain = Math.max(domain + p.domainEventDims - p.codomainEventDims, p.domainEventDims);
  let codomain = parts[0].domainEventDims;
  for (const p of parts) codomain = Math.max(codomain + p.codomainEventDims - p.domainEventDims, p.codomainEventDims);
  return { domain, codomain };
}

/**
 * ComposeTransform(parts): y = fₙ(… f₁(x)), the parts applied first to
 * last, as torch's. Its events span as many axes as the widest part needs
 * (carried through the parts that add or drop axes), and its
 * log-determinant is the sum of the parts', each summed over the event
 * axes it leaves. With no parts it is the identity (torch's
 * identity_transform), whose log-determinant is 0 at each entry. Keeps the
 * parts by reference.
 */
export class ComposeTransform extends Transform {
  /** The maps, applied first to last. */
  readonly parts: readonly Transform[];
  #inverse: ComposeTransform | undefined;

  constructor(parts: readonly Transform[]) {
    const name = 'ComposeTransform';
    if (!Array.isArray(parts)) throw new ValueError(`${name}: parts must be an array of transforms, got ${formatValue(parts)}`);
    parts.forEach((t, i) => {
      if (!(t instanceof Transform)) throw new ValueError(`${name}: parts[${i}] must be a transform, got ${formatValue(t)}`);
    });
    const { domain, codomain } = chainEventDims(parts);
    super(name, domain, codomain);
    this.parts = Object.freeze([...parts]);
  }

  override get bijective(): boolean {
    return this.parts.every((p) => p.bijective);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => this.parts.reduce((v, p) => p.forward(v), x.reshape(x.shape)));
  }

  inverse(y: Tensor): Tensor {
    return tidy(() => this.parts.reduceRight((v, p) => p.inverse(v), y.reshape(y.shape)));
  }

  /** Σᵢ log |det ∂fᵢ| at the intermediates fᵢ₋₁(… x) (recomputed forward; y ends them), each summed over the event axes it leaves. */
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    if (this.parts.length === 0) return ops.zerosLike(x);
    return tidy(() => {
      const xs = [x];
      for (const p of this.parts.slice(0, -1)) xs.push(p.forward(xs[xs.length - 1]));
      xs.push(y);
      let eventDims = this.domainEventDims;
      let total: Tensor | undefined;
      this.parts.forEach((p, i) => {
        const term = sumRightmost(p.logAbsDetJacobian(xs[i], xs[i + 1]), eventDims - p.domainEventDims);
        total = total ? total.add(term) : term;
        eventDims += p.codomainEventDims - p.domainEventDims;
      });
      return total!;
    });
  }

  /** The product of the parts' signs. */
  override sign(): number | Tensor {
    let sign: number | Tensor = 1;
    for (const p of this.parts) {
      const s = p.sign();
      sign = typeof s === 'number' && typeof sign === 'number' ? s * sign : ops.mul(s, sign);
    }
    return sign;
  }

  override forwardShape(shape: readonly number[]): number[] {
    return this.parts.reduce<number[]>((s, p) => p.forwardShape(s), [...shape]);
  }

  override inverseShape(shape: readonly number[]): number[] {
    return this.parts.reduceRight<number[]>((s, p) => p.inverseShape(s), [...shape]);
  }

  override sameAs(other: Transform): boolean {
    return other instanceof ComposeTransform && sameMaps(this.parts, other.parts);
  }

  /** The parts' inverses in reverse order, a ComposeTransform whose inv is this one. */
  override get inv(): Transform {
    if (!this.#inverse) {
      const inverse = new ComposeTransform(this.parts.map((p) => p.inv).reverse());
      inverse.#inverse = this;
      this.#inverse = inverse;
    }
    return this.#inverse;
  }
}

/**
 * IndependentTransform(base, reinterpretedBatchDims): base's map with its
 * events widened by that many of the last axes (torch's
 * reinterpreted_batch_ndims), as Independent does to a distribution:
 * forward and inverse are base's, the log-determinant is base's summed over
 * those axes.
 */
export class IndependentTransform extends Transform {
  readonly base: Transform;
  /** How many more of the last axes an event spans than base's. */
  readonly reinterpretedBatchDims: number;

  constructor(base: Transform, reinterpretedBatchDims: number) {
    const name = 'IndependentTransform';
    if (!(base instanceof Transform)) throw new ValueError(`${name}: base must be a transform, got ${formatValue(base)}`);
    const k = reinterpretedBatchDims;
    if (!Number.isSafeInteger(k) || k < 0) throw new ValueError(`${name}: reinterpretedBatchDims must be an integer ≥ 0, got ${formatValue(k)}`);
    super(name, base.domainEventDims + k, base.codomainEventDims + k);
    this.base = base;
    this.reinterpretedBatchDims = k;
  }

  override get bijective(): boolean {
    return this.base.bijective;
  }

  forward(x: Tensor): Tensor {
    return this.base.forward(this.checkEvent('forward', x, this.domainEventDims, 'x'));
  }

  inverse(y: Tensor): Tensor {
    return this.base.inverse(this.checkEvent('inverse', y, this.codomainEventDims, 'y'));
  }

  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return tidy(() => sumRightmost(this.base.logAbsDetJacobian(x, y), this.reinterpretedBatchDims));
  }

  override sign(): number | Tensor {
    return this.base.sign();
  }

  override forwardShape(shape: readonly number[]): number[] {
    return this.base.forwardShape(shape);
  }

  override inverseShape(shape: readonly number[]): number[] {
    return this.base.inverseShape(shape);
  }

  override sameAs(other: Transform): boolean {
    return other instanceof IndependentTransform && other.reinterpretedBatchDims === this.reinterpretedBatchDims && this.base.sameAs(other.base);
  }
}

/**
 * ReshapeTransform(inShape, outShape): each event of x's last axes
 * `inShape` read as one of `outShape` (as many entries), the axes before
 * kept: a map of unit Jacobian (log-determinant 0 per event). Its events span
 * inShape's axes on the way in and outShape's on the way out.
 */
export class ReshapeTransform extends Transform {
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];

  constructor(inShape: readonly number[], outShape: readonly number[]) {
    const name = 'ReshapeTransform';
    const [from, to] = [checkShape(inShape, `${name}: inShape`), checkShape(outShape, `${name}: outShape`)];
    if (sizeOf(from) !== sizeOf(to)) {
      throw new ShapeError(`${name}: inShape ${formatShape(from)} holds ${sizeOf(from)} entries and outShape ${formatShape(to)} ${sizeOf(to)}; they must hold as many`);
    }
    super(name, from.length, to.length);
    this.inShape = Object.freeze(from);
    this.outShape = Object.freeze(to);
  }

  forward(x: Tensor): Tensor {
    const v = this.checkEvent('forward', x, this.inShape.length, 'x', this.inShape);
    return v.reshape([...v.shape.slice(0, v.rank - this.inShape.length), ...this.outShape]);
  }

  inverse(y: Tensor): Tensor {
    const v = this.checkEvent('inverse', y, this.outShape.length, 'y', this.outShape);
    return v.reshape([...v.shape.slice(0, v.rank - this.outShape.length), ...this.inShape]);
  }

  /** 0 for each event: x's shape less inShape's axes. */
  logAbsDetJacobian(x: Tensor, _y?: Tensor): Tensor {
    const v = this.checkEvent('logAbsDetJacobian', x, this.inShape.length, 'x', this.inShape);
    return onBackendOf(`${this.name}.logAbsDetJacobian`, v, () => ops.zeros(v.shape.slice(0, v.rank - this.inShape.length), { dtype: v.dtype }));
  }

  override sign(): number | Tensor {
    throw this.noSign();
  }

  override forwardShape(shape: readonly number[]): number[] {
    return this.swapEvent('forwardShape', shape, this.inShape, this.outShape);
  }

  override inverseShape(shape: readonly number[]): number[] {
    return this.swapEvent('inverseShape', shape, this.outShape, this.inShape);
  }

  override sameAs(other: Transform): boolean {
    return other instanceof ReshapeTransform && sameShape(other.inShape, this.inShape) && sameShape(other.outShape, this.outShape);
  }

  private swapEvent(member: string, shape: readonly number[], from: readonly number[], to: readonly number[]): number[] {
    const cut = shape.length - from.length;
    if (cut < 0 || !sameShape(shape.slice(cut), from)) throw new ShapeError(`${this.name}.${member}: shape ${formatShape(shape)} does not end with ${formatShape(from)}`);
    return [...shape.slice(0, cut), ...to];
  }
}

/**
 * CumulativeDistributionTransform(distribution): y = F(x), the
 * distribution's cdf, onto (0, 1), increasing: its log-determinant is the
 * log-density at x, its inverse the icdf (a Gaussian copula: a
 * MultivariateNormal through a standard Normal's). The distribution must
 * have scalar events and a cdf (and an icdf for inverse); kept by
 * reference.
 */
export class CumulativeDistributionTransform extends Transform {
  readonly distribution: Distribution;

  constructor(distribution: Distribution) {
    const name = 'CumulativeDistributionTransform';
    if (!(distribution instanceof Distribution)) throw new ValueError(`${name}: distribution must be a distribution, got ${formatValue(distribution)}`);
    if (distribution.eventShape.length !== 0) {
      throw new ValueError(`${name}: needs a distribution of scalar events (a cdf), got ${distribution.name} of event shape ${formatShape(distribution.eventShape)}`);
    }
    super(name);
    this.distribution = distribution;
  }

  forward(x: Tensor): Tensor {
    return this.distribution.cdf(x);
  }

  inverse(y: Tensor): Tensor {
    return this.distribution.icdf(y);
  }

  /** log F′(x), the log-density. */
  logAbsDetJacobian(x: Tensor, _y?: Tensor): Tensor {
    return this.distribution.logProb(x);
  }

  override sameAs(other: Transform): boolean {
    return other instanceof CumulativeDistributionTransform && other.distribution === this.distribution;
  }
}

/** Parts checked for CatTransform and StackTransform: transforms whose events span as many axes on either side. */
function checkParts(name: string, parts: unknown): Transform[] {
  if (!Array.isArray(parts) || parts.length === 0) throw new ValueError(`${name}: parts must be a non-empty array of transforms, got ${formatValue(parts)}`);
  parts.forEach((t, i) => {
    if (!(t instanceof Transform)) throw new ValueError(`${name}: parts[${i}] must be a transform, got ${formatValue(t)}`);
    if (t.domainEventDims !== t.codomainEventDims) throw new ValueError(`${name}: parts[${i}], ${t.name}, maps events of ${t.domainEventDims} axes to ${t.codomainEventDims}; each part must keep its event's axes`);
  });
  return [...parts];
}

/** A CatTransform's or StackTransform's axis checked: an integer. */
function checkAxis(name: string, axis: unknown): number {
  if (!Number.isSafeInteger(axis)) throw new ValueError(`${name}: axis must be an integer, got ${formatValue(axis)}`);
  return axis as number;
}

/**
 * CatTransform(parts, { axis = 0, lengths }): part i applied to its block of
 * lengths[i] entries (1 each by default) along `axis`, the results
 * concatenated back (torch's CatTransform, for a vector whose blocks live in
 * different spaces: a positive scale beside a real loc). Events span the
 * widest part's axes; each part's log-determinant is summed up to them, then
 * concatenated along the axis where it is a batch axis, or added where it
 * lies inside the event, as PyTorch's. The parts must keep their blocks'
 * shapes. No sign (not one map of one variable).
 */
export class CatTransform extends Transform {
  readonly parts: readonly Transform[];
  readonly axis: number;
  readonly lengths: readonly number[];

  constructor(parts: readonly Transform[], options: { axis?: number; lengths?: readonly number[] } = {}) {
    const name = 'CatTransform';
    const checked = checkParts(name, parts);
    const axis = checkAxis(name, options.axis ?? 0);
    const lengths = options.lengths ?? checked.map(() => 1);
    if (!Array.isArray(lengths) || lengths.length !== checked.length || lengths.some((n) => !Number.isSafeInteger(n) || n < 1)) {
      throw new ValueError(`${name}: lengths must hold a positive integer for each of the ${checked.length} parts, got ${formatValue(lengths)}`);
    }
    const eventDims = Math.max(...checked.map((t) => t.domainEventDims));
    super(name, eventDims);
    this.parts = Object.freeze(checked);
    this.axis = axis;
    this.lengths = Object.freeze([...lengths]);
  }

  override get bijective(): boolean {
    return this.parts.every((p) => p.bijective);
  }

  forward(x: Tensor): Tensor {
    return this.#blockwise('forward', x, 'x', (t, block) => t.forward(block));
  }

  inverse(y: Tensor): Tensor {
    return this.#blockwise('inverse', y, 'y', (t, block) => t.inverse(block));
  }

  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const a = this.#axisOf('logAbsDetJacobian', x, 'x');
    this.#axisOf('logAbsDetJacobian', y, 'y');
    return tidy(() => {
      let start = 0;
      const terms = this.parts.map((t, i) => {
        const [xs, ys] = [ops.narrow(x, a, start, this.lengths[i]), ops.narrow(y, a, start, this.lengths[i])];
        start += this.lengths[i];
        return sumRightmost(t.logAbsDetJacobian(xs, ys), this.domainEventDims - t.domainEventDims);
      });
      // A batch axis keeps each block's terms in place; inside the event they are summed, as the event's are.
      return a < x.rank - this.domainEventDims ? ops.concat(terms, a) : terms.reduce((total, t) => total.add(t));
    });
  }

  override sign(): number | Tensor {
    throw this.noSign();
  }

  override sameAs(other: Transform): boolean {
    return other instanceof CatTransform && other.axis === this.axis && sameShape(other.lengths, this.lengths) && sameMaps(other.parts, this.parts);
  }

  override get inv(): Transform {
    return new CatTransform(this.parts.map((p) => p.inv), { axis: this.axis, lengths: this.lengths });
  }

  #axisOf(member: string, t: unknown, what: string): number {
    const where = `${this.name}.${member}`;
    checkTensor(where, t, what);
    const v = t as Tensor;
    if (this.axis < -v.rank || this.axis >= v.rank) throw new ShapeError(`${where}: axis ${this.axis} is out of range for ${what} ${formatShape(v.shape)}`);
    const a = this.axis < 0 ? this.axis + v.rank : this.axis;
    const total = this.lengths.reduce((s, n) => s + n, 0);
    if (v.shape[a] !== total) throw new ShapeError(`${where}: ${what} ${formatShape(v.shape)} has ${v.shape[a]} entries along axis ${this.axis}; the lengths ${formatShape(this.lengths)} sum to ${total}`);
    return a;
  }

  #blockwise(member: string, v: Tensor, what: string, map: (t: Transform, block: Tensor) => Tensor): Tensor {
    const a = this.#axisOf(member, v, what);
    return tidy(() => {
      let start = 0;
      const blocks = this.parts.map((t, i) => {
        const block = ops.narrow(v, a, start, this.lengths[i]);
        start += this.lengths[i];
        return map(t, block);
      });
      return ops.concat(blocks, a);
    });
  }
}

/**
 * StackTransform(parts, { axis = 0 }): part i applied to x's slice i along
 * `axis` (as many slices as parts), the results stacked back (torch's
 * StackTransform); the log-determinant the parts' (each summed up to the
 * widest part's event axes) stacked along the axis. The axis must be a
 * batch axis, outside the parts' events (the parts span as many axes as the
 * widest, here, rather than PyTorch's one more for a negative axis, whose
 * log-determinant it does not sum). No sign.
 */
export class StackTransform extends Transform {
  readonly parts: readonly Transform[];
  readonly axis: number;

  constructor(parts: readonly Transform[], options: { axis?: number } = {}) {
    const name = 'StackTransform';
    const checked = checkParts(name, parts);
    super(name, Math.max(...checked.map((t) => t.domainEventDims)));
    this.parts = Object.freeze(checked);
    this.axis = checkAxis(name, options.axis ?? 0);
  }

  override get bijective(): boolean {
    return this.parts.every((p) => p.bijective);
  }

  forward(x: Tensor): Tensor {
    return this.#slicewise('forward', x, 'x', (t, slice) => t.forward(slice));
  }

  inverse(y: Tensor): Tensor {
    return this.#slicewise('inverse', y, 'y', (t, slice) => t.inverse(slice));
  }

  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const a = this.#axisOf('logAbsDetJacobian', x, 'x');
    this.#axisOf('logAbsDetJacobian', y, 'y');
    return tidy(() => {
      const [xs, ys] = [ops.unbind(x, a), ops.unbind(y, a)];
      return ops.stack(this.parts.map((t, i) => sumRightmost(t.logAbsDetJacobian(xs[i], ys[i]), this.domainEventDims - t.domainEventDims)), a);
    });
  }

  override sign(): number | Tensor {
    throw this.noSign();
  }

  override sameAs(other: Transform): boolean {
    return other instanceof StackTransform && other.axis === this.axis && sameMaps(other.parts, this.parts);
  }

  override get inv(): Transform {
    return new StackTransform(this.parts.map((p) => p.inv), { axis: this.axis });
  }

  #axisOf(member: string, t: unknown, what: string): number {
    const where = `${this.name}.${member}`;
    checkTensor(where, t, what);
    const v = t as Tensor;
    if (this.axis < -v.rank || this.axis >= v.rank) throw new ShapeError(`${where}: axis ${this.axis} is out of range for ${what} ${formatShape(v.shape)}`);
    const a = this.axis < 0 ? this.axis + v.rank : this.axis;
    if (a >= v.rank - this.domainEventDims) {
      throw new ShapeError(`${where}: axis ${this.axis} of ${what} ${formatShape(v.shape)} falls inside the parts' events of ${this.domainEventDims} axes; stack along a batch axis`);
    }
    if (v.shape[a] !== this.parts.length) throw new ShapeError(`${where}: ${what} ${formatShape(v.shape)} has ${v.shape[a]} slices along axis ${this.axis}, for ${this.parts.length} parts`);
    return a;
  }

  #slicewise(member: string, v: Tensor, what: string, map: (t: Transform, slice: Tensor) => Tensor): Tensor {
    const a = this.#axisOf(member, v, what);
    return tidy(() => {
      const slices = ops.unbind(v, a);
      return ops.stack(this.parts.map((t, i) => map(t, slices[i])), a);
    });
  }
}

/** Whether two chains are the same maps in the same order (KL of two TransformedDistributions is then their bases'). */
export function sameMaps(a: readonly Transform[], b: readonly Transform[]): boolean {
  return a.length === b.length && a.every((t, i) => t.sameAs(b[i]));
}
