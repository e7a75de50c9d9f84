// Random choices among transforms (torchvision's RandomApply, RandomChoice,
// RandomOrder), drawn per sample: the batch goes through each transform
// some sample takes and each sample is picked from the result its draw
// names. Samples that end up side by side must come out the same shape;
// the transforms inside draw their own parameters for the whole batch.
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { where } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';
import { constantLike } from './images.js';
import { applyTransform, checkProbability, checkTransforms, RandomTransform, type TransformLike } from './transform.js';

/** Sample s of the result from outputs[pick[s]]; all outputs one shape (a batch), or one output. */
function pickPerSample(op: string, outputs: ReadonlyMap<number, Tensor>, pick: readonly number[]): Tensor {
  const [first, ...rest] = outputs.values();
  if (rest.length === 0) return first;
  for (const y of rest) {
    if (y.shape.length !== first.shape.length || y.shape.some((d, k) => d !== first.shape[k])) {
      throw new ShapeError(`${op}: samples took transforms that give images of different shapes, ${formatShape(first.shape)} and ${formatShape(y.shape)}, which cannot share a batch`);
    }
  }
  let result = first;
  for (const [k, y] of outputs) {
    if (y === first) continue;
    result = where(constantLike(op, first, pick.map((p) => +(p === k)), [pick.length, 1, 1, 1]), y, result);
  }
  return result;
}

/** Whether a sample went through the transforms. */
export interface RandomApplyParams {
  applied: boolean;
}

/** The transforms in order, applied to each sample with probability p (default 0.5). */
export class RandomApply extends RandomTransform<RandomApplyParams> {
  readonly transforms: readonly TransformLike[];
  readonly p: number;

  constructor(transforms: readonly TransformLike[], p = 0.5) {
    super('RandomApply');
    this.transforms = checkTransforms(this.name, transforms);
    this.p = checkProbability(this.name, p);
  }

  protected drawOne(next: () => number): RandomApplyParams {
    return { applied: next() < this.p };
  }

  protected applyAll(images: Tensor, params: readonly RandomApplyParams[]): Tensor {
    if (params.every((q) => !q.applied)) return images;
    const changed = this.transforms.reduce(applyTransform, images);
    if (params.every((q) => q.applied)) return changed;
    return pickPerSample(this.name, new Map([[0, images], [1, changed]]), params.map((q) => +q.applied));
  }
}

/** Which transform a sample went through. */
export interface RandomChoiceParams {
  index: number;
}

/** One of the transforms per sample, drawn with weights p (≥ 0, not all 0; default equal). */
export class RandomChoice extends RandomTransform<RandomChoiceParams> {
  readonly transforms: readonly TransformLike[];
  readonly p: readonly number[];

  constructor(transforms: readonly TransformLike[], p?: readonly number[]) {
    super('RandomChoice');
    this.transforms = checkTransforms(this.name, transforms);
    if (this.transforms.length === 0) throw new ValueError(`${this.name}: transforms must hold at least one transform to choose`);
    const weights = p ?? this.transforms.map(() => 1);
    if (!Array.isArray(weights) || weights.length !== this.transforms.length || !weights.every((w) => typeof w === 'number' && w >= 0 && Number.isFinite(w)) || !weights.some((w) => w > 0)) {
      throw new ValueError(`${this.name}: p must be ${this.transforms.length} weights ≥ 0 (one per transform), not all 0, got ${formatValue(p)}`);
    }
    this.p = [...weights];
  }

  /** random.choices: the first transform whose running weight passes u·total. */
  protected drawOne(next: () => number): RandomChoiceParams {
    const total = this.p.reduce((a, b) => a + b, 0);
    const u = next() * total;
    let running = 0;
    for (let k = 0; k < this.p.length; k++) {
      running += this.p[k];
      if (u < running) return { index: k };
    }
    // u·total rounded up to the total: the last transform with weight.
    let last = this.p.length - 1;
    while (this.p[last] === 0) last--;
    return { index: last };
  }

  protected applyAll(images: Tensor, params: readonly RandomChoiceParams[]): Tensor {
    const used = [...new Set(params.map((q) => q.index))].sort((a, b) => a - b);
    const outputs = new Map(used.map((k) => [k, applyTransform(images, this.transforms[k])]));
    return pickPerSample(this.name, outputs, params.map((q) => q.index));
  }
}

/** The order a sample went through the transforms in. */
export interface RandomOrderParams {
  order: number[];
}

/** All the transforms, in an order drawn per sample (a uniform permutation). */
export class RandomOrder extends RandomTransform<RandomOrderParams> {
  readonly transforms: readonly TransformLike[];

  constructor(transforms: readonly TransformLike[]) {
    super('RandomOrder');
    this.transforms = checkTransforms(this.name, transforms);
  }

  protected drawOne(next: () => number): RandomOrderParams {
    const order = this.transforms.map((_, k) => k);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return { order };
  }

  /** Stage by stage: the batch through each transform some sample has at that stage, each sample picking its own. */
  protected applyAll(images: Tensor, params: readonly RandomOrderParams[]): Tensor {
    let x = images;
    for (let stage = 0; stage < this.transforms.length; stage++) {
      const pick = params.map((q) => q.order[stage]);
      const current = x;
      const outputs = new Map([...new Set(pick)].sort((a, b) => a - b).map((k) => [k, applyTransform(current, this.transforms[k])]));
      x = pickPerSample(this.name, outputs, pick);
    }
    return x;
  }
}
