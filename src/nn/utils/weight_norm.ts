// Weight normalisation (Salimans & Kingma, 2016; PyTorch's
// torch.nn.utils.weight_norm): a weight w written as g · v / ‖v‖, its
// length g and its direction v trained apart, which conditions the
// optimisation as batch normalisation does without depending on the batch.
import { keep, tidy } from '../../engine.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { noGrad } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import type { Module } from '../module.js';
import { keptAxis, parameterToReparametrize, reparametrize, suffixed, unreparametrize } from './reparametrize.js';

export interface WeightNormOptions<N extends string = 'weight'> {
  /** The parameter to reparametrize. Default 'weight'. */
  name?: N;
  /**
   * The axis of the weight kept: one norm (one g) per index along it, over
   * all the other axes. Default the layer's output axis: 1 for Dense's
   * [inputs, units] weight and a transposed convolution's, 0 for a
   * convolution's [filters, channels, …] (PyTorch's dim=0 in its layouts),
   * 0 for any other. null: one norm of the whole weight.
   */
  dim?: number | null;
}

const WEIGHT_NORM_OPTIONS: OptionNames<WeightNormOptions<string>> = { name: true, dim: true };

/** A layer after weightNorm: the weight's length and direction as parameters of its own. */
export type WeightNormed<L extends Module, N extends string = 'weight'> = L & { [K in `${N}G` | `${N}V`]: Tensor };

/**
 * Reparametrizes the parameter `name` (default 'weight') of `layer` as
 * weight = g · v / ‖v‖, the norm taken over every axis but `dim`: the layer's
 * parameters become `weightG` (the norms, the weight's shape with 1 on every
 * axis but dim) and `weightV` (the direction, the former weight tensor
 * itself) in the place of `weight`, initially g = ‖w‖ and v = w, so the
 * layer computes what it did. `layer.weight` holds the computed weight,
 * computed again before every forward so gradients reach g and v (the one it
 * replaces is freed: clone it to keep it). Apply it
 * before making the optimizer (it steps the tensors it was given). Returns
 * the layer; removeWeightNorm undoes it.
 */
export function weightNorm<L extends Module, N extends string = 'weight'>(layer: L, options: WeightNormOptions<N> = {}): WeightNormed<L, N> {
  const { name = 'weight', dim } = checkOptions<WeightNormOptions<string>>('weightNorm', options, WEIGHT_NORM_OPTIONS);
  const { weight } = parameterToReparametrize('weightNorm', layer, name);
  const kept = dim === null ? null : keptAxis('weightNorm', layer, name, weight, dim);
  const g = keep(noGrad(() => tidy(() => normExcept(weight, kept))));
  g.requiresGrad = weight.requiresGrad;
  const v = weight;
  reparametrize(layer, name, {
    kind: 'weightNorm',
    parameters: { [`${name}G`]: g, [`${name}V`]: v },
    buffers: {},
    pytorchNames: { [`${name}G`]: suffixed('_g', 'original0'), [`${name}V`]: suffixed('_v', 'original1') },
    original: v,
    compute: () => v.mul(g.div(normExcept(v, kept))),
  });
  return layer as WeightNormed<L, N>;
}

/**
 * Takes weightNorm off the parameter `name` (default 'weight') of `layer`:
 * the weight g · v / ‖v‖ as it is now becomes a plain parameter again (the
 * tensor that was v, which the optimizer must be given anew), g is freed.
 */
export function removeWeightNorm<L extends Module>(layer: L, name = 'weight'): L {
  unreparametrize('removeWeightNorm', 'weightNorm', layer, name);
  return layer;
}

/** The Euclidean norm of `w` over every axis but `kept` (kept with size 1 elsewhere), or of all of w where kept is null. */
function normExcept(w: Tensor, kept: number | null): Tensor {
  if (kept === null) return w.square().sum().sqrt();
  const axes = w.shape.map((_, i) => i).filter((i) => i !== kept);
  return axes.length ? w.square().sum(axes, { keepDims: true }).sqrt() : w.abs();
}
