// tm.linalg: the dense linear algebra of torch.linalg and np.linalg, on
// batches of matrices [..., n, n], in f32.
export { cholesky } from './cholesky.js';
export { det, slogdet } from './det.js';
export type { Slogdet } from './det.js';
export { inv, solve } from './solve.js';
export { eigh, eigvalsh } from './eigh.js';
export type { Eigh, EighOptions } from './eigh.js';
export { svd, svdvals } from './svd.js';
export type { Svd, SvdOptions } from './svd.js';
export { cond, matrixNorm, matrixRank, pinv, vectorNorm } from './norms.js';
export type { MatrixNormOptions, MatrixNormOrder, RankOptions, VectorNormOptions } from './norms.js';
