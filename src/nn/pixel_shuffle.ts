// PixelShuffle and PixelUnshuffle, as PyTorch's (Shi et al., 2016: a
// sub-pixel convolution's upsampling): r² channels of an image become an
// r × r block of pixels, and back. Over x [..., C·r², H, W], output channel c
// at pixel (h·r + i, w·r + j) is input channel c·r² + i·r + j at (h, w) —
// PyTorch's channel order exactly, so weights trained there upsample the same
// here. A reshape, a transpose and a reshape: the gradient is the inverse
// shuffle.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { reshape, transpose } from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

function checkFactor(where: string, name: string, factor: number): void {
  if (!Number.isSafeInteger(factor) || factor <= 0) throw new ValueError(`${where}: ${name} must be a positive integer, got ${formatValue(factor)}`);
}

/** x's leading (batch) axes and its last three, [C, H, W]; at least those three. */
function splitImage(where: string, x: Tensor): [number[], number, number, number] {
  if (x.rank < 3) throw new ShapeError(`${where}: x ${formatShape(x.shape)} is not [..., channels, height, width]`);
  const [c, h, w] = x.shape.slice(-3);
  return [x.shape.slice(0, -3), c, h, w];
}

/** The permutation moving axes [..., a, b, c, d, e, f] of a tensor with `lead` leading axes to `order` of those six. */
function sixAxes(lead: number, order: readonly number[]): number[] {
  return [...Array.from({ length: lead }, (_, i) => i), ...order.map((a) => lead + a)];
}

/**
 * x [..., C·r², H, W] → [..., C, H·r, W·r] (PyTorch's F.pixel_shuffle): each
 * group of r² consecutive channels laid out as an r × r block of pixels, in
 * row-major order.
 */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  checkFactor('pixelShuffle', 'upscaleFactor', upscaleFactor);
  const r = upscaleFactor;
  const [batch, c, h, w] = splitImage('pixelShuffle', x);
  if (c % (r * r)) throw new ShapeError(`pixelShuffle: x ${formatShape(x.shape)} has ${c} channels, not a multiple of upscaleFactor² = ${r * r}`);
  return tidy(() => {
    const blocks = reshape(x, [...batch, c / (r * r), r, r, h, w]);
    // [C, i, j, H, W] → [C, H, i, W, j]
    return reshape(transpose(blocks, sixAxes(batch.length, [0, 3, 1, 4, 2])), [...batch, c / (r * r), h * r, w * r]);
  });
}

/** x [..., C, H·r, W·r] → [..., C·r², H, W] (PyTorch's F.pixel_unshuffle): pixelShuffle undone. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  checkFactor('pixelUnshuffle', 'downscaleFactor', downscaleFactor);
  const r = downscaleFactor;
  const [batch, c, h, w] = splitImage('pixelUnshuffle', x);
  if (h % r || w % r) throw new ShapeError(`pixelUnshuffle: x ${formatShape(x.shape)} has a height ${h} and width ${w} not both multiples of downscaleFactor ${r}`);
  return tidy(() => {
    const blocks = reshape(x, [...batch, c, h / r, r, w / r, r]);
    // [C, H, i, W, j] → [C, i, j, H, W]
    return reshape(transpose(blocks, sixAxes(batch.length, [0, 2, 4, 1, 3])), [...batch, c * r * r, h / r, w / r]);
  });
}

/** [..., C·r², H, W] → [..., C, H·r, W·r], as PyTorch's nn.PixelShuffle(r); see pixelShuffle. */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
    checkFactor('PixelShuffle', 'upscaleFactor', upscaleFactor);
  }

  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }

  config(): LayerConfig {
    return { type: 'PixelShuffle', upscaleFactor: this.upscaleFactor };
  }
}

/** [..., C, H·r, W·r] → [..., C·r², H, W], as PyTorch's nn.PixelUnshuffle(r); see pixelUnshuffle. */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
    checkFactor('PixelUnshuffle', 'downscaleFactor', downscaleFactor);
  }

  forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }

  config(): LayerConfig {
    return { type: 'PixelUnshuffle', downscaleFactor: this.downscaleFactor };
  }
}
