// The multinomial distribution, torch.distributions.Multinomial: how many of
// n categorical draws fall in each of K classes.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { binomialLogPmf } from './binomial.js';
import { Categorical } from './categorical.js';
import { ClassProbabilities, classParameter, type ProbsOrLogits } from './probabilities.js';

/**
 * Multinomial(totalCount, { probs } | { logits } [..., K]): counts x [..., K]
 * summing to n, with probability n!/Π xₖ!·Π pₖ^xₖ, event shape [K]; n
 * (default 1) is one number for the batch, as PyTorch's. probs need not sum
 * to 1 and logits are unnormalised, as Categorical's. sample draws n
 * classes per entry and counts them (memory n·K per draw); logProb does not
 * check that a value's counts add up to n (PyTorch's neither, unless asked).
 * entropy through the binomial marginals (a sum over 0 … n); no rsample.
 */
export class Multinomial extends ClassProbabilities {
  /** n. */
  readonly totalCount: number;

  constructor(totalCount: number, parameter: ProbsOrLogits) {
    const name = 'Multinomial';
    if (!(Number.isInteger(totalCount) && totalCount >= 0)) throw new ValueError(`${name}: totalCount must be a count of draws (an integer ≥ 0), got ${formatValue(totalCount)}`);
    const checked = classParameter(name, parameter);
    super(name, checked, checked.tensor.shape.slice(0, -1), [checked.numClasses]);
    this.totalCount = totalCount;
  }

  /** Counts [...shape, ...batchShape, K] in the parameter's dtype: n class labels drawn per entry, one-hot and added up. */
  override sample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('sample', shape);
    const n = this.totalCount;
    const dtype = this.parameter.dtype;
    if (n === 0) return onBackendOf(`${this.name}.sample`, this.parameter, () => ops.zeros(s, { dtype }));
    return tidy(() => {
      const classes = new Categorical(this.given === 'probs' ? { probs: this.parameter } : { logits: this.parameter });
      return classes.sample([n, ...shape]).oneHot(this.numClasses, dtype).sum(0);
    });
  }

  /** log n! − Σ log xₖ! + Σ xₖ·log pₖ, a count of 0 adding 0 whatever its probability. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const powers = ops.where(v.equal(0), 0, v.mul(this.logits)).sum(-1);
      return powers.sub(v.add(1).lgamma().sum(-1)).add(lgammaOf(this.totalCount + 1));
    });
  }

  /**
   * −log n! − n·Σ pₖ·log pₖ + Σₖ E[log xₖ!], each xₖ a Binomial(n, pₖ): the
   * last a sum over its support 0 … n.
   */
  override entropy(): Tensor {
    const n = this.totalCount;
    return tidy(() => {
      const p = this.probs;
      const counts = onBackendOf(`${this.name}.entropy`, p, () => ops.arange(0, n + 1, 1, { dtype: p.dtype })).reshape([n + 1, ...p.shape.map(() => 1)]);
      const total = ops.onesLike(p).mul(n);
      const expectedLogFactorials = binomialLogPmf(counts, total, p).exp().mul(counts.add(1).lgamma()).sum([0, p.rank]);
      return ops.xlogy(p, p).sum(-1).mul(-n).add(expectedLogFactorials).sub(lgammaOf(n + 1));
    });
  }

  /** n·p. */
  override get mean(): Tensor {
    return tidy(() => this.probs.mul(this.totalCount));
  }

  /** n·p·(1 − p). */
  override get variance(): Tensor {
    return tidy(() => {
      const p = this.probs;
      return p.mul(ops.sub(1, p)).mul(this.totalCount);
    });
  }
}

/** log Γ(x) of a whole number x ≥ 1 in float64: log (x − 1)!. */
function lgammaOf(x: number): number {
  let total = 0;
  for (let k = 2; k < x; k++) total += Math.log(k);
  return total;
}
