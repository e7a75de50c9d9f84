// The sampling grid of an affine map (PyTorch's F.affine_grid), for
// gridSample: each output pixel's normalised position (x, y, 1) through its
// sample's 2×3 matrix θ. A spatial transformer's localisation network
// predicts θ; its gradient comes back through one batched matmul.
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { matmul } from './matmul.js';
import { reshape } from './movement.js';
import { checkTensor, onBackendOf } from './util.js';

export interface AffineGridOptions {
  /** −1 and 1 are the corner pixels' centres (true) or their outer edges (false, the default), as PyTorch's align_corners; give gridSample the same. */
  alignCorners?: boolean;
}

const OPTIONS: OptionNames<AffineGridOptions> = { alignCorners: 'boolean' };

/**
 * theta [N, 2, 3] → grid [N, H, W, 2] for images of `size` [N, C, H, W]
 * (PyTorch's affine_grid): grid[n, i, j] = θₙ · (xⱼ, yᵢ, 1), where xⱼ and
 * yᵢ are pixel j's and row i's normalised positions in [−1, 1]. The identity
 * θ = [[1, 0, 0], [0, 1, 0]] gives the grid on which gridSample, with the
 * same alignCorners, reads the image back. Differentiable in theta.
 */
export function affineGrid(theta: Tensor, size: readonly number[], options: AffineGridOptions = {}): Tensor {
  const op = 'affineGrid';
  const { alignCorners = false } = checkOptions(op, options, OPTIONS);
  checkTensor(op, theta, 'theta');
  if (!isFloat(theta.dtype)) throw new DTypeError(`${op}: theta must be f32 or f16, got ${theta.dtype}`);
  if (theta.rank !== 3 || theta.shape[1] !== 2 || theta.shape[2] !== 3) throw new ShapeError(`${op}: theta ${formatShape(theta.shape)} must be [N, 2, 3], a 2×3 affine matrix per sample`);
  if (!Array.isArray(size) || size.length !== 4 || size.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ValueError(`${op}: size must be the images' [N, C, H, W], positive integers, got ${formatValue(size)}`);
  }
  const [n, , height, width] = size;
  if (n !== theta.shape[0]) throw new ShapeError(`${op}: size ${formatShape(size)} is for ${n} images, theta ${formatShape(theta.shape)} holds ${theta.shape[0]} matrices`);
  const [xs, ys] = [positions(width, alignCorners), positions(height, alignCorners)];
  const base = new Float32Array(height * width * 3);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) base.set([xs[j], ys[i], 1], (i * width + j) * 3);
  }
  return tidy(() => {
    const homogeneous = onBackendOf(op, theta, () => tensor(base, [1, height * width, 3], { dtype: theta.dtype }));
    return reshape(matmul(homogeneous, theta, { transposeB: true }), [n, height, width, 2]);
  });
}

/** PyTorch's linspace_from_neg_one: the n pixels' normalised positions, −1 to 1 at their centres (aligned) or edges; a single one at 0. */
function positions(n: number, alignCorners: boolean): Float64Array {
  return Float64Array.from({ length: n }, (_, j) => (n === 1 ? 0 : alignCorners ? -1 + (2 * j) / (n - 1) : (2 * j + 1) / n - 1));
}
