// Embedding: a table of `count` vectors of `dim` values, looked up by index
// (token ids, categories): x of ints [...] gives [..., dim]. The weight is
// trained like any other: its gradient adds each looked-up row's gradient
// into that row (tm.gather's).
import { ValueError } from '../errors.js';
import { gather, randn } from '../ops/index.js';
import { checkOptions } from '../options.js';
import { checkSeed } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface EmbeddingOptions {
  /** Seed for the initial vectors, drawn from N(0, 1) as PyTorch's (see also tm.setSeed). */
  seed?: number;
}

export class Embedding extends Module {
  weight: Tensor;

  constructor(readonly count: number, readonly dim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [name, v] of [['count', count], ['dim', dim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ValueError(`Embedding: ${name} must be a positive integer, got ${v}`);
    }
    options = checkOptions('Embedding', options, { seed: true });
    if (options.seed !== undefined) checkSeed('Embedding', options.seed);
    this.weight = randn([count, dim], { seed: options.seed });
    this.weight.requiresGrad = true;
  }

  /** The vectors of the indices in x (i32 or i8; negative ones count from the end): [...x.shape, dim]. */
  forward(x: Tensor): Tensor {
    return gather(this.weight, x, 0);
  }

  override ownParameters(): Record<string, Tensor> {
    return { weight: this.weight };
  }

  config(): LayerConfig {
    return { type: 'Embedding', count: this.count, dim: this.dim };
  }
}
