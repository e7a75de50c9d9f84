// tm.special's reach: every function of torch.special (PyTorch 1.13, its
// dir() less the Tensor class) is there under its camelCase name. The tests
// beside this one check what each computes; this one catches a name that
// goes missing.
import { describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';

const TORCH_SPECIAL = [
  'airy_ai', 'bessel_j0', 'bessel_j1', 'bessel_y0', 'bessel_y1', 'chebyshev_polynomial_t', 'chebyshev_polynomial_u', 'chebyshev_polynomial_v',
  'chebyshev_polynomial_w', 'digamma', 'entr', 'erf', 'erfc', 'erfcx', 'erfinv', 'exp2', 'expit', 'expm1', 'gammainc', 'gammaincc', 'gammaln',
  'hermite_polynomial_h', 'hermite_polynomial_he', 'i0', 'i0e', 'i1', 'i1e', 'laguerre_polynomial_l', 'legendre_polynomial_p', 'log1p', 'log_ndtr',
  'log_softmax', 'logit', 'logsumexp', 'modified_bessel_i0', 'modified_bessel_i1', 'modified_bessel_k0', 'modified_bessel_k1', 'multigammaln',
  'ndtr', 'ndtri', 'polygamma', 'psi', 'round', 'scaled_modified_bessel_k0', 'scaled_modified_bessel_k1', 'shifted_chebyshev_polynomial_t',
  'shifted_chebyshev_polynomial_u', 'shifted_chebyshev_polynomial_v', 'shifted_chebyshev_polynomial_w', 'sinc', 'softmax', 'spherical_bessel_j0',
  'xlog1py', 'xlogy', 'zeta',
];

/** snake_case to camelCase, the digits of besselJ0 and their kin kept. */
const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe('tm.special', () => {
  it('has every function of torch.special', () => {
    expect(TORCH_SPECIAL.filter((name) => typeof (tm.special as Record<string, unknown>)[camel(name)] !== 'function')).toEqual([]);
  });
});
