// RMSNorm, as PyTorch's nn.RMSNorm (Zhang and Sennrich, 2019; LLaMA's and
// T5's normalisation): the last axes of x (normalizedShape) divided by their
// root mean square, with no centring and no bias, then scaled by a learned
// weight of that shape (ones to start):
//   y = x / √(mean(x²) + ε) · weight
// ε, unless given, is f32's machine epsilon 2⁻²³ ≈ 1.19e-7, as PyTorch's
// eps=None gives: its kernels compute an f16 input in f32 (opmath) and add
// numeric_limits<float>::epsilon() there (layer_norm.cpp, rms_norm_composite),
// not the 2⁻¹⁰ of torch.finfo(float16).eps that its docs name.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { ones } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';
import { checkEpsilon, checkNormalizedShape } from './normalized_shape.js';

/** ε where none is given: f32's machine epsilon, for f16 x too, which is computed in f32 (PyTorch's opmath epsilon). */
const DEFAULT_EPSILON = 2 ** -23;

export interface RMSNormOptions {
  /** Added to the mean square before its square root (default: f32's machine epsilon 2⁻²³, for f16 x too, as PyTorch's eps=None). */
  epsilon?: number;
  /** A learned weight of normalizedShape (default true, as PyTorch's elementwise_affine); false normalises only. There is no bias. */
  elementwiseAffine?: boolean;
}

const OPTIONS: OptionNames<RMSNormOptions> = { epsilon: true, elementwiseAffine: 'boolean' };

/**
 * RMS normalisation of x's last axes (normalizedShape, a size or a list of
 * the last sizes), as PyTorch's F.rms_norm: x / √(mean(x²) + ε) · weight,
 * the mean over those axes, `weight` (of normalizedShape) optional, ε
 * f32's machine epsilon unless given (for f16 x too: PyTorch's).
 */
export function rmsNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, epsilon?: number): Tensor {
  const shape = checkNormalizedShape('rmsNorm', normalizedShape);
  checkEpsilon('rmsNorm', epsilon);
  if (!isFloat(x.dtype)) throw new DTypeError(`rmsNorm: x must be f32 or f16, got ${x.dtype}`);
  if (x.rank < shape.length || !sameShape(x.shape.slice(x.rank - shape.length), shape)) {
    throw new ShapeError(`rmsNorm: x ${formatShape(x.shape)} does not end in normalizedShape ${formatShape(shape)}`);
  }
  if (weight && !sameShape(weight.shape, shape)) throw new ShapeError(`rmsNorm: weight ${formatShape(weight.shape)} is not of normalizedShape ${formatShape(shape)}`);
  const axes = shape.map((_, i) => x.rank - shape.length + i);
  const eps = epsilon ?? DEFAULT_EPSILON;
  return tidy(() => {
    // f16 squared and summed in f32 (as PyTorch's opmath), else a square past 256 overflows; the weight applied
    // in f32 too and the product rounded once to x's dtype, as PyTorch's rms_norm_composite.
    const wide = x.dtype === 'f16' ? x.cast('f32') : x;
    const normalised = wide.div(wide.square().mean(axes, { keepDims: true }).add(eps).sqrt());
    const scaled = weight ? normalised.mul(weight.dtype === wide.dtype ? weight : weight.cast(wide.dtype)) : normalised;
    return scaled.dtype === x.dtype ? scaled : scaled.cast(x.dtype);
  });
}

export class RMSNorm extends Module {
  readonly normalizedShape: readonly number[];
  /** Undefined: the default, f32's machine epsilon. */
  readonly epsilon: number | undefined;
  /** Null without elementwiseAffine. */
  weight: Tensor | null;

  /** Over x [..., ...normalizedShape]: `normalizedShape` a size (the last axis) or the list of the last axes' sizes. */
  constructor(normalizedShape: number | readonly number[], options: RMSNormOptions = {}) {
    super();
    this.normalizedShape = checkNormalizedShape('RMSNorm', normalizedShape);
    const { epsilon, elementwiseAffine = true } = checkOptions('RMSNorm', options, OPTIONS);
    checkEpsilon('RMSNorm', epsilon);
    this.epsilon = epsilon;
    this.weight = elementwiseAffine ? ones(this.normalizedShape) : null;
    if (this.weight) this.weight.requiresGrad = true;
  }

  get elementwiseAffine(): boolean {
    return this.weight !== null;
  }

  forward(x: Tensor): Tensor {
    const n = this.normalizedShape.length;
    if (x.rank < n || !sameShape(x.shape.slice(x.rank - n), this.normalizedShape)) {
      throw new ShapeError(`RMSNorm: x ${formatShape(x.shape)} does not end in the layer's normalizedShape ${formatShape(this.normalizedShape)}`);
    }
    return tidy(() => rmsNorm(x, this.normalizedShape, this.weight && this.inPrecisionOf(x, this.weight), this.epsilon));
  }

  override ownParameters(): Record<string, Tensor> {
    return this.weight ? { weight: this.weight } : {};
  }

  /** The epsilon only when given: a loaded layer takes the default as the saved one did. */
  config(): LayerConfig {
    return {
      type: 'RMSNorm', normalizedShape: [...this.normalizedShape], elementwiseAffine: this.elementwiseAffine,
      ...(this.epsilon === undefined ? {} : { epsilon: this.epsilon }),
    };
  }
}
