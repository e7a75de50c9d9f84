// tm.linalg against float64 references written here: Gaussian elimination
// with partial pivoting (solve, inv, det, slogdet) and the Cholesky
// recurrence, on fresh random well-conditioned matrices whose rows come in a
// random order (so the pivot search has work to do); gradients against
// central differences of the same references.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';
import { BACKENDS } from '../helpers/backends.js';
import { SEED, asF32, expectClose, expectExact, expectNormwise, uniform } from '../helpers/data.js';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** n × n, I + 0.5·R/√n for R uniform in [−1, 1] (singular values within [0.4, 1.6]), its rows shuffled; f32 values. */
function wellConditioned(n: number): Float64Array {
  const r = uniform(n * n, -1, 1);
  const order = Array.from(uniform(n), (u, i) => [u, i]).sort((p, q) => p[0] - q[0]).map(([, i]) => i);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const from = order[i];
    for (let j = 0; j < n; j++) out[i * n + j] = (from === j ? 1 : 0) + (0.5 * r[from * n + j]) / Math.sqrt(n);
  }
  return asF32(out);
}

/** n × n symmetric positive definite, M·Mᵀ/n + I for M uniform in [−1, 1]; f32 values. */
function positiveDefinite(n: number): Float64Array {
  const m = uniform(n * n, -1, 1);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = i === j ? 1 : 0;
      for (let p = 0; p < n; p++) s += (m[i * n + p] * m[j * n + p]) / n;
      out[i * n + j] = out[j * n + i] = s;
    }
  }
  return asF32(out);
}

/** A batch of `count` matrices from `make`, flat. */
function batchOf(count: number, make: () => Float64Array): Float64Array {
  const parts = Array.from({ length: count }, make);
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** Gaussian elimination with partial pivoting in float64: X = A⁻¹·B for A [n, n], B [n, k], and det A. */
function gaussRef(aIn: ArrayLike<number>, n: number, bIn: ArrayLike<number>, k: number): { x: Float64Array; det: number } {
  const a = Float64Array.from(aIn);
  const x = Float64Array.from(bIn);
  let det = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(a[i * n + c]) > Math.abs(a[p * n + c])) p = i;
    if (p !== c) {
      det = -det;
      for (let j = 0; j < n; j++) [a[c * n + j], a[p * n + j]] = [a[p * n + j], a[c * n + j]];
      for (let j = 0; j < k; j++) [x[c * k + j], x[p * k + j]] = [x[p * k + j], x[c * k + j]];
    }
    det *= a[c * n + c];
    if (a[c * n + c] === 0) continue;
    for (let i = c + 1; i < n; i++) {
      const f = a[i * n + c] / a[c * n + c];
      for (let j = c; j < n; j++) a[i * n + j] -= f * a[c * n + j];
      for (let j = 0; j < k; j++) x[i * k + j] -= f * x[c * k + j];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let j = 0; j < k; j++) {
      let s = x[i * k + j];
      for (let p = i + 1; p < n; p++) s -= a[i * n + p] * x[p * k + j];
      x[i * k + j] = s / a[i * n + i];
    }
  }
  return { x, det };
}

/** The Cholesky factor of a symmetric positive definite [n, n] in float64, from its lower triangle. */
function choleskyRef(a: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let p = 0; p < j; p++) d -= l[j * n + p] ** 2;
    l[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let p = 0; p < j; p++) s -= l[i * n + p] * l[j * n + p];
      l[i * n + j] = s / l[j * n + j];
    }
  }
  return l;
}

/** f applied to each of `count` matrices of a [n, n] (and b [n, k], repeated when it has one), outputs concatenated. */
function perMatrix(count: number, a: Float64Array, b: Float64Array | null, n: number, k: number, f: (a: Float64Array, b: Float64Array) => ArrayLike<number>): Float64Array {
  const out: number[] = [];
  const bCount = b ? b.length / (n * k) : 0;
  for (let m = 0; m < count; m++) {
    const bm = b ? b.subarray((m % bCount) * n * k, ((m % bCount) + 1) * n * k) : new Float64Array(0);
    out.push(...Array.from(f(a.subarray(m * n * n, (m + 1) * n * n), bm)));
  }
  return Float64Array.from(out);
}

/** Σ r·f(x) for fixed weights r: every output's gradient path exercised by one backward. */
function weightsFor(n: number): Float64Array {
  return asF32(uniform(n, -1, 1));
}

describe.each(BACKENDS)('tm.linalg on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([1, 2, 7, 33, 64])('solve, inv and det match Gaussian elimination in float64 for n = %i, one matrix and a batch', async (n) => {
    const before = await collected();
    const a = wellConditioned(n);
    const b = asF32(uniform(n * 3));
    const A = tm.tensor(Float32Array.from(a), [n, n]);
    const B = tm.tensor(Float32Array.from(b), [n, 3]);
    const X = tm.linalg.solve(A, B);
    expect(X.shape).toEqual([n, 3]);
    const ref = gaussRef(a, n, b, 3);
    expectNormwise(await X.data(), ref.x, 1e-4, `solve n=${n}`);
    const inverse = tm.linalg.inv(A);
    expectNormwise(await inverse.data(), gaussRef(a, n, Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), n).x, 1e-4, `inv n=${n}`);
    const det = tm.linalg.det(A);
    expect(det.shape).toEqual([]);
    expectClose(await det.data(), [ref.det], 1e-4, `det n=${n}`);

    // A batch [2, 3] of matrices against one B broadcast along it, and a batch of vectors.
    const batch = batchOf(6, () => wellConditioned(n));
    const As = tm.tensor(Float32Array.from(batch), [2, 3, n, n]);
    const Bs = tm.tensor(Float32Array.from(asF32(uniform(3 * n * 2))), [3, n, 2]);
    const Xs = tm.linalg.solve(As, Bs);
    expect(Xs.shape).toEqual([2, 3, n, 2]);
    const bs = Float64Array.from(await Bs.data());
    // Matrix m of the batch [2, 3] takes B's matrix m % 3.
    expectNormwise(await Xs.data(), perMatrix(6, batch, bs, n, 2, (am, bm) => gaussRef(am, n, bm, 2).x), 1e-4, `batched solve n=${n}`);
    const vs = asF32(uniform(6 * n));
    const V = tm.tensor(Float32Array.from(vs), [2, 3, n]);
    const Vs = tm.linalg.solve(As, V);
    expect(Vs.shape).toEqual([2, 3, n]);
    const wantVs = new Float64Array(6 * n);
    for (let m = 0; m < 6; m++) wantVs.set(gaussRef(batch.subarray(m * n * n, (m + 1) * n * n), n, vs.subarray(m * n, (m + 1) * n), 1).x, m * n);
    expectNormwise(await Vs.data(), wantVs, 1e-4, `batched vectors n=${n}`);
    const dets = perMatrix(6, batch, null, n, 0, (am) => [gaussRef(am, n, [], 0).det]);
    const Ds = tm.linalg.det(As);
    expectClose(await Ds.data(), dets, 1e-4, `batched det n=${n}`);
    const { sign, logAbsDet } = tm.linalg.slogdet(As);
    expect(sign.shape).toEqual([2, 3]);
    expect(Array.from(await sign.data())).toEqual(Array.from(dets, Math.sign));
    expectClose(await logAbsDet.data(), Array.from(dets, (d) => Math.log(Math.abs(d))), 1e-4, `slogdet n=${n}`, new Float64Array(6).fill(1));
    for (const t of [A, B, X, inverse, det, As, Bs, Xs, V, Vs, Ds, sign, logAbsDet]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it.each([1, 2, 7, 33, 64])('cholesky matches the float64 recurrence for n = %i, one matrix and a batch of three', async (n) => {
    const before = await collected();
    const a = batchOf(3, () => positiveDefinite(n));
    const A = tm.tensor(Float32Array.from(a), [3, n, n]);
    const L = tm.linalg.cholesky(A);
    expect(L.shape).toEqual([3, n, n]);
    expectNormwise(await L.data(), perMatrix(3, a, null, n, 0, (am) => choleskyRef(am, n)), 1e-4, `cholesky n=${n}`);
    // Only the lower triangle is read: garbage above the diagonal changes nothing.
    const spoiled = a.map((v, i) => (i % n > Math.floor(i / n) % n ? 1e3 : v));
    const A2 = tm.tensor(Float32Array.from(spoiled), [3, n, n]);
    const L2 = tm.linalg.cholesky(A2);
    expect(Array.from(await L2.data())).toEqual(Array.from(await L.data()));
    for (const t of [A, L, A2, L2]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('pivots: a zero in A[0, 0] and a zero leading minor solve exactly; a matrix of swapped rows has det −1', async () => {
    const A = tm.tensor([[0, 1], [2, 3]]);
    expect(await tm.linalg.solve(A, tm.tensor([1, 8])).array()).toEqual([2.5, 1]);
    expect(await tm.linalg.det(A).array()).toBe(-2);
    const P = tm.tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    expect(await tm.linalg.det(P).array()).toBe(1);
    expect(await tm.linalg.det(tm.tensor([[0, 1, 0], [1, 0, 0], [0, 0, 1]])).array()).toBe(-1);
    expect(await tm.linalg.inv(P).array()).toEqual([[0, 1, 0], [0, 0, 1], [1, 0, 0]]);
    const { sign, logAbsDet } = tm.linalg.slogdet(tm.tensor([[0, -3], [2, 0]]));
    expect(await sign.array()).toBe(1);
    expect(await logAbsDet.array()).toBeCloseTo(Math.log(6), 6);
  });

  it('f16 inputs are computed in f32 and come back f16; a matrix and a vector mixed give the wider dtype', async () => {
    const a = wellConditioned(5);
    const A = tm.tensor(Float32Array.from(a), [5, 5]).cast('f16');
    const held = Float64Array.from(await A.data());
    const X = tm.linalg.solve(A, tm.tensor([1, 2, 3, 4, 5]).cast('f16'));
    expect(X.dtype).toBe('f16');
    expectNormwise(await X.data(), gaussRef(held, 5, [1, 2, 3, 4, 5], 1).x, 2e-3, 'f16 solve');
    expect(tm.linalg.solve(A, tm.tensor([1, 2, 3, 4, 5])).dtype).toBe('f32');
    expect(tm.linalg.det(A).dtype).toBe('f16');
    expect(tm.linalg.cholesky(tm.eye(3).cast('f16')).dtype).toBe('f16');
  });

  it('A · solve(A, B) ≈ B up to n = 256', async () => {
    for (const n of [128, 256]) {
      const a = wellConditioned(n);
      const A = tm.tensor(Float32Array.from(a), [n, n]);
      const b = asF32(uniform(n * 4));
      const B = tm.tensor(Float32Array.from(b), [n, 4]);
      const residual = tm.tidy(() => tm.matmul(A, tm.linalg.solve(A, B)));
      expectNormwise(await residual.data(), b, 1e-4, `A·solve(A, B) n=${n}`);
      const identity = tm.tidy(() => tm.matmul(A, tm.linalg.inv(A)));
      expectNormwise(await identity.data(), Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), 1e-4, `A·inv(A) n=${n}`);
      const S = tm.tensor(Float32Array.from(positiveDefinite(n)), [n, n]);
      const LLt = tm.tidy(() => {
        const L = tm.linalg.cholesky(S);
        return tm.matmul(L, L, { transposeB: true });
      });
      expectNormwise(await LLt.data(), Float64Array.from(await S.data()), 1e-4, `L·Lᵀ n=${n}`);
      for (const t of [A, B, residual, identity, S, LLt]) t.dispose();
    }
  });

  it('singular and non-positive-definite matrices: an error naming the matrix on the CPU backends, ∞ or NaN on webgpu; det 0 and slogdet (0, −∞) everywhere', async () => {
    const singular = [1, 2, 3, 2, 4, 6, 1, 0, 1];
    const invertible = [2, 0, 0, 0, 3, 0, 0, 0, 4];
    const batch = tm.tensor([...invertible, ...singular], [2, 3, 3]);
    expectExact(await tm.linalg.det(batch).data(), [24, 0], 'det');
    const { sign, logAbsDet } = tm.linalg.slogdet(batch);
    expectExact(await sign.data(), [1, 0], 'sign');
    expect((await logAbsDet.data())[1]).toBe(-Infinity);
    const notPd = tm.tensor([...invertible, 1, 2, 0, 2, 1, 0, 0, 0, 1], [2, 3, 3]);
    if (backend === 'webgpu') {
      const x = await tm.linalg.solve(batch, tm.ones([2, 3, 1])).data();
      expect(Array.from(x.slice(3)).some((v) => !Number.isFinite(v))).toBe(true);
      const l = await tm.linalg.cholesky(notPd).data();
      expect(Array.from(l.slice(9)).some((v) => !Number.isFinite(v))).toBe(true);
      return;
    }
    const before = await collected();
    expect(() => tm.linalg.solve(batch, tm.ones([2, 3, 1]))).toThrow(
      'solve: A (matrix [1] of its batch [2]) is singular: no nonzero pivot in column 2 after elimination (U[2, 2] = 0)');
    expect(() => tm.linalg.inv(tm.tensor(singular, [3, 3]))).toThrow('inv: A is singular');
    expect(() => tm.linalg.inv(tm.zeros([1, 1]))).toThrow('inv: A is singular: no nonzero pivot in column 0');
    expect(() => tm.linalg.cholesky(notPd)).toThrow('cholesky: A (matrix [1] of its batch [2]) is not positive definite: its leading minor of order 2 is not');
    expect(() => tm.linalg.cholesky(tm.tensor([[-1]]))).toThrow('cholesky: A is not positive definite: its leading minor of order 1 is not');
    // The four operands made in the calls above, and nothing the failed ops made.
    expect(tm.memory().numTensors).toBe(before + 4);
    // Each is a LinAlgError (torch.linalg's and NumPy's name), which is a ValueError too.
    expect(() => tm.linalg.inv(tm.zeros([2, 2]))).toThrow(tm.LinAlgError);
    expect(() => tm.linalg.cholesky(tm.tensor([[-1]]))).toThrow(tm.linalg.LinAlgError);
    expect(() => tm.linalg.solve(tm.zeros([2, 2]), tm.ones([2]))).toThrow(tm.ValueError);
    // det's and slogdet's gradients need A⁻¹: refused in their names, not inv's, which the caller never called.
    const a = tm.tensor(singular, [3, 3]);
    a.requiresGrad = true;
    const d = tm.linalg.det(a);
    expect(() => d.backward()).toThrow("det's gradient: A is singular: no nonzero pivot in column 2");
    const { logAbsDet: l } = tm.linalg.slogdet(a);
    expect(() => l.backward()).toThrow("slogdet's gradient: A is singular");
  });

  it('empty batches and 0 × 0 matrices: det 1 (the empty product), slogdet (1, 0), solve and inv empty', async () => {
    expect(await tm.linalg.det(tm.zeros([2, 0, 0])).array()).toEqual([1, 1]);
    const { sign, logAbsDet } = tm.linalg.slogdet(tm.zeros([0, 0]));
    expect([await sign.array(), await logAbsDet.array()]).toEqual([1, 0]);
    expect(tm.linalg.det(tm.zeros([0, 3, 3])).shape).toEqual([0]);
    expect(tm.linalg.solve(tm.zeros([0, 0]), tm.zeros([0, 2])).shape).toEqual([0, 2]);
    expect(tm.linalg.inv(tm.zeros([3, 0, 0])).shape).toEqual([3, 0, 0]);
    expect(tm.linalg.cholesky(tm.zeros([0, 4, 4])).shape).toEqual([0, 4, 4]);
  });

  it('cholesky and choleskyEx take upper: U with A = Uᵀ·U from A\'s upper triangle, PyTorch\'s values', async () => {
    // PyTorch: torch.linalg.cholesky([[4, −1, 2], [−1, 5, 0], [2, 0, 6]], upper=True); the lower triangle here is garbage, unread.
    const A = tm.tensor([[4, -1, 2], [99, 5, 0], [-7, 42, 6]]);
    const want = [2, -0.5, 1, 0, 2.1794495582580566, 0.22941572964191437, 0, 0, 2.2242681980133057];
    expectClose(await tm.linalg.cholesky(A, { upper: true }).data(), want, 1e-6, 'U');
    const ex = tm.linalg.choleskyEx(A, { upper: true });
    expectClose(await ex.l.data(), want, 1e-6, 'choleskyEx U');
    expect(Array.from(await tm.linalg.choleskyEx(tm.tensor([[1, 2], [-50, 1]]), { upper: true }).info.data())).toEqual([2]);
    // Its gradient is the lower factor's, through the transposes: the same for A and Aᵀ.
    const a = positiveDefinite(4);
    const w = weightsFor(16);
    const grads: Float32Array[] = [];
    for (const upper of [false, true]) {
      const x = tm.tensor(Float32Array.from(a), [4, 4]);
      x.requiresGrad = true;
      tm.tidy(() => tm.sum(tm.mul(upper ? tm.linalg.cholesky(x, { upper }).transpose() : tm.linalg.cholesky(x), tm.tensor(Float32Array.from(w), [4, 4])))).backward();
      grads.push((await x.grad!.data()) as Float32Array);
    }
    expectClose(grads[1], Array.from(grads[0]), 1e-5, 'dA of U against L\'s');
    expect(() => tm.linalg.cholesky(A, { lower: true } as never)).toThrow(/cholesky: .*lower/);
  });

  it('solve and solveEx take left: false, X·A = B for B [..., k, n], as PyTorch', async () => {
    const A = tm.tensor([[2, 1], [1, 3]]);
    const B = tm.tensor([[1, 2], [3, 4], [5, 6]]);
    // PyTorch: torch.linalg.solve(A, B, left=False) = B·A⁻¹.
    expectClose(await tm.linalg.solve(A, B, { left: false }).data(), [0.2, 0.6, 1, 1, 1.8, 1.4], 1e-6, 'X·A = B');
    const n = 6;
    const a = wellConditioned(n);
    const b = asF32(uniform(2 * 4 * n));
    const X = tm.linalg.solve(tm.tensor(Float32Array.from(a), [n, n]), tm.tensor(Float32Array.from(b), [2, 4, n]), { left: false });
    expect(X.shape).toEqual([2, 4, n]);
    // X·A = B, row by row: Aᵀ·xᵀ = bᵀ.
    const at = Float64Array.from({ length: n * n }, (_, e) => a[(e % n) * n + Math.floor(e / n)]);
    const want = Float64Array.from(Array.from({ length: 8 }, (_, r) => Array.from(gaussRef(at, n, b.subarray(r * n, (r + 1) * n), 1).x)).flat());
    expectNormwise(await X.data(), want, 1e-5 * n, 'X·A = B, a batch');
    const ex = tm.linalg.solveEx(tm.tensor([[1, 2], [2, 4]]), tm.ones([3, 2]), { left: false });
    expect([ex.result.shape, Array.from(await ex.info.data())]).toEqual([[3, 2], [2]]);
    expect(() => tm.linalg.solve(A, tm.ones([2]), { left: false })).toThrow('solve: B [2] must be a matrix [..., k, n] to solve X·A = B (left: false), as torch asks');
    expect(() => tm.linalg.solve(tm.ones([2, 3, 3]), tm.ones([2, 3]), { left: false })).toThrow('solve: B [2,3] must be a matrix [..., k, n] to solve X·A = B (left: false), as torch asks (a vector, or a batch of them shaped as A less its last axis, is refused)');
    expect(() => tm.linalg.solve(A, tm.ones([2, 3]), { left: false })).toThrow("solve: B [2,3] does not match A [2,2]: B needs 2 columns (its last axis) to solve X·A = B with A's 2 × 2 matrices");
  });

  it('refuses what is not a batch of float square matrices, naming the shapes', () => {
    const A = tm.ones([2, 3, 3]);
    expect(() => tm.linalg.det(tm.ones([3, 4]))).toThrow('det: A must be a square matrix or a batch of them [..., n, n], got [3,4]');
    expect(() => tm.linalg.inv(tm.ones([3]))).toThrow('inv: A must be a square matrix or a batch of them [..., n, n], got [3]');
    expect(() => tm.linalg.cholesky(tm.ones([3, 3], { dtype: 'i32' }))).toThrow('cholesky: A must be a float tensor (f32 or f16), got i32');
    expect(() => tm.linalg.solve(A, tm.ones([3], { dtype: 'i32' }))).toThrow('solve: B must be a float tensor (f32 or f16), got i32');
    expect(() => tm.linalg.solve(A, tm.ones([4, 2]))).toThrow('solve: B [4,2] does not match A [2,3,3]: B needs 3 rows (its second-to-last axis) to solve with A\'s 3 × 3 matrices');
    expect(() => tm.linalg.solve(A, tm.ones([4]))).toThrow('solve: B [4] does not match A [2,3,3]: B needs 3 rows (its last axis)');
    expect(() => tm.linalg.solve(A, tm.ones([4, 3, 1]))).toThrow('solve: the batch axes of A [2,3,3] and B [4,3,1] do not broadcast ([2] against [4])');
    expect(() => tm.linalg.solve(A, tm.scalar(1))).toThrow('solve: B must be a vector or a matrix (or a batch of them), got a scalar with A [2,3,3]');
    // B [2, 3] beside A [2, 3, 3] is a batch of vectors (A's shape less its last axis), as in torch.linalg.solve.
    expect(tm.linalg.solve(A.add(tm.eye(3)), tm.ones([2, 3])).shape).toEqual([2, 3]);
    expect(tm.linalg.solve(A.add(tm.eye(3)), tm.ones([3, 2])).shape).toEqual([2, 3, 2]);
  });
});

describe.each(BACKENDS)('tm.linalg gradients on %s match float64 central differences', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /**
   * Checks d(Σ r·f)/d input against central differences of `ref` (float64)
   * at the inputs' f32 values; `symmetric` perturbs A[i, j] and A[j, i]
   * together (the gradient of a function of a symmetric matrix).
   */
  async function check(shapes: number[][], inputs: Float64Array[], f: (...xs: tm.Tensor[]) => tm.Tensor, ref: (...xs: Float64Array[]) => Float64Array, symmetric = false) {
    const before = await collected();
    const params = inputs.map((v, k) => {
      const t = tm.tensor(Float32Array.from(v), shapes[k]);
      t.requiresGrad = true;
      return t;
    });
    const outLength = ref(...inputs).length;
    const r = weightsFor(outLength);
    const objective = (xs: Float64Array[]) => ref(...xs).reduce((s, v, i) => s + r[i] * v, 0);
    const loss = tm.tidy(() => {
      const y = f(...params);
      return y.mul(tm.tensor(Float32Array.from(r), y.shape)).sum();
    });
    loss.backward();
    const h = 1e-6;
    for (let k = 0; k < inputs.length; k++) {
      const got = await params[k].grad!.data();
      const n = shapes[k][shapes[k].length - 1];
      for (let i = 0; i < inputs[k].length; i++) {
        const [row, col] = [Math.floor(i / n) % n, i % n];
        if (symmetric && col > row) continue;
        const step = (sign: number) =>
          inputs.map((v, q) => {
            const w = v.slice();
            if (q !== k) return w;
            w[i] += sign * h;
            if (symmetric && col !== row) w[i - (row - col) * n + (row - col)] += sign * h;
            return w;
          });
        const want = (objective(step(1)) - objective(step(-1))) / (2 * h);
        const g = symmetric && col !== row ? got[i] + got[i - (row - col) * n + (row - col)] : got[i];
        expect(Math.abs(g - want), `d/d input${k}[${i}]: got ${g}, want ${want} (seed ${SEED})`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(want)));
      }
    }
    loss.dispose();
    for (const p of params) {
      p.grad!.dispose();
      p.dispose();
    }
    expect(tm.memory().numTensors).toBe(before);
  }

  const n = 4;
  const solveRef = (count: number, k: number) => (a: Float64Array, b: Float64Array) => perMatrix(count, a, b, n, k, (am, bm) => gaussRef(am, n, bm, k).x);

  it('solve: dB = A⁻ᵀ·dX and dA = −dB·Xᵀ, summed over a broadcast batch axis of either', async () => {
    const a = batchOf(2, () => wellConditioned(n));
    const b = asF32(uniform(n * 3));
    await check([[2, n, n], [n, 3]], [a, b], (A, B) => tm.linalg.solve(A, B), solveRef(2, 3));
    await check([[n, n], [n]], [wellConditioned(n), asF32(uniform(n))], (A, B) => tm.linalg.solve(A, B), solveRef(1, 1));
    // A broadcast along B's batch instead: dA sums the two matrices' gradients.
    const twice = (v: Float64Array) => Float64Array.of(...v, ...v);
    await check([[n, n], [2, n, 2]], [wellConditioned(n), asF32(uniform(2 * n * 2))], (A, B) => tm.linalg.solve(A, B), (av, bv) => solveRef(2, 2)(twice(av), bv));
  });

  it('inv, det and slogdet', async () => {
    const a = batchOf(2, () => wellConditioned(n));
    const identity = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
    await check([[2, n, n]], [a], (A) => tm.linalg.inv(A), (av) => perMatrix(2, av, identity, n, n, (am, bm) => gaussRef(am, n, bm, n).x));
    await check([[2, n, n]], [a], (A) => tm.linalg.det(A), (av) => perMatrix(2, av, null, n, 0, (am) => [gaussRef(am, n, [], 0).det]));
    await check([[2, n, n]], [a], (A) => tm.linalg.slogdet(A).logAbsDet, (av) => perMatrix(2, av, null, n, 0, (am) => [Math.log(Math.abs(gaussRef(am, n, [], 0).det))]));
  });

  it('cholesky: symmetric (Murray 2016), from perturbations that keep A symmetric', async () => {
    const a = batchOf(2, () => positiveDefinite(n));
    await check([[2, n, n]], [a], (A) => tm.linalg.cholesky(A), (av) => perMatrix(2, av, null, n, 0, (am) => choleskyRef(am, n)), true);
  });
});
