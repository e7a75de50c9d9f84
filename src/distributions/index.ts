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
export { Dirichlet } from './dirichlet.js';
export { Geometric } from './geometric.js';
export { Poisson } from './poisson.js';
export { Gamma } from './gamma.js';
export { Beta } from './beta.js';
export { Bernoulli } from './bernoulli.js';
export { Categorical, OneHotCategorical } from './categorical.js';
export { MultivariateNormal } from './multivariate_normal.js';
export type { MultivariateNormalSpread } from './multivariate_normal.js';
export { Independent } from './independent.js';
export { klDivergence } from './kl.js';
