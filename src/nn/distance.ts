// CosineSimilarity and PairwiseDistance as layers (PyTorch's nn modules of
// the functions in ops/distance.ts): forward(a, b) of two inputs, the
// options fixed when the layer is made.
import { checkOptions, type OptionNames } from '../options.js';
import { checkEpsilon, checkP, cosineSimilarity, pairwiseDistance, type CosineSimilarityOptions, type PairwiseDistanceOptions } from '../ops/distance.js';
import { ValueError, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

const COSINE: OptionNames<CosineSimilarityOptions> = { axis: true, epsilon: true };
const PAIRWISE: OptionNames<PairwiseDistanceOptions> = { p: true, epsilon: true, keepDims: 'boolean' };

/** The cosine similarity of a and b along an axis, as PyTorch's nn.CosineSimilarity; see tm.nn.cosineSimilarity. */
export class CosineSimilarity extends Module {
  readonly axis: number;
  readonly epsilon: number;

  constructor(options: CosineSimilarityOptions = {}) {
    super();
    const { axis = 1, epsilon = 1e-8 } = checkOptions('CosineSimilarity', options, COSINE);
    if (!Number.isSafeInteger(axis)) throw new ValueError(`CosineSimilarity: axis must be an integer, got ${formatValue(axis)}`);
    checkEpsilon('CosineSimilarity', epsilon);
    this.axis = axis;
    this.epsilon = epsilon;
  }

  forward(a: Tensor, b?: Tensor): Tensor {
    if (b === undefined) throw new ValueError('CosineSimilarity: forward(a, b) compares two tensors; b is missing');
    return cosineSimilarity(a, b, { axis: this.axis, epsilon: this.epsilon });
  }

  config(): LayerConfig {
    return { type: 'CosineSimilarity', axis: this.axis, epsilon: this.epsilon };
  }
}

/** The p-norm distance between a and b along the last axis, as PyTorch's nn.PairwiseDistance; see tm.nn.pairwiseDistance. */
export class PairwiseDistance extends Module {
  readonly p: number;
  readonly epsilon: number;
  readonly keepDims: boolean;

  constructor(options: PairwiseDistanceOptions = {}) {
    super();
    const { p = 2, epsilon = 1e-6, keepDims = false } = checkOptions('PairwiseDistance', options, PAIRWISE);
    checkP('PairwiseDistance', p);
    checkEpsilon('PairwiseDistance', epsilon);
    this.p = p;
    this.epsilon = epsilon;
    this.keepDims = keepDims;
  }

  forward(a: Tensor, b?: Tensor): Tensor {
    if (b === undefined) throw new ValueError('PairwiseDistance: forward(a, b) compares two tensors; b is missing');
    return pairwiseDistance(a, b, { p: this.p, epsilon: this.epsilon, keepDims: this.keepDims });
  }

  config(): LayerConfig {
    return { type: 'PairwiseDistance', p: this.p, epsilon: this.epsilon, keepDims: this.keepDims };
  }
}
