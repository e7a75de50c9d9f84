// KL(p ‖ q) between distributions of different families, the pairs
// torch.distributions.kl registers. Each is −H(p) − E_p[log q(X)]: q's
// log-density is a sum of terms in x, x², log x, log(1 − x) or e^(−x/β),
// whose expectations under p come from p's mean and variance or from a
// short table per family; ∞ where p's support reaches outside q's.
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Bernoulli } from './bernoulli.js';
import { Beta, logBeta } from './beta.js';
import { Binomial } from './binomial.js';
import { ContinuousBernoulli } from './continuous_bernoulli.js';
import type { Distribution } from './distribution.js';
import { Exponential } from './exponential.js';
import { Gamma } from './gamma.js';
import type { Constructor } from './kl.js';
import { EULER_GAMMA, Gumbel } from './gumbel.js';
import { Laplace } from './laplace.js';
import { Normal } from './normal.js';
import { Pareto } from './pareto.js';
import { Poisson } from './poisson.js';
import { Uniform } from './uniform.js';

type Register = <P extends Distribution, Q extends Distribution>(p: Constructor<P>, q: Constructor<Q>, kl: (p: P, q: Q) => Tensor) => void;

/** E_p[log X] for the families on (0, ∞) that have it in closed form. */
function expectedLog(p: Beta | Exponential | Pareto | Uniform): Tensor {
  if (p instanceof Beta) return p.concentration1.digamma().sub(p.concentration1.add(p.concentration0).digamma());
  if (p instanceof Exponential) return p.rate.log().add(EULER_GAMMA).neg();
  if (p instanceof Pareto) return p.scale.log().add(ops.div(1, p.alpha));
  return uniformExpectedLog(p.low, p.high);
}

/** E[log X] for X uniform on [l, h] ⊂ [0, ∞): (h·log h − l·log l)/(h − l) − 1. */
function uniformExpectedLog(low: Tensor, high: Tensor): Tensor {
  return ops.xlogy(high, high).sub(ops.xlogy(low, low)).div(high.sub(low)).sub(1);
}

/** KL where it is finite, ∞ where `outside` (p's support leaving q's). */
const unless = (outside: Tensor, kl: Tensor) => ops.where(outside, Infinity, kl);

/** −H(p) + ½·log(2πσ²) + (Var_p + (E_p[X] − μ)²)/(2σ²): any p of finite variance (∞ where it is not). */
function toNormal(p: Distribution, q: Normal): Tensor {
  const variance = q.scale.square();
  return p.variance.add(p.mean.sub(q.loc).square()).div(variance.mul(2)).add(variance.mul(2 * Math.PI).log().mul(0.5)).sub(p.entropy());
}

/** −H(p) − log λ + λ·E_p[X], for p on [0, ∞). */
function toExponential(p: Distribution, q: Exponential): Tensor {
  return q.rate.mul(p.mean).sub(q.rate.log()).sub(p.entropy());
}

/** −H(p) − α·log β + log Γ(α) − (α − 1)·E_p[log X] + β·E_p[X], for p on (0, ∞). */
function toGamma(p: Beta | Exponential | Pareto | Uniform, q: Gamma): Tensor {
  const a = q.concentration;
  return a.lgamma().sub(a.mul(q.rate.log())).sub(a.sub(1).mul(expectedLog(p))).add(q.rate.mul(p.mean)).sub(p.entropy());
}

/**
 * −H(p) + log β + (E_p[X] − μ)/β + E_p[e^(−(X − μ)/β)], the last from p's
 * moment generating function, written as one exponential where it can be.
 */
function toGumbel(p: Normal | Exponential | Gamma | Uniform, q: Gumbel): Tensor {
  const b = q.scale;
  const shift = q.loc.div(b);
  let tail: Tensor;
  if (p instanceof Normal) tail = shift.sub(p.loc.div(b)).add(p.scale.div(b).square().mul(0.5)).exp();
  else if (p instanceof Uniform) tail = shift.sub(p.low.div(b)).exp().sub(shift.sub(p.high.div(b)).exp()).mul(b).div(p.high.sub(p.low));
  else {
    // Gamma(a, r): E[e^(−X/β)] = (rβ/(rβ + 1))^a; Exponential is a = 1.
    const [a, r] = p instanceof Gamma ? [p.concentration, p.rate] : [1, p.rate];
    const rb = r.mul(b);
    tail = shift.add(ops.mul(a, rb.div(rb.add(1)).log())).exp();
  }
  return b.log().add(p.mean.sub(q.loc).div(b)).add(tail).sub(p.entropy());
}

/** The pairs, registered with klDivergence's table. */
export function registerCrossFamily(register: Register): void {
  for (const P of [Beta, ContinuousBernoulli, Exponential, Gamma, Gumbel, Laplace, Pareto, Uniform]) register(P, Normal, toNormal);
  for (const P of [Beta, ContinuousBernoulli, Gamma, Pareto]) register(P, Exponential, toExponential);
  register(Uniform, Exponential, (p, q) => unless(p.low.less(0), toExponential(p, q)));
  for (const P of [Beta, Exponential, Pareto]) register(P, Gamma, toGamma);
  register(Uniform, Gamma, (p, q) => unless(p.low.less(0), toGamma(p, q)));
  for (const P of [Normal, Exponential, Gamma, Uniform]) register(P, Gumbel, toGumbel);

  /** E|X − μ| for X ~ Normal(m, s) is s·√(2/π)·e^(−δ²/2s²) + δ·erf(δ/(s√2)), δ = m − μ. */
  register(Normal, Laplace, (p, q) => {
    const d = p.loc.sub(q.loc);
    const z = d.div(p.scale);
    const absolute = p.scale.mul(Math.sqrt(2 / Math.PI)).mul(z.square().mul(-0.5).exp()).add(d.mul(z.mul(Math.SQRT1_2).erf()));
    return q.scale.mul(2).log().add(absolute.div(q.scale)).sub(p.entropy());
  });

  /** −H(p) + log(h − l), where [0, 1] lies inside [l, h]. */
  const toUniform = (p: Distribution, q: Uniform) => unless(ops.logicalOr(q.low.greater(0), q.high.less(1)), q.high.sub(q.low).log().sub(p.entropy()));
  for (const P of [Beta, ContinuousBernoulli]) register(P, Uniform, toUniform);

  /** −H(p) − (a − 1)·E[log X] − (b − 1)·E[log(1 − X)] + log B(a, b), where [l, h] lies inside [0, 1]. */
  register(Uniform, Beta, (p, q) => {
    const logX = uniformExpectedLog(p.low, p.high);
    const logOneMinusX = uniformExpectedLog(ops.sub(1, p.high), ops.sub(1, p.low));
    const kl = logBeta(q.concentration1, q.concentration0).sub(q.concentration1.sub(1).mul(logX)).sub(q.concentration0.sub(1).mul(logOneMinusX)).sub(p.entropy());
    return unless(ops.logicalOr(p.low.less(0), p.high.greater(1)), kl);
  });

  /** −H(p) − log α − α·log s + (α + 1)·E[log X], where [l, h] lies inside [s, ∞). */
  register(Uniform, Pareto, (p, q) => {
    const kl = q.alpha.add(1).mul(uniformExpectedLog(p.low, p.high)).sub(q.alpha.log()).sub(q.alpha.mul(q.scale.log())).sub(p.entropy());
    return unless(p.low.less(q.scale), kl);
  });

  /** −H(p) − p·log λ + λ: Poisson's log k! is 0 at k = 0 and 1. */
  register(Bernoulli, Poisson, (p, q) => q.rate.sub(ops.xlogy(p.probs, q.rate)).sub(p.entropy()));

  // p's support always reaches outside q's.
  const infinite = (p: Distribution) => ops.zerosLike(p.mean).add(Infinity);
  const always: [Constructor<Distribution>, Constructor<Distribution>[]][] = [
    [Normal, [Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform]],
    [Gumbel, [Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform]],
    [Laplace, [Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform]],
    [Exponential, [Beta, ContinuousBernoulli, Pareto, Uniform]],
    [Gamma, [Beta, ContinuousBernoulli, Pareto, Uniform]],
    [Pareto, [Beta, ContinuousBernoulli, Uniform]],
    [Beta, [Pareto]],
    [ContinuousBernoulli, [Pareto]],
    [Poisson, [Bernoulli, Binomial]],
  ];
  for (const [P, qs] of always) for (const Q of qs) register(P, Q, infinite);
}
