// Random perspective (torchvision's RandomPerspective): each sample, with
// probability p, has its corners pulled in by up to distortionScale of half
// the image, each corner at whole pixels of its own, and is warped by that.
import { ShapeError } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { where } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';
import { checkWarpOptions } from './affine.js';
import { asBatch, constantLike, numberOf } from './images.js';
import { perspectiveCoeffs, PERSPECTIVE_OPTIONS, warpPerspective, type PerspectiveOptions, type Quad } from './perspective.js';
import { checkProbability, randomInt, RandomTransform } from './transform.js';

export interface RandomPerspectiveOptions extends PerspectiveOptions {
  /** How far the corners may move, a fraction of half the image in [0, 1]. Default 0.5. */
  distortionScale?: number;
  /** The chance a sample is warped. Default 0.5. */
  p?: number;
}

/** A sample's draw: the corners it moved (vision.perspective's arguments), or null where it was left as it is. */
export interface PerspectiveParams {
  startpoints: Quad;
  endpoints: Quad;
}

const OPTIONS: OptionNames<RandomPerspectiveOptions> = { ...PERSPECTIVE_OPTIONS, distortionScale: true, p: true };

/** Each sample warped with probability p by a perspective drawn as torchvision's get_params draws it. fill defaults to 0, as torchvision's. */
export class RandomPerspective extends RandomTransform<PerspectiveParams | null> {
  readonly distortionScale: number;
  readonly p: number;
  readonly options: Required<Pick<PerspectiveOptions, 'interpolation'>> & PerspectiveOptions;

  constructor(options: RandomPerspectiveOptions = {}) {
    super('RandomPerspective');
    const { distortionScale = 0.5, p = 0.5, interpolation = 'bilinear', fill = 0 } = checkOptions(this.name, options, OPTIONS);
    this.distortionScale = numberOf(this.name, 'distortionScale', distortionScale, (d) => d >= 0 && d <= 1, 'a number in [0, 1]');
    this.p = checkProbability(this.name, p);
    this.options = { interpolation: checkWarpOptions(this.name, { interpolation, fill }), fill };
  }

  /** torchvision's get_params: each corner moved inwards by a whole number of pixels up to distortionScale·⌊side/2⌋. */
  protected drawOne(next: () => number, _c: number, h: number, w: number): PerspectiveParams | null {
    if (!(next() < this.p)) return null;
    if (h < 2 || w < 2) throw new ShapeError(`${this.name}: images ${h}×${w} (H×W) have corners that coincide, which no perspective map can move apart; they need 2 pixels or more along each side`);
    const [dx, dy] = [Math.trunc(this.distortionScale * Math.floor(w / 2)), Math.trunc(this.distortionScale * Math.floor(h / 2))];
    const near = (limit: number) => randomInt(next, 0, limit + 1);
    const far = (size: number, limit: number) => randomInt(next, size - limit - 1, size);
    const topLeft = [near(dx), near(dy)] as const;
    const topRight = [far(w, dx), near(dy)] as const;
    const bottomRight = [far(w, dx), far(h, dy)] as const;
    const bottomLeft = [near(dx), far(h, dy)] as const;
    return { startpoints: [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], endpoints: [topLeft, topRight, bottomRight, bottomLeft] };
  }

  protected applyAll(images: Tensor, params: readonly (PerspectiveParams | null)[]): Tensor {
    if (params.every((q) => q === null)) return images;
    const batch = asBatch(this.name, images);
    const identity = [1, 0, 0, 0, 1, 0, 0, 0];
    const coeffs = params.map((q) => (q === null ? identity : perspectiveCoeffs(this.name, q.startpoints, q.endpoints)));
    const warped = warpPerspective(this.name, batch, coeffs, this.options.interpolation, this.options.fill);
    if (params.every((q) => q !== null)) return warped;
    // Some samples kept as they are: a batch (rank 4), picked from per sample.
    return where(constantLike(this.name, batch.images, params.map((q) => +(q !== null)), [batch.n, 1, 1, 1]), warped, images);
  }
}
