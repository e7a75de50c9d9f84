// Drawing from discrete distributions: random integers, permutations, coin
// flips and categorical samples. As for rand and randn, the randomness is
// drawn here in JS from a seed, so a seed gives the same tensor on every
// backend and machine.
import { INT_RANGE, checkDType, isFloat, type DType } from '../dtype.js';
import { creatingOn } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { permutation, rng, seedFor } from '../random.js';
import { checkShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { rand, type RandomOptions } from './creation.js';
import { less } from './elementwise.js';
import { allocating, checkTensor, fromValues, onBackendOf } from './util.js';

const RANDOM_OPTIONS: OptionNames<RandomOptions> = { dtype: true, seed: true };

/**
 * Integers drawn uniformly from [low, high) (torch.randint, NumPy's
 * integers): `randint(0, 10, [3, 4])`. i32 unless `dtype` says otherwise;
 * every value of the range must fit the dtype.
 */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  const s = checkShape(shape, 'randint');
  options = checkOptions('randint', options, RANDOM_OPTIONS);
  const dtype = checkDType(options.dtype ?? 'i32', 'randint');
  for (const [name, v] of [['low', low], ['high', high]] as const) {
    if (!Number.isSafeInteger(v)) throw new ValueError(`randint: ${name} must be an integer, got ${formatValue(v)}`);
  }
  if (!(low < high)) throw new ValueError(`randint: low ${low} must be less than high ${high}`);
  const [lo, hi] = exactIntegers(dtype);
  if (low < lo || high - 1 > hi) {
    throw new ValueError(`randint: values in [${low}, ${high}) do not all fit ${dtype}, which holds integers ${lo} … ${hi} exactly`);
  }
  // At most 2³² (i32's whole range), so one 32-bit draw covers it.
  const span = high - low;
  const next = rng(seedFor('randint', options.seed));
  // Draws at or past the largest multiple of span below 2³² are redrawn, so
  // that every integer of the range is exactly as likely (x % span alone
  // favours the small ones).
  const limit = Math.floor(2 ** 32 / span) * span;
  const values = allocating('randint', s, 8, () => new Float64Array(sizeOf(s)));
  for (let i = 0; i < values.length; i++) {
    let x: number;
    do x = next() * 2 ** 32;
    while (x >= limit);
    values[i] = low + (x % span);
  }
  return fromValues('randint', values, s, dtype);
}

/** The integers `dtype` holds, every one between exactly. */
export function exactIntegers(dtype: DType): readonly [number, number] {
  if (dtype === 'i8' || dtype === 'i32') return INT_RANGE[dtype];
  const m = dtype === 'f16' ? 2 ** 11 : 2 ** 24;
  return [-m, m];
}

/** 0 … n−1 in a random order (torch.randperm): i32 unless `dtype` says otherwise. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  options = checkOptions('randperm', options, RANDOM_OPTIONS);
  const dtype = checkDType(options.dtype ?? 'i32', 'randperm');
  if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`randperm: n must be a non-negative integer, got ${formatValue(n)}`);
  const largest = exactIntegers(dtype)[1];
  if (n - 1 > largest) throw new ValueError(`randperm: ${dtype} cannot hold ${n - 1} exactly (n = ${n})`);
  const order = allocating('randperm', [n], 4, () => permutation(n, seedFor('randperm', options.seed)));
  return fromValues('randperm', order, [n], dtype);
}

export interface BernoulliOptions extends RandomOptions {
  /** The shape to draw when p is a number. Default [] (one draw). */
  shape?: readonly number[];
}

const BERNOULLI_OPTIONS: OptionNames<BernoulliOptions> = { dtype: true, seed: true, shape: true };

/**
 * 1 with probability p and 0 otherwise, one independent draw per entry of p
 * (torch.bernoulli), in p's dtype; or, for a number p, `shape` draws in
 * `dtype` (f32 unless it says otherwise). Drawn as u < p for u uniform in
 * [0, 1), so entries of a tensor p outside [0, 1] act as if clipped into it
 * (a NaN as 0): they cannot be checked without reading p back.
 */
export function bernoulli(p: Tensor | number, options: BernoulliOptions = {}): Tensor {
  options = checkOptions('bernoulli', options, BERNOULLI_OPTIONS);
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new ValueError(`bernoulli: p must be a probability in [0, 1], got ${formatValue(p)}`);
    const shape = checkShape(options.shape ?? [], 'bernoulli');
    const u = rand(shape, { seed: seedFor('bernoulli', options.seed) });
    const flips = less(u, p);
    const out = cast(flips, checkDType(options.dtype ?? 'f32', 'bernoulli'));
    u.dispose();
    flips.dispose();
    return out;
  }
  checkTensor('bernoulli', p);
  if (options.shape !== undefined) throw new ValueError('bernoulli: shape is for a number p; a tensor p draws one value per entry');
  if (options.dtype !== undefined) throw new ValueError(`bernoulli: the draws take p's dtype (${p.dtype}); cast them instead of passing dtype`);
  if (!isFloat(p.dtype)) throw new DTypeError(`bernoulli: p must be a float tensor of probabilities, got ${p.dtype}`);
  return onBackendOf('bernoulli', p, () => {
    const u = rand(p.shape, { seed: seedFor('bernoulli', options.seed) });
    // f16 p is compared in f32: an f16 u could take only 2¹¹ values per octave, which would bend the odds.
    const probabilities = p.dtype === 'f32' ? p : cast(p, 'f32');
    const flips = less(u, probabilities);
    const out = cast(flips, p.dtype);
    for (const t of [u, flips]) t.dispose();
    if (probabilities !== p) probabilities.dispose();
    return out;
  });
}

export interface MultinomialOptions {
  /** Draw with replacement (a category can come more than once). Default false, as PyTorch. */
  replacement?: boolean;
  seed?: number;
}

const MULTINOMIAL_OPTIONS: OptionNames<MultinomialOptions> = { replacement: 'boolean', seed: true };

/**
 * `numSamples` category indices (i32) drawn from each row of `weights`
 * (torch.multinomial): a row is [categories] or [rows, categories] of
 * non-negative weights, not necessarily summing to 1. Without replacement
 * (the default) each index comes at most once, in the order drawn, so a row
 * needs at least numSamples non-zero weights.
 *
 * Asynchronous, unlike the other ops: the weights are read back, checked and
 * drawn from in float64 here, so that a negative, NaN or all-zero row is an
 * error rather than a silently wrong draw, and a seed gives the same indices
 * on every backend.
 */
export async function multinomial(weights: Tensor, numSamples: number, options: MultinomialOptions = {}): Promise<Tensor> {
  checkTensor('multinomial', weights);
  options = checkOptions('multinomial', options, MULTINOMIAL_OPTIONS);
  if (!isFloat(weights.dtype)) throw new DTypeError(`multinomial: weights must be a float tensor, got ${weights.dtype}`);
  if (weights.rank !== 1 && weights.rank !== 2) {
    throw new ShapeError(`multinomial: weights must be [categories] or [rows, categories], got ${formatShape(weights.shape)}`);
  }
  const categories = weights.shape[weights.rank - 1];
  const rows = weights.rank === 2 ? weights.shape[0] : 1;
  if (categories === 0) throw new ShapeError(`multinomial: weights ${formatShape(weights.shape)} have no categories to draw from`);
  if (!Number.isSafeInteger(numSamples) || numSamples < 0) {
    throw new ValueError(`multinomial: numSamples must be a non-negative integer, got ${formatValue(numSamples)}`);
  }
  const replacement = options.replacement ?? false;
  if (!replacement && numSamples > categories) {
    throw new ValueError(`multinomial: cannot draw ${numSamples} samples without replacement from ${categories} categories`);
  }
  const seed = seedFor('multinomial', options.seed);
  const backend = weights.dataRef('multinomial').backend;
  const w = await weights.data();
  const next = rng(seed);
  const drawn = new Int32Array(rows * numSamples);
  for (let r = 0; r < rows; r++) {
    const row = w.subarray(r * categories, (r + 1) * categories);
    const where = weights.rank === 2 ? ` in row ${r}` : '';
    let nonZero = 0;
    row.forEach((v, c) => {
      if (!(v >= 0 && v < Infinity)) throw new ValueError(`multinomial: weights must be finite and non-negative, got ${formatValue(v)} at category ${c}${where}`);
      if (v > 0) nonZero++;
    });
    if (nonZero === 0) throw new ValueError(`multinomial: weights${where} are all zero: nothing to draw`);
    if (!replacement && nonZero < numSamples) {
      throw new ValueError(`multinomial: cannot draw ${numSamples} samples without replacement${where}: only ${nonZero} categories have non-zero weight`);
    }
    const out = drawn.subarray(r * numSamples, (r + 1) * numSamples);
    if (replacement) drawWithReplacement(row, out, next);
    else drawWithoutReplacement(row, out, next);
  }
  // On the backend the weights were on when called: they may have been disposed while being read.
  return creatingOn(backend, () => fromValues('multinomial', drawn, weights.rank === 2 ? [rows, numSamples] : [numSamples], 'i32'));
}

/** Inverse-CDF sampling: each draw is the first category whose running total passes u·total. */
function drawWithReplacement(row: ArrayLike<number>, out: Int32Array, next: () => number): void {
  const cumulative = new Float64Array(row.length);
  let total = 0;
  for (let c = 0; c < row.length; c++) cumulative[c] = total += row[c];
  for (let i = 0; i < out.length; i++) {
    const target = next() * total;
    let [lo, hi] = [0, row.length - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    // cumulative[lo] > target ≥ cumulative[lo − 1], so row[lo] > 0: a zero-weight category is never drawn.
    out[i] = lo;
  }
}

/**
 * Efraimidis and Spirakis's keys: category c gets log(u)/w_c for a fresh
 * uniform u, and the numSamples largest keys, largest first, are distributed
 * exactly as drawing one category at a time and renormalising the rest.
 */
function drawWithoutReplacement(row: ArrayLike<number>, out: Int32Array, next: () => number): void {
  const keys: { c: number; key: number }[] = [];
  for (let c = 0; c < row.length; c++) {
    if (row[c] > 0) keys.push({ c, key: Math.log(1 - next()) / row[c] });
  }
  keys.sort((a, b) => b.key - a.key);
  for (let i = 0; i < out.length; i++) out[i] = keys[i].c;
}
