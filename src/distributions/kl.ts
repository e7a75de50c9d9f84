// klDivergence(p, q): the closed forms of KL(p ‖ q) that torch.distributions.kl
// registers, for the pairs of tm.distributions that have one.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { broadcastShapes, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Bernoulli } from './bernoulli.js';
import { ContinuousBernoulli } from './continuous_bernoulli.js';
import { Binomial } from './binomial.js';
import { Cauchy } from './cauchy.js';
import { Chi2 } from './chi2.js';
import { Dirichlet } from './dirichlet.js';
import { Beta, logBeta } from './beta.js';
import { Categorical, OneHotCategorical, OneHotCategoricalStraightThrough } from './categorical.js';
import { Distribution, lowestFinite, softplus, sumRightmost } from './distribution.js';
import { Exponential } from './exponential.js';
import { Gamma } from './gamma.js';
import { Geometric } from './geometric.js';
import { EULER_GAMMA, Gumbel } from './gumbel.js';
import { HalfNormal } from './half_normal.js';
import { Independent } from './independent.js';
import { InverseGamma } from './inverse_gamma.js';
import { Laplace } from './laplace.js';
import { LogNormal } from './log_normal.js';
import { LogisticNormal } from './logistic_normal.js';
import { LowRankMultivariateNormal } from './low_rank_multivariate_normal.js';
import { MultivariateNormal } from './multivariate_normal.js';
import { Normal } from './normal.js';
import { Pareto } from './pareto.js';
import { Poisson } from './poisson.js';
import type { SuccessProbability } from './probabilities.js';
import { TransformedDistribution } from './transformed.js';
import { registerCrossFamily } from './kl_cross.js';
import { sameMaps } from './transforms.js';
import { Uniform } from './uniform.js';

export type Constructor<D extends Distribution> = abstract new (...args: never[]) => D;
type ClosedForm = (p: Distribution, q: Distribution) => Tensor;

const CLOSED_FORMS: { p: Constructor<Distribution>; q: Constructor<Distribution>; kl: ClosedForm }[] = [];

/** Registers KL(P ‖ Q)'s closed form for exactly these classes (a subclass has its own entry, or none). */
function register<P extends Distribution, Q extends Distribution>(p: Constructor<P>, q: Constructor<Q>, kl: (p: P, q: Q) => Tensor): void {
  CLOSED_FORMS.push({ p, q, kl: kl as ClosedForm });
}

/**
 * KL(p ‖ q) = E_p[log p(X) − log q(X)], in nats, for each distribution of
 * the broadcast batch: [...batch shape]. Differentiable in both's
 * parameters. A closed form for Normal, Uniform, Laplace, Exponential,
 * LogNormal, Cauchy, Gumbel, HalfNormal, Pareto, Gamma, Chi2, Beta,
 * Dirichlet, Bernoulli, ContinuousBernoulli, Binomial, Geometric, Poisson, Categorical,
 * OneHotCategorical (and its StraightThrough), MultivariateNormal, Independent (of the same
 * reinterpreted axes), TransformedDistribution (through the same maps) and LogisticNormal pairs of one class,
 * any pair of MultivariateNormal and LowRankMultivariateNormal, and
 * PyTorch's pairs across families (kl_cross.ts: Beta, ContinuousBernoulli,
 * Exponential, Gamma, Gumbel, Laplace, Pareto and Uniform ‖ Normal, and
 * the pairs among those, Normal and Bernoulli ‖ Poisson, ∞ where p's
 * support leaves q's); any other pair is an error naming both classes. Uniform ‖ Uniform and Pareto ‖
 * Pareto are ∞ where p's support is not inside q's; a class of p of
 * probability 0 adds 0.
 */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  for (const [name, d] of [['p', p], ['q', q]] as const) {
    if (!(d instanceof Distribution)) throw new ValueError(`klDivergence: ${name} must be a distribution, got ${formatValue(d)}`);
  }
  const entry = CLOSED_FORMS.find((e) => p.constructor === e.p && q.constructor === e.q);
  if (!entry) throw new ValueError(`klDivergence: no closed form for ${p.name} ‖ ${q.name}`);
  if (!sameShape(p.eventShape, q.eventShape)) {
    throw new ShapeError(`klDivergence: ${p.name} of event shape ${formatShape(p.eventShape)} and ${q.name} of event shape ${formatShape(q.eventShape)} differ`);
  }
  let shape: number[];
  try {
    shape = broadcastShapes('klDivergence', p.batchShape, q.batchShape);
  } catch {
    throw new ShapeError(`klDivergence: the batch shapes ${formatShape(p.batchShape)} of p and ${formatShape(q.batchShape)} of q cannot be broadcast together`);
  }
  return tidy(() => ops.broadcastTo(entry.kl(p, q), shape));
}

/** log(σq/σp) + (σp² + (μp − μq)²)/(2σq²) − ½. */
register(Normal, Normal, (p, q) => {
  const ratio = p.scale.div(q.scale).square();
  const shift = p.loc.sub(q.loc).div(q.scale).square();
  return ratio.add(shift).sub(1).sub(ratio.log()).mul(0.5);
});

register(LogNormal, LogNormal, (p, q) => klDivergence(p.base, q.base));

/** log((hq − lq)/(hp − lp)) where [lp, hp) ⊆ [lq, hq), else ∞. */
register(Uniform, Uniform, (p, q) => {
  const kl = q.high.sub(q.low).div(p.high.sub(p.low)).log();
  const outside = q.low.greater(p.low).add(q.high.less(p.high)).greater(0);
  return ops.where(outside, Infinity, kl);
});

/** log(bq/bp) + |μp − μq|/bq + (bp/bq)·e^(−|μp − μq|/bp) − 1. */
register(Laplace, Laplace, (p, q) => {
  const ratio = p.scale.div(q.scale);
  const distance = p.loc.sub(q.loc).abs();
  return ratio.log().neg().add(distance.div(q.scale)).add(ratio.mul(distance.div(p.scale).neg().exp())).sub(1);
});

/** log(λp/λq) + λq/λp − 1. */
register(Exponential, Exponential, (p, q) => {
  const ratio = q.rate.div(p.rate);
  return ratio.sub(ratio.log()).sub(1);
});

/** αq·log(βp/βq) + log Γ(αq) − log Γ(αp) + (αp − αq)·ψ(αp) + (βq − βp)·αp/βp. */
register(Gamma, Gamma, (p, q) => {
  const [ap, bp, aq, bq] = [p.concentration, p.rate, q.concentration, q.rate];
  return aq.mul(bp.div(bq).log()).add(aq.lgamma()).sub(ap.lgamma()).add(ap.sub(aq).mul(ap.digamma())).add(bq.sub(bp).mul(ap.div(bp)));
});

/** An invertible map changes no KL divergence: the Gammas' of 1/X. */
register(InverseGamma, InverseGamma, (p, q) => klDivergence(p.base, q.base));

/** Gamma(k/2, ½)'s, the rates equal: log Γ(aq) − log Γ(ap) + (ap − aq)·ψ(ap), a = k/2. */
register(Chi2, Chi2, (p, q) => {
  const [ap, aq] = [p.df.mul(0.5), q.df.mul(0.5)];
  return aq.lgamma().sub(ap.lgamma()).add(ap.sub(aq).mul(ap.digamma()));
});

/** log((σp + σq)² + (μp − μq)²) − log(4·σp·σq). */
register(Cauchy, Cauchy, (p, q) => p.scale.add(q.scale).square().add(p.loc.sub(q.loc).square()).log().sub(p.scale.mul(q.scale).mul(4).log()));

/**
 * n·(p·log(p/q) + (1 − p)·log((1 − p)/(1 − q))) where the counts are equal;
 * ∞ where p's exceeds q's (p reaches counts q cannot); NaN where q's exceeds
 * p's (finite, but no closed form: PyTorch raises, which needs the counts read back).
 */
register(Binomial, Binomial, (p, q) => {
  const [np, nq] = [p.totalCount, q.totalCount];
  const kl = np.mul(bernoulliKl(p, q));
  return ops.where(np.greater(nq), Infinity, ops.where(np.less(nq), NaN, kl));
});

/**
 * The bases' divergence, where both push them through the same maps (the
 * same transforms, or of one class with the same parameters), summed over
 * the batch axes the maps read as event axes.
 */
function transformedKl(p: TransformedDistribution, q: TransformedDistribution): Tensor {
  if (!sameMaps(p.transforms, q.transforms)) throw new ValueError(`klDivergence: ${p.name}s through different transforms have no closed form`);
  return sumRightmost(klDivergence(p.base, q.base), p.reinterpretedBatchDims);
}
register(TransformedDistribution, TransformedDistribution, transformedKl);
/** A new StickBreakingTransform each, of one class and no parameters: the Normals' divergence summed over the vector. */
register(LogisticNormal, LogisticNormal, transformedKl);

/** log B(aq, bq) − log B(ap, bp) + (ap − aq)·ψ(ap) + (bp − bq)·ψ(bp) + (aq − ap + bq − bp)·ψ(ap + bp). */
register(Beta, Beta, (p, q) => {
  const [ap, bp, aq, bq] = [p.concentration1, p.concentration0, q.concentration1, q.concentration0];
  const both = aq.sub(ap).add(bq.sub(bp)).mul(ap.add(bp).digamma());
  return logBeta(aq, bq).sub(logBeta(ap, bp)).add(ap.sub(aq).mul(ap.digamma())).add(bp.sub(bq).mul(bp.digamma())).add(both);
});

/** log(βq/βp) + (μp − μq)/βq + γ·(βp/βq − 1) + e^((μq − μp)/βq)·Γ(1 + βp/βq) − 1, PyTorch's arrangement. */
register(Gumbel, Gumbel, (p, q) => {
  const ratio = p.scale.div(q.scale);
  const shift = p.loc.sub(q.loc).div(q.scale);
  return ratio.log().neg().add(shift).add(ratio.mul(EULER_GAMMA)).add(shift.neg().add(ratio.add(1).lgamma()).exp()).sub(1 + EULER_GAMMA);
});

/** Normal(0, σp) ‖ Normal(0, σq)'s: log(σq/σp) + σp²/(2σq²) − ½. */
register(HalfNormal, HalfNormal, (p, q) => {
  const ratio = p.scale.div(q.scale).square();
  return ratio.sub(1).sub(ratio.log()).mul(0.5);
});

/** αq·log(mp/mq) − log(αq/αp) + αq/αp − 1 where mp ≥ mq, else ∞ (p's support starts below q's). */
register(Pareto, Pareto, (p, q) => {
  const alphaRatio = q.alpha.div(p.alpha);
  const kl = q.alpha.mul(p.scale.div(q.scale).log()).sub(alphaRatio.log()).add(alphaRatio).sub(1);
  return ops.where(p.scale.less(q.scale), Infinity, kl);
});

/** log Γ(Σαp) − log Γ(Σαq) − Σ (log Γ(αp) − log Γ(αq)) + Σ (αp − αq)·(ψ(αp) − ψ(Σαp)). */
register(Dirichlet, Dirichlet, (p, q) => {
  const [ap, aq] = [p.concentration, q.concentration];
  if (ap.shape[ap.rank - 1] !== aq.shape[aq.rank - 1]) throw new ShapeError(`klDivergence: Dirichlet of ${ap.shape[ap.rank - 1]} categories and of ${aq.shape[aq.rank - 1]} differ`);
  const sumP = ap.sum(-1, { keepDims: true });
  const spread = ap.sub(aq).mul(ap.digamma().sub(sumP.digamma())).sum(-1);
  return sumP.squeeze(-1).lgamma().sub(aq.sum(-1).lgamma()).sub(ap.lgamma().sub(aq.lgamma()).sum(-1)).add(spread);
});

/** −H(p) − (1/pp − 1)·log(1 − pq) − log pq: the expected log-ratio over p's geometric counts. */
register(Geometric, Geometric, (p, q) => {
  const lq = q.logits;
  // log pq = −softplus(−l), log(1 − pq) = −softplus(l).
  return p.entropy().neg().add(ops.div(1, p.probs).sub(1).mul(softplus(lq))).add(softplus(lq.neg()));
});

/** λp·log(λp/λq) − λp + λq. */
register(Poisson, Poisson, (p, q) => ops.xlogy(p.rate, p.rate.div(q.rate)).sub(p.rate).add(q.rate));

/** p·(log p − log q) + (1 − p)·(log(1 − p) − log(1 − q)), through the logits: log p = −softplus(−l), log(1 − p) = −softplus(l). */
function bernoulliKl(p: SuccessProbability, q: SuccessProbability): Tensor {
  const [lp, lq, probs] = [p.logits, q.logits, p.probs];
  const positive = softplus(lq.neg()).sub(softplus(lp.neg())).mul(probs);
  const negative = softplus(lq).sub(softplus(lp)).mul(ops.sub(1, probs));
  return positive.add(negative);
}
register(Bernoulli, Bernoulli, bernoulliKl);

/** −H(p) − E_p[log q(X)], the latter log q(E_p[X]) since log q(x) = x·l − log(1 + eˡ) + C is affine in x. */
register(ContinuousBernoulli, ContinuousBernoulli, (p, q) => p.entropy().neg().sub(q.logProb(p.mean)));

/** Σ p·(log p − log q) over the classes, the logs clamped to the dtype's lowest so that a class of p of probability 0 adds 0. */
function categoricalKl(p: Categorical, q: Categorical): Tensor {
  if (p.numClasses !== q.numClasses) throw new ShapeError(`klDivergence: ${p.name} of ${p.numClasses} classes and ${q.name} of ${q.numClasses} differ`);
  const [lp, lq] = [p.logits, q.logits];
  const lowest = lowestFinite(lp.dtype);
  return ops.maximum(lp, lowest).sub(ops.maximum(lq, lowest)).mul(p.probs).sum(-1);
}
register(Categorical, Categorical, categoricalKl);
register(OneHotCategorical, OneHotCategorical, categoricalKl);
register(OneHotCategoricalStraightThrough, OneHotCategoricalStraightThrough, categoricalKl);

/**
 * Columns of a factor F of Σ (F·Fᵀ = Σ), each [k, 1, …, ..., n] with
 * `batchRank` axes between k and n (so that k stands apart from any batch
 * axis the other distribution has): L for MultivariateNormal, W and diag(√D)
 * for LowRankMultivariateNormal.
 */
function factorColumns(d: MultivariateNormal | LowRankMultivariateNormal, batchRank: number): Tensor[] {
  const factors = d instanceof MultivariateNormal ? [d.scaleTril] : [d.covFactor, ops.diagEmbed(d.covDiag.sqrt())];
  return factors.map((f) => {
    const columns = ops.moveaxis(f, -1, 0);
    const [k, ...rest] = columns.shape;
    return columns.reshape([k, ...new Array<number>(batchRank + 1 - rest.length).fill(1), ...rest]);
  });
}

/**
 * ½·(tr(Σq⁻¹Σp) + |μq − μp|²_Σq⁻¹ − n) + ½·log det Σq − ½·log det Σp, with
 * tr(Σq⁻¹Σp) = Σₖ Fₖᵀ·Σq⁻¹·Fₖ over the columns of p's factor, each through
 * q's own Mahalanobis distance: a triangular solve, r × r where q is
 * low-rank, so no n × n inverse is formed (a low-rank p brings n + r
 * columns).
 */
function gaussianKl(p: MultivariateNormal | LowRankMultivariateNormal, q: MultivariateNormal | LowRankMultivariateNormal): Tensor {
  const batchRank = Math.max(p.batchShape.length, q.batchShape.length);
  const trace = factorColumns(p, batchRank).map((columns) => q.mahalanobis(columns).sum(0)).reduce((a, b) => a.add(b));
  const shift = q.mahalanobis(q.loc.sub(p.loc));
  return trace.add(shift).sub(p.dimension).mul(0.5).add(q.halfLogDet()).sub(p.halfLogDet());
}
register(MultivariateNormal, MultivariateNormal, gaussianKl);
register(LowRankMultivariateNormal, LowRankMultivariateNormal, gaussianKl);
register(LowRankMultivariateNormal, MultivariateNormal, gaussianKl);
register(MultivariateNormal, LowRankMultivariateNormal, gaussianKl);

/** The bases' divergence summed over the reinterpreted axes. */
register(Independent, Independent, (p, q) => {
  if (p.reinterpretedBatchDims !== q.reinterpretedBatchDims) {
    throw new ValueError(`klDivergence: Independent of ${p.reinterpretedBatchDims} reinterpreted axes and of ${q.reinterpretedBatchDims} differ`);
  }
  return sumRightmost(klDivergence(p.base, q.base), p.reinterpretedBatchDims);
});

registerCrossFamily(register);
