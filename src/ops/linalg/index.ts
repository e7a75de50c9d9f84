// tm.linalg: the dense linear algebra of torch.linalg and np.linalg, on
// batches of matrices [..., m, n], in f32.
export { cholesky } from './cholesky.js';
export { choleskyInverse, choleskySolve } from './cholesky_solve.js';
export type { CholeskyFactorOptions } from './cholesky_solve.js';
export { tensorinv, tensorsolve } from './tensor_solve.js';
export { det, slogdet } from './det.js';
export type { Slogdet } from './det.js';
export { geqrf, householderProduct, ormqr } from './householder.js';
export type { Geqrf, OrmqrOptions } from './householder.js';
export { lu, luFactor, luSolve, luUnpack } from './lu.js';
export type { Lu, LuFactor, LuSolveOptions } from './lu.js';
export { matrixExp, matrixPower } from './matrix_functions.js';
export type { MatrixExpOptions } from './matrix_functions.js';
export { multiDot, vecdot } from './products.js';
export type { VecdotOptions } from './products.js';
export { lstsq } from './lstsq.js';
export type { Lstsq } from './lstsq.js';
export { qr } from './qr.js';
export type { QR, QrMode, QrOptions } from './qr.js';
export { inv, solve } from './solve.js';
export { solveTriangular } from './solve_triangular.js';
export type { SolveTriangularOptions } from './solve_triangular.js';
export { eigh, eigvalsh } from './eigh.js';
export type { Eigh, EighOptions } from './eigh.js';
export { svd, svdvals } from './svd.js';
export type { Svd, SvdOptions } from './svd.js';
export { cond, matrixNorm, matrixRank, pinv, vectorNorm } from './norms.js';
export type { MatrixNormOptions, MatrixNormOrder, RankOptions, VectorNormOptions } from './norms.js';
