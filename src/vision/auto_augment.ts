// torchvision's AutoAugment, RandAugment and TrivialAugmentWide on float
// images: each sample draws its own ops and magnitudes from the transform's
// seeded generator (torchvision draws once per call), as torchvision draws
// them; the batch then goes through them step by step, each step's samples
// grouped by op (augment_ops.ts). t.last holds the steps; t.apply(x,
// params) replays given ones.
import { checkOptions, type OptionNames } from '../options.js';
import { ValueError, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import {
  applySequences, checkAugmentOptions, IDENTITY, integerIn, STANDARD_SPACE, stepAt, WIDE_SPACE,
  type AugmentOp, type AugmentOptions, type AugmentStep, type OpSpace,
} from './augment_ops.js';
import { asBatch, checkChannels } from './images.js';
import { randomInt, RandomTransform } from './transform.js';

/** The steps a sample went through, in order. */
export interface AugmentParams {
  steps: AugmentStep[];
}

/** AutoAugment's draw: the sub-policy taken (its index) and the steps of it that applied. */
export interface AutoAugmentParams extends AugmentParams {
  policy: number;
}

export type AutoAugmentPolicy = 'imagenet' | 'cifar10' | 'svhn';

export interface AutoAugmentOptions extends AugmentOptions {
  /** The learned policy: 'imagenet' (default), 'cifar10' or 'svhn'. */
  policy?: AutoAugmentPolicy;
}

export interface RandAugmentOptions extends AugmentOptions {
  /** Ops per sample, ≥ 0. Default 2. */
  numOps?: number;
  /** The bin every op's magnitude is taken at, in [0, numMagnitudeBins). Default 9. */
  magnitude?: number;
  /** Bins the magnitudes are spread over, ≥ 2. Default 31. */
  numMagnitudeBins?: number;
}

export interface TrivialAugmentWideOptions extends AugmentOptions {
  /** Bins the magnitudes are spread over, ≥ 2; each sample draws one. Default 31. */
  numMagnitudeBins?: number;
}

/** A sub-policy's op: the probability it applies and its magnitude's bin of 10 (null: none). */
type PolicyOp = readonly [AugmentOp, number, number | null];
type SubPolicy = readonly [PolicyOp, PolicyOp];

/** torchvision's policies, learned by the AutoAugment paper. */
const POLICIES: Readonly<Record<AutoAugmentPolicy, readonly SubPolicy[]>> = {
  imagenet: [
    [['Posterize', 0.4, 8], ['Rotate', 0.6, 9]], [['Solarize', 0.6, 5], ['AutoContrast', 0.6, null]],
    [['Equalize', 0.8, null], ['Equalize', 0.6, null]], [['Posterize', 0.6, 7], ['Posterize', 0.6, 6]],
    [['Equalize', 0.4, null], ['Solarize', 0.2, 4]], [['Equalize', 0.4, null], ['Rotate', 0.8, 8]],
    [['Solarize', 0.6, 3], ['Equalize', 0.6, null]], [['Posterize', 0.8, 5], ['Equalize', 1.0, null]],
    [['Rotate', 0.2, 3], ['Solarize', 0.6, 8]], [['Equalize', 0.6, null], ['Posterize', 0.4, 6]],
    [['Rotate', 0.8, 8], ['Color', 0.4, 0]], [['Rotate', 0.4, 9], ['Equalize', 0.6, null]],
    [['Equalize', 0.0, null], ['Equalize', 0.8, null]], [['Invert', 0.6, null], ['Equalize', 1.0, null]],
    [['Color', 0.6, 4], ['Contrast', 1.0, 8]], [['Rotate', 0.8, 8], ['Color', 1.0, 2]],
    [['Color', 0.8, 8], ['Solarize', 0.8, 7]], [['Sharpness', 0.4, 7], ['Invert', 0.6, null]],
    [['ShearX', 0.6, 5], ['Equalize', 1.0, null]], [['Color', 0.4, 0], ['Equalize', 0.6, null]],
    [['Equalize', 0.4, null], ['Solarize', 0.2, 4]], [['Solarize', 0.6, 5], ['AutoContrast', 0.6, null]],
    [['Invert', 0.6, null], ['Equalize', 1.0, null]], [['Color', 0.6, 4], ['Contrast', 1.0, 8]],
    [['Equalize', 0.8, null], ['Equalize', 0.6, null]],
  ],
  cifar10: [
    [['Invert', 0.1, null], ['Contrast', 0.2, 6]], [['Rotate', 0.7, 2], ['TranslateX', 0.3, 9]],
    [['Sharpness', 0.8, 1], ['Sharpness', 0.9, 3]], [['ShearY', 0.5, 8], ['TranslateY', 0.7, 9]],
    [['AutoContrast', 0.5, null], ['Equalize', 0.9, null]], [['ShearY', 0.2, 7], ['Posterize', 0.3, 7]],
    [['Color', 0.4, 3], ['Brightness', 0.6, 7]], [['Sharpness', 0.3, 9], ['Brightness', 0.7, 9]],
    [['Equalize', 0.6, null], ['Equalize', 0.5, null]], [['Contrast', 0.6, 7], ['Sharpness', 0.6, 5]],
    [['Color', 0.7, 7], ['TranslateX', 0.5, 8]], [['Equalize', 0.3, null], ['AutoContrast', 0.4, null]],
    [['TranslateY', 0.4, 3], ['Sharpness', 0.2, 6]], [['Brightness', 0.9, 6], ['Color', 0.2, 8]],
    [['Solarize', 0.5, 2], ['Invert', 0.0, null]], [['Equalize', 0.2, null], ['AutoContrast', 0.6, null]],
    [['Equalize', 0.2, null], ['Equalize', 0.6, null]], [['Color', 0.9, 9], ['Equalize', 0.6, null]],
    [['AutoContrast', 0.8, null], ['Solarize', 0.2, 8]], [['Brightness', 0.1, 3], ['Color', 0.7, 0]],
    [['Solarize', 0.4, 5], ['AutoContrast', 0.9, null]], [['TranslateY', 0.9, 9], ['TranslateY', 0.7, 9]],
    [['AutoContrast', 0.9, null], ['Solarize', 0.8, 3]], [['Equalize', 0.8, null], ['Invert', 0.1, null]],
    [['TranslateY', 0.7, 9], ['AutoContrast', 0.9, null]],
  ],
  svhn: [
    [['ShearX', 0.9, 4], ['Invert', 0.2, null]], [['ShearY', 0.9, 8], ['Invert', 0.7, null]],
    [['Equalize', 0.6, null], ['Solarize', 0.6, 6]], [['Invert', 0.9, null], ['Equalize', 0.6, null]],
    [['Equalize', 0.6, null], ['Rotate', 0.9, 3]], [['ShearX', 0.9, 4], ['AutoContrast', 0.8, null]],
    [['ShearY', 0.9, 8], ['Invert', 0.4, null]], [['ShearY', 0.9, 5], ['Solarize', 0.2, 6]],
    [['Invert', 0.9, null], ['AutoContrast', 0.8, null]], [['Equalize', 0.6, null], ['Rotate', 0.9, 3]],
    [['ShearX', 0.9, 4], ['Solarize', 0.3, 3]], [['ShearY', 0.8, 8], ['Invert', 0.7, null]],
    [['Equalize', 0.9, null], ['TranslateY', 0.6, 6]], [['Invert', 0.9, null], ['Equalize', 0.6, null]],
    [['Contrast', 0.3, 3], ['Rotate', 0.8, 4]], [['Invert', 0.8, null], ['TranslateY', 0.0, 2]],
    [['ShearY', 0.7, 6], ['Solarize', 0.4, 8]], [['Invert', 0.6, null], ['Rotate', 0.8, 4]],
    [['ShearY', 0.3, 7], ['TranslateX', 0.9, 3]], [['ShearX', 0.1, 6], ['Invert', 0.6, null]],
    [['Solarize', 0.7, 2], ['TranslateY', 0.6, 7]], [['ShearY', 0.8, 4], ['Invert', 0.8, null]],
    [['ShearX', 0.7, 9], ['TranslateY', 0.8, 3]], [['ShearY', 0.8, 5], ['AutoContrast', 0.7, null]],
    [['ShearX', 0.7, 2], ['Invert', 0.1, null]],
  ],
};

/** AutoAugment's space: the standard one with Invert. */
const AUTO_SPACE: readonly OpSpace[] = [...STANDARD_SPACE, { op: 'Invert', magnitudes: null, signed: false }];

const WARP_NAMES = { interpolation: true, fill: true } as const;

/** A policy whose samples each go through a drawn list of steps. */
abstract class StepPolicy<P extends AugmentParams> extends RandomTransform<P> {
  readonly options: Required<Pick<AugmentOptions, 'interpolation'>> & AugmentOptions;

  constructor(name: string, options: AugmentOptions) {
    super(name);
    this.options = checkAugmentOptions(name, options, 'nearest');
  }

  protected applyAll(images: Tensor, params: readonly P[]): Tensor {
    const { images: x, c, unbatch } = asBatch(this.name, images);
    checkChannels(this.name, images, c, [1, 3]);
    return unbatch(applySequences(this.name, x, params.map((p) => p?.steps), this.options));
  }
}

/**
 * AutoAugment (Cubuk et al. 2019) with torchvision's learned policies: each
 * sample takes one of 25 sub-policies, and each of its two ops with the
 * op's probability, at its magnitude bin of 10, negated half the time.
 */
export class AutoAugment extends StepPolicy<AutoAugmentParams> {
  readonly policy: AutoAugmentPolicy;

  constructor(options: AutoAugmentOptions = {}) {
    const { policy = 'imagenet', ...warpOptions } = checkOptions('AutoAugment', options, { ...WARP_NAMES, policy: true } satisfies OptionNames<AutoAugmentOptions>);
    super('AutoAugment', warpOptions);
    if (!Object.hasOwn(POLICIES, policy)) throw new ValueError(`AutoAugment: policy must be 'imagenet', 'cifar10' or 'svhn', got ${formatValue(policy)}`);
    this.policy = policy;
  }

  protected drawOne(next: () => number, _c: number, h: number, w: number): AutoAugmentParams {
    const subPolicies = POLICIES[this.policy];
    const policy = randomInt(next, 0, subPolicies.length);
    const steps: AugmentStep[] = [];
    for (const [op, p, bin] of subPolicies[policy]) {
      if (!(next() < p)) continue;
      steps.push(stepAt(next, AUTO_SPACE.find((s) => s.op === op)!, bin ?? 0, 10, h, w));
    }
    return { policy, steps };
  }
}

/**
 * RandAugment (Cubuk et al. 2020): numOps ops per sample, each drawn
 * uniformly from the 14 of torchvision's space (Identity included), all at
 * bin `magnitude` of numMagnitudeBins, negated half the time.
 */
export class RandAugment extends StepPolicy<AugmentParams> {
  readonly numOps: number;
  readonly magnitude: number;
  readonly numMagnitudeBins: number;

  constructor(options: RandAugmentOptions = {}) {
    const names: OptionNames<RandAugmentOptions> = { ...WARP_NAMES, numOps: true, magnitude: true, numMagnitudeBins: true };
    const { numOps = 2, magnitude = 9, numMagnitudeBins = 31, ...warpOptions } = checkOptions('RandAugment', options, names);
    super('RandAugment', warpOptions);
    this.numOps = integerIn(this.name, 'numOps', numOps, 0, Infinity);
    this.numMagnitudeBins = integerIn(this.name, 'numMagnitudeBins', numMagnitudeBins, 2, Infinity);
    this.magnitude = integerIn(this.name, 'magnitude', magnitude, 0, this.numMagnitudeBins - 1);
  }

  protected drawOne(next: () => number, _c: number, h: number, w: number): AugmentParams {
    const space = [IDENTITY, ...STANDARD_SPACE];
    return { steps: Array.from({ length: this.numOps }, () => stepAt(next, space[randomInt(next, 0, space.length)], this.magnitude, this.numMagnitudeBins, h, w)) };
  }
}

/**
 * TrivialAugment Wide (Müller and Hutter 2021): one op per sample from
 * torchvision's wide space, at a bin drawn uniformly, negated half the time.
 */
export class TrivialAugmentWide extends StepPolicy<AugmentParams> {
  readonly numMagnitudeBins: number;

  constructor(options: TrivialAugmentWideOptions = {}) {
    const { numMagnitudeBins = 31, ...warpOptions } = checkOptions('TrivialAugmentWide', options, { ...WARP_NAMES, numMagnitudeBins: true } satisfies OptionNames<TrivialAugmentWideOptions>);
    super('TrivialAugmentWide', warpOptions);
    this.numMagnitudeBins = integerIn(this.name, 'numMagnitudeBins', numMagnitudeBins, 2, Infinity);
  }

  protected drawOne(next: () => number, _c: number, h: number, w: number): AugmentParams {
    const space = WIDE_SPACE[randomInt(next, 0, WIDE_SPACE.length)];
    // torchvision draws the bin only for an op with magnitudes.
    const bin = space.magnitudes ? randomInt(next, 0, this.numMagnitudeBins) : 0;
    return { steps: [stepAt(next, space, bin, this.numMagnitudeBins, h, w)] };
  }
}
