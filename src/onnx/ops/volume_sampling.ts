// GridSample of volumes ([N, C, D, H, W], opset 20), which tmnn's
// gridSample (images only) does not take: composed here as it composes
// images, one gather per tap over the volume laid out as rows
// [N·D·H·W, C], weighted and summed. Linear (2×2×2 taps) and nearest (1),
// with PyTorch's folding of the point into the volume (border, reflection),
// as onnxruntime's, which runs no cubic volumes either. The gradients reach
// the volume through the gathers and the grid through the linear weights.
import * as ops from '../../ops/index.js';
import { gatherOrZero } from '../../ops/movement.js';
import type { Tensor } from '../../tensor.js';

export type VolumeMode = 'bilinear' | 'nearest';
export type VolumePadding = 'zeros' | 'border' | 'reflection';

interface AxisTaps {
  /** Each tap's voxel along the axis (f32 whole numbers), [N, P, 1]. */
  at: Tensor[];
  /** 1 where the tap lies in the volume, else 0. */
  inside: Tensor[];
  /** The taps' weights; none for nearest. */
  weights: Tensor[] | null;
}

/** x reflected about low and high until it lies between them (a triangle wave of period 2·(high − low)). */
function reflect(x: Tensor, low: number, high: number): Tensor {
  if (low === high) return x;
  const span = high - low;
  const r = ops.remainder(ops.abs(ops.sub(x, low)), 2 * span);
  return ops.where(ops.less(r, span), ops.add(r, low), ops.sub(2 * span + low, r));
}

function axisTaps(c: Tensor, size: number, mode: VolumeMode, padding: VolumePadding, align: boolean): AxisTaps {
  let p = align ? ops.mul(ops.add(c, 1), (size - 1) / 2) : ops.mul(ops.sub(ops.mul(ops.add(c, 1), size), 1), 0.5);
  if (padding !== 'zeros') {
    if (padding === 'reflection') p = align ? reflect(p, 0, size - 1) : reflect(p, -0.5, size - 0.5);
    p = ops.clip(p, 0, size - 1);
  }
  let at: Tensor[], weights: Tensor[] | null = null;
  if (mode === 'nearest') at = [ops.round(p)];
  else {
    const low = ops.floor(p);
    const t = ops.sub(p, low);
    at = [low, ops.add(low, 1)];
    weights = [ops.sub(1, t), t];
  }
  return { at, inside: at.map((a) => ops.mul(ops.greaterEqual(a, 0), ops.less(a, size))), weights };
}

/** volume [N, C, D, H, W] sampled at grid [N, Do, Ho, Wo, 3] (x, y, z normalised) → [N, C, Do, Ho, Wo]. */
export function sampleVolume(volume: Tensor, grid: Tensor, mode: VolumeMode, padding: VolumePadding, align: boolean): Tensor {
  const [n, c, depth, height, width] = volume.shape;
  const outSpatial = grid.shape.slice(1, 4);
  const points = outSpatial.reduce((a, b) => a * b, 1);
  const rows = ops.reshape(ops.transpose(volume, [0, 2, 3, 4, 1]), [n * depth * height * width, c]);
  const coords = ops.reshape(ops.cast(grid, 'f32'), [n, points, 3]);
  const [across, down, deep] = [width, height, depth].map((size, k) => axisTaps(ops.slice(coords, [0, 0, k], [n, points, 1]), size, mode, padding, align));
  const starts = ops.tensor(Int32Array.from({ length: n }, (_, b) => b * depth * height * width), [n, 1, 1], { dtype: 'i32' });
  const voxels = n * depth * height * width;
  let sum: Tensor | null = null;
  deep.at.forEach((z, i) => {
    down.at.forEach((y, j) => {
      across.at.forEach((x, k) => {
        const inside = ops.mul(ops.mul(deep.inside[i], down.inside[j]), across.inside[k]);
        const index = ops.add(starts, ops.add(ops.mul(ops.add(ops.mul(ops.cast(z, 'i32'), height), ops.cast(y, 'i32')), width), ops.cast(x, 'i32')));
        // A tap outside names the row past the last, which gatherOrZero reads as 0.
        let term = gatherOrZero(rows, ops.reshape(ops.where(inside, index, voxels), [n * points]), 0);
        if (deep.weights && down.weights && across.weights) {
          const w = ops.mul(ops.mul(deep.weights[i], down.weights[j]), across.weights[k]);
          term = ops.mul(term, ops.reshape(ops.cast(w, volume.dtype), [n * points, 1]));
        }
        sum = sum ? ops.add(sum, term) : term;
      });
    });
  });
  return ops.transpose(ops.reshape(sum!, [n, ...outSpatial, c]), [0, 4, 1, 2, 3]);
}
