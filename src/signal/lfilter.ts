// An IIR filter, as scipy.signal.lfilter: y = (B(z)/A(z)) x along an axis,
// b and a the numerator's and denominator's coefficients (a[0] normalized to
// 1). The numerator is a convolution (conv1d over the signal, zeros before
// it); the denominator's recursion w[n] = v[n] − Σₖ aₖ·w[n−k] is a linear
// one, and its state s[n] = (w[n], …, w[n−p+1]) follows s[n] = C·s[n−1] +
// e₁·v[n] with C the companion matrix of a. So s[n] = Σⱼ Cⁿ⁻ʲ·e₁·v[j], which
// a scan by doubling computes in ⌈log₂ N⌉ steps, step d adding C^(2^d)
// times the partial sums 2^d earlier (Hillis and Steele): a shift and one
// small product per step, no sequential loop over the samples, so a GPU runs
// every position at once, and everything is an op, differentiable in x, b
// and a. A denominator given as numbers is first factored (its roots, on the
// host) into quadratics run one after another, as sosfilt runs sections
// (one recursion of high order loses f32's digits to its companion matrix's
// cancellations), each by ops/all_pole.ts's kernel: one pass over the
// samples, far less work than the scan's log₂ N products, which the
// coefficients as tensors need for their gradient. Initial conditions zi (scipy's, of the transposed direct
// form II) enter as the first p values of v, which is what they add to the
// output. The final state (scipy's zf, for filtering a stream in blocks)
// is the direct form's state after the last sample: a sum over the last p
// inputs and outputs, weighted by the coefficients, plus what is left of zi
// when the signal is shorter than the state.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { moveaxis } from '../ops/axes.js';
import { conv1d } from '../ops/conv.js';
import { eye, tensor, zeros } from '../ops/creation.js';
import { inF32 } from '../ops/fft/pairs.js';
import { matmul } from '../ops/matmul.js';
import { concat, flip, gather, pad, reshape, slice } from '../ops/movement.js';
import { checkTensor, heldValues, onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normalizeAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { allPole, MOST_POLES } from '../ops/all_pole.js';
import { roots } from './host_complex.js';

/** Filter coefficients: numbers, or a float vector (differentiable). */
export type Coefficients = readonly number[] | Float32Array | Float64Array | Tensor;

export interface LfilterOptions {
  /** The axis along which each signal runs (default −1). */
  axis?: number;
  /**
   * Initial conditions, scipy's zi: [..., max(len(a), len(b)) − 1], x's shape
   * with the signal's axis replaced by the state (broadcast). Default zeros.
   */
  zi?: Tensor;
}

const OPTIONS: OptionNames<LfilterOptions> = { axis: true, zi: true };

/** Coefficients as an f32 vector on x's backend, checked: some, finite where they can be read. */
function coefficientsOf(op: string, name: string, c: Coefficients, like: Tensor): Tensor {
  if (c instanceof Tensor) {
    const t = checkTensor(op, c, name);
    if (!isFloat(t.dtype) || t.rank !== 1 || t.shape[0] === 0) throw new ShapeError(`${op}: ${name} must be a non-empty float vector, got ${t.dtype} ${formatShape(t.shape)}`);
    return inF32(t);
  }
  const values = coefficientValues(op, name, c);
  return onBackendOf(op, like, () => tensor(Float32Array.from(values), [values.length]));
}

/** Coefficients given as numbers, checked: some, all finite. */
export function coefficientValues(op: string, name: string, c: Exclude<Coefficients, Tensor>): number[] {
  const values = Array.from(c as ArrayLike<number>);
  if (values.length === 0 || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw new ValueError(`${op}: ${name} must be a non-empty list of finite numbers, got ${formatValue(c)}`);
  return values;
}

/**
 * scipy.signal.lfilter(b, a, x, axis, zi): x (real, f32 or f16) filtered
 * along `axis` by B(z)/A(z); f32 out. Differentiable in x, the coefficients
 * given as tensors, and zi. scipy also returns the final state where zi is
 * given; lfilterWithState does.
 */
export function lfilter(b: Coefficients, a: Coefficients, x: Tensor, options: LfilterOptions = {}): Tensor {
  return filtered('lfilter', b, a, x, options, false).y;
}

/** A filtered signal and the filter's state after its last sample. */
export interface FilteredWithState {
  y: Tensor;
  /**
   * The final state, scipy's zf: zi's layout (x's shape with the signal's
   * axis replaced by max(len(a), len(b)) − 1 states), the zi that goes on
   * filtering where this signal ends.
   */
  zf: Tensor;
}

/**
 * `y, zf = scipy.signal.lfilter(b, a, x, axis, zi)`: lfilter's output and the
 * final state, so that a stream filtered block by block, each block's zf the
 * next one's zi, is the whole signal filtered at once. zi defaults to zeros
 * (a signal that starts at rest). Differentiable as lfilter, zf too.
 */
export function lfilterWithState(b: Coefficients, a: Coefficients, x: Tensor, options: LfilterOptions = {}): FilteredWithState {
  return filtered('lfilterWithState', b, a, x, options, true) as FilteredWithState;
}

function filtered(op: string, b: Coefficients, a: Coefficients, x: Tensor, options: LfilterOptions, withState: boolean): { y: Tensor; zf?: Tensor } {
  const { axis = -1, zi } = checkOptions(op, options, OPTIONS);
  checkTensor(op, x, 'x');
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: x must be f32 or f16, got ${x.dtype} (cast it: x.cast('f32'))`);
  if (x.rank === 0) throw new ShapeError(`${op}: x must have an axis of samples, got a scalar`);
  const ax = normalizeAxis(op, axis, x.rank);
  return tidy(() => {
    const bt = coefficientsOf(op, 'b', b, x);
    const at = coefficientsOf(op, 'a', a, x);
    const a0 = slice(at, [0], [1]);
    // Numbers are read on the host; a tensor's where its backend holds it (a GPU's a[0] of 0 gives NaN).
    const lead = a instanceof Tensor ? heldValues(op, a0)?.[0] : (a as ArrayLike<number>)[0];
    if (lead === 0) throw new ValueError(`${op}: a[0] must not be 0 (it normalizes the filter)`);
    const signal = moveaxis(inF32(x), ax, -1);
    const batch = signal.shape.slice(0, -1);
    const n = signal.shape[signal.rank - 1];
    const rows = batch.reduce((p, d) => p * d, 1);
    const order = Math.max(bt.shape[0], at.shape[0]) - 1;
    if (n === 0) {
      // No samples (conv1d wants one): SciPy's empty signal, and the state it was given (zeros without zi).
      const states = zi === undefined ? zeros([rows, order]) : statesOf(op, zi, x.shape, ax, order, rows, x);
      return { y: moveaxis(signal, -1, ax), zf: withState ? moveaxis(reshape(states, [...batch, order]), -1, ax) : undefined };
    }
    // The numerator: v[n] = Σₖ bₖ·x[n − k], a cross-correlation with b reversed over x with len(b) − 1 zeros before it.
    const taps = bt.shape[0];
    const flat = reshape(signal, [rows, 1, n]);
    let v = reshape(conv1d(pad(flat, [[0, 0], [0, 0], [taps - 1, 0]]), reshape(flip(bt.div(a0), 0), [1, 1, taps])), [rows, n]);
    const states = zi === undefined ? undefined : statesOf(op, zi, x.shape, ax, order, rows, x);
    if (states && order > 0) v = v.add(initialInput(states, n));
    const poles = at.shape[0] - 1;
    let y = v;
    if (poles > 0 && a instanceof Tensor) y = recursion(v, (count) => powersOnDevice(at.div(a0), poles, count));
    else if (poles > 0) {
      for (const factor of denominatorFactors(Array.from(a as ArrayLike<number>))) {
        y = factor.length - 1 <= MOST_POLES ? allPole(y, factor) : recursion(y, (count) => powersOnHost(factor, factor.length - 1, count, x));
      }
    }
    const out = moveaxis(reshape(y, [...batch, n]), -1, ax);
    if (!withState) return { y: out };
    const zf = finalState(bt.div(a0), at.div(a0), reshape(signal, [rows, n]), y, states, order, x);
    return { y: out, zf: moveaxis(reshape(zf, [...batch, order]), -1, ax) };
  });
}

/**
 * The transposed direct form's state after the last of n samples, [rows,
 * order]: zfᵢ = Σₖ (b̂ᵢ₊₁₊ₖ·x[n−1−k] − âᵢ₊₁₊ₖ·y[n−1−k]) over the samples
 * there are (k < n, i + 1 + k ≤ order), b̂ and â normalized by a[0], plus
 * zi's state i + n where that is still a state (a signal shorter than it).
 * The sums are two products with Hankel matrices of the coefficients.
 */
function finalState(bn: Tensor, an: Tensor, x: Tensor, y: Tensor, states: Tensor | undefined, order: number, like: Tensor): Tensor {
  const [rows, n] = x.shape;
  if (order === 0) return onBackendOf('lfilter', like, () => zeros([rows, 0]));
  const last = Math.min(n, order);
  // Coefficient i + 1 + k at [i, k], and a zero (index order + 1, past both vectors padded to it) where that passes the last.
  const at = Int32Array.from({ length: order * last }, (_, m) => Math.min(Math.floor(m / last) + 1 + (m % last), order + 1));
  const indices = onBackendOf('lfilter', like, () => tensor(at, [order * last], { dtype: 'i32' }));
  const hankel = (c: Tensor) => reshape(gather(pad(c, [[0, order + 2 - c.shape[0]]]), indices, 0), [order, last]);
  const newest = (t: Tensor) => flip(slice(t, [0, n - last], [rows, last]), 1);
  let zf = matmul(newest(x), hankel(bn), { transposeB: true }).sub(matmul(newest(y), hankel(an), { transposeB: true }));
  if (states && n < order) zf = zf.add(pad(slice(states, [0, n], [rows, order - n]), [[0, 0], [0, n]]));
  return zf;
}

/**
 * zi checked (x's shape with the signal's axis replaced by the state, each
 * axis 1 to broadcast, or one vector of the state for every signal), as
 * [rows, order].
 */
function statesOf(op: string, zi: Tensor, shape: readonly number[], axis: number, order: number, rows: number, like: Tensor): Tensor {
  checkTensor(op, zi, 'zi');
  const want = shape.map((d, i) => (i === axis ? order : d));
  const fits = zi.rank === 1 ? zi.shape[0] === order : zi.rank === want.length && zi.shape.every((d, i) => d === want[i] || (d === 1 && i !== axis));
  if (!isFloat(zi.dtype)) throw new DTypeError(`${op}: zi must be f32 or f16, got ${zi.dtype} (cast it: zi.cast('f32'))`);
  if (!fits) {
    throw new ShapeError(`${op}: zi ${formatShape(zi.shape)} must be ${formatShape(want)} (x's shape with the signal's axis replaced by max(len(a), len(b)) − 1 = ${order} states; 1 to broadcast), or [${order}]`);
  }
  if (order === 0) return onBackendOf(op, like, () => zeros([rows, 0]));
  const given = zi.rank === 1 ? inF32(zi) : moveaxis(inF32(zi), axis, -1);
  return reshape(given.add(onBackendOf(op, like, () => zeros([...want.filter((_, i) => i !== axis), order]))), [rows, order]);
}

/** The states [rows, order] as the first values of an input [rows, n], zero after them (only their first n where the signal is shorter). */
function initialInput(states: Tensor, n: number): Tensor {
  const [rows, order] = states.shape;
  const first = order <= n ? states : slice(states, [0, 0], [rows, n]);
  return order < n ? pad(first, [[0, 0], [0, n - order]]) : first;
}

/**
 * w[n] = v[n] − Σₖ₌₁ᵖ aₖ·w[n − k] for v [rows, n] and a normalized (a[0] =
 * 1), by the doubling scan. C's powers C^(2^d) come from `powers`: squared
 * on the device where a is a tensor (its gradient flows through them), in
 * float64 on the host where a is numbers.
 */
function recursion(v: Tensor, powers: (count: number) => Tensor[]): Tensor {
  const [rows, n] = v.shape;
  const steps = Math.ceil(Math.log2(Math.max(n, 1)));
  const power = powers(steps);
  const p = power.length > 0 ? power[0].shape[0] : 1;
  // The partial sums c[n] = Σⱼ Cⁿ⁻ʲ·e₁·v[j] over ever longer spans; e₁·v[j] to start.
  let sums = pad(reshape(v, [rows, n, 1]), [[0, 0], [0, 0], [0, p - 1]]);
  for (let d = 0, shift = 1; shift < n; d++, shift *= 2) {
    const earlier = pad(slice(sums, [0, 0, 0], [rows, n - shift, p]), [[0, 0], [shift, 0], [0, 0]]);
    sums = sums.add(matmul(earlier, power[d], { transposeB: true }));
  }
  return reshape(slice(sums, [0, 0, 0], [rows, n, 1]), [rows, n]);
}

/** C, C², C⁴, … (count of them) of the companion matrix of a normalized a (a tensor), squared on its backend. */
function powersOnDevice(a: Tensor, p: number, count: number): Tensor[] {
  // C's first row −a[1..p], ones below its diagonal: s[n] = C·s[n − 1] moves the state on.
  const top = reshape(slice(a, [1], [p]).neg(), [1, p]);
  const below = () => onBackendOf('lfilter', a, () => concat([eye(p - 1), zeros([p - 1, 1])], 1));
  const out = [p === 1 ? top : concat([top, below()], 0)];
  while (out.length < count) out.push(matmul(out[out.length - 1], out[out.length - 1]));
  return out;
}

/**
 * A denominator of numbers as factors 1/A = Π 1/Aᵢ of degree two or one
 * (its roots' conjugate pairs, its real roots two at a time, roots at 0
 * left out: each is a factor of 1), each normalized: a cascade of
 * recursions that each stay well conditioned where one of high order would
 * not (the direct form's companion matrix has entries of binomial size,
 * whose cancellations cost f32 its digits). The roots are the companion
 * matrix's eigenvalues (host_complex.ts), so the factors multiply back to
 * A within float64's rounding even for clustered or repeated roots. Of
 * degree two or less, or where the roots do not come out, a itself.
 */
function denominatorFactors(a: readonly number[]): number[][] {
  const normalized = a.map((c) => c / a[0]);
  if (a.length <= 3) return [normalized];
  const found = roots(normalized);
  if (found === null || found.some((r) => !r.every(Number.isFinite))) return [normalized];
  // The QR iteration gives real roots exactly real and each complex one beside its exact conjugate.
  const upper = found.filter(([, im]) => im > 0);
  const real = found.filter(([re, im]) => im === 0 && re !== 0).map(([re]) => re);
  const factors = upper.map(([re, im]) => [1, -2 * re, re * re + im * im]);
  for (let i = 0; i < real.length; i += 2) factors.push(i + 1 < real.length ? [1, -(real[i] + real[i + 1]), real[i] * real[i + 1]] : [1, -real[i]]);
  return factors;
}

/** powersOnDevice's matrices for a normalized a of numbers, squared in float64 and uploaded. */
function powersOnHost(a: readonly number[], p: number, count: number, like: Tensor): Tensor[] {
  let c = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === 0 ? -a[j + 1] : i === j + 1 ? 1 : 0)));
  const out: Tensor[] = [];
  for (let k = 0; k < count; k++) {
    const flat = Float32Array.from(c.flat());
    out.push(onBackendOf('lfilter', like, () => tensor(flat, [p, p])));
    c = c.map((row) => row.map((_, j) => row.reduce((s, v, m) => s + v * c[m][j], 0)));
  }
  return out;
}
