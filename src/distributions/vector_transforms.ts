// The transforms of torch.distributions that map whole vectors or matrices
// rather than entries: onto the simplex (StickBreakingTransform, bijective
// from R^(K−1); SoftmaxTransform, not), onto lower triangular factors with
// a positive diagonal (LowerCholeskyTransform) and onto the Cholesky
// factors of correlation matrices (CorrCholeskyTransform, from the
// D·(D − 1)/2 entries below the diagonal). Each follows PyTorch's formula,
// its clamps included, so that values and log-determinants match.
import { epsilonOf } from '../dtype.js';
import { tidy } from '../engine.js';
import { ShapeError, formatShape } from '../errors.js';
import * as ops from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { softplus } from './distribution.js';
import { TINY } from './gamma.js';
import { Transform } from './transforms.js';

/** A constant vector of `values` in `like`'s dtype, on its backend. */
function constants(where: string, like: Tensor, values: readonly number[]): Tensor {
  return onBackendOf(where, like, () => ops.tensor(Float32Array.from(values), [values.length], { dtype: like.dtype }));
}

/** Indices (i32) on `like`'s backend. */
function indices(where: string, like: Tensor, values: readonly number[]): Tensor {
  return onBackendOf(where, like, () => ops.tensor(Int32Array.from(values), [values.length], { dtype: 'i32' }));
}

/** `length` entries of t's last axis from `start`. */
function lastAxis(t: Tensor, start: number, length: number): Tensor {
  return ops.narrow(t, -1, start, length);
}

/** t padded along its last axis with `before` and `after` entries of `value`. */
function padLast(t: Tensor, before: number, after: number, value: number): Tensor {
  return t.pad(t.shape.map((_, i) => (i === t.rank - 1 ? [before, after] : [0, 0]) as [number, number]), value);
}

/** σ(x) clamped to [the smallest normal, 1 − ε] of its dtype: PyTorch's _clipped_sigmoid, so that no break is 0 or the whole stick. */
function clippedSigmoid(x: Tensor): Tensor {
  const dtype = x.dtype as 'f32' | 'f16';
  return x.sigmoid().clip(TINY[dtype], 1 - epsilonOf(dtype));
}

/**
 * StickBreakingTransform: from R^(K−1) onto the simplex in R^K, bijective
 * (torch's, the iterated sigmoid of a stick-breaking Dirichlet): zᵢ =
 * σ(xᵢ − log(K − 1 − i)) breaks off that share of the stick left, yᵢ =
 * zᵢ·Πⱼ₍ⱼ<ᵢ₎(1 − zⱼ), and y_K takes the rest. The offsets make x = 0 the
 * simplex's centre. Its log-determinant is of x ↦ y's first K − 1
 * entries (the last is fixed by them): Σᵢ (−x′ᵢ + log σ(x′ᵢ) + log yᵢ),
 * x′ = x − offset. Events are vectors, one entry longer on the way out.
 */
export class StickBreakingTransform extends Transform {
  constructor() {
    super('StickBreakingTransform', 1);
  }

  forward(x: Tensor): Tensor {
    const v = this.checkEvent('forward', x, 1, 'x');
    return tidy(() => {
      const z = clippedSigmoid(v.sub(this.offsets('forward', v, v.shape[v.rank - 1])));
      const left = ops.sub(1, z).cumprod(-1);
      return padLast(z, 0, 1, 1).mul(padLast(left, 1, 0, 1));
    });
  }

  /** xᵢ = log yᵢ − log(1 − Σⱼ₍ⱼ≤ᵢ₎ yⱼ) + log(K − 1 − i), the stick left clamped to the smallest normal (as PyTorch's) where rounding empties it. */
  inverse(y: Tensor): Tensor {
    const v = this.checkEvent('inverse', y, 1, 'y');
    return tidy(() => {
      const k = v.shape[v.rank - 1];
      const crop = lastAxis(v, 0, k - 1);
      const left = ops.sub(1, crop.cumsum(-1)).clip(TINY[v.dtype as 'f32' | 'f16'], null);
      return crop.log().sub(left.log()).add(this.offsets('inverse', v, k - 1));
    });
  }

  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const v = this.checkEvent('logAbsDetJacobian', x, 1, 'x');
    this.checkEvent('logAbsDetJacobian', y, 1, 'y');
    return tidy(() => {
      const k = v.shape[v.rank - 1];
      const shifted = v.sub(this.offsets('logAbsDetJacobian', v, k));
      // 1 − σ(x′) = e^(−x′)·σ(x′): each break's share of the stick and what it leaves, in logs.
      return shifted.neg().sub(softplus(shifted.neg())).add(lastAxis(y, 0, k).log()).sum(-1);
    });
  }

  override sign(): number | Tensor {
    throw this.noSign();
  }

  /** [..., K − 1] → [..., K]. */
  override forwardShape(shape: readonly number[]): number[] {
    this.checkShape('forwardShape', shape);
    return [...shape.slice(0, -1), shape[shape.length - 1] + 1];
  }

  /** [..., K] → [..., K − 1]. */
  override inverseShape(shape: readonly number[]): number[] {
    this.checkShape('inverseShape', shape);
    return [...shape.slice(0, -1), shape[shape.length - 1] - 1];
  }

  /** log(n − i) for i < n: each break's offset. */
  private offsets(member: string, like: Tensor, n: number): Tensor {
    return constants(`${this.name}.${member}`, like, Array.from({ length: n }, (_, i) => Math.log(n - i)));
  }

  private checkShape(member: string, shape: readonly number[]): void {
    if (shape.length < 1) throw new ShapeError(`${this.name}.${member}: shape ${formatShape(shape)} has no vector axis (its last)`);
  }
}

/**
 * SoftmaxTransform: y = softmax(x) along the last axis, onto the simplex
 * (torch's). Not bijective (x and x + c meet): inverse is log y, one x of
 * many, and there is no log-determinant. Acts mostly entry by entry, which
 * suits optimisation; StickBreakingTransform is the bijective one.
 */
export class SoftmaxTransform extends Transform {
  constructor() {
    super('SoftmaxTransform', 1);
  }

  override get bijective(): boolean {
    return false;
  }

  forward(x: Tensor): Tensor {
    return this.checkEvent('forward', x, 1, 'x').softmax(-1);
  }

  /** log y: the x with logsumexp 0. */
  inverse(y: Tensor): Tensor {
    return this.checkEvent('inverse', y, 1, 'y').log();
  }

  logAbsDetJacobian(_x?: Tensor, _y?: Tensor): never {
    throw this.notBijective('softmax(x + c) = softmax(x)');
  }

  override sign(): number | Tensor {
    throw this.noSign();
  }
}

/** The matrices' shape checked square: [..., n, n]. */
function checkSquare(t: Transform, member: string, x: Tensor, what: string): number {
  const n = x.shape[x.rank - 1];
  if (x.shape[x.rank - 2] !== n) throw new ShapeError(`${t.name}.${member}: ${what} ${formatShape(x.shape)} is not a batch of square matrices`);
  return n;
}

/**
 * LowerCholeskyTransform: a square matrix's part below the diagonal, with
 * the exponential of its diagonal on it (torch's): a lower triangular
 * factor with a positive diagonal, how a covariance's Cholesky factor is
 * parameterised freely. The part above the diagonal is dropped, so it is
 * not bijective (no log-determinant); inverse puts log of the diagonal back.
 */
export class LowerCholeskyTransform extends Transform {
  constructor() {
    super('LowerCholeskyTransform', 2);
  }

  override get bijective(): boolean {
    return false;
  }

  forward(x: Tensor): Tensor {
    const v = this.checkEvent('forward', x, 2, 'x');
    checkSquare(this, 'forward', v, 'x');
    return tidy(() => v.tril(-1).add(ops.diagEmbed(v.diagonal({ axis1: -2, axis2: -1 }).exp())));
  }

  inverse(y: Tensor): Tensor {
    const v = this.checkEvent('inverse', y, 2, 'y');
    checkSquare(this, 'inverse', v, 'y');
    return tidy(() => v.tril(-1).add(ops.diagEmbed(v.diagonal({ axis1: -2, axis2: -1 }).log())));
  }

  logAbsDetJacobian(_x?: Tensor, _y?: Tensor): never {
    throw this.notBijective('the part above the diagonal is dropped');
  }

  override sign(): number | Tensor {
    throw this.noSign();
  }
}

/** The flat positions (row-major) of an n × n matrix's entries (r, c) with c ≤ r + offset: torch's tril_matrix_to_vec order. */
function lowerPositions(n: number, offset: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (c <= r + offset) out.push(r * n + c);
  return out;
}

/** D for D·(D − 1)/2 = n entries below a D × D diagonal, or undefined where there is none. */
function sideOf(n: number): number | undefined {
  const d = Math.round(Math.sqrt(0.25 + 2 * n) + 0.5);
  return (d * (d - 1)) / 2 === n ? d : undefined;
}

/**
 * CorrCholeskyTransform: from R^(D·(D−1)/2) onto the Cholesky factors L of
 * D × D correlation matrices (lower triangular, positive diagonal, rows of
 * unit length), torch's (Stan's): x fills the part below the diagonal row
 * by row, r = tanh x (clamped one ε inside (−1, 1)), and each row is a
 * signed stick-breaking of its squares, Lᵢⱼ = rᵢⱼ·Πₖ₍ₖ<ⱼ₎ √(1 − rᵢₖ²), the
 * diagonal what is left. Its log-determinant is of x ↦ L's entries below
 * the diagonal: ½·Σ log(1 − Σₖ₍ₖ≤ⱼ₎ Lᵢₖ²) over j ≤ i − 2 plus tanh's,
 * −2·Σ (x + softplus(−2x) − log 2). Events are vectors on the way in,
 * matrices on the way out.
 */
export class CorrCholeskyTransform extends Transform {
  constructor() {
    super('CorrCholeskyTransform', 1, 2);
  }

  forward(x: Tensor): Tensor {
    const v = this.checkEvent('forward', x, 1, 'x');
    const d = this.side('forward', v.shape[v.rank - 1], 'x', v.shape);
    return tidy(() => {
      const eps = epsilonOf(v.dtype);
      const r = this.lowerMatrix(v.tanh().clip(-1 + eps, 1 - eps), d);
      // L = r·√(Π of 1 − r² before each column), the diagonal 1 times what the row leaves.
      const left = ops.sub(1, r.square()).sqrt().cumprod(-1);
      const eye = onBackendOf(`${this.name}.forward`, v, () => ops.eye(d, { dtype: v.dtype }));
      return r.add(eye).mul(padLast(lastAxis(left, 0, d - 1), 1, 0, 1));
    });
  }

  /** tᵢⱼ = Lᵢⱼ / √(1 − Σₖ₍ₖ<ⱼ₎ Lᵢₖ²) and x = atanh t, as ½·log((1 + t)/(1 − t)). */
  inverse(y: Tensor): Tensor {
    const v = this.checkEvent('inverse', y, 2, 'y');
    const d = checkSquare(this, 'inverse', v, 'y');
    return tidy(() => {
      const left = ops.sub(1, v.square().cumsum(-1));
      const before = padLast(lastAxis(left, 0, d - 1), 1, 0, 1);
      const t = this.lowerVector(v, d, -1).div(this.lowerVector(before, d, -1).sqrt());
      return t.add(1).div(ops.sub(1, t)).log().mul(0.5);
    });
  }

  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const v = this.checkEvent('logAbsDetJacobian', x, 1, 'x');
    const w = this.checkEvent('logAbsDetJacobian', y, 2, 'y');
    const d = checkSquare(this, 'logAbsDetJacobian', w, 'y');
    return tidy(() => {
      const tanh = v.add(softplus(v.mul(-2))).sub(Math.LN2).sum(-1).mul(-2);
      if (d < 3) return tanh;
      // Entries j ≤ i − 2 of 1 − cumsum(L²): the stick left before each column past the first, not shifted.
      const left = ops.sub(1, w.square().cumsum(-1));
      return this.lowerVector(left, d, -2).log().sum(-1).mul(0.5).add(tanh);
    });
  }

  override sign(): number | Tensor {
    throw this.noSign();
  }

  /** [..., D·(D − 1)/2] → [..., D, D]. */
  override forwardShape(shape: readonly number[]): number[] {
    if (shape.length < 1) throw new ShapeError(`${this.name}.forwardShape: shape ${formatShape(shape)} has no vector axis (its last)`);
    const d = this.side('forwardShape', shape[shape.length - 1], 'shape', shape);
    return [...shape.slice(0, -1), d, d];
  }

  /** [..., D, D] → [..., D·(D − 1)/2]. */
  override inverseShape(shape: readonly number[]): number[] {
    const d = shape[shape.length - 1];
    if (shape.length < 2 || shape[shape.length - 2] !== d) throw new ShapeError(`${this.name}.inverseShape: shape ${formatShape(shape)} is not of square matrices`);
    return [...shape.slice(0, -2), (d * (d - 1)) / 2];
  }

  private side(member: string, n: number, what: string, shape: readonly number[]): number {
    const d = sideOf(n);
    if (d === undefined || d < 2) throw new ShapeError(`${this.name}.${member}: ${what} ${formatShape(shape)} has ${n} entries in its last axis, not D·(D − 1)/2 for a D ≥ 2`);
    return d;
  }

  /** x [..., D·(D − 1)/2] put below the diagonal of D × D zeros, row by row. */
  private lowerMatrix(x: Tensor, d: number): Tensor {
    const n = (d * (d - 1)) / 2;
    const slots = new Array<number>(d * d).fill(n);
    lowerPositions(d, -1).forEach((p, k) => (slots[p] = k));
    const padded = padLast(x, 0, 1, 0);
    const flat = padded.gather(indices(`${this.name}.forward`, x, slots), -1);
    return flat.reshape([...x.shape.slice(0, -1), d, d]);
  }

  /** m's entries (r, c) with c ≤ r + offset, row by row: [..., count]. */
  private lowerVector(m: Tensor, d: number, offset: number): Tensor {
    const flat = m.reshape([...m.shape.slice(0, -2), d * d]);
    return flat.gather(indices(this.name, m, lowerPositions(d, offset)), -1);
  }
}
