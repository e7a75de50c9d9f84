// tm.linalg on each backend: solve with n right-hand sides (an inverse's
// work), Cholesky, Bunch–Kaufman LDLᵀ and QR, in GFLOP/s by the textbook
// counts (LU 2n³/3 plus two triangular solves of n columns, 2n³; Cholesky
// and LDLᵀ n³/3; Householder QR of
// a square matrix 4n³/3 and forming its Q as much again), op + await data();
// eigh and the SVD (values and vectors) by the counts of the symmetric QR
// algorithm and Golub–Reinsch (9n³ and 21n³, Golub & Van Loan), which the
// Jacobi methods of js and webgpu exceed: the rate says how long, not how
// much they compute. Those two at 64 and 256 only: a Jacobi sweep at 512 on
// the js loops or a software GPU takes seconds. eig (general A, values and
// vectors) by the count of the QR algorithm with Schur vectors (25n³), at
// 64 and 256 and for a batch of 1024 matrices 8×8, which webgpu's one
// invocation per matrix is for.
// TensorFlow.js has no solve, inverse, determinant, Cholesky, QR, eigh or SVD, so there is
// no peer to put beside them: the js backend's float64 loops stand in, as
// the floor any backend should clear, and native (LAPACK in OpenBLAS) as the
// ceiling of this CPU.
import * as tm from '../src/index.js';
import { bestOf, gflops, printTable } from './harness.js';

const SIZES = [64, 256, 512];
const SPECTRAL_SIZES = [64, 256];

/** A well-conditioned matrix: n·I plus uniform noise; an SPD one, AᵀA + n·I; a symmetric indefinite one, the noise plus its transpose. */
function matrices(n: number): { a: tm.Tensor; spd: tm.Tensor; b: tm.Tensor; symmetric: tm.Tensor } {
  const noise = tm.rand([n, n], { min: -1, max: 1, seed: n });
  const a = noise.add(tm.eye(n).mul(n));
  const spd = tm.matmul(noise, noise, { transposeA: true }).add(tm.eye(n).mul(n));
  const symmetric = noise.add(noise.transpose());
  const b = tm.rand([n, n], { seed: n + 1 });
  noise.dispose();
  return { a, spd, b, symmetric };
}

/** One timed run of a decomposition: its outputs read back, then freed. */
const decomposing = (f: () => tm.Tensor[]) => async () => {
  const ys = f();
  await Promise.all(ys.map((y) => y.data()));
  for (const y of ys) y.dispose();
};

async function timeOn(backend: 'native' | 'webgpu' | 'js', n: number): Promise<{ solve: number; cholesky: number; ldl: number; qr: number }> {
  await tm.init({ backend });
  const { a, spd, b, symmetric } = matrices(n);
  const run = (f: () => tm.Tensor) => async () => {
    const y = f();
    await y.data();
    y.dispose();
  };
  // The js loops are slow at 512: one run is enough to see their rate.
  const ms = backend === 'js' && n > 256 ? 0 : 400;
  const minRuns = backend === 'js' && n > 256 ? 1 : 3;
  const solve = await bestOf(run(() => tm.linalg.solve(a, b)), ms, minRuns);
  const cholesky = await bestOf(run(() => tm.linalg.cholesky(spd)), ms, minRuns);
  const ldl = await bestOf(decomposing(() => Object.values(tm.linalg.ldlFactor(symmetric))), ms, minRuns);
  // Both factors read back: Q is the half of the work that mode 'r' would not need.
  const qr = await bestOf(async () => {
    const { q, r } = tm.linalg.qr(b);
    await Promise.all([q.data(), r.data()]);
    q.dispose();
    r.dispose();
  }, ms, minRuns);
  for (const t of [a, spd, b, symmetric]) t.dispose();
  return { solve: gflops((2 * n ** 3) / 3 + 2 * n ** 3, solve), cholesky: gflops(n ** 3 / 3, cholesky), ldl: gflops(n ** 3 / 3, ldl), qr: gflops((8 * n ** 3) / 3, qr) };
}


async function spectralOn(backend: 'native' | 'webgpu' | 'js', n: number): Promise<{ eigh: number; svd: number; eig: number }> {
  await tm.init({ backend });
  const { a, spd, b } = matrices(n);
  // One run of the Jacobi loops at 256 is enough to see their rate.
  const slow = backend !== 'native' && n > 64;
  const [ms, minRuns] = slow ? [0, 1] : [400, 3];
  const eigh = await bestOf(decomposing(() => Object.values(tm.linalg.eigh(spd))), ms, minRuns);
  const svd = await bestOf(decomposing(() => Object.values(tm.linalg.svd(a))), ms, minRuns);
  const eig = await bestOf(decomposing(() => Object.values(tm.linalg.eig(b))), ms, minRuns);
  for (const t of [a, spd, b]) t.dispose();
  return { eigh: gflops(9 * n ** 3, eigh), svd: gflops(21 * n ** 3, svd), eig: gflops(25 * n ** 3, eig) };
}

/** eig of a batch of `count` random n × n matrices, GFLOP/s by 25n³ each. */
async function eigBatchOn(backend: 'native' | 'webgpu' | 'js', count: number, n: number): Promise<number> {
  await tm.init({ backend });
  const a = tm.rand([count, n, n], { min: -1, max: 1, seed: n });
  const ms = await bestOf(decomposing(() => Object.values(tm.linalg.eig(a))), 400, 3);
  a.dispose();
  return gflops(25 * n ** 3 * count, ms);
}

export async function linalgSection(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const n of SIZES) {
    const native = await timeOn('native', n);
    const webgpu = await timeOn('webgpu', n).catch(() => ({ solve: NaN, cholesky: NaN, ldl: NaN, qr: NaN }));
    const js = await timeOn('js', n);
    rows.push([`solve ${n}×${n}, ${n} right-hand sides`, native.solve, webgpu.solve, js.solve, native.solve / js.solve]);
    rows.push([`cholesky ${n}×${n}`, native.cholesky, webgpu.cholesky, js.cholesky, native.cholesky / js.cholesky]);
    rows.push([`ldlFactor ${n}×${n} (symmetric indefinite)`, native.ldl, webgpu.ldl, js.ldl, native.ldl / js.ldl]);
    rows.push([`qr ${n}×${n}, Q and R`, native.qr, webgpu.qr, js.qr, native.qr / js.qr]);
  }
  for (const n of SPECTRAL_SIZES) {
    const native = await spectralOn('native', n);
    const webgpu = await spectralOn('webgpu', n).catch(() => ({ eigh: NaN, svd: NaN, eig: NaN }));
    const js = await spectralOn('js', n);
    rows.push([`eigh ${n}×${n}, values and vectors`, native.eigh, webgpu.eigh, js.eigh, native.eigh / js.eigh]);
    rows.push([`svd ${n}×${n}, reduced`, native.svd, webgpu.svd, js.svd, native.svd / js.svd]);
    rows.push([`eig ${n}×${n} (general), values and vectors`, native.eig, webgpu.eig, js.eig, native.eig / js.eig]);
  }
  const [nativeBatch, webgpuBatch, jsBatch] = [await eigBatchOn('native', 1024, 8), await eigBatchOn('webgpu', 1024, 8).catch(() => NaN), await eigBatchOn('js', 1024, 8)];
  rows.push(['eig 1024 × 8×8 (general), values and vectors', nativeBatch, webgpuBatch, jsBatch, nativeBatch / jsBatch]);
  await tm.init({ backend: 'native' });
  printTable(
    'tm.linalg, GFLOP/s (textbook counts), op + await data()',
    ['op', 'tmnn native', 'tmnn webgpu', 'tmnn js', 'native/js'],
    rows,
    'native: LAPACK sgetrf/spotrf/ssytrf/sgeqrf/sorgqr/ssyevd/sgesdd/sgeev and cblas_strsm in OpenBLAS; webgpu: one workgroup per matrix (shaders/lu.wgsl, lu_solve.wgsl, ' +
      'cholesky.wgsl, ldl.wgsl, qr.wgsl, eigh_jacobi.wgsl, svd_jacobi.wgsl), one invocation per matrix for eig (eig_general.wgsl), on this machine a software adapter; ' +
      'js: float64 loops (Jacobi for eigh and svd; Hessenberg and Francis QR for eig). ' +
      'TensorFlow.js has no solve, inverse, determinant, Cholesky, LDLᵀ, QR, eigh, SVD or eig to compare with; PyTorch\'s CPU eig (LAPACK sgeev) is timed by hand in the README.',
  );
}
