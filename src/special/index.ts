// tm.special: torch.special's functions that tmnn has no kernel for, each
// composed of existing ops (nothing added to the WGSL library; a page that
// does not import this namespace bundles none of it), computed in f32. The
// ones tmnn has at the top level are here too under torch.special's names.
export { ndtr, logNdtr, ndtri } from './normal.js';
export { gammainc, gammaincc, multigammaln } from './gamma.js';
export { betainc, betaincc } from './beta.js';
export { zeta } from './zeta.js';
export { entr, xlog1py } from './entropy.js';
export { i0e, i1e, sphericalBesselJ0 } from './bessel.js';
export { besselJ0, besselJ1, besselY0, besselY1 } from './bessel_jy.js';
export { modifiedBesselK0, modifiedBesselK1, scaledModifiedBesselK0, scaledModifiedBesselK1 } from './bessel_k.js';
export { erfcx } from './erfcx.js';
export { airyAi } from './airy.js';
export { round } from './round.js';
export {
  chebyshevPolynomialT, chebyshevPolynomialU, chebyshevPolynomialV, chebyshevPolynomialW, hermitePolynomialH, hermitePolynomialHe, laguerrePolynomialL,
  legendrePolynomialP, shiftedChebyshevPolynomialT, shiftedChebyshevPolynomialU, shiftedChebyshevPolynomialV, shiftedChebyshevPolynomialW,
} from './polynomials.js';
export {
  digamma, erf, erfc, erfinv, exp2, expm1, i0, i1, i0 as modifiedBesselI0, i1 as modifiedBesselI1, lgamma as gammaln, digamma as psi, log1p, logit, polygamma, sigmoid as expit, sinc, xlogy,
} from '../ops/elementwise.js';
export { logsumexp } from '../ops/norms.js';
export { logSoftmax, softmax } from '../ops/softmax.js';
