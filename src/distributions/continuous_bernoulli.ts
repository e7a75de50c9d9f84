// The continuous Bernoulli distribution on [0, 1] (Loaiza-Ganem and
// Cunningham, 2019), torch.distributions.ContinuousBernoulli: the density a
// VAE with a Bernoulli likelihood on pixel intensities in [0, 1] should have
// used. Every member is written in the half log-odds t = l/2, where the
// normaliser, mean and variance are C = log(2t/tanh t), ½ + L(t)/2 with L the
// Langevin function coth t − 1/t, and ¼·(1/t² − 1/sinh² t): each near
// p = ½ (t = 0) from its Taylor series, where the closed forms are 0/0 or
// cancel, so that no band of p around ½ is cut out (PyTorch's lims).
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { piecewise, polynomial } from '../special/float.js';
import type { Tensor } from '../tensor.js';
import { checkProbability, softplus, uniformNoise } from './distribution.js';
import { SuccessProbability, probsOrLogits, type ProbsOrLogits } from './probabilities.js';

/** Below this |t|, log(t·coth t) is t²/3 − 7t⁴/90, within 10⁻¹³ of it. */
const NORMALISER_SERIES_BELOW = 0.01;
/** Below this |t|, the Langevin function's series (to t⁹) is within 10⁻⁸ of it, relative; above, coth t − 1/t cancels by at most 13 to 1 (under 4 bits). */
const MEAN_SERIES_BELOW = 0.5;
const LANGEVIN = [1 / 3, -1 / 45, 2 / 945, -1 / 4725, 2 / 93555];
/** Below this |t|, 1/t² − 1/sinh² t (L′(t)) by its series (to t¹²), within 2·10⁻⁸ of it, relative. */
const VARIANCE_SERIES_BELOW = 0.75;
const LANGEVIN_DERIVATIVE = [1 / 3, -1 / 15, 2 / 189, -1 / 675, 2 / 10395, -1382 / 58046625, 4 / 1403325];

/** Below this |l|, cdf and icdf by their series to l² (within 10⁻¹², where the closed forms are still exact to f32 but 0/0 at 0). */
const LOG_ODDS_SERIES_BELOW = 1e-4;

/** `closed(t)` where |t| ≥ `below`, `series(t)` inside, each given only arguments it is defined at (so no NaN reaches a gradient). */
function seriesNearZero(t: Tensor, below: number, series: (t: Tensor) => Tensor, closed: (t: Tensor) => Tensor): Tensor {
  return piecewise(t.abs().less(below), t, series, 0, closed, below);
}

/**
 * `positive(l)` where l > 0 and `negative(l)` elsewhere, each given only
 * values of its own sign (1 or −1 in the other's place), so that neither
 * overflows where it is not taken: an ∞ there would still make the
 * gradient NaN.
 */
function bySign(l: Tensor, positive: (l: Tensor) => Tensor, negative: (l: Tensor) => Tensor): Tensor {
  return piecewise(l.greater(0), l, positive, 1, negative, -1);
}

/** log(2t/tanh t), the log of the normalising constant (2 at t = 0). */
function logNormalizer(t: Tensor): Tensor {
  return seriesNearZero(t, NORMALISER_SERIES_BELOW, (s) => {
    const square = s.square();
    return square.div(3).sub(square.square().mul(7 / 90)).add(Math.LN2);
  }, (s) => s.mul(2).div(s.tanh()).log());
}

/**
 * ContinuousBernoulli({ probs } | { logits }): density C(p)·pˣ·(1 − p)^(1 − x)
 * on [0, 1], C(p) = 2·atanh(1 − 2p)/(1 − 2p) (2 at p = ½), p given as such
 * or as log-odds l. logProb, cdf, icdf, entropy, mean and variance in closed
 * form, accurate to f32 for every p (series near p = ½ in place of PyTorch's
 * Taylor band 0.499 < p < 0.501); rsample is icdf(u), reparameterised. Its
 * mean is not p: the family's mean runs from 0 to 1 as p does, but slower.
 */
export class ContinuousBernoulli extends SuccessProbability {
  constructor(parameter: ProbsOrLogits) {
    super('ContinuousBernoulli', probsOrLogits('ContinuousBernoulli', parameter));
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => this.quantile(uniformNoise('ContinuousBernoulli.rsample', s, this.parameter)));
  }

  /** x·l − log(1 + eˡ) + C: the Bernoulli log-likelihood plus the normaliser. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const l = this.logits;
      return v.mul(l).sub(softplus(l)).add(logNormalizer(l.mul(0.5)));
    });
  }

  /**
   * F(x) = (e^(l·x) − 1)/(eˡ − 1) on [0, 1], as e^(l·(x − 1))·(1 − e^(−l·x))/(1 −
   * e^(−l)) for l > 0 so that neither power overflows; near l = 0 (where it
   * is 0/0) x + l·x(x − 1)/2 + l²·x(x − 1)(2x − 1)/12, which also gives
   * the gradient there. 0 below 0 and 1 above 1.
   */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => {
      const x = ops.clip(v, 0, 1);
      return seriesNearZero(this.logits, LOG_ODDS_SERIES_BELOW, (l) => {
        const a = x.mul(x.sub(1));
        return x.add(a.mul(l).mul(0.5)).add(a.mul(x.mul(2).sub(1)).mul(l.square()).div(12));
      }, (l) => bySign(l, (positive) => positive.mul(x.sub(1)).exp().mul(positive.neg().mul(x).expm1()).div(positive.neg().expm1()), (negative) => negative.mul(x).expm1().div(negative.expm1())));
    });
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('ContinuousBernoulli.icdf', p);
    return tidy(() => this.quantile(p));
  }

  /** −E[log p(X)] = log(1 + eˡ) − l·E[X] − C. */
  override entropy(): Tensor {
    return tidy(() => {
      const l = this.logits;
      return this.batched(softplus(l).sub(l.mul(this.meanOf(l))).sub(logNormalizer(l.mul(0.5))));
    });
  }

  /** ½ + (coth t − 1/t)/2, t = l/2: from 0 (p = 0) through ½ to 1. */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.meanOf(this.logits)));
  }

  /** ¼·(1/t² − 1/sinh² t), t = l/2: 1/12 at p = ½. */
  override get variance(): Tensor {
    return tidy(() => {
      const t = this.logits.mul(0.5);
      // 1/sinh² t as 4e^(−2|t|)/(1 − e^(−2|t|))²: sinh overflows f32 past |t| ≈ 89, and its ∞ would make the gradient NaN.
      const derivative = seriesNearZero(t, VARIANCE_SERIES_BELOW, (s) => polynomial(s.square(), LANGEVIN_DERIVATIVE), (s) => {
        const twice = s.abs().mul(-2);
        return ops.div(1, s.square()).sub(twice.exp().mul(4).div(twice.expm1().square()));
      });
      return this.batched(derivative.mul(0.25));
    });
  }

  private meanOf(l: Tensor): Tensor {
    const t = l.mul(0.5);
    const langevin = seriesNearZero(t, MEAN_SERIES_BELOW, (s) => s.mul(polynomial(s.square(), LANGEVIN)), (s) => ops.div(1, s.tanh()).sub(ops.div(1, s)));
    return langevin.mul(0.5).add(0.5);
  }

  /**
   * F⁻¹(u) = log(1 + u·(eˡ − 1))/l, as 1 + log(1 + (1 − u)·(e^(−l) − 1))/l
   * for l > 0 (no overflow); near l = 0, u + l·u(1 − u)/2 + l²·u(1 − u)(1 −
   * 2u)/6, so that a draw's gradient at l = 0 (a zero-initialised head) is
   * its limit, not 0.
   */
  private quantile(u: Tensor): Tensor {
    return seriesNearZero(this.logits, LOG_ODDS_SERIES_BELOW, (l) => {
      const a = u.mul(ops.sub(1, u));
      return u.add(a.mul(l).mul(0.5)).add(a.mul(ops.sub(1, u.mul(2))).mul(l.square()).div(6));
    }, (l) => {
      // Clipped: f32 rounds log1p to −∞ at u = 0 once l passes ~18 (and to +∞ at u = 1 below −18), outside the support.
      const inverse = bySign(l, (positive) => ops.sub(1, u).mul(positive.neg().expm1()).log1p().div(positive).add(1), (negative) => u.mul(negative.expm1()).log1p().div(negative));
      return ops.clip(inverse, 0, 1);
    });
  }
}
