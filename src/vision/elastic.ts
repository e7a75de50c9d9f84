// Elastic deformation (torchvision's elastic_transform, ElasticTransform):
// each output pixel reads from its own place plus a displacement, in
// gridSample's [−1, 1] units; the transform draws the displacement per
// sample as uniform noise in [−1, 1], Gaussian-smoothed and scaled by
// alpha over the side it moves along.
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { add } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/movement.js';
import { checkTensor } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { gaussian } from './blur.js';
import { checkWarpOptions, sampleThrough } from './affine.js';
import { asBatch, constantLike, numberOf, type Batch } from './images.js';
import { PERSPECTIVE_OPTIONS, type PerspectiveOptions } from './perspective.js';
import { RandomTransform } from './transform.js';

/** Images read at identity + `displacement` ([N or 1, H, W, 2]: x then y, in [−1, 1] units of the width and height). Options as perspective's (bilinear by default). */
export function elasticTransform(images: Tensor, displacement: Tensor, options: PerspectiveOptions = {}): Tensor {
  const op = 'elasticTransform';
  const { interpolation = 'bilinear', fill } = checkOptions(op, options, PERSPECTIVE_OPTIONS);
  const mode = checkWarpOptions(op, { interpolation, fill });
  const batch = asBatch(op, images);
  checkTensor(op, displacement, 'displacement');
  const [n, , h, w] = [batch.n, batch.c, batch.h, batch.w];
  const d = displacement.shape;
  if (d.length !== 4 || (d[0] !== 1 && d[0] !== n) || d[1] !== h || d[2] !== w || d[3] !== 2) {
    throw new ShapeError(`${op}: displacement ${formatShape(d)} must be [${n === 1 ? 1 : `1 or ${n}`}, ${h}, ${w}, 2] for images ${formatShape(images.shape)}`);
  }
  return displaced(op, batch, displacement, mode, fill);
}

function displaced(op: string, batch: Batch, displacement: Tensor, mode: ReturnType<typeof checkWarpOptions>, fill: PerspectiveOptions['fill']): Tensor {
  const { images: x, n, h, w } = batch;
  // torchvision's _create_identity_grid: pixel centres (2j + 1)/w − 1, (2i + 1)/h − 1.
  const identity = new Float32Array(h * w * 2).map((_, k) => (k % 2 === 0 ? (2 * ((k >> 1) % w) + 1) / w - 1 : (2 * Math.floor((k >> 1) / w) + 1) / h - 1));
  return sampleThrough(op, batch, mode, fill, () => broadcastTo(add(constantLike(op, x, identity, [1, h, w, 2]), displacement), [n, h, w, 2]));
}

export interface ElasticTransformOptions extends PerspectiveOptions {
  /** Displacement's size along [x, y] (a number: both). Default 50. */
  alpha?: number | readonly [number, number];
  /** The smoothing Gaussian's sigma [x, y], ≥ 0 (0: none); its kernel takes 8σ + 1 taps (made odd), reflect-padded, so the image must be larger than 4σ + ½ along each side. Default 5. */
  sigma?: number | readonly [number, number];
}

/** A sample's draw: the noise [2, H, W] (x's plane, then y's) and the displacement [H, W, 2] made of it. */
export interface ElasticParams {
  noise: Float64Array;
  displacement: Float32Array;
}

const OPTIONS: OptionNames<ElasticTransformOptions> = { ...PERSPECTIVE_OPTIONS, alpha: true, sigma: true };

/** Each sample deformed by its own smooth random displacement (torchvision's ElasticTransform). fill defaults to 0, as torchvision's. */
export class ElasticTransform extends RandomTransform<ElasticParams> {
  readonly alpha: [number, number];
  readonly sigma: [number, number];
  readonly options: Required<Pick<PerspectiveOptions, 'interpolation'>> & PerspectiveOptions;

  constructor(options: ElasticTransformOptions = {}) {
    super('ElasticTransform');
    const { alpha = 50, sigma = 5, interpolation = 'bilinear', fill = 0 } = checkOptions(this.name, options, OPTIONS);
    this.alpha = pairOf(this.name, 'alpha', alpha, () => true, 'finite numbers');
    this.sigma = pairOf(this.name, 'sigma', sigma, (s) => s >= 0, 'numbers ≥ 0');
    this.options = { interpolation: checkWarpOptions(this.name, { interpolation, fill }), fill };
  }

  /**
   * torchvision's get_params: noise for x, smoothed by a (8σx + 1)-tap
   * kernel with sigmas [σx, σy], scaled by αx / W; then y's likewise with
   * 8σy + 1 taps, by αy / H (the per-axis sides of torchvision's fix #9300;
   * before it, x was scaled by H and y by W).
   */
  protected drawOne(next: () => number, _c: number, h: number, w: number): ElasticParams {
    const noise = Float64Array.from({ length: 2 * h * w }, () => next() * 2 - 1);
    const displacement = new Float32Array(h * w * 2);
    for (const axis of [0, 1] as const) {
      const plane = noise.subarray(axis * h * w, (axis + 1) * h * w);
      const smooth = this.sigma[axis] > 0 ? blurPlane(this.name, plane, h, w, oddTaps(this.sigma[axis]), this.sigma) : plane;
      const scale = this.alpha[axis] / (axis === 0 ? w : h);
      smooth.forEach((v, k) => (displacement[k * 2 + axis] = v * scale));
    }
    return { noise, displacement };
  }

  protected applyAll(images: Tensor, params: readonly ElasticParams[]): Tensor {
    const batch = asBatch(this.name, images);
    const { n, h, w } = batch;
    const all = new Float32Array(n * h * w * 2);
    params.forEach((q, s) => all.set(q.displacement, s * h * w * 2));
    return displaced(this.name, batch, constantLike(this.name, batch.images, all, [n, h, w, 2]), this.options.interpolation, this.options.fill);
  }
}

function oddTaps(sigma: number): number {
  const k = Math.trunc(8 * sigma + 1);
  return k % 2 === 0 ? k + 1 : k;
}

/** gaussianBlur of one h × w plane in float64: k taps along each axis, sigmas [x, y], reflect padding. */
function blurPlane(op: string, plane: Float64Array, h: number, w: number, k: number, [sx, sy]: [number, number]): Float64Array {
  const half = (k - 1) / 2;
  if (half >= h || half >= w) throw new ValueError(`${op}: sigma ${formatValue([sx, sy])} smooths by ${k} taps, reflect-padding by ${half}, which needs images larger than that; got ${w}×${h}`);
  const reflect = (i: number, size: number) => (i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i);
  const [gx, gy] = [gaussian(k, sx), gaussian(k, sy)];
  const down = new Float64Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let t = 0; t < k; t++) down[i * w + j] += gy[t] * plane[reflect(i + t - half, h) * w + j];
  const across = new Float64Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let t = 0; t < k; t++) across[i * w + j] += gx[t] * down[i * w + reflect(j + t - half, w)];
  return across;
}

function pairOf(op: string, name: string, value: unknown, ok: (v: number) => boolean, what: string): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => typeof v === 'number' && Number.isFinite(v) && ok(v))) {
    throw new ValueError(`${op}: ${name} must be a number or a pair [x, y] of ${what}, got ${formatValue(value)}`);
  }
  return [pair[0], pair[1]];
}
