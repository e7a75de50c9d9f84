// Bilinear, as PyTorch's nn.Bilinear: y_k = x1ᵀ·A_k·x2 + b_k over the last
// axes of two inputs with the same leading axes. The weight is kept in
// PyTorch's layout, [out, in1, in2] (no transposition to load: A_k is the
// matrix a Linear's row would be), and starts uniform in ±1/√in1, the bias
// too, as there. One einsum: x1 against the weight first (a matmul over in1),
// then each (sample, k) row against x2.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { einsum, rand } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, seedStream } from '../random.js';
import { sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface BilinearOptions {
  /** Default true. */
  bias?: boolean;
  /** Seed for the initial weight and bias (see also tm.setSeed). */
  seed?: number;
}

const OPTIONS: OptionNames<BilinearOptions> = { bias: 'boolean', seed: true };

export class Bilinear extends Module {
  /** [out, in1, in2], PyTorch's layout. */
  weight: Tensor;
  /** [out]. */
  bias: Tensor | null;

  constructor(readonly in1: number, readonly in2: number, readonly out: number, options: BilinearOptions = {}) {
    super();
    for (const [name, v] of [['in1', in1], ['in2', in2], ['out', out]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`Bilinear: ${name} must be a positive integer, got ${formatValue(v)}`);
    }
    const { bias = true, seed } = checkOptions('Bilinear', options, OPTIONS);
    if (seed !== undefined) checkSeed('Bilinear', seed);
    // PyTorch's reset_parameters: both uniform in ±1/√in1 (weight.size(1)).
    const bound = 1 / Math.sqrt(in1);
    const uniform = (shape: number[], stream: number): Tensor => {
      const t = rand(shape, { min: -bound, max: bound, seed: seedStream(seed, stream) });
      t.requiresGrad = true;
      return t;
    };
    this.weight = uniform([out, in1, in2], 0);
    this.bias = bias ? uniform([out], 1) : null;
  }

  /**
   * x1 [..., in1] and x2 [..., in2] (the same leading axes, or none) give
   * [..., out]. An f16 pair computes in f16 with f16 copies of the parameters.
   */
  forward(x1: Tensor, x2?: Tensor): Tensor {
    if (x2 === undefined) throw new ValueError('Bilinear: forward(x1, x2) needs two inputs');
    const [s1, s2] = [x1.shape, x2.shape];
    if (x1.rank < 1 || s1[s1.length - 1] !== this.in1 || x2.rank < 1 || s2[s2.length - 1] !== this.in2 || !sameShape(s1.slice(0, -1), s2.slice(0, -1))) {
      throw new ShapeError(`Bilinear: x1 ${formatShape(s1)} and x2 ${formatShape(s2)} must be [..., ${this.in1}] and [..., ${this.in2}] with the same leading axes`);
    }
    return tidy(() => {
      const y = einsum('...i,kij,...j->...k', x1, this.inPrecisionOf(x1, this.weight), x2);
      return this.bias ? y.add(this.inPrecisionOf(x1, this.bias)) : y;
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  config(): LayerConfig {
    return { type: 'Bilinear', in1: this.in1, in2: this.in2, out: this.out, bias: this.bias !== null };
  }
}
