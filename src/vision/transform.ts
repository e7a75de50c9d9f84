// Transforms as objects a pipeline chains (torchvision's transforms.Compose
// and friends): each maps images [N, C, H, W] or [C, H, W] to images. A
// random one draws its parameters per sample from tmnn's seeded generator
// (tm.setSeed makes a run repeat), keeps them in `last`, and applies them to
// the whole batch at once; `draw` and `apply` split the two, so one draw can
// serve an image and its mask. Transforms are made of differentiable ops:
// a gradient flows back to the images (not to the drawn parameters).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { freshSeed, rng } from '../random.js';
import type { Tensor } from '../tensor.js';
import { imageShape } from './images.js';
import { normalize } from './normalize.js';

/** Anything with forward(images) → images. */
export interface Transform {
  forward(images: Tensor): Tensor;
}

/** What Compose chains: a transform, or a plain function of the images (e.g. `(x) => vision.resize(x, 32)`). */
export type TransformLike = Transform | ((images: Tensor) => Tensor);

/** Transforms applied in order, in one tidy scope (the intermediate images are freed). */
export class Compose implements Transform {
  readonly transforms: readonly TransformLike[];

  constructor(transforms: readonly TransformLike[]) {
    this.transforms = checkTransforms('Compose', transforms);
  }

  forward(images: Tensor): Tensor {
    return tidy(() => this.transforms.reduce(applyTransform, images));
  }
}

/** A list of transforms, checked: each a function of the images or with forward(images). */
export function checkTransforms(op: string, transforms: unknown): TransformLike[] {
  if (!Array.isArray(transforms)) throw new ValueError(`${op}: transforms must be a list, got ${formatValue(transforms)}`);
  transforms.forEach((t, i) => {
    if (typeof t !== 'function' && typeof (t as Transform | null)?.forward !== 'function') {
      throw new ValueError(`${op}: transform ${i} must be a function of the images or have forward(images), got ${formatValue(t)}`);
    }
  });
  return [...(transforms as TransformLike[])];
}

/** `images` through one transform or function. */
export function applyTransform(images: Tensor, t: TransformLike): Tensor {
  return typeof t === 'function' ? t(images) : t.forward(images);
}

/** normalize as a transform. */
export class Normalize implements Transform {
  constructor(readonly mean: number | readonly number[], readonly std: number | readonly number[]) {}

  forward(images: Tensor): Tensor {
    return normalize(images, this.mean, this.std);
  }
}

/** A random transform: parameters P drawn per sample, then applied to the batch. */
export abstract class RandomTransform<P> implements Transform {
  /** The parameters the last forward drew, one per sample (one for a single image); null before the first. */
  last: P[] | null = null;

  constructor(protected readonly name: string) {}

  /** Draws, applies and records the parameters. */
  forward(images: Tensor): Tensor {
    const params = this.draw(images);
    this.last = params;
    return this.apply(images, params);
  }

  /** One set of parameters per sample of `images` (what forward would draw). */
  draw(images: Tensor): P[] {
    const [n, c, h, w] = imageShape(this.name, images);
    const next = rng(freshSeed());
    return Array.from({ length: n }, () => this.drawOne(next, c, h, w));
  }

  /** `images` transformed by `params`, one per sample. */
  apply(images: Tensor, params: readonly P[]): Tensor {
    const [n] = imageShape(this.name, images);
    if (!Array.isArray(params) || params.length !== n) throw new ValueError(`${this.name}: apply needs one set of parameters per sample (${n}), got ${Array.isArray(params) ? params.length : formatValue(params)}`);
    return tidy(() => this.applyAll(images, params));
  }

  protected abstract drawOne(next: () => number, c: number, h: number, w: number): P;
  protected abstract applyAll(images: Tensor, params: readonly P[]): Tensor;
}

/** Uniform in [lo, hi). */
export function uniformIn(next: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * next();
}

/** A whole number in [lo, hi) (torch.randint's range). */
export function randomInt(next: () => number, lo: number, hi: number): number {
  return lo + Math.floor(next() * (hi - lo));
}

/** A probability in [0, 1]. */
export function checkProbability(op: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`${op}: p must be a probability in [0, 1], got ${formatValue(p)}`);
  return p;
}
