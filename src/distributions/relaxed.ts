// The relaxed (Concrete) distributions, torch.distributions'
// RelaxedBernoulli and RelaxedOneHotCategorical: continuous stand-ins for
// Bernoulli and one-hot categorical draws, reparameterised (Gumbel or
// logistic noise through a sigmoid or a softmax at a temperature), so that
// gradients reach the probabilities; nearer 0/1 and one-hot as the
// temperature falls (tm.nn.gumbelSoftmax draws the latter in one call).
import { epsilonOf } from '../dtype.js';
import { tidy } from '../engine.js';
import { ShapeError, formatShape } from '../errors.js';
import * as ops from '../ops/index.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { onBackendOf } from '../ops/util.js';
import { Distribution, checkProbability, parameters, softplus, uniformNoise, type Parameter } from './distribution.js';
import { LEAST_UNIFORM } from './gumbel.js';
import { ClassProbabilities, SuccessProbability, besideProbsOrLogits, classParameter, type ProbsOrLogits } from './probabilities.js';

/**
 * RelaxedBernoulli(temperature, { probs } | { logits }): σ((l + L)/τ) for
 * logistic noise L = log u − log(1 − u), a value in (0, 1) (kept one step of
 * the dtype inside it, as PyTorch's). logProb, cdf σ(τ·logit(x) − l) and
 * icdf in closed form; no mean, variance or entropy (none is).
 */
export class RelaxedBernoulli extends SuccessProbability {
  /** τ (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly temperature: Tensor;

  constructor(temperature: Parameter, parameter: ProbsOrLogits) {
    const checked = besideProbsOrLogits('RelaxedBernoulli', 'temperature', temperature, parameter);
    super('RelaxedBernoulli', checked);
    this.temperature = checked.beside;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      const dtype = this.parameter.dtype;
      const u = uniformNoise('RelaxedBernoulli.rsample', s, this.parameter, LEAST_UNIFORM[dtype as 'f32' | 'f16'], 1);
      const logistic = u.log().sub(u.neg().log1p());
      const eps = epsilonOf(dtype);
      return this.logits.add(logistic).div(this.temperature).sigmoid().clip(eps, 1 - eps);
    });
  }

  /** The logistic density of y = logit(x), log τ + d − 2·softplus(d) with d = l − τ·y, less log(x·(1 − x)) (the sigmoid's). */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const y = v.log().sub(v.neg().log1p());
      const d = this.logits.sub(y.mul(this.temperature));
      return this.temperature.log().add(d).sub(softplus(d).mul(2)).sub(v.log()).sub(v.neg().log1p());
    });
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => v.log().sub(v.neg().log1p()).mul(this.temperature).sub(this.logits).sigmoid());
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('RelaxedBernoulli.icdf', p);
    return tidy(() => p.log().sub(p.neg().log1p()).add(this.logits).div(this.temperature).sigmoid());
  }
}

/**
 * RelaxedOneHotCategorical(temperature, { probs } | { logits } [..., K]):
 * softmax((l + g)/τ) for Gumbel noise g, a point of the simplex, event shape
 * [K] (the Concrete distribution of Maddison et al.; its largest entry is
 * Categorical's draw). logProb is its density, (K − 1)!·τ^(K−1)·Π αₖ·xₖ^(−τ−1)
 * / (Σ αₖ·xₖ^(−τ))^K; no mean, variance or entropy. A low temperature can
 * round entries to 0, where logProb is −∞ (PyTorch's too).
 */
export class RelaxedOneHotCategorical extends ClassProbabilities {
  /** τ (> 0), broadcast against the batch shape. */
  readonly temperature: Tensor;

  constructor(temperature: Parameter, parameter: ProbsOrLogits) {
    const name = 'RelaxedOneHotCategorical';
    const chosen = classParameter(name, parameter);
    const batch = chosen.tensor.shape.slice(0, -1);
    // The temperature checked as a parameter beside a scalar of the classes' dtype and backend (its shape meets the batch's alone, below).
    const probe = onBackendOf(name, chosen.tensor, () => ops.scalar(0, { dtype: chosen.tensor.dtype }));
    let checked: ReturnType<typeof parameters>;
    try {
      checked = parameters(name, { temperature, [chosen.kind]: probe });
    } catch (e) {
      for (const t of chosen.owned) t.dispose();
      throw e;
    } finally {
      probe.dispose();
    }
    const owned = [...chosen.owned, ...checked.owned];
    const temperatureTensor = checked.tensors[0];
    let shape: number[];
    try {
      shape = broadcastShapes(name, temperatureTensor.shape, batch);
    } catch {
      for (const t of owned) t.dispose();
      throw new ShapeError(`${name}: temperature and the batch shape ${formatShape(batch)} of ${chosen.kind} ${formatShape(chosen.tensor.shape)} cannot be broadcast together`);
    }
    super(name, chosen, shape, chosen.tensor.shape.slice(-1), owned);
    this.temperature = temperatureTensor;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      const u = uniformNoise('RelaxedOneHotCategorical.rsample', s, this.parameter, LEAST_UNIFORM[this.parameter.dtype as 'f32' | 'f16'], 1);
      const gumbel = u.log().neg().log().neg();
      return this.logits.add(gumbel).div(this.perClass()).softmax(-1);
    });
  }

  /** Σₖ (lₖ − τ·yₖ) − K·logsumexp(l − τ·y) + log Γ(K) + (K − 1)·log τ − Σₖ yₖ, y = log x. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    const k = this.numClasses;
    return tidy(() => {
      const y = v.log();
      const score = this.logits.sub(y.mul(this.perClass()));
      const normalised = score.sub(score.logsumexp(-1, { keepDims: true })).sum(-1);
      const logScale = this.temperature.log().mul(k - 1).add(logFactorial(k - 1));
      return normalised.add(logScale).sub(y.sum(-1));
    });
  }

  /** The temperature with an axis of 1 for the classes. */
  private perClass(): Tensor {
    return this.temperature.rank === 0 ? this.temperature : this.temperature.expandDims(-1);
  }
}

/** log n!, summed exactly enough in float64 for the class counts a distribution has. */
function logFactorial(n: number): number {
  let total = 0;
  for (let i = 2; i <= n; i++) total += Math.log(i);
  return total;
}
