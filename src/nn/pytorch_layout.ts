// Where PyTorch keeps a layer's own tensor: its name in a state_dict
// (running_mean, weight_ih_l0_reverse, out_proj.weight…) and whether its
// matrix is the transpose of tmnn's (a Linear's [out, in] of a Dense's
// [in, out]). loadPytorch reads by it, and the weight reparametrizations
// work in PyTorch's layout by it (the output axis a norm keeps, the
// matrix orthogonal makes orthogonal).
import { MultiheadAttention } from './attention.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from './batch_norm.js';
import { Dense } from './dense.js';
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } from './instance_norm.js';
import type { Module } from './module.js';
import { Recurrent } from './recurrent.js';
import { RecurrentCell } from './recurrent_cell.js';

/** Where a tmnn tensor comes from in a PyTorch state_dict: the name (or the names it may have, the first named in errors), and whether its two axes are swapped there. */
export interface Source {
  readonly name: string;
  readonly alsoAs: readonly string[];
  readonly transposed: boolean;
}

export const as = (name: string, transposed = false, alsoAs: readonly string[] = []): Source => ({ name, alsoAs, transposed });

/** Where PyTorch keeps the layer's tensor `name` (one of its own fields, not reparametrized). */
export function sourceOf(layer: Module, name: string): Source {
  if (layer instanceof Dense) return as(name, name === 'weight');
  if ([BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d].some((Norm) => layer instanceof Norm)) return as({ runningMean: 'running_mean', runningVar: 'running_var' }[name] ?? name);
  if (layer instanceof Recurrent) {
    // weightIhL0Reverse → weight_ih_l0_reverse; the weights W·x there.
    const [, kind, which, index, reverse] = /^(weight|bias)(Ih|Hh)L(\d+)(Reverse)?$/.exec(name)!;
    return as(`${kind}_${which.toLowerCase()}_l${index}${reverse ? '_reverse' : ''}`, kind === 'weight');
  }
  if (layer instanceof RecurrentCell) return as({ weightIh: 'weight_ih', weightHh: 'weight_hh', biasIh: 'bias_ih', biasHh: 'bias_hh' }[name] ?? name, name.startsWith('weight'));
  if (layer instanceof MultiheadAttention) {
    return as({ inProjWeight: 'in_proj_weight', inProjBias: 'in_proj_bias', outProjWeight: 'out_proj.weight', outProjBias: 'out_proj.bias' }[name] ?? name, name.endsWith('Weight'));
  }
  return as(name);
}

/** Whether PyTorch keeps the layer's matrix `name` transposed, as [out, in] where tmnn's is [in, out] (a Dense's weight). */
export function transposedInPytorch(layer: Module, name: string): boolean {
  return sourceOf(layer, name).transposed;
}
