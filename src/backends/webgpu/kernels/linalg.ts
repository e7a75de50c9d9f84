// The dense factorizations behind tm.linalg on the GPU, f32: LU with partial
// pivoting (shaders/lu.wgsl) and Cholesky (shaders/cholesky.wgsl), one
// workgroup per matrix, and solves from LU factors (shaders/lu_solve.wgsl),
// one invocation per right-hand side. Nothing is read back: a singular or
// non-positive-definite matrix leaves ±∞ and NaN in what follows from it.
import choleskyShader from '../../../../shaders/cholesky.wgsl';
import luShader from '../../../../shaders/lu.wgsl';
import luSolveShader from '../../../../shaders/lu_solve.wgsl';
import { grid, type Operand, type Runtime } from '../runtime.js';

/** A workgroup for an n × n matrix: 64 invocations up to n = 64 (lavapipe runs idle ones too), 256 past it. */
const matrixWorkgroup = (n: number) => (n <= 64 ? 64 : 256);

/** lu [batch, n, n] and pivots (i32, [batch, n]) = the LU factors of a (f32, [batch, n, n]). */
export function luFactorMatrices(rt: Runtime, a: Operand, lu: GPUBuffer, pivots: GPUBuffer): void {
  const [batch, n] = a.shape;
  const WG = matrixWorkgroup(n);
  const kernel = rt.compiler.kernel({ name: 'lu', source: luShader, constants: { WG } });
  rt.commands.dispatch(kernel, { a: a.buffer, lu, pivots, params: Uint32Array.of(batch, n) }, grid(batch, 1));
}

/** x [batch, n, k] = A⁻¹ b (b f32) from A's factors as luFactorMatrices gives them. */
export function luSolveColumns(rt: Runtime, lu: Operand, pivots: Operand, b: Operand, x: GPUBuffer): void {
  const [batch, n, k] = b.shape;
  const kernel = rt.compiler.kernel({ name: 'lu_solve', source: luSolveShader });
  rt.commands.dispatch(kernel, { lu: lu.buffer, pivots: pivots.buffer, b: b.buffer, x, params: Uint32Array.of(batch * k, n, k) }, grid(batch * k, 64));
}

/** l [batch, n, n] = the Cholesky factor of a (f32, [batch, n, n]), from its lower triangle. */
export function choleskyMatrices(rt: Runtime, a: Operand, l: GPUBuffer): void {
  const [batch, n] = a.shape;
  const kernel = rt.compiler.kernel({ name: 'cholesky', source: choleskyShader, constants: { WG: matrixWorkgroup(n) } });
  rt.commands.dispatch(kernel, { a: a.buffer, l, params: Uint32Array.of(batch, n) }, grid(batch, 1));
}
