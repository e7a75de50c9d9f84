// LayerNorm: each sample's last axis normalised to mean 0 and variance 1
// (the population variance, plus epsilon, as PyTorch's), then scaled and
// shifted by a learned weight and bias of that axis's size (ones and zeros to
// start). As PyTorch's nn.LayerNorm(dim); a transformer block's normalisation.
import { tidy } from '../engine.js';
import { ValueError, ShapeError, formatShape, formatValue } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface LayerNormOptions {
  /** Added to the variance before its square root (default 1e-5, as PyTorch's). */
  epsilon?: number;
}

export class LayerNorm extends Module {
  readonly epsilon: number;
  weight: Tensor;
  bias: Tensor;

  constructor(readonly dim: number, options: LayerNormOptions = {}) {
    super();
    if (!Number.isInteger(dim) || dim <= 0) throw new ValueError(`LayerNorm: dim must be a positive integer, got ${formatValue(dim)}`);
    const { epsilon = 1e-5 } = checkOptions('LayerNorm', options, { epsilon: true });
    if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) {
      throw new ValueError(`LayerNorm: epsilon must be a finite number > 0, got ${formatValue(epsilon)}`);
    }
    this.epsilon = epsilon;
    this.weight = ones([dim]);
    this.weight.requiresGrad = true;
    this.bias = zeros([dim]);
    this.bias.requiresGrad = true;
  }

  forward(x: Tensor): Tensor {
    if (x.rank === 0 || x.shape[x.rank - 1] !== this.dim) {
      throw new ShapeError(`LayerNorm: x ${formatShape(x.shape)} does not end in the layer's dim ${this.dim}`);
    }
    return tidy(() => {
      const centred = x.sub(x.mean(-1, { keepDims: true }));
      const spread = centred.square().mean(-1, { keepDims: true }).add(this.epsilon).sqrt();
      return centred.div(spread).mul(this.inPrecisionOf(x, this.weight)).add(this.inPrecisionOf(x, this.bias));
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return { weight: this.weight, bias: this.bias };
  }

  config(): LayerConfig {
    return { type: 'LayerNorm', dim: this.dim, epsilon: this.epsilon };
  }
}
