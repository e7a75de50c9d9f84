// What tm.vision refuses, and how it says so: the images' rank, dtype and
// channels, per-channel lists of the wrong length, unknown options and
// values out of range, each named.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';

const v = tm.vision;

describe('vision refuses', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });
  const rgb = () => tm.zeros([2, 3, 7, 13]);

  it('images of the wrong rank, dtype or channel count', () => {
    expect(() => v.hflip(tm.zeros([7, 13]))).toThrow(tm.ShapeError);
    expect(() => v.hflip(tm.zeros([7, 13]))).toThrow('hflip: images [7,13] must be [N, C, H, W] or one image [C, H, W]');
    expect(() => v.resize(tm.zeros([1, 2, 3, 7, 13]), 5)).toThrow('resize: images [1,2,3,7,13] must be [N, C, H, W] or one image [C, H, W]');
    expect(() => v.crop(tm.zeros([3, 7, 13], { dtype: 'i32' }), 0, 0, 2, 2)).toThrow(tm.DTypeError);
    expect(() => v.crop(tm.zeros([3, 7, 13], { dtype: 'i32' }), 0, 0, 2, 2)).toThrow("crop: images must be f32 or f16 (colour values in [0, 1]), got i32 (cast them: x.cast('f32').div(255))");
    expect(() => v.rgbToGrayscale(tm.zeros([2, 4, 7, 13]))).toThrow('rgbToGrayscale: images [2,4,7,13] have 4 channels; expected 1 or 3 (axis −3)');
    expect(() => v.adjustHue(tm.zeros([2, 2, 5, 5]), 0.1)).toThrow('adjustHue: images [2,2,5,5] have 2 channels; expected 1 or 3');
    expect(() => new v.ColorJitter({ hue: 0.1 }).forward(tm.zeros([2, 4, 5, 5]))).toThrow('ColorJitter: images [2,4,5,5] have 4 channels');
    expect(() => v.hflip([[1]] as unknown as tm.Tensor)).toThrow('hflip: images must be a Tensor, got object');
  });

  it('per-channel lists whose length is neither 1 nor C, and a zero std', () => {
    expect(() => v.normalize(rgb(), [0.5, 0.5], [0.2, 0.2, 0.2])).toThrow(tm.ShapeError);
    expect(() => v.normalize(rgb(), [0.5, 0.5], [0.2, 0.2, 0.2])).toThrow('normalize: mean has 2 values for images [2,3,7,13] with 3 channels; give 1 or 3');
    expect(() => v.normalize(rgb(), 0.5, [0.2, 0.2, 0.2, 0.2])).toThrow('normalize: std has 4 values for images [2,3,7,13] with 3 channels; give 1 or 3');
    expect(() => v.normalize(rgb(), 0.5, [0.2, 0, 0.2])).toThrow('normalize: std [0.2, 0, 0.2] has a zero, which would divide by zero');
    expect(() => new v.Normalize([0.5], ['a' as unknown as number]).forward(rgb())).toThrow('normalize: std must be a number or a list of numbers, one per channel, got ["a"]');
    expect(() => v.rotate(rgb(), 10, { fill: [1, 2] })).toThrow('rotate: fill has 2 values for images [2,3,7,13] with 3 channels; give 1 or 3');
    expect(() => v.erase(rgb(), 0, 0, 2, 2, [1, 2])).toThrow('erase: value has 2 values for images [2,3,7,13] with 3 channels');
    expect(() => v.erase(rgb(), 0, 0, 2, 2, tm.zeros([3, 3, 2]))).toThrow("erase: value [3,3,2] must broadcast to the box's [3,2,2]");
  });

  it('unknown options, naming the ones there are', () => {
    expect(() => v.resize(rgb(), 5, { mode: 'bilinear' } as never)).toThrow('resize: unknown option "mode"; the options are interpolation, maxSize, antialias');
    expect(() => v.rotate(rgb(), 10, { resample: 'bilinear' } as never)).toThrow('rotate: unknown option "resample"; the options are interpolation, fill, center, expand');
    expect(() => v.rotate(rgb(), 10, { expand: 1 } as never)).toThrow('rotate: expand must be');
    expect(() => new v.RandomCrop(5, { pad_if_needed: true } as never)).toThrow('RandomCrop: unknown option "pad_if_needed" (did you mean padIfNeeded?)');
    expect(() => new v.RandomResizedCrop(5, { scales: [0.1, 1] } as never)).toThrow('RandomResizedCrop: unknown option "scales" (did you mean scale?)');
    expect(() => new v.ColorJitter({ brightnes: 0.2 } as never)).toThrow('ColorJitter: unknown option "brightnes"; the options are brightness, contrast, saturation, hue');
    expect(() => new v.RandomErasing({ probability: 0.2 } as never)).toThrow('RandomErasing: unknown option "probability"; the options are p, scale, ratio, value');
  });

  it('option values out of range or of the wrong kind', () => {
    expect(() => v.resize(rgb(), 5, { interpolation: 'area' as never })).toThrow("resize: interpolation must be 'nearest', 'nearest-exact', 'bilinear', 'bicubic', got \"area\"");
    expect(() => v.rotate(rgb(), 10, { interpolation: 'area' as never })).toThrow("rotate: interpolation must be 'nearest', 'bilinear', 'bicubic', got \"area\"");
    expect(() => new v.RandomResizedCrop(5, { interpolation: 'nearest-exact' as never })).toThrow("RandomResizedCrop: interpolation must be 'nearest', 'bilinear', 'bicubic', got \"nearest-exact\"");
    expect(() => v.resize(rgb(), 5, { antialias: 'yes' as never })).toThrow('resize: antialias must be true or false, got "yes"');
    expect(() => new v.RandomResizedCrop(5, { antialias: 1 as never })).toThrow('RandomResizedCrop: antialias must be true or false, got 1');
    expect(() => v.resize(rgb(), [5, 0])).toThrow('resize: size must be a positive integer or a pair [height, width] of them, got [5, 0]');
    expect(() => v.resize(rgb(), [5, 6], { maxSize: 10 })).toThrow('resize: maxSize applies to a single size and must be an integer greater than it, got maxSize 10 with size [5, 6]');
    expect(() => v.pad(rgb(), 1, { paddingMode: 'replicate' as never })).toThrow("vision.pad: unknown paddingMode \"replicate\" (torchvision calls it 'edge'); expected 'constant', 'edge', 'reflect', 'symmetric'");
    expect(() => v.pad(rgb(), [1, 2, 3] as never)).toThrow('vision.pad: padding must be a whole number ≥ 0, [left/right, top/bottom] or [left, top, right, bottom] of them, got [1, 2, 3]');
    expect(() => v.pad(rgb(), 1, { paddingMode: 'edge', fill: 1 })).toThrow('vision.pad: fill is for constant padding; edge padding copies the images\' own pixels');
    expect(() => v.pad(rgb(), 8, { paddingMode: 'symmetric' })).toThrow('vision.pad: symmetric padding [8, 8, 8, 8] reaches past images of 7×13');
    expect(() => v.gaussianBlur(rgb(), 4)).toThrow('gaussianBlur: kernelSize must be an odd positive integer or a pair [x, y] of them, got 4');
    expect(() => v.gaussianBlur(rgb(), 3, 0)).toThrow('gaussianBlur: sigma must be a number > 0 or a pair [x, y] of them, got 0');
    expect(() => v.adjustBrightness(rgb(), -0.5)).toThrow('adjustBrightness: factor must be a number ≥ 0, got -0.5');
    expect(() => v.adjustHue(rgb(), 0.7)).toThrow('adjustHue: factor must be a number in [-0.5, 0.5], got 0.7');
    expect(() => v.rgbToGrayscale(rgb(), 2 as never)).toThrow('rgbToGrayscale: numOutputChannels must be 1 or 3, got 2');
    expect(() => v.affine(rgb(), { scale: 0 })).toThrow('affine: scale must be a number > 0, got 0');
    expect(() => v.affine(rgb(), { translate: [1] as never })).toThrow('affine: translate must be a pair [x, y] of finite numbers, got [1]');
    expect(() => v.erase(rgb(), 5, 0, 3, 2, 0)).toThrow("erase: the box (top 5, left 0, height 3, width 2) must lie inside the images' 7×13 pixels");
    expect(() => v.crop(rgb(), 0.5, 0, 2, 2)).toThrow('crop: top and left must be integers, got [0.5, 0]');
    expect(() => new v.RandomHorizontalFlip(1.5)).toThrow('RandomHorizontalFlip: p must be a probability in [0, 1], got 1.5');
    expect(() => new v.RandomErasing({ p: -1 })).toThrow('RandomErasing: p must be a probability in [0, 1], got -1');
    expect(() => new v.ColorJitter({ contrast: -1 })).toThrow('ColorJitter: contrast must be a number ≥ 0 or a range [min, max], got -1');
    expect(() => new v.ColorJitter({ hue: 0.6 })).toThrow('ColorJitter: hue must be a number in [0, 0.5] or a range [min, max], got 0.6');
    expect(() => new v.ColorJitter({ brightness: [1.5, 0.5] })).toThrow('ColorJitter: brightness must be a number ≥ 0 or a range [min, max] within [0, ∞], got [1.5, 0.5]');
    expect(() => new v.RandomRotation(10, { interpolation: 'lanczos' as never })).toThrow("RandomRotation: interpolation must be 'nearest', 'bilinear', 'bicubic', got \"lanczos\"");
    expect(() => new v.RandomRotation(10, { expand: 'yes' as never })).toThrow('RandomRotation: expand must be true or false, got "yes"');
    expect(() => v.perspective(rgb(), [[0, 0], [1, 0], [1, 1]] as never, [[0, 0], [1, 0], [1, 1], [0, 1]])).toThrow('perspective: startpoints must be four points [x, y] of finite numbers (top-left, top-right, bottom-right, bottom-left), got [[0, 0], [1, 0], [1, 1]]');
    expect(() => v.perspective(rgb(), [[0, 0], [1, 0], [1, 1], [0, 1]], [[1, 1], [1, 1], [1, 1], [1, 1]])).toThrow('perspective: no perspective map takes endpoints [[1, 1], [1, 1], [1, 1], [1, 1]] to startpoints [[0, 0], [1, 0], [1, 1], [0, 1]] (three of the points on a line?)');
    expect(() => v.perspective(rgb(), [[0, 0], [1, 0], [1, 1], [0, 1]], [[0, 0], [1, 0], [1, 1], [0, 1]], { center: [1, 1] } as never)).toThrow('perspective: unknown option "center"; the options are interpolation, fill');
    expect(() => v.solarize(rgb(), 1.5)).toThrow("solarize: threshold must be a number ≤ 1 (the images' largest value), got 1.5");
    expect(() => v.adjustGamma(rgb(), -1)).toThrow('adjustGamma: gamma must be a number ≥ 0, got -1');
    expect(() => v.adjustGamma(rgb(), 1, Number.NaN)).toThrow('adjustGamma: gain must be a finite number, got NaN');
    expect(() => v.adjustSharpness(rgb(), -0.5)).toThrow('adjustSharpness: factor must be a number ≥ 0, got -0.5');
    expect(() => v.autocontrast(tm.zeros([2, 4, 5, 5]))).toThrow('autocontrast: images [2,4,5,5] have 4 channels; expected 1 or 3 (axis −3)');
    expect(() => v.invert(tm.zeros([2, 2, 5, 5]))).toThrow('invert: images [2,2,5,5] have 2 channels; expected 1 or 3 (axis −3)');
    expect(() => new v.Grayscale(2 as never)).toThrow('Grayscale: numOutputChannels must be 1 or 3, got 2');
    expect(() => new v.RandomGrayscale(1.2)).toThrow('RandomGrayscale: p must be a probability in [0, 1], got 1.2');
    expect(() => new v.RandomGrayscale(1).forward(tm.zeros([2, 4, 5, 5]))).toThrow('RandomGrayscale: images [2,4,5,5] have 4 channels');
    expect(() => new v.RandomSolarize(2)).toThrow("RandomSolarize: threshold must be a number ≤ 1 (the images' largest value), got 2");
    expect(() => new v.RandomAdjustSharpness(-1)).toThrow('RandomAdjustSharpness: sharpnessFactor must be a number ≥ 0, got -1');
    expect(() => new v.GaussianBlur(4)).toThrow('GaussianBlur: kernelSize must be an odd positive integer or a pair [x, y] of them, got 4');
    expect(() => new v.GaussianBlur(3, [2, 1])).toThrow('GaussianBlur: sigma must be a number > 0 or a range [min, max] with 0 < min ≤ max, got [2, 1]');
    expect(() => new v.GaussianBlur(3, 0)).toThrow('GaussianBlur: sigma must be a number > 0 or a range [min, max] with 0 < min ≤ max, got 0');
    expect(() => new v.GaussianBlur(9).forward(tm.zeros([2, 3, 3, 3]))).toThrow('GaussianBlur: kernelSize [9, 9] reflect-pads by 4×4 (x×y), which needs images larger than that; got 3×3');
    expect(() => new v.RandomPerspective({ distortionScale: 1.5 })).toThrow('RandomPerspective: distortionScale must be a number in [0, 1], got 1.5');
    expect(() => new v.RandomPerspective({ p: 2 })).toThrow('RandomPerspective: p must be a probability in [0, 1], got 2');
    expect(() => new v.RandomPerspective({ interpolation: 'area' as never })).toThrow("RandomPerspective: interpolation must be 'nearest', 'bilinear', 'bicubic', got \"area\"");
    expect(() => new v.RandomAffine(10, { center: [1, 'a'] as never })).toThrow('RandomAffine: center must be a pair [x, y] of finite numbers, got [1, "a"]');
    expect(() => new v.RandomAffine(10, { fill: 'white' as never })).toThrow('RandomAffine: fill must be a number or a list of numbers, one per channel, got "white"');
    expect(() => new v.RandomRotation(-10)).toThrow('RandomRotation: degrees as a single number must be finite and ≥ 0 (the range [−d, d]), got -10');
    expect(() => new v.RandomAffine(0, { translate: [0.5, 2] })).toThrow('RandomAffine: translate must be a pair [x, y] of fractions in [0, 1], got [0.5, 2]');
    expect(() => new v.RandomAffine(0, { shear: [1, 2, 3] })).toThrow('RandomAffine: shear must be a number, [min, max] or [xmin, xmax, ymin, ymax] of degrees, got [1, 2, 3]');
    expect(() => new v.RandomCrop(5, { padding: -1 })).toThrow('RandomCrop: padding must be a whole number ≥ 0, [left/right, top/bottom] or [left, top, right, bottom] of them, got -1');
    expect(() => new v.RandomCrop(5, { paddingMode: 'replicate' as never })).toThrow("RandomCrop: unknown paddingMode \"replicate\" (torchvision calls it 'edge')");
    expect(() => new v.RandomResizedCrop(5, { scale: [0.9, 0.1] })).toThrow('RandomResizedCrop: scale must be a range [min, max] of finite numbers > 0, got [0.9, 0.1]');
    expect(() => new v.RandomErasing({ value: 'noise' as never })).toThrow("RandomErasing: value must be a number, a list of one per channel, or 'random', got \"noise\"");
  });

  it('a crop larger than the images, parameters for the wrong number of samples, and a Compose of non-transforms', () => {
    expect(() => new v.RandomCrop([9, 5]).forward(rgb())).toThrow('RandomCrop: crop 9×5 is larger than the images, 7×13');
    expect(() => new v.RandomCrop(20, { padding: 2 }).forward(rgb())).toThrow('RandomCrop: crop 20×20 is larger than the padded images, 11×17');
    const flip = new v.RandomHorizontalFlip();
    expect(() => flip.apply(rgb(), [{ flipped: true }])).toThrow('RandomHorizontalFlip: apply needs one set of parameters per sample (2), got 1');
    expect(() => new v.Compose([new v.RandomHorizontalFlip(), 5 as never])).toThrow('Compose: transform 1 must be a function of the images or have forward(images), got 5');
  });
});
