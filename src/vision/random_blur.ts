// Random blur (torchvision's GaussianBlur transform): each sample blurred
// with a sigma drawn uniformly from a range, the same along x and y, the
// batch in one pass (blur.ts: a kernel per sample).
import { ValueError, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { blurBatch, checkKernelSize } from './blur.js';
import { asBatch } from './images.js';
import { RandomTransform, uniformIn } from './transform.js';

/** A sample's sigma. */
export interface BlurParams {
  sigma: number;
}

/** Gaussian blur of `kernelSize` taps (odd, a number or [x, y]) with sigma drawn per sample from `sigma` ([min, max], 0 < min ≤ max; a number is fixed). Default [0.1, 2]. */
export class GaussianBlur extends RandomTransform<BlurParams> {
  readonly kernelSize: [number, number];
  readonly sigma: [number, number];

  constructor(kernelSize: number | readonly [number, number], sigma: number | readonly [number, number] = [0.1, 2]) {
    super('GaussianBlur');
    this.kernelSize = checkKernelSize(this.name, kernelSize);
    const range = typeof sigma === 'number' ? [sigma, sigma] : sigma;
    if (!Array.isArray(range) || range.length !== 2 || !range.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s)) || !(range[0] <= range[1])) {
      throw new ValueError(`${this.name}: sigma must be a number > 0 or a range [min, max] with 0 < min ≤ max, got ${formatValue(sigma)}`);
    }
    this.sigma = [range[0], range[1]];
  }

  protected drawOne(next: () => number): BlurParams {
    return { sigma: uniformIn(next, this.sigma[0], this.sigma[1]) };
  }

  protected applyAll(images: Tensor, params: readonly BlurParams[]): Tensor {
    return blurBatch(this.name, asBatch(this.name, images), this.kernelSize, params.map((q) => [q.sigma, q.sigma] as [number, number]));
  }
}
