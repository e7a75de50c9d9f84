// The categorical distribution over K classes, torch.distributions.Categorical,
// and its one-hot form, OneHotCategorical.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { refuseIndicesOutside } from '../ops/util.js';
import { broadcastShapes } from '../shape.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { Distribution, lowestFinite, uniformNoise } from './distribution.js';
import { ClassProbabilities, classParameter, type ProbsOrLogits } from './probabilities.js';

/**
 * Categorical({ probs } | { logits }): class k of K with probability
 * p[..., k], along the parameter's last axis, which the batch shape leaves
 * out. `probs` need not sum to 1 (each row is divided by its sum) and
 * `logits` are unnormalised log-probabilities (a row's log-softmax), as
 * PyTorch's. Values are class labels (i32 draws; logProb takes any int dtype).
 * No mean or variance (the classes are labels), no rsample.
 */
export class Categorical extends ClassProbabilities {
  /**
   * @param parameter `{ probs }` or `{ logits }`, [..., K].
   * @param name The class's name in errors (OneHotCategorical's, for it).
   * @param event The values: class labels (Categorical's) or one-hot rows (OneHotCategorical's, event shape [K]).
   */
  constructor(parameter: ProbsOrLogits, name = 'Categorical', event: 'label' | 'oneHot' = 'label') {
    const checked = classParameter(name, parameter);
    super(name, checked, checked.tensor.shape.slice(0, -1), event === 'label' ? [] : [checked.numClasses]);
  }

  /**
   * Class labels [...shape, ...batchShape], i32: for u ~ U[0, 1), the number
   * of the cumulative probabilities before the last that are ≤ u.
   */
  override sample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('sample', shape);
    const k = this.numClasses;
    return noGrad(() => tidy(() => {
      const p = this.probs;
      const cumulative = ops.slice(p.cumsum(-1), p.shape.map(() => 0), [...p.shape.slice(0, -1), k - 1]);
      const u = uniformNoise(`${this.name}.sample`, [...s.slice(0, s.length - this.eventShape.length), 1], p);
      return cumulative.lessEqual(u).sum(-1).cast('i32');
    }));
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value, 'label');
    refuseIndicesOutside(`${this.name}.logProb`, v, 0, this.numClasses, `the ${this.numClasses} classes`);
    return tidy(() => {
      // Taken, not a one-hot product: a class of probability 0 has logit −∞, and 0·(−∞) is NaN.
      const logits = this.logits;
      const shape = broadcastShapes(`${this.name}.logProb`, v.shape, this.batchShape);
      const labels = ops.broadcastTo(v, shape).expandDims(-1);
      return ops.takeAlongAxis(ops.broadcastTo(logits, [...shape, this.numClasses]), labels, -1).squeeze(-1);
    });
  }

  /** −Σ p·log p over the classes, a class of probability 0 adding 0. */
  override entropy(): Tensor {
    return tidy(() => {
      const logits = this.logits;
      return ops.maximum(logits, lowestFinite(logits.dtype)).mul(this.probs).sum(-1).neg();
    });
  }

  /** The most likely class, i32. */
  override get mode(): Tensor {
    return tidy(() => this.parameter.argmax(-1).cast('i32'));
  }
}

/**
 * OneHotCategorical({ probs } | { logits }): a Categorical whose values are
 * one-hot vectors [..., K] (floats), its event shape [K]: mean the
 * probabilities, variance p·(1 − p).
 */
export class OneHotCategorical extends Categorical {
  /** @param name The class's name in errors (OneHotCategoricalStraightThrough's, for it). */
  constructor(parameter: ProbsOrLogits, name = 'OneHotCategorical') {
    super(parameter, name, 'oneHot');
  }

  /** One-hot rows [...shape, ...batchShape, K] in the parameter's dtype. */
  override sample(shape: readonly number[] = []): Tensor {
    return tidy(() => super.sample(shape).oneHot(this.numClasses, this.parameter.dtype));
  }

  /**
   * The log-probability of the class each row of `value` marks (its
   * largest entry, as PyTorch's): taken, not a product with the one-hot
   * row, so that a class of probability 0 elsewhere (logit −∞) adds no
   * 0·(−∞) = NaN, and no gradient reaches the value.
   */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const labels = v.argmax(-1).cast('i32');
      const shape = broadcastShapes(`${this.name}.logProb`, labels.shape, this.batchShape);
      return ops.takeAlongAxis(ops.broadcastTo(this.logits, [...shape, this.numClasses]), ops.broadcastTo(labels, shape).expandDims(-1), -1).squeeze(-1);
    });
  }

  override get mean(): Tensor {
    return this.probs;
  }

  override get variance(): Tensor {
    return tidy(() => {
      const p = this.probs;
      return p.mul(ops.sub(1, p));
    });
  }

  /** The most likely class, one-hot. */
  override get mode(): Tensor {
    return tidy(() => this.parameter.argmax(-1).cast('i32').oneHot(this.numClasses, this.parameter.dtype));
  }
}

/**
 * OneHotCategoricalStraightThrough({ probs } | { logits }): a
 * OneHotCategorical with the straight-through gradient estimator of Bengio
 * et al. (2013), as PyTorch's: rsample's values are sample's one-hot rows,
 * its gradient that of the probabilities (draw + p − p.detach()), a biased
 * but low-variance stand-in for the gradient of a discrete choice.
 */
export class OneHotCategoricalStraightThrough extends OneHotCategorical {
  constructor(parameter: ProbsOrLogits) {
    super(parameter, 'OneHotCategoricalStraightThrough');
  }

  /** One-hot rows [...shape, ...batchShape, K], through which the gradient of the probabilities flows. */
  override rsample(shape: readonly number[] = []): Tensor {
    return tidy(() => {
      const draws = this.sample(shape);
      const p = this.probs;
      return draws.add(p.sub(p.detach()));
    });
  }
}
