// Embedding: a table of `count` vectors of `dim` values, looked up by index
// (token ids, categories): x of ints [...] gives [..., dim]. The weight is
// trained like any other: its gradient adds each looked-up row's gradient
// into that row (tm.gather's).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { gather, logicalOr, randn, tensor, where } from '../ops/index.js';
import { checkOptions } from '../options.js';
import { checkSeed } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

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

  constructor(readonly count: number, readonly dim: number, options: EmbeddingOptions = {}) {
    super();
    checkSizes('Embedding', count, dim);
    options = checkOptions('Embedding', options, { seed: true, paddingIdx: true });
    const padding = checkTable('Embedding', count, options);
    this.paddingIdx = padding ?? null;
    this.weight = initialTable(count, dim, options.seed, padding);
    this.weight.requiresGrad = true;
  }

  /** The vectors of the indices in x (i32 or i8; negative ones count from the end): [...x.shape, dim]. */
  forward(x: Tensor): Tensor {
    if (this.paddingIdx === null) return gather(this.weight, x, 0);
    const row = this.paddingIdx < 0 ? this.paddingIdx + this.count : this.paddingIdx;
    return tidy(() => {
      const y = gather(this.weight, x, 0);
      // The padding positions' vectors as constants: no gradient reaches the padding row through them.
      const padded = logicalOr(x.equal(row), x.equal(row - this.count)).expandDims(-1);
      return where(padded, y.detach(), y);
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return { weight: this.weight };
  }

  config(): LayerConfig {
    return this.paddingIdx === null ? { type: 'Embedding', count: this.count, dim: this.dim } : { type: 'Embedding', count: this.count, dim: this.dim, paddingIdx: this.paddingIdx };
  }
}
