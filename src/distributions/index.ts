// tm.distributions: probability distributions with sampling, log-densities and
// KL divergences, as torch.distributions, on top of the ops.
export { Distribution } from './distribution.js';
export type { Parameter } from './distribution.js';
export type { ProbsOrLogits } from './probabilities.js';
export { Normal } from './normal.js';
export { LogNormal } from './log_normal.js';
export { Uniform } from './uniform.js';
export { Laplace } from './laplace.js';
export { Exponential } from './exponential.js';
export { Cauchy } from './cauchy.js';
export { Gumbel } from './gumbel.js';
export { Weibull } from './weibull.js';
export { Pareto } from './pareto.js';
export { HalfCauchy, HalfNormal } from './half_normal.js';
export { Kumaraswamy } from './kumaraswamy.js';
export { Chi2 } from './chi2.js';
export { StudentT } from './student_t.js';
export { VonMises } from './von_mises.js';
export { Dirichlet } from './dirichlet.js';
export { Geometric } from './geometric.js';
export { Poisson } from './poisson.js';
export { Binomial } from './binomial.js';
export { NegativeBinomial } from './negative_binomial.js';
export { Multinomial } from './multinomial.js';
export { RelaxedBernoulli, RelaxedOneHotCategorical } from './relaxed.js';
export { Gamma } from './gamma.js';
export { InverseGamma } from './inverse_gamma.js';
export { FisherSnedecor } from './fisher_snedecor.js';
export { Beta } from './beta.js';
export { Bernoulli } from './bernoulli.js';
export { ContinuousBernoulli } from './continuous_bernoulli.js';
export { Categorical, OneHotCategorical, OneHotCategoricalStraightThrough } from './categorical.js';
export { MultivariateNormal } from './multivariate_normal.js';
export type { MultivariateNormalSpread } from './multivariate_normal.js';
export { LowRankMultivariateNormal } from './low_rank_multivariate_normal.js';
export { Wishart } from './wishart.js';
export { LKJCholesky } from './lkj_cholesky.js';
export { Independent } from './independent.js';
export { TransformedDistribution } from './transformed.js';
export { LogisticNormal } from './logistic_normal.js';
export { MixtureSameFamily } from './mixture.js';
export {
  AbsTransform, AffineTransform, CatTransform, ComposeTransform, CumulativeDistributionTransform, ExpTransform, IndependentTransform, PowerTransform, ReshapeTransform,
  SigmoidTransform, SoftplusTransform, StackTransform, TanhTransform, Transform,
} from './transforms.js';
export { CorrCholeskyTransform, LowerCholeskyTransform, SoftmaxTransform, StickBreakingTransform } from './vector_transforms.js';
export { klDivergence } from './kl.js';
