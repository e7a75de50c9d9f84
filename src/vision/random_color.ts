// Colour ops applied with a probability (torchvision's RandomGrayscale,
// RandomInvert, RandomSolarize, RandomAdjustSharpness, RandomAutocontrast,
// RandomPosterize, RandomEqualize)
// and Grayscale: each sample draws whether it is changed; the batch goes
// through the op once and each sample is picked from it or the original.
import { ValueError, formatValue } from '../errors.js';
import { where } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';
import { rgbToGrayscale } from './color.js';
import { equalize } from './equalize.js';
import { asBatch, checkChannels, constantLike, numberOf } from './images.js';
import { checkBits, posterize } from './posterize.js';
import { adjustSharpness } from './sharpness.js';
import { autocontrast, invert, solarize } from './tone.js';
import { checkProbability, RandomTransform, type Transform } from './transform.js';

/** Whether a sample was changed. */
export interface AppliedParams {
  applied: boolean;
}

/** A fixed op applied to each sample with probability p. */
abstract class RandomlyApplied extends RandomTransform<AppliedParams> {
  readonly p: number;

  constructor(name: string, p: number) {
    super(name);
    this.p = checkProbability(name, p);
  }

  /** The op on the whole batch [N, C, H, W]. */
  protected abstract op(x: Tensor): Tensor;

  protected drawOne(next: () => number): AppliedParams {
    return { applied: next() < this.p };
  }

  protected applyAll(images: Tensor, params: readonly AppliedParams[]): Tensor {
    const { images: x, n, unbatch } = asBatch(this.name, images);
    if (params.every((q) => !q.applied)) return images;
    const changed = this.op(x);
    if (params.every((q) => q.applied)) return unbatch(changed);
    return unbatch(where(constantLike(this.name, x, params.map((q) => +q.applied), [n, 1, 1, 1]), changed, x));
  }
}

/** rgbToGrayscale as a transform: RGB images to 1 (default) or 3 equal channels. */
export class Grayscale implements Transform {
  readonly numOutputChannels: 1 | 3;

  constructor(numOutputChannels: 1 | 3 = 1) {
    if (numOutputChannels !== 1 && numOutputChannels !== 3) throw new ValueError(`Grayscale: numOutputChannels must be 1 or 3, got ${formatValue(numOutputChannels)}`);
    this.numOutputChannels = numOutputChannels;
  }

  forward(images: Tensor): Tensor {
    return rgbToGrayscale(images, this.numOutputChannels);
  }
}

/** Each sample turned gray with probability p (default 0.1), keeping its channels (an RGB image's three equal). */
export class RandomGrayscale extends RandomlyApplied {
  constructor(p = 0.1) {
    super('RandomGrayscale', p);
  }

  protected op(x: Tensor): Tensor {
    checkChannels(this.name, x, x.shape[1], [1, 3]);
    return rgbToGrayscale(x, x.shape[1] as 1 | 3);
  }
}

/** Each sample inverted (1 − x) with probability p (default 0.5). */
export class RandomInvert extends RandomlyApplied {
  constructor(p = 0.5) {
    super('RandomInvert', p);
  }

  protected op(x: Tensor): Tensor {
    return invert(x);
  }
}

/** Each sample solarized at `threshold` with probability p (default 0.5). */
export class RandomSolarize extends RandomlyApplied {
  constructor(readonly threshold: number, p = 0.5) {
    super('RandomSolarize', p);
    numberOf(this.name, 'threshold', threshold, (t) => t <= 1, 'a number ≤ 1 (the images\' largest value)');
  }

  protected op(x: Tensor): Tensor {
    return solarize(x, this.threshold);
  }
}

/** Each sample's sharpness adjusted by `sharpnessFactor` with probability p (default 0.5). */
export class RandomAdjustSharpness extends RandomlyApplied {
  constructor(readonly sharpnessFactor: number, p = 0.5) {
    super('RandomAdjustSharpness', p);
    numberOf(this.name, 'sharpnessFactor', sharpnessFactor, (f) => f >= 0, 'a number ≥ 0');
  }

  protected op(x: Tensor): Tensor {
    return adjustSharpness(x, this.sharpnessFactor);
  }
}

/** Each sample autocontrasted with probability p (default 0.5). */
export class RandomAutocontrast extends RandomlyApplied {
  constructor(p = 0.5) {
    super('RandomAutocontrast', p);
  }

  protected op(x: Tensor): Tensor {
    return autocontrast(x);
  }
}

/** Each sample posterized to `bits` bits with probability p (default 0.5). */
export class RandomPosterize extends RandomlyApplied {
  readonly bits: number;

  constructor(bits: number, p = 0.5) {
    super('RandomPosterize', p);
    this.bits = checkBits(this.name, bits);
  }

  protected op(x: Tensor): Tensor {
    return posterize(x, this.bits);
  }
}

/** Each sample equalized with probability p (default 0.5). */
export class RandomEqualize extends RandomlyApplied {
  constructor(p = 0.5) {
    super('RandomEqualize', p);
  }

  protected op(x: Tensor): Tensor {
    return equalize(x);
  }
}
