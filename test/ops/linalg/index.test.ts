// tm.linalg's reach: every function of torch.linalg (PyTorch 1.13, its
// dir() less the LinAlgError and Tensor classes) and of NumPy 2's np.linalg
// is there under its camelCase name. The tests beside this one check what
// each computes; this one catches a name that goes missing.
import { describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';

const TORCH_LINALG = [
  'cholesky', 'cholesky_ex', 'cond', 'cross', 'det', 'diagonal', 'eig', 'eigh', 'eigvals', 'eigvalsh', 'householder_product', 'inv', 'inv_ex',
  'ldl_factor', 'ldl_factor_ex', 'ldl_solve', 'lstsq', 'lu', 'lu_factor', 'lu_factor_ex', 'lu_solve', 'matmul', 'matrix_exp', 'matrix_norm',
  'matrix_power', 'matrix_rank', 'multi_dot', 'norm', 'pinv', 'qr', 'slogdet', 'solve', 'solve_ex', 'solve_triangular', 'svd', 'svdvals',
  'tensorinv', 'tensorsolve', 'vander', 'vecdot', 'vector_norm',
];

const NUMPY_2_LINALG = [
  'cholesky', 'cond', 'cross', 'det', 'diagonal', 'eig', 'eigh', 'eigvals', 'eigvalsh', 'inv', 'lstsq', 'matmul', 'matrix_norm', 'matrix_power',
  'matrix_rank', 'matrix_transpose', 'multi_dot', 'norm', 'outer', 'pinv', 'qr', 'slogdet', 'solve', 'svd', 'svdvals', 'tensordot', 'tensorinv',
  'tensorsolve', 'trace', 'vecdot', 'vector_norm',
];

/** snake_case to camelCase, with PyTorch's _ex suffix as Ex. */
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe('tm.linalg', () => {
  it.each([['torch.linalg', TORCH_LINALG], ["NumPy 2's np.linalg", NUMPY_2_LINALG]] as const)('has every function of %s', (_, names) => {
    const missing = names.filter((name) => typeof (tm.linalg as Record<string, unknown>)[camel(name)] !== 'function');
    expect(missing).toEqual([]);
  });

  it('has torch.linalg\'s and np.linalg\'s LinAlgError, the error of a singular or non-positive-definite matrix, a ValueError too', () => {
    expect(tm.linalg.LinAlgError).toBe(tm.LinAlgError);
    expect(new tm.LinAlgError('x')).toBeInstanceOf(tm.ValueError);
    expect(new tm.LinAlgError('x').name).toBe('LinAlgError');
  });
});
