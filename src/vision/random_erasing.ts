// Random erasing (torchvision's RandomErasing, Zhong et al. 2017): with
// probability p, a box of random area and aspect ratio in each sample set
// to a value, a colour, or normal noise.
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { normal } from '../random.js';
import type { Tensor } from '../tensor.js';
import { roundHalfEven } from '../round.js';
import { asBatch, constantLike, perChannel, rangeOf} from './images.js';
import { eraseBoxes, type Box } from './erase.js';
import { checkProbability, randomInt, RandomTransform, uniformIn } from './transform.js';

export interface RandomErasingOptions {
  /** The probability that a sample is erased. Default 0.5. */
  p?: number;
  /** The box's area as a fraction of the image's, drawn uniformly. Default [0.02, 0.33]. */
  scale?: readonly [number, number];
  /** The box's height / width, drawn log-uniformly. Default [0.3, 3.3]. */
  ratio?: readonly [number, number];
  /** A number (default 0), one per channel, or 'random': standard normal noise. */
  value?: number | readonly number[] | 'random';
}

/** A sample's box (height 0: left as it was), and for 'random' the seed of its noise (random.ts's normal, channel by channel, row by row). */
export interface ErasingParams extends Box {
  seed: number;
}

const OPTIONS: OptionNames<RandomErasingOptions> = { p: true, scale: true, ratio: true, value: true };

/**
 * Erases a box in each sample with probability p: up to 10 draws of area
 * and ratio for a box smaller than the image (sides rounded half to even,
 * as torchvision's round), placed uniformly; none fitting, the sample is
 * left as it was.
 */
export class RandomErasing extends RandomTransform<ErasingParams> {
  readonly p: number;
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly value: number | readonly number[] | 'random';

  constructor(options: RandomErasingOptions = {}) {
    super('RandomErasing');
    const { p = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0 } = checkOptions(this.name, options, OPTIONS);
    this.p = checkProbability(this.name, p);
    this.scale = rangeOf(this.name, 'scale', scale, (v) => v >= 0 && v <= 1, 'fractions in [0, 1]');
    this.ratio = rangeOf(this.name, 'ratio', ratio, (v) => v > 0 && Number.isFinite(v), 'finite numbers > 0');
    if (value !== 'random' && typeof value !== 'number' && !Array.isArray(value)) throw new ValueError(`${this.name}: value must be a number, a list of one per channel, or 'random', got ${formatValue(value)}`);
    this.value = value;
  }

  protected drawOne(next: () => number, _c: number, h: number, w: number): ErasingParams {
    const none = { top: 0, left: 0, height: 0, width: 0, seed: 0 };
    if (!(next() < this.p)) return none;
    const [logLo, logHi] = this.ratio.map(Math.log);
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = h * w * uniformIn(next, this.scale[0], this.scale[1]);
      const aspect = Math.exp(uniformIn(next, logLo, logHi));
      const height = roundHalfEven(Math.sqrt(area * aspect));
      const width = roundHalfEven(Math.sqrt(area / aspect));
      if (!(height < h && width < w)) continue;
      return { top: randomInt(next, 0, h - height + 1), left: randomInt(next, 0, w - width + 1), height, width, seed: Math.floor(next() * 2 ** 32) };
    }
    return none;
  }

  protected applyAll(images: Tensor, params: readonly ErasingParams[]): Tensor {
    const { images: x, n, c, h, w, unbatch } = asBatch(this.name, images);
    if (params.every((q) => q.height === 0 || q.width === 0)) return images;
    let fill: Tensor;
    if (this.value === 'random') {
      // Each box's noise, channel by channel and row by row, from its sample's seed: apply() with the same params repeats it.
      const noise = new Float32Array(n * c * h * w);
      params.forEach(({ top, left, height, width, seed }, s) => {
        const values = normal(c * height * width, 0, 1, seed);
        for (let k = 0; k < c; k++) for (let i = 0; i < height; i++) noise.set(values.subarray((k * height + i) * width, (k * height + i + 1) * width), ((s * c + k) * h + top + i) * w + left);
      });
      fill = constantLike(this.name, x, noise, [n, c, h, w]);
    } else {
      fill = constantLike(this.name, x, perChannel(this.name, 'value', this.value, images, c), [1, c, 1, 1]);
    }
    return unbatch(eraseBoxes(this.name, x, params, fill));
  }
}
