// Adaptive pooling over NCDHW volumes (PyTorch's adaptive_avg_pool3d and
// adaptive_max_pool3d): the output size is given, and output i along an axis
// of n pools positions floor(i·n/out) to ceil((i+1)·n/out) − 1. A block is
// a 2-D block over height and width times a 1-D one along depth, and both
// its mean and its max split along it: so x [N, C, D, H, W] is pooled as
// images [N, C·D, H, W] and the result, as images [N, C, D, OH·OW], along
// depth alone (ops/adaptive_pool.ts does the work and gives the gradients).
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { adaptiveAvgPool2d, adaptiveMaxPool2d } from './adaptive_pool.js';
import { reshape } from './movement.js';
import { asVolumes, triplesOf, type Size3d } from './volumes.js';

/** The mean of each of outputSize blocks of x [N, C, D, H, W] (or [C, D, H, W]): [N, C, ...outputSize]. Global average pooling is outputSize 1. */
export function adaptiveAvgPool3d(x: Tensor, outputSize: Size3d): Tensor {
  return adaptivePool('adaptiveAvgPool3d', adaptiveAvgPool2d, x, outputSize);
}

/**
 * The largest value of each of outputSize blocks of x [N, C, D, H, W] (or
 * [C, D, H, W]). Its gradient shares a tie along depth and then within each
 * slice's block, as adaptiveMaxPool2d shares it.
 */
export function adaptiveMaxPool3d(x: Tensor, outputSize: Size3d): Tensor {
  return adaptivePool('adaptiveMaxPool3d', adaptiveMaxPool2d, x, outputSize);
}

function adaptivePool(op: string, pool2d: (x: Tensor, size: readonly [number, number]) => Tensor, x: Tensor, outputSize: Size3d): Tensor {
  const out = triplesOf(op, 'outputSize', outputSize, 1);
  return tidy(() => {
    const { volumes, unbatch } = asVolumes(op, x);
    const [n, c, d, h, w] = volumes.shape;
    const planes = pool2d(reshape(volumes, [n, c * d, h, w]), [out[1], out[2]]);
    // Along depth: a block of one along the flattened height and width leaves them as they are.
    const pooled = pool2d(reshape(planes, [n, c, d, out[1] * out[2]]), [out[0], out[1] * out[2]]);
    return unbatch(reshape(pooled, [n, c, ...out]));
  });
}
