// Adaptive pooling (PyTorch's adaptive_avg_pool2d / adaptive_max_pool2d and
// their 1-d forms): the output size is given, and output i along an axis of
// n pools input positions floor(i·n/out) to ceil((i+1)·n/out) − 1. Where out
// divides n those are equal windows side by side: the axis split in two
// ([out, n/out]) and reduced, one op. Otherwise each output's block is
// sliced and reduced. A block's max is taken over the whole block at once,
// so ties share the gradient evenly as maxPool2d shares it.
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { concat, reshape, slice } from './movement.js';
import { max, mean } from './reduce.js';
import { asImages, IMAGES, SEQUENCES, sizesOf, type Size2d, type SpatialAxes } from './windows.js';

/** The mean of each of outputSize blocks of x [N, C, H, W] (or [C, H, W]): [N, C, ...outputSize]. Global average pooling is outputSize 1. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Size2d): Tensor {
  return adaptivePool('adaptiveAvgPool2d', IMAGES, false, x, outputSize);
}

/** The largest value of each of outputSize blocks of x [N, C, H, W] (or [C, H, W]). */
export function adaptiveMaxPool2d(x: Tensor, outputSize: Size2d): Tensor {
  return adaptivePool('adaptiveMaxPool2d', IMAGES, true, x, outputSize);
}

/** adaptiveAvgPool2d along one axis: x [N, C, L] (or [C, L]) → [N, C, outputSize]. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor {
  return adaptivePool('adaptiveAvgPool1d', SEQUENCES, false, x, outputSize);
}

/** adaptiveMaxPool2d along one axis. */
export function adaptiveMaxPool1d(x: Tensor, outputSize: number): Tensor {
  return adaptivePool('adaptiveMaxPool1d', SEQUENCES, true, x, outputSize);
}

/** Block i of n positions in `out` blocks: [start, end). */
const block = (i: number, n: number, out: number): [number, number] => [Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)];

function adaptivePool(op: string, axes: SpatialAxes, largest: boolean, x: Tensor, outputSize: Size2d): Tensor {
  const out = sizesOf(op, 'outputSize', outputSize, 1, axes, 1);
  return tidy(() => {
    const { images, unbatch } = asImages(op, axes, x);
    const [n, c, h, w] = images.shape;
    const reduce = (t: Tensor, over: number[]) => (largest ? max(t, over) : mean(t, over));
    if (h % out[0] === 0 && w % out[1] === 0) {
      // Equal blocks side by side: [N, C, oh, h/oh, ow, w/ow], reduced over each block's two axes at once.
      return unbatch(reduce(reshape(images, [n, c, out[0], h / out[0], out[1], w / out[1]]), [3, 5]));
    }
    if (!largest) {
      // The mean of a block is the mean over its rows of the mean over its columns: one axis at a time.
      const alongAxis = (t: Tensor, axis: 2 | 3, count: number): Tensor => {
        const length = t.shape[axis];
        if (length % count === 0) return reduce(reshape(t, [...t.shape.slice(0, axis), count, length / count, ...t.shape.slice(axis + 1)]), [axis + 1]);
        const pieces = Array.from({ length: count }, (_, i) => {
          const [start, end] = block(i, length, count);
          return mean(slice(t, t.shape.map((_, d) => (d === axis ? start : 0)), t.shape.map((s, d) => (d === axis ? end - start : s))), axis, { keepDims: true });
        });
        return concat(pieces, axis);
      };
      return unbatch(alongAxis(alongAxis(images, 2, out[0]), 3, out[1]));
    }
    // The max of each block over its rows and columns at once, block by block.
    const rows = Array.from({ length: out[0] }, (_, i) => {
      const [top, bottom] = block(i, h, out[0]);
      const cells = Array.from({ length: out[1] }, (_, j) => {
        const [left, right] = block(j, w, out[1]);
        return max(slice(images, [0, 0, top, left], [n, c, bottom - top, right - left]), [2, 3], { keepDims: true });
      });
      return concat(cells, 3);
    });
    return unbatch(concat(rows, 2));
  });
}
