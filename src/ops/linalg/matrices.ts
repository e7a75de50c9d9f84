// What the tm.linalg ops share: checking that an operand is a float (square)
// matrix or a batch of them and that two batches broadcast, computing in f32 (f16 cast in, results cast
// back), the LU factors of a batch through the backend's luFactor kernel,
// and the refusals that only values can prompt (a singular matrix, one not
// positive definite), made where the backend holds them in memory (js,
// native: Backend.peek) and left to ∞ and NaN on a GPU, which reads later.
import { tidy } from '../../engine.js';
import { DTypeError, LinAlgError, ShapeError, formatShape } from '../../errors.js';
import type { DType, StorageArray } from '../../dtype.js';
import { isFloat } from '../../dtype.js';
import { broadcastShapes, sameShape, sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { cast } from '../cast.js';
import { arange, zeros } from '../creation.js';
import { add, mul } from '../elementwise.js';
import { argmax, max } from '../reduce.js';
import { broadcastTo, gather, reshape, transpose } from '../movement.js';
import { allocating, checkTensor, fromStorage, heldValues, onBackendOf } from '../util.js';
import { linalgOf } from '../../backends/linalg.js';

/** Checks that `name` is a float tensor. */
export function checkFloat(op: string, t: unknown, name: string): Tensor {
  const x = checkTensor(op, t, name);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: ${name} must be a float tensor (f32 or f16), got ${x.dtype}`);
  return x;
}

/** Checks that `name` is a float tensor [..., n, n]; its n. */
export function checkSquare(op: string, a: unknown, name = 'A'): number {
  return squareSize(op, checkFloat(op, a, name), name);
}

/** Checks that t, of any dtype, is [..., n, n]; its n. */
export function squareSize(op: string, t: Tensor, name = 'A'): number {
  if (t.rank < 2 || t.shape[t.rank - 1] !== t.shape[t.rank - 2]) {
    throw new ShapeError(`${op}: ${name} must be a square matrix or a batch of them [..., n, n], got ${formatShape(t.shape)}`);
  }
  return t.shape[t.rank - 1];
}

/** Checks that `name` is a float tensor [..., m, n]; its m and n. */
export function checkMatrix(op: string, a: unknown, name = 'A'): [number, number] {
  const t = checkFloat(op, a, name);
  if (t.rank < 2) throw new ShapeError(`${op}: ${name} must be a matrix or a batch of them [..., m, n], got ${formatShape(t.shape)}`);
  return [t.shape[t.rank - 2], t.shape[t.rank - 1]];
}

/**
 * The batch shape that A's and B's batch axes (all but their last two: a
 * and b, `shown` in the error as given) broadcast to, NumPy's way; an error
 * naming both where they do not.
 */
export function broadcastBatch(op: string, a: Tensor, b: Tensor, shown: { A: readonly number[]; B: readonly number[] } = { A: a.shape, B: b.shape }): number[] {
  const [batchA, batchB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const fits = batchA.every((d, i) => {
    const e = batchB[batchB.length - batchA.length + i] ?? 1;
    return d === e || d === 1 || e === 1;
  });
  if (!fits) {
    throw new ShapeError(`${op}: the batch axes of A ${formatShape(shown.A)} and B ${formatShape(shown.B)} do not broadcast (${formatShape(batchA)} against ${formatShape(batchB)})`);
  }
  return broadcastShapes(op, batchA, batchB);
}

/** t broadcast to batch axes `batch` before its last two (t itself where it has them). */
export function toBatch(t: Tensor, batch: readonly number[]): Tensor {
  const shape = [...batch, ...t.shape.slice(-2)];
  return sameShape(t.shape, shape) ? t : broadcastTo(t, shape);
}

/** t in f32, the dtype the kernels compute in (a cast, which passes the gradient back, for f16). */
export function inF32(t: Tensor): Tensor {
  return t.dtype === 'f32' ? t : cast(t, 'f32');
}

/** t (an f32 result) in `dtype`, the inputs' own. */
export function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : cast(t, dtype);
}

/** Swaps the last two axes: each matrix of a batch transposed. */
export function matrixTranspose(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[t.rank - 2], perm[t.rank - 1]] = [t.rank - 1, t.rank - 2];
  return transpose(t, perm);
}

/** The diagonal of each matrix of t [..., n, n]: [..., n]. */
export function diagonal(op: string, t: Tensor): Tensor {
  const n = t.shape[t.rank - 1];
  const flat = reshape(t, [...t.shape.slice(0, -2), n * n]);
  const positions = onBackendOf(op, t, () => arange(0, n * n, n + 1, { dtype: 'i32' }));
  const out = gather(flat, positions, -1);
  flat.dispose();
  positions.dispose();
  return out;
}

/**
 * The LU factors of each matrix of a (f32, [..., n, n]): lu of a's shape (L
 * below the diagonal, its unit diagonal implied, U on and above it) and
 * pivots (i32, [..., n]), as Kernels.luFactor gives them. Not recorded: the
 * ops built on it declare their own gradients.
 */
export function luFactors(op: string, a: Tensor): { lu: Tensor; pivots: Tensor } {
  const backend = a.dataRef(op).backend;
  const n = a.shape[a.rank - 1];
  const batch = sizeOf(a.shape.slice(0, -2));
  const { lu, pivots } = allocating(op, a.shape, 4, () => linalgOf(backend).luFactor({ ...a.info(op), shape: [batch, n, n] }));
  return { lu: fromStorage(backend, lu, a.shape, 'f32'), pivots: fromStorage(backend, pivots, a.shape.slice(0, -1), 'i32') };
}

/**
 * LAPACK's info, as PyTorch's *_ex ops return it, from a mask bad [..., n]
 * of the steps that failed: i32 [...], 0 where none did, else 1 + the
 * first that did. Worked out on the backend: nothing is read back.
 */
export function firstFailure(op: string, bad: Tensor): Tensor {
  const batch = bad.shape.slice(0, -1);
  return onBackendOf(op, bad, () => tidy(() => {
    if (bad.shape[bad.rank - 1] === 0) return zeros(batch, { dtype: 'i32' });
    const failed = cast(bad, 'i32');
    return mul(max(failed, -1), add(argmax(failed, -1), 1));
  }));
}

/** The multi-index of entry b of a batch of `shape`. */
function batchIndex(b: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = b % shape[d];
    b = Math.floor(b / shape[d]);
  }
  return index;
}

/**
 * Throws `describe(k)` for the first matrix of factors [..., n, n] (whose
 * values the backend holds at once) with a diagonal entry k that `bad`
 * finds, naming the matrix by its place in the batch.
 */
function refuseDiagonal(op: string, factors: Tensor, bad: (v: number) => boolean, what: string, describe: (k: number) => string): void {
  const held: StorageArray | undefined = heldValues(op, factors);
  if (!held) return;
  const n = factors.shape[factors.rank - 1];
  const batchShape = factors.shape.slice(0, -2);
  for (let b = 0; b < sizeOf(batchShape); b++) {
    for (let k = 0; k < n; k++) {
      if (!bad(held[(b * n + k) * n + k])) continue;
      const where = batchShape.length ? ` (matrix ${formatShape(batchIndex(b, batchShape))} of its batch ${formatShape(batchShape)})` : '';
      throw new LinAlgError(`${op}: A${where} is ${what}: ${describe(k)}`);
    }
  }
}

/** Refuses a singular matrix: its LU factors with a 0 on U's diagonal. */
export function refuseSingular(op: string, lu: Tensor): void {
  refuseDiagonal(op, lu, (v) => v === 0, 'singular', (k) => `no nonzero pivot in column ${k} after elimination (U[${k}, ${k}] = 0)`);
}

/** Refuses a matrix that is not positive definite: its Cholesky factor with a diagonal entry not > 0 (NaN, or 0). */
export function refuseNotPositiveDefinite(op: string, l: Tensor): void {
  refuseDiagonal(op, l, (v) => !(v > 0), 'not positive definite', (k) => `its leading minor of order ${k + 1} is not`);
}
