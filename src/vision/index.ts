// tm.vision: image transforms and augmentation (torchvision.transforms' ops and
// random transforms) for images [N, C, H, W] or [C, H, W] on every backend.
export { hflip, vflip } from './flip.js';
export { crop, centerCrop } from './crop.js';
export { pad } from './pad.js';
export type { Padding, VisionPadMode, VisionPadOptions } from './pad.js';
export { resize } from './resize.js';
export type { Interpolation, ResizeOptions } from './resize.js';
export { normalize } from './normalize.js';
export { adjustBrightness, adjustContrast, adjustSaturation, rgbToGrayscale } from './color.js';
export { adjustHue } from './hue.js';
export { gaussianBlur } from './blur.js';
export { affine, rotate } from './affine.js';
export type { AffineOptions, AffineParams, WarpOptions } from './affine.js';
export { erase } from './erase.js';
export type { Box } from './erase.js';
export { Compose, Normalize, RandomTransform } from './transform.js';
export type { Transform, TransformLike } from './transform.js';
export { RandomHorizontalFlip, RandomVerticalFlip } from './random_flip.js';
export type { FlipParams } from './random_flip.js';
export { RandomCrop, RandomResizedCrop } from './random_crop.js';
export type { CropParams, RandomCropOptions, RandomResizedCropOptions } from './random_crop.js';
export { RandomAffine, RandomRotation } from './random_affine.js';
export type { RandomAffineOptions } from './random_affine.js';
export { ColorJitter } from './color_jitter.js';
export type { ColorJitterOptions, ColorJitterParams } from './color_jitter.js';
export { RandomErasing } from './random_erasing.js';
export type { ErasingParams, RandomErasingOptions } from './random_erasing.js';
