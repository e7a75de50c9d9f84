// What every loss shares: its options' reduction, and the per-sample values
// it reduces (a loss of elementwise terms averages each sample's, so 'mean'
// is the mean over every element, as PyTorch's).
import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { OptionNames } from '../options.js';
import { sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  /** 'mean' (default) over samples, 'sum', or 'none' for one value per sample. */
  reduction?: Reduction;
}

export const LOSS_OPTIONS: OptionNames<LossOptions> = { reduction: true };

export function reduce(perSample: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (reduction) {
    case 'mean': return perSample.mean();
    case 'sum': return perSample.sum();
    case 'none': return perSample;
    default: throw new ValueError(`loss: unknown reduction ${JSON.stringify(reduction)}; expected mean, sum or none`);
  }
}

export function sameShapes(loss: string, pred: Tensor, target: Tensor, names: readonly [string, string] = ['prediction', 'target']): void {
  if (!sameShape(pred.shape, target.shape)) {
    throw new ShapeError(`${loss}: ${names[0]} ${formatShape(pred.shape)} and ${names[1]} ${formatShape(target.shape)} differ`);
  }
}

/** Per-sample mean over every axis but the first (a 1-D input is one value per sample). */
export function perSampleMean(x: Tensor): Tensor {
  return x.rank <= 1 ? x.reshape(x.shape) : x.mean(x.shape.slice(1).map((_, i) => i + 1));
}
