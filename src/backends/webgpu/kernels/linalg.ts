// The dense factorizations behind tm.linalg on the GPU, f32: LU with partial
// pivoting (shaders/lu.wgsl), Bunch–Kaufman LDLᵀ (shaders/ldl.wgsl),
// Cholesky (shaders/cholesky.wgsl) and Householder QR (shaders/qr.wgsl), one
// workgroup per matrix, and solves from LU or LDLᵀ factors
// (shaders/lu_solve.wgsl, ldl_solve.wgsl) or with a triangular matrix
// (shaders/triangular_solve.wgsl), one invocation per right-hand side.
// Nothing is read back: a singular or
// non-positive-definite matrix leaves ±∞ and NaN in what follows from it.
// A batch past the binding limit runs in bands of whole matrices, each
// array bound as the window that holds the band (windows.ts).
import choleskyShader from '../../../../shaders/cholesky.wgsl';
import eigShader from '../../../../shaders/eig_general.wgsl';
import eighShader from '../../../../shaders/eigh_jacobi.wgsl';
import ldlShader from '../../../../shaders/ldl.wgsl';
import ldlSolveShader from '../../../../shaders/ldl_solve.wgsl';
import luShader from '../../../../shaders/lu.wgsl';
import luSolveShader from '../../../../shaders/lu_solve.wgsl';
import qrShader from '../../../../shaders/qr.wgsl';
import svdShader from '../../../../shaders/svd_jacobi.wgsl';
import triangularSolveShader from '../../../../shaders/triangular_solve.wgsl';
import type { TensorInfo } from '../../kernels.js';
import type { LinalgKernels } from '../../linalg.js';
import type { GpuData } from '../data.js';
import type { WebGpuBackend } from '../index.js';
import { grid, type Operand, type Runtime } from '../runtime.js';
import { rowBands, windowOf, type BufferWindow, type Part } from '../windows.js';

/** A workgroup for an n × n matrix: 64 invocations up to n = 64 (lavapipe runs idle ones too), 256 past it. */
const matrixWorkgroup = (n: number) => (n <= 64 ? 64 : 256);

/**
 * The batch's matrices in bands whose arrays (`perMatrix` f32/i32 elements
 * a matrix each) fit one binding; all of it at once where even one matrix
 * does not (the dispatch then refuses it by name).
 */
function bands(rt: Runtime, batch: number, perMatrix: readonly number[]): Part[] {
  return rowBands(rt.ctx, batch, perMatrix.map((e) => e * 4)) ?? [{ start: 0, count: batch }];
}

/** The window of `buffer` (an array of `perMatrix` 4-byte elements a matrix) over the band's matrices. */
function band(buffer: GPUBuffer | BufferWindow, { start, count }: Part, perMatrix: number): BufferWindow {
  return windowOf(buffer as GPUBuffer, { start: start * perMatrix, count: count * perMatrix }, 4);
}

/** A factorization with pivots (LU, Bunch–Kaufman LDLᵀ) and its solve: their shaders, and the name each binds the factors under. */
interface PivotedKernels {
  factor: { name: string; source: string };
  solve: { name: string; source: string };
  factors: string;
}

const LU: PivotedKernels = { factor: { name: 'lu', source: luShader }, solve: { name: 'lu_solve', source: luSolveShader }, factors: 'lu' };
const LDL: PivotedKernels = { factor: { name: 'ldl', source: ldlShader }, solve: { name: 'ldl_solve', source: ldlSolveShader }, factors: 'ld' };

/** factors [batch, n, n] and pivots (i32, [batch, n]) of a (f32, [batch, n, n]): one workgroup per matrix. */
function factorMatrices(rt: Runtime, kernels: PivotedKernels, a: Operand, factors: GPUBuffer, pivots: GPUBuffer): void {
  const [batch, n] = a.shape;
  const kernel = rt.compiler.kernel({ ...kernels.factor, constants: { WG: matrixWorkgroup(n) } });
  for (const part of bands(rt, batch, [n * n, n])) {
    const bound = { a: band(a.buffer, part, n * n), [kernels.factors]: band(factors, part, n * n), pivots: band(pivots, part, n) };
    rt.commands.dispatch(kernel, { ...bound, params: Uint32Array.of(part.count, n) }, grid(part.count, 1));
  }
}

/** x [batch, n, k] = A⁻¹ b (b f32) from A's factors as factorMatrices gives them: one invocation per right-hand side. */
function solveColumns(rt: Runtime, kernels: PivotedKernels, factors: Operand, pivots: Operand, b: Operand, x: GPUBuffer): void {
  const [batch, n, k] = b.shape;
  const kernel = rt.compiler.kernel(kernels.solve);
  for (const part of bands(rt, batch, [n * n, n, n * k])) {
    const bound = { [kernels.factors]: band(factors.buffer, part, n * n), pivots: band(pivots.buffer, part, n), b: band(b.buffer, part, n * k), x: band(x, part, n * k) };
    rt.commands.dispatch(kernel, { ...bound, params: Uint32Array.of(part.count * k, n, k) }, grid(part.count * k, 64));
  }
}

/** l [batch, n, n] = the Cholesky factor of a (f32, [batch, n, n]), from its lower triangle. */
export function choleskyMatrices(rt: Runtime, a: Operand, l: GPUBuffer): void {
  const [batch, n] = a.shape;
  const kernel = rt.compiler.kernel({ name: 'cholesky', source: choleskyShader, constants: { WG: matrixWorkgroup(n) } });
  for (const part of bands(rt, batch, [n * n])) {
    rt.commands.dispatch(kernel, { a: band(a.buffer, part, n * n), l: band(l, part, n * n), params: Uint32Array.of(part.count, n) }, grid(part.count, 1));
  }
}

/**
 * q [batch, m, c] and r [batch, c, n] = the QR factors of a (f32, [batch, m,
 * n]), c = min(m, n) or (complete) m, reducing each matrix in a scratch copy
 * that holds its τ too.
 */
export function qrMatrices(rt: Runtime, a: Operand, complete: boolean, q: GPUBuffer, r: GPUBuffer): void {
  const [batch, m, n] = a.shape;
  const c = complete ? m : Math.min(m, n);
  const scratch = m * n + Math.min(m, n);
  const kernel = rt.compiler.kernel({ name: 'qr', source: qrShader, constants: { WG: matrixWorkgroup(Math.max(m, n)) } });
  for (const part of bands(rt, batch, [m * n, m * c, c * n, scratch])) {
    const work = rt.pool.acquire(part.count * scratch * 4);
    const bound = { a: band(a.buffer, part, m * n), q: band(q, part, m * c), r: band(r, part, c * n), work };
    rt.commands.dispatch(kernel, { ...bound, params: Uint32Array.of(part.count, m, n, c) }, grid(part.count, 1));
    rt.pool.release(work);
  }
}

/** x [batch, n, k] = A⁻¹ b (b f32) for A (f32, [batch, n, n]) read as its upper or lower triangle, its diagonal 1 where `unit`. */
export function triangularSolveColumns(rt: Runtime, a: Operand, b: Operand, upper: boolean, unit: boolean, x: GPUBuffer): void {
  const [batch, n, k] = b.shape;
  const kernel = rt.compiler.kernel({ name: 'triangular_solve', source: triangularSolveShader });
  for (const part of bands(rt, batch, [n * n, n * k])) {
    const bound = { a: band(a.buffer, part, n * n), b: band(b.buffer, part, n * k), x: band(x, part, n * k) };
    rt.commands.dispatch(kernel, { ...bound, params: Uint32Array.of(part.count * k, n, k, Number(upper), Number(unit)) }, grid(part.count * k, 64));
  }
}

// The Jacobi methods of eigh and svd (shaders/eigh_jacobi.wgsl,
// svd_jacobi.wgsl): one workgroup per matrix like LU's, with a scratch
// array per matrix for the matrix being rotated, the rotations gathered so
// far and a step's rotations, taken from the pool for each band.

/** values [batch, n] ascending and vectors [batch, n, n] = the eigendecomposition of symmetric a (f32, [batch, n, n]) from its lower triangle. */
export function eighMatrices(rt: Runtime, a: Operand, values: GPUBuffer, vectors: GPUBuffer): void {
  const [batch, n] = a.shape;
  const padded = n + (n % 2);
  const scratch = 2 * n * n + padded;
  const kernel = rt.compiler.kernel({ name: 'eigh_jacobi', source: eighShader, constants: { WG: matrixWorkgroup(n) } });
  for (const part of bands(rt, batch, [n * n, n, n * n, scratch])) {
    const work = rt.pool.acquire(part.count * scratch * 4);
    const bound = { a: band(a.buffer, part, n * n), values: band(values, part, n), vectors: band(vectors, part, n * n), work };
    rt.commands.dispatch(kernel, { ...bound, params: Uint32Array.of(part.count, n, padded) }, grid(part.count, 1));
    rt.pool.release(work);
  }
}

/**
 * values [batch, n, 2] and vectors [batch, n, n, 2] = the eigendecomposition
 * of general a (f32, [batch, n, n]), shaders/eig_general.wgsl: one
 * invocation per matrix (the QR iteration's steps each depend on the last;
 * a batch is what runs in parallel), with 2n² + 5n floats of scratch each.
 */
export function eigMatrices(rt: Runtime, a: Operand, values: GPUBuffer, vectors: GPUBuffer): void {
  const [batch, n] = a.shape;
  const scratch = 2 * n * n + 5 * n;
  const kernel = rt.compiler.kernel({ name: 'eig_general', source: eigShader });
  for (const part of bands(rt, batch, [n * n, 2 * n, 2 * n * n, scratch])) {
    const work = rt.pool.acquire(part.count * scratch * 4);
    const bound = { a: band(a.buffer, part, n * n), values: band(values, part, 2 * n), vectors: band(vectors, part, 2 * n * n), work };
    rt.commands.dispatch(kernel, { ...bound, params: Uint32Array.of(part.count, n) }, grid(part.count, 64));
    rt.pool.release(work);
  }
}

/** u [batch, m, k], s [batch, k] descending and vh [batch, k, n] = the reduced SVD of a (f32, [batch, m, n]), k = min(m, n). */
export function svdMatrices(rt: Runtime, a: Operand, u: GPUBuffer, s: GPUBuffer, vh: GPUBuffer): void {
  const [batch, m, n] = a.shape;
  const [rows, k] = [Math.max(m, n), Math.min(m, n)];
  const padded = k + (k % 2);
  const scratch = 2 * rows * k + k * k + padded + k;
  const kernel = rt.compiler.kernel({ name: 'svd_jacobi', source: svdShader, constants: { WG: matrixWorkgroup(rows) } });
  for (const part of bands(rt, batch, [m * n, m * k, k, k * n, scratch])) {
    const work = rt.pool.acquire(part.count * scratch * 4);
    const bound = { a: band(a.buffer, part, m * n), u: band(u, part, m * k), s: band(s, part, k), vh: band(vh, part, k * n), work };
    rt.commands.dispatch(kernel, { ...bound, params: Uint32Array.of(part.count, m, n, padded) }, grid(part.count, 1));
    rt.pool.release(work);
  }
}

/** The factors and pivots of a's matrices by `kernels`' factorization. */
function pivoted(gpu: WebGpuBackend, kernels: PivotedKernels, a: TensorInfo<GpuData>): { factors: GpuData; pivots: GpuData } {
  let pivots: GpuData | undefined;
  const factors = gpu.produce('f32', a.shape, (out) => {
    pivots = gpu.produce('i32', a.shape.slice(0, 2), (pivotsOut) => factorMatrices(gpu.runtime, kernels, gpu.operand(a), out, pivotsOut));
  });
  // An empty batch runs nothing, pivots' produce included.
  return { factors, pivots: pivots ?? gpu.produce('i32', a.shape.slice(0, 2), () => {}) };
}

/** The webgpu backend's tm.linalg kernels (backends/linalg.ts). The ops layer hands them f32 only (f16 cast before), so operands are read as they are. */
export function webGpuLinalg(gpu: WebGpuBackend): LinalgKernels<GpuData> {
  return {
    luFactor(a) {
      const { factors: lu, pivots } = pivoted(gpu, LU, a);
      return { lu, pivots };
    },

    luSolve(lu, pivots, b) {
      return gpu.produce('f32', b.shape, (out) => solveColumns(gpu.runtime, LU, gpu.operand(lu), gpu.operand(pivots), gpu.operand(b), out));
    },

    ldlFactor(a) {
      const { factors: ld, pivots } = pivoted(gpu, LDL, a);
      return { ld, pivots };
    },

    ldlSolve(ld, pivots, b) {
      return gpu.produce('f32', b.shape, (out) => solveColumns(gpu.runtime, LDL, gpu.operand(ld), gpu.operand(pivots), gpu.operand(b), out));
    },

    cholesky(a) {
      return gpu.produce('f32', a.shape, (out) => choleskyMatrices(gpu.runtime, gpu.operand(a), out));
    },

    qr(a, complete) {
      const [batch, m, n] = a.shape;
      const c = complete ? m : Math.min(m, n);
      let r: GpuData | undefined;
      const q = gpu.produce('f32', [batch, m, c], (qOut) => {
        r = gpu.produce('f32', [batch, c, n], (rOut) => qrMatrices(gpu.runtime, gpu.operand(a), complete, qOut, rOut));
      });
      // An empty batch runs nothing, r's produce included (the ops layer hands no empty matrices).
      return { q, r: r ?? gpu.produce('f32', [batch, c, n], () => {}) };
    },

    triangularSolve(a, b, upper, unit) {
      return gpu.produce('f32', b.shape, (out) => triangularSolveColumns(gpu.runtime, gpu.operand(a), gpu.operand(b), upper, unit, out));
    },

    eigh(a) {
      const [batch, n] = a.shape;
      let vectors: GpuData | undefined;
      const values = gpu.produce('f32', [batch, n], (valuesOut) => {
        vectors = gpu.produce('f32', a.shape, (vectorsOut) => eighMatrices(gpu.runtime, gpu.operand(a), valuesOut, vectorsOut));
      });
      // An empty batch runs nothing, the inner produce included.
      return { values, vectors: vectors ?? gpu.produce('f32', a.shape, () => {}) };
    },

    eig(a) {
      const [batch, n] = a.shape;
      let vectors: GpuData | undefined;
      const values = gpu.produce('f32', [batch, n, 2], (valuesOut) => {
        vectors = gpu.produce('f32', [...a.shape, 2], (vectorsOut) => eigMatrices(gpu.runtime, gpu.operand(a), valuesOut, vectorsOut));
      });
      return { values, vectors: vectors ?? gpu.produce('f32', [...a.shape, 2], () => {}) };
    },

    svd(a) {
      const [batch, m, n] = a.shape;
      const k = Math.min(m, n);
      let u: GpuData | undefined;
      let vh: GpuData | undefined;
      const s = gpu.produce('f32', [batch, k], (sOut) => {
        u = gpu.produce('f32', [batch, m, k], (uOut) => {
          vh = gpu.produce('f32', [batch, k, n], (vhOut) => svdMatrices(gpu.runtime, gpu.operand(a), uOut, sOut, vhOut));
        });
      });
      return { u: u ?? gpu.produce('f32', [batch, m, k], () => {}), s, vh: vh ?? gpu.produce('f32', [batch, k, n], () => {}) };
    },
  };
}
