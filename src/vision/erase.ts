// Erasing a rectangle of each image (torchvision's erase, the step of
// RandomErasing): the pixels inside it replaced by a value, a colour or a
// tensor of them. The rectangle is a 0/1 mask, the product of a row band
// and a column band, so a batch may erase a different one per sample.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { mul, where } from '../ops/elementwise.js';
import { broadcastTo, pad } from '../ops/movement.js';
import { Tensor } from '../tensor.js';
import { asBatch, constantLike, perChannel } from './images.js';

/** A rectangle: its top-left pixel and extent. */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Images with the box of `height` × `width` pixels at (top, left) — inside
 * the image — set to `value`: a number, one per channel, or a tensor that
 * broadcasts to the box's [C, height, width] (or [N, C, height, width]).
 */
export function erase(images: Tensor, top: number, left: number, height: number, width: number, value: number | readonly number[] | Tensor): Tensor {
  const op = 'erase';
  const { images: x, n, c, h, w, unbatch } = asBatch(op, images);
  const box = { top, left, height, width };
  if (![top, left, height, width].every((v) => Number.isInteger(v) && v >= 0) || top + height > h || left + width > w) {
    throw new ValueError(`${op}: the box (top ${formatValue(top)}, left ${formatValue(left)}, height ${formatValue(height)}, width ${formatValue(width)}) must lie inside the images' ${h}×${w} pixels`);
  }
  return tidy(() => {
    let fill: Tensor;
    if (value instanceof Tensor) {
      const shape = [n, c, height, width];
      const ok = value.rank <= 4 && value.shape.every((d, i) => d === 1 || d === shape[shape.length - value.rank + i]);
      if (!ok) throw new ShapeError(`${op}: value ${formatShape(value.shape)} must broadcast to the box's ${formatShape(value.rank === 4 ? shape : shape.slice(1))}`);
      fill = pad(broadcastTo(value.cast(x.dtype), shape), [[0, 0], [0, 0], [top, h - top - height], [left, w - left - width]], 0);
    } else {
      fill = constantLike(op, x, perChannel(op, 'value', value, images, c), [1, c, 1, 1]);
    }
    return unbatch(eraseBoxes(op, x, new Array<Box>(n).fill(box), fill));
  });
}

/** x [N, C, H, W] with sample s's box (none where its height is 0) taken from `fill`, which broadcasts to x. */
export function eraseBoxes(op: string, x: Tensor, boxes: readonly Box[], fill: Tensor): Tensor {
  const [n, , h, w] = x.shape;
  const rows = new Float32Array(n * h);
  const columns = new Float32Array(n * w);
  boxes.forEach(({ top, left, height, width }, s) => {
    rows.fill(1, s * h + top, s * h + top + height);
    columns.fill(1, s * w + left, s * w + left + width);
  });
  const mask = mul(constantLike(op, x, rows, [n, 1, h, 1]), constantLike(op, x, columns, [n, 1, 1, w]));
  return where(mask, fill, x);
}
