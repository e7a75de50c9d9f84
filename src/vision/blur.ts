// Gaussian blur (torchvision's gaussian_blur): images reflect-padded by half
// the kernel and convolved with a normalised Gaussian, one axis at a time
// (the kernel is separable), each channel on its own.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { conv2d } from '../ops/conv.js';
import { pad, reshape } from '../ops/movement.js';
import type { Tensor } from '../tensor.js';
import { asBatch, constantLike, type Batch } from './images.js';

/**
 * Images blurred by a Gaussian of `kernelSize` taps — odd and positive, a
 * number or [x, y] (width first, as torchvision) — and standard deviation
 * `sigma` (a number > 0 or [x, y]); without one, torchvision's
 * 0.3·((k − 1)/2 − 1) + 0.8 for each axis. Reflect padding needs the image
 * larger than half the kernel along each axis.
 */
export function gaussianBlur(images: Tensor, kernelSize: number | readonly [number, number], sigma?: number | readonly [number, number]): Tensor {
  const op = 'gaussianBlur';
  const ks = checkKernelSize(op, kernelSize);
  const sg = sigma === undefined ? ks.map((k) => 0.3 * ((k - 1) * 0.5 - 1) + 0.8) : typeof sigma === 'number' ? [sigma, sigma] : sigma;
  if (!Array.isArray(sg) || sg.length !== 2 || !sg.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s))) {
    throw new ValueError(`${op}: sigma must be a number > 0 or a pair [x, y] of them, got ${formatValue(sigma)}`);
  }
  return blurBatch(op, asBatch(op, images), ks, [[sg[0], sg[1]]]);
}

/** An odd positive kernel size, or a pair [x, y] of them, as [x, y]. */
export function checkKernelSize(op: string, kernelSize: unknown): [number, number] {
  const ks = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
  if (!Array.isArray(ks) || ks.length !== 2 || !ks.every((k) => Number.isInteger(k) && k > 0 && k % 2 === 1)) {
    throw new ValueError(`${op}: kernelSize must be an odd positive integer or a pair [x, y] of them, got ${formatValue(kernelSize)}`);
  }
  return [ks[0], ks[1]];
}

/**
 * The batch blurred by kernels [kx, ky] with sigmas [x, y]: one pair for
 * all, or one per sample (the channels of each sample then convolved as
 * groups of their own, each group with its sample's kernel).
 */
export function blurBatch(op: string, batch: Batch, [kx, ky]: [number, number], sigmas: readonly [number, number][]): Tensor {
  const { images: x, n, c, h, w, unbatch } = batch;
  if (kx === 1 && ky === 1) return unbatch(x);
  const [px, py] = [(kx - 1) / 2, (ky - 1) / 2];
  if (px >= w || py >= h) throw new ValueError(`${op}: kernelSize [${kx}, ${ky}] reflect-pads by ${px}×${py} (x×y), which needs images larger than that; got ${w}×${h}`);
  return tidy(() => {
    const one = sigmas.length === 1;
    // One kernel: every channel as an image of its own. A kernel per sample: every channel a group of one image.
    const planes = pad(reshape(x, one ? [n * c, 1, h, w] : [1, n * c, h, w]), [[0, 0], [0, 0], [py, py], [px, px]], { mode: 'reflect' });
    const kernels = (k: number, axis: 0 | 1) => {
      const rows = one ? [gaussian(k, sigmas[0][axis])] : sigmas.flatMap((s) => new Array<Float64Array>(c).fill(gaussian(k, s[axis])));
      return Float64Array.from(rows.flatMap((r) => Array.from(r)));
    };
    const groups = one ? 1 : n * c;
    const down = ky > 1 ? conv2d(planes, constantLike(op, x, kernels(ky, 1), [groups, 1, ky, 1]), { groups }) : planes;
    const across = kx > 1 ? conv2d(down, constantLike(op, x, kernels(kx, 0), [groups, 1, 1, kx]), { groups }) : down;
    return unbatch(reshape(across, [n, c, h, w]));
  });
}
/** k Gaussian weights at −(k − 1)/2 … (k − 1)/2, summing to 1. */
export function gaussian(k: number, sigma: number): Float64Array {
  const half = (k - 1) / 2;
  const pdf = Float64Array.from({ length: k }, (_, i) => Math.exp(-0.5 * ((i - half) / sigma) ** 2));
  const total = pdf.reduce((a, b) => a + b, 0);
  return pdf.map((p) => p / total);
}
