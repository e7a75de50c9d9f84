// QuantizedDense: a Dense layer whose weight is int8 (tm.quantize's
// symmetric per-output-column values and f32 scales), its product run as
// tm.matmul(x, q) runs it: x quantized per row on the fly and an exact int8
// product (VNNI on the native backend, dot4I8Packed on WebGPU), or WebGPU's
// f16 way where that measured faster. What tm.nn.quantizeDynamic puts in
// place of a Dense (PyTorch's torch.ao.nn.quantized.dynamic.Linear).
//
// Inference only. Its tensors are buffers, not parameters: saved with the
// model, never trained (an optimizer over parameters() does not see them).
// The gradient still passes through it to its input, straight through
// (quantized_linear.ts): x receives dy · dequantize(W)ᵀ.
import { tidy } from '../engine.js';
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { QuantizedTensor, quantize } from '../ops/quantize.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, type OptionNames } from '../options.js';
import { ACTIVATIONS, activate, type ActivationName } from './activations.js';
import { Dense } from './dense.js';
import { Module, type LayerConfig } from './module.js';
import { quantizedLinear } from './quantized_linear.js';
import { QUANTIZED, type QuantizedWeights } from './quantized_layers.js';

export interface QuantizedDenseOptions {
  activation?: ActivationName;
  /** Default true. */
  bias?: boolean;
}

const OPTIONS: OptionNames<QuantizedDenseOptions> = { activation: true, bias: 'boolean' };

export class QuantizedDense extends Module implements QuantizedWeights {
  declare readonly [QUANTIZED]: true;
  readonly activation: ActivationName;
  /** int8 values [units, inputs] (PyTorch's Linear layout; a Dense's weight is [inputs, units]): row n is column n of the float weight. */
  weight: Tensor;
  /** f32 scale of each row of `weight`, [units]: the float weight's column n ≈ weight[n] · weightScale[n]. */
  weightScale: Tensor;
  /** f32 [units], kept in float (PyTorch's dynamic Linear keeps its bias so too). */
  bias: Tensor | null;

  /**
   * A layer of zeros, to be filled by a load (tm.nn.load, loadStateDict);
   * QuantizedDense.fromDense makes one from a trained Dense.
   */
  constructor(readonly inputs: number, readonly units: number, options: QuantizedDenseOptions = {}) {
    super();
    for (const [name, v] of [['inputs', inputs], ['units', units]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ValueError(`QuantizedDense: ${name} must be a positive integer, got ${v}`);
    }
    options = checkOptions('QuantizedDense', options, OPTIONS);
    this.activation = options.activation ?? 'linear';
    if (!ACTIVATIONS.includes(this.activation)) {
      throw new ValueError(`QuantizedDense: unknown activation ${JSON.stringify(this.activation)}; expected one of ${ACTIVATIONS.join(', ')}`);
    }
    this.weight = zeros([units, inputs], { dtype: 'i8' });
    this.weightScale = ones([units]);
    this.bias = options.bias === false ? null : zeros([units]);
  }

  /** `dense`'s weight quantized (tm.quantize) and its bias copied, with its activation; `dense` is left as it was. */
  static fromDense(dense: Dense): QuantizedDense {
    if (!(dense instanceof Dense)) throw new ValueError(`QuantizedDense.fromDense: expects a tm.nn.Dense, got ${formatValue(dense)}`);
    if (dense.weight.dtype !== 'f32' && dense.weight.dtype !== 'f16') throw new DTypeError(`QuantizedDense.fromDense: the weight must be f32 or f16, got ${dense.weight.dtype}`);
    const layer = new QuantizedDense(dense.inputs, dense.units, { activation: dense.activation, bias: dense.bias !== null });
    const q = quantize(dense.weight);
    layer.weight.dispose();
    layer.weightScale.dispose();
    [layer.weight, layer.weightScale] = [q.values, q.scales];
    if (dense.bias && layer.bias) {
      const bias = noGrad(() => dense.bias!.cast('f32'));
      layer.bias.dispose();
      // A copy even in f32: the new layer owns what it holds (disposing one model leaves the other whole).
      layer.bias = bias === dense.bias ? noGrad(() => bias.clone()) : bias;
    }
    layer.training = dense.training;
    return layer;
  }

  /** The int8 weight as tm.matmul takes it (its tensors, not copies). */
  get quantized(): QuantizedTensor {
    return new QuantizedTensor(this.weight, this.weightScale);
  }

  /**
   * activation(x·W + b) with W int8 (see the file's comment). f32 or f16 x;
   * the output has x's dtype (an f16 x's product is summed in f32, then
   * rounded), as a Dense's has.
   */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      let z = quantizedLinear(x, this.quantized);
      if (this.bias) z = z.add(this.bias);
      if (z.dtype !== x.dtype) z = z.cast(x.dtype);
      return activate(this.activation, z);
    });
  }

  weightsAndBiases(): Tensor[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  weightScales(): Tensor[] {
    return [this.weightScale];
  }

  /** None: nothing here is trained. */
  override ownParameters(): Record<string, Tensor> {
    return {};
  }

  override ownBuffers(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, weightScale: this.weightScale, bias: this.bias } : { weight: this.weight, weightScale: this.weightScale };
  }

  config(): LayerConfig {
    return { type: 'QuantizedDense', inputs: this.inputs, units: this.units, activation: this.activation, bias: this.bias !== null };
  }
}

// On the prototype, not a field: the field scans never see it, and a copy made field by field keeps it.
Object.defineProperty(QuantizedDense.prototype, QUANTIZED, { value: true });
