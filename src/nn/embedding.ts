// Embedding: a table of `count` vectors of `dim` values, looked up by index
// (token ids, categories): x of ints [...] gives [..., dim]. The weight is
// trained like any other: its gradient adds each looked-up row's gradient
// into that row (tm.gather's). embedding is PyTorch's F.embedding: the
// lookup in a table the caller holds.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { div, gather, logicalAnd, logicalOr, randn, tensor, where } from '../ops/index.js';
import { rowsNamed } from '../ops/movement.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed } from '../random.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { TAKES_IDS } from './id_inputs.js';
import { Module, type LayerConfig } from './module.js';

export interface EmbeddingFunctionOptions {
  /** The padding row (negative from the end): its vectors are looked up as constants, so no gradient reaches it. */
  paddingIdx?: number;
  /** Each looked-up row whose norm exceeds maxNorm is first rescaled, in the table itself (in place, outside the graph), to norm maxNorm, as PyTorch's. */
  maxNorm?: number;
  /** The p of maxNorm's p-norm (default 2). */
  normType?: number;
}

const FUNCTION_OPTIONS: OptionNames<EmbeddingFunctionOptions> = { paddingIdx: true, maxNorm: true, normType: true };

/**
 * PyTorch's F.embedding: the rows of `weight` [count, dim] the indices name
 * (i32 or i8, negative from the end): [...indices.shape, dim]. Gradients
 * add into the rows looked up, except the padding row's (paddingIdx).
 */
export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingFunctionOptions = {}): Tensor {
  const { paddingIdx, maxNorm, normType = 2 } = checkOptions('embedding', options, FUNCTION_OPTIONS);
  if (weight.rank !== 2) throw new ShapeError(`embedding: weight ${formatShape(weight.shape)} is not a table [count, dim]`);
  if (isFloat(indices.dtype)) throw new DTypeError(`embedding: indices must be integers (i32 or i8), got ${indices.dtype}`);
  const count = weight.shape[0];
  checkTable('embedding', count, { paddingIdx });
  if (maxNorm !== undefined) {
    if (typeof maxNorm !== 'number' || !(maxNorm > 0)) throw new ValueError(`embedding: maxNorm must be a number > 0, got ${formatValue(maxNorm)}`);
    if (typeof normType !== 'number' || !(normType > 0)) throw new ValueError(`embedding: normType must be a number > 0 (Infinity included), got ${formatValue(normType)}`);
    if (!isFloat(weight.dtype)) throw new DTypeError(`embedding: maxNorm rescales weight's rows, so weight must be f32 or f16, got ${weight.dtype}`);
    renormLookedUp(indices, weight, maxNorm, normType);
  }
  if (paddingIdx === undefined) return gather(weight, indices, 0);
  const row = paddingIdx < 0 ? paddingIdx + count : paddingIdx;
  return tidy(() => {
    const y = gather(weight, indices, 0);
    // The padding positions' vectors as constants: no gradient reaches the padding row through them.
    const padded = logicalOr(indices.equal(row), indices.equal(row - count)).expandDims(-1);
    return where(padded, y.detach(), y);
  });
}

/** PyTorch's embedding_renorm_: each row of `weight` the indices name, where its normType-norm exceeds maxNorm, scaled by maxNorm / (norm + 1e-7). */
function renormLookedUp(indices: Tensor, weight: Tensor, maxNorm: number, normType: number): void {
  noGrad(() => tidy(() => {
    // The rows looked up, by gather's own gradient, and the norms written out: the scatter kernels and tm.linalg stay off the pages Embedding is on.
    const counts = rowsNamed('embedding', indices, weight.shape[0], weight);
    const size = (weight.dtype === 'f32' ? weight : weight.cast('f32')).abs();
    const norms = normType === Infinity ? size.max(1, { keepDims: true })
      : normType === 1 ? size.sum(1, { keepDims: true })
      : normType === 2 ? size.square().sum(1, { keepDims: true }).sqrt()
      : size.pow(normType).sum(1, { keepDims: true }).pow(1 / normType);
    const scale = where(logicalAnd(counts.greater(0), norms.greater(maxNorm)), div(maxNorm, norms.add(1e-7)), 1);
    weight.assign(weight.mul(scale.cast(weight.dtype)));
  }));
}

export interface EmbeddingOptions {
  /** Seed for the initial vectors, drawn from N(0, 1) as PyTorch's (see also tm.setSeed). */
  seed?: number;
  /**
   * PyTorch's padding_idx: the index of padding tokens, whose vector starts
   * at zeros and gets no gradient (so training leaves it as it is); negative
   * counts from the end.
   */
  paddingIdx?: number;
}

/** Embedding's options: the table's, and the rescaling of rows looked up (PyTorch's max_norm, norm_type). */
export interface EmbeddingLayerOptions extends EmbeddingOptions {
  /** Each row a forward pass looks up whose norm exceeds maxNorm is first rescaled, in the table itself, to norm maxNorm (tm.nn.embedding's). */
  maxNorm?: number;
  /** The p of maxNorm's p-norm (default 2; Infinity for the largest magnitude). */
  normType?: number;
}

/** Checks a table's count and dim, for Embedding and EmbeddingBag. */
export function checkSizes(where: string, count: number, dim: number): void {
  for (const [name, v] of [['count', count], ['dim', dim]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new ValueError(`${where}: ${name} must be a positive integer, got ${v}`);
  }
}

/** Checks a table's seed and padding row, for Embedding and EmbeddingBag: the padding row as given, if any. */
export function checkTable(where: string, count: number, options: EmbeddingOptions): number | undefined {
  if (options.seed !== undefined) checkSeed(where, options.seed);
  const padding = options.paddingIdx;
  if (padding !== undefined && !(Number.isSafeInteger(padding) && padding >= -count && padding < count)) {
    throw new ValueError(`${where}: paddingIdx must be an integer in [${-count}, ${count}), got ${formatValue(padding)}`);
  }
  return padding;
}

/** A table of `count` vectors drawn from N(0, 1) as PyTorch's, its padding row (negative from the end) zeros. */
export function initialTable(count: number, dim: number, seed: number | undefined, padding: number | undefined): Tensor {
  const weight = randn([count, dim], { seed });
  if (padding === undefined) return weight;
  const row = padding < 0 ? padding + count : padding;
  // where, not a product: the row +0 (a product keeps negative values' sign, −0).
  const table = tidy(() => where(tensor(Float32Array.from({ length: count }, (_, i) => (i === row ? 0 : 1)), [count, 1]), weight, 0));
  weight.dispose();
  return table;
}

export class Embedding extends Module {
  weight: Tensor;
  /** The padding row, as given (null without one). */
  readonly paddingIdx: number | null;
  /** The norm rows looked up are held to (null: none). */
  readonly maxNorm: number | null;
  /** The p of that norm. */
  readonly normType: number;

  constructor(readonly count: number, readonly dim: number, options: EmbeddingLayerOptions = {}) {
    super();
    checkSizes('Embedding', count, dim);
    options = checkOptions('Embedding', options, { seed: true, paddingIdx: true, maxNorm: true, normType: true });
    const padding = checkTable('Embedding', count, options);
    const { maxNorm, normType = 2 } = options;
    if (maxNorm !== undefined && !(typeof maxNorm === 'number' && maxNorm > 0 && Number.isFinite(maxNorm))) {
      throw new ValueError(`Embedding: maxNorm must be a finite number > 0, got ${formatValue(maxNorm)}`);
    }
    if (!(typeof normType === 'number' && normType > 0)) throw new ValueError(`Embedding: normType must be a number > 0 (Infinity included), got ${formatValue(normType)}`);
    this.paddingIdx = padding ?? null;
    this.maxNorm = maxNorm ?? null;
    this.normType = normType;
    this.weight = initialTable(count, dim, options.seed, padding);
    this.weight.requiresGrad = true;
  }

  /** The vectors of the indices in x (i32 or i8; negative ones count from the end): [...x.shape, dim]. With maxNorm, the rows looked up are rescaled in the table first. */
  forward(x: Tensor): Tensor {
    return embedding(x, this.weight, {
      ...(this.paddingIdx === null ? {} : { paddingIdx: this.paddingIdx }),
      ...(this.maxNorm === null ? {} : { maxNorm: this.maxNorm, normType: this.normType }),
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return { weight: this.weight };
  }

  config(): LayerConfig {
    return {
      type: 'Embedding',
      count: this.count,
      dim: this.dim,
      ...(this.paddingIdx === null ? {} : { paddingIdx: this.paddingIdx }),
      // JSON has no Infinity: the max-magnitude norm is written 'inf'.
      ...(this.maxNorm === null ? {} : { maxNorm: this.maxNorm, normType: this.normType === Infinity ? 'inf' : this.normType }),
    };
  }
}

Object.defineProperty(Embedding.prototype, TAKES_IDS, { value: true });
