// Random crops (torchvision's RandomCrop, RandomResizedCrop): a window per
// sample, all read in one pass (resample.ts).
import { ValueError } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { roundHalfEven } from '../round.js';
import { asBatch, rangeOf, sizePair } from './images.js';
import { checkPadMode, pad, sides, type Padding, type VisionPadMode } from './pad.js';
import { resampleWindows, type ResampleMode } from './resample.js';
import { checkInterpolation } from './resize.js';
import { randomInt, RandomTransform, uniformIn } from './transform.js';

/** A sample's window: its top-left pixel and extent (in the padded image, for RandomCrop). */
export interface CropParams {
  top: number;
  left: number;
  height: number;
  width: number;
}

export interface RandomCropOptions {
  /** Padding around every image before cropping (vision.pad's forms). */
  padding?: Padding;
  /** Pad an image smaller than the crop up to its size (torchvision's pad_if_needed: both sides by the shortfall). Default false. */
  padIfNeeded?: boolean;
  /** Constant padding's value. Default 0. */
  fill?: number;
  /** vision.pad's modes. Default 'constant'. */
  paddingMode?: VisionPadMode;
}

const CROP_OPTIONS: OptionNames<RandomCropOptions> = { padding: true, padIfNeeded: 'boolean', fill: true, paddingMode: true };

/** A window of `size` at a uniformly drawn place in each (padded) sample. */
export class RandomCrop extends RandomTransform<CropParams> {
  readonly size: [number, number];
  readonly options: RandomCropOptions;

  constructor(size: number | readonly [number, number], options: RandomCropOptions = {}) {
    super('RandomCrop');
    this.size = sizePair(this.name, 'size', size);
    this.options = { ...checkOptions(this.name, options, CROP_OPTIONS) };
    const { padding, paddingMode } = this.options;
    if (padding !== undefined) sides(this.name, padding);
    if (paddingMode !== undefined) checkPadMode(this.name, paddingMode);
  }

  /** Images padded as the options say, before the windows are drawn in them. */
  padded(images: Tensor): Tensor {
    const { padding, padIfNeeded, fill, paddingMode } = this.options;
    const how = { ...(fill === undefined ? {} : { fill }), ...(paddingMode === undefined ? {} : { paddingMode }) };
    let x = padding === undefined ? images : pad(images, padding, how);
    const [h, w] = x.shape.slice(-2);
    if (padIfNeeded && w < this.size[1]) x = pad(x, [this.size[1] - w, 0], how);
    if (padIfNeeded && h < this.size[0]) x = pad(x, [0, this.size[0] - h], how);
    return x;
  }

  protected drawOne(next: () => number, _c: number, h: number, w: number): CropParams {
    const [height, width] = this.size;
    const [ph, pw] = this.paddedSize(h, w);
    if (ph < height || pw < width) throw new ValueError(`${this.name}: crop ${height}×${width} is larger than the ${ph === h && pw === w ? '' : 'padded '}images, ${ph}×${pw}`);
    return { top: randomInt(next, 0, ph - height + 1), left: randomInt(next, 0, pw - width + 1), height, width };
  }

  protected applyAll(images: Tensor, params: readonly CropParams[]): Tensor {
    const { images: x, unbatch } = asBatch(this.name, this.padded(images));
    return unbatch(resampleWindows(this.name, x, params.map((q) => ({ start: q.top, length: this.size[0] })), params.map((q) => ({ start: q.left, length: this.size[1] })), this.size, 'nearest', false));
  }

  /** The images' [H, W] once padded. */
  private paddedSize(h: number, w: number): [number, number] {
    const { padding, padIfNeeded } = this.options;
    const [left, top, right, bottom] = padding === undefined ? [0, 0, 0, 0] : sides(this.name, padding);
    const [ph, pw] = [h + top + bottom, w + left + right];
    return [padIfNeeded && ph < this.size[0] ? 2 * this.size[0] - ph : ph, padIfNeeded && pw < this.size[1] ? 2 * this.size[1] - pw : pw];
  }
}

export interface RandomResizedCropOptions {
  /** The window's area as a fraction of the image's, drawn uniformly from [min, max]. Default [0.08, 1]. */
  scale?: readonly [number, number];
  /** The window's width / height, drawn log-uniformly from [min, max]. Default [3/4, 4/3]. */
  ratio?: readonly [number, number];
  /** 'bilinear' (default), 'nearest' or 'bicubic'. */
  interpolation?: 'nearest' | 'bilinear' | 'bicubic';
  /** Bilinear and bicubic: filter a window shrunk as tm.interpolate2d's antialias does (torchvision's default for tensors since 0.17). Default true; nearest ignores it, as torchvision does. */
  antialias?: boolean;
}

const RESIZED_OPTIONS: OptionNames<RandomResizedCropOptions> = { scale: true, ratio: true, interpolation: true, antialias: 'boolean' };

/**
 * A window of random area and aspect ratio per sample, resized to `size`
 * (torchvision's RandomResizedCrop, the Inception crop): up to 10 draws for
 * a window that fits, else the centred window of the image clamped to the
 * ratio range.
 */
export class RandomResizedCrop extends RandomTransform<CropParams> {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly interpolation: ResampleMode;
  readonly antialias: boolean;

  constructor(size: number | readonly [number, number], options: RandomResizedCropOptions = {}) {
    super('RandomResizedCrop');
    const { scale = [0.08, 1], ratio = [3 / 4, 4 / 3], interpolation = 'bilinear', antialias = true } = checkOptions(this.name, options, RESIZED_OPTIONS);
    this.size = sizePair(this.name, 'size', size);
    this.scale = rangeOf(this.name, 'scale', scale, (v) => v > 0 && Number.isFinite(v), 'finite numbers > 0');
    this.ratio = rangeOf(this.name, 'ratio', ratio, (v) => v > 0 && Number.isFinite(v), 'finite numbers > 0');
    this.interpolation = checkInterpolation(this.name, interpolation, ['nearest', 'bilinear', 'bicubic'] as const);
    this.antialias = antialias;
  }

  protected drawOne(next: () => number, _c: number, h: number, w: number): CropParams {
    const area = h * w;
    const [logLo, logHi] = this.ratio.map(Math.log);
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = area * uniformIn(next, this.scale[0], this.scale[1]);
      const aspect = Math.exp(uniformIn(next, logLo, logHi));
      const width = roundHalfEven(Math.sqrt(target * aspect));
      const height = roundHalfEven(Math.sqrt(target / aspect));
      if (width > 0 && width <= w && height > 0 && height <= h) {
        return { top: randomInt(next, 0, h - height + 1), left: randomInt(next, 0, w - width + 1), height, width };
      }
    }
    const inRatio = w / h;
    const [width, height] = inRatio < this.ratio[0] ? [w, roundHalfEven(w / this.ratio[0])] : inRatio > this.ratio[1] ? [roundHalfEven(h * this.ratio[1]), h] : [w, h];
    return { top: Math.floor((h - height) / 2), left: Math.floor((w - width) / 2), height, width };
  }

  protected applyAll(images: Tensor, params: readonly CropParams[]): Tensor {
    const { images: x, unbatch } = asBatch(this.name, images);
    const rows = params.map((q) => ({ start: q.top, length: q.height }));
    const columns = params.map((q) => ({ start: q.left, length: q.width }));
    return unbatch(resampleWindows(this.name, x, rows, columns, this.size, this.interpolation, this.antialias));
  }
}
