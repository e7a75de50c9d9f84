// Random mirroring (torchvision's RandomHorizontalFlip, RandomVerticalFlip):
// each sample flipped with probability p, the batch mirrored once and each
// sample picked from it or the original by its draw.
import { where } from '../ops/elementwise.js';
import { flip } from '../ops/movement.js';
import type { Tensor } from '../tensor.js';
import { checkProbability, RandomTransform } from './transform.js';
import { asBatch, constantLike } from './images.js';

/** Whether a sample was flipped. */
export interface FlipParams {
  flipped: boolean;
}

abstract class RandomFlip extends RandomTransform<FlipParams> {
  readonly p: number;

  constructor(name: string, p: number, private readonly axis: 2 | 3) {
    super(name);
    this.p = checkProbability(name, p);
  }

  protected drawOne(next: () => number): FlipParams {
    return { flipped: next() < this.p };
  }

  protected applyAll(images: Tensor, params: readonly FlipParams[]): Tensor {
    const { images: x, n, unbatch } = asBatch(this.name, images);
    if (params.every((q) => !q.flipped)) return images;
    const flipped = flip(x, this.axis);
    if (params.every((q) => q.flipped)) return unbatch(flipped);
    return unbatch(where(constantLike(this.name, x, params.map((q) => +q.flipped), [n, 1, 1, 1]), flipped, x));
  }
}

/** Each sample mirrored left to right with probability p (default 0.5). */
export class RandomHorizontalFlip extends RandomFlip {
  constructor(p = 0.5) {
    super('RandomHorizontalFlip', p, 3);
  }
}

/** Each sample mirrored top to bottom with probability p (default 0.5). */
export class RandomVerticalFlip extends RandomFlip {
  constructor(p = 0.5) {
    super('RandomVerticalFlip', p, 2);
  }
}
