// Mirroring images left–right and top–bottom (torchvision's hflip, vflip).
import { flip } from '../ops/movement.js';
import type { Tensor } from '../tensor.js';
import { imageShape } from './images.js';

/** Images [N, C, H, W] or [C, H, W] mirrored left to right (the width axis reversed). */
export function hflip(images: Tensor): Tensor {
  imageShape('hflip', images);
  return flip(images, images.rank - 1);
}

/** Images mirrored top to bottom (the height axis reversed). */
export function vflip(images: Tensor): Tensor {
  imageShape('vflip', images);
  return flip(images, images.rank - 2);
}
