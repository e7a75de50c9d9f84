// LayerNorm: each sample's last axis normalised to mean 0 and variance 1
// (the population variance, plus epsilon, as PyTorch's), then scaled and
// shifted by a learned weight and bias of that axis's size (ones and zeros to
// start). As PyTorch's nn.LayerNorm(dim); a transformer block's normalisation.
// layerNorm is PyTorch's F.layer_norm, over any number of last axes.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ValueError, ShapeError, formatShape, formatValue } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { checkOptions } from '../options.js';
import { sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';
import { checkEpsilon, checkNormalizedShape } from './normalized_shape.js';

/**
 * x's last axes (normalizedShape, a size or the list of the last sizes)
 * normalised to mean 0 and variance 1, then scaled by `weight` and shifted
 * by `bias` where given (each of normalizedShape), as PyTorch's
 * F.layer_norm: (x − mean) / √(variance + ε) · weight + bias, the
 * population variance, ε 1e-5 unless given. f16 is worked in f32 and
 * rounded once, as PyTorch's opmath.
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, epsilon = 1e-5): Tensor {
  const shape = checkNormalizedShape('layerNorm', normalizedShape);
  checkEpsilon('layerNorm', epsilon);
  if (!isFloat(x.dtype)) throw new DTypeError(`layerNorm: x must be f32 or f16, got ${x.dtype}`);
  if (x.rank < shape.length || !sameShape(x.shape.slice(x.rank - shape.length), shape)) {
    throw new ShapeError(`layerNorm: x ${formatShape(x.shape)} does not end in normalizedShape ${formatShape(shape)}`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && !sameShape(t.shape, shape)) throw new ShapeError(`layerNorm: ${name} ${formatShape(t.shape)} is not of normalizedShape ${formatShape(shape)}`);
  }
  const axes = shape.map((_, i) => x.rank - shape.length + i);
  return tidy(() => {
    const wide = x.dtype === 'f16' ? x.cast('f32') : x;
    const centred = wide.sub(wide.mean(axes, { keepDims: true }));
    let y = centred.div(centred.square().mean(axes, { keepDims: true }).add(epsilon).sqrt());
    if (weight) y = y.mul(weight.dtype === y.dtype ? weight : weight.cast(y.dtype));
    if (bias) y = y.add(bias.dtype === y.dtype ? bias : bias.cast(y.dtype));
    return y.dtype === x.dtype ? y : y.cast(x.dtype);
  });
}

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
    return tidy(() => layerNorm(x, this.dim, this.inPrecisionOf(x, this.weight), this.inPrecisionOf(x, this.bias), this.epsilon));
  }

  override ownParameters(): Record<string, Tensor> {
    return { weight: this.weight, bias: this.bias };
  }

  config(): LayerConfig {
    return { type: 'LayerNorm', dim: this.dim, epsilon: this.epsilon };
  }
}
