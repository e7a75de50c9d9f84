// cosineSimilarity, pairwiseDistance, cdist and normalize against PyTorch's
// formulas computed here in float64 — each norm clamped to ε on its own in
// the cosine, ε added to every difference in the distance, every pair of
// vectors by both of cdist's ways, the norm clamped to ε in normalize — on fresh random data at odd shapes, broadcast pairs
// included: the values, the gradients against central differences, the zero
// vector each ε is there for, and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { broadcastIndex } from '../helpers/distributions.js';
import { broadcast2, broadcastShape, centralDifferences, f64, size, unravel, type F64 } from '../helpers/float64.js';

/** The vectors of `shape` along `axis`: each vector's start and stride, in order of the result with that axis removed. */
function vectors(shape: readonly number[], axis: number): { n: number; starts: number[]; stride: number } {
  const at = axis < 0 ? axis + shape.length : axis;
  const [outer, n, inner] = [size(shape.slice(0, at)), shape[at], size(shape.slice(at + 1))];
  const starts: number[] = [];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) starts.push(o * n * inner + i);
  return { n, starts, stride: inner };
}

const pNormOf = (values: number[], p: number) => (p === Infinity ? Math.max(...values.map(Math.abs)) : values.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p));

/** a and b broadcast to one shape, in float64. */
const expanded = (a: F64, b: F64): [F64, F64] => [broadcast2(a, b, (x) => x), broadcast2(a, b, (_, y) => y)];

function cosineRef(a: F64, b: F64, axis: number, eps: number): Float64Array {
  const [x, y] = expanded(a, b);
  const { n, starts, stride } = vectors(x.shape, axis);
  return Float64Array.from(starts, (s) => {
    const [u, v] = [x, y].map((t) => Array.from({ length: n }, (_, k) => t.v[s + k * stride]));
    const [nu, nv] = [Math.max(pNormOf(u, 2), eps), Math.max(pNormOf(v, 2), eps)];
    return u.reduce((sum, ui, k) => sum + (ui / nu) * (v[k] / nv), 0);
  });
}

function distanceRef(a: F64, b: F64, p: number, eps: number): Float64Array {
  const [x, y] = expanded(a, b);
  const { n, starts, stride } = vectors(x.shape, -1);
  return Float64Array.from(starts, (s) => pNormOf(Array.from({ length: n }, (_, k) => x.v[s + k * stride] - y.v[s + k * stride] + eps), p));
}

function normalizeRef(a: F64, p: number, axis: number, eps: number): Float64Array {
  const out = new Float64Array(a.v.length);
  const { n, starts, stride } = vectors(a.shape, axis);
  for (const s of starts) {
    const norm = Math.max(pNormOf(Array.from({ length: n }, (_, k) => a.v[s + k * stride]), p), eps);
    for (let k = 0; k < n; k++) out[s + k * stride] = a.v[s + k * stride] / norm;
  }
  return out;
}

/** Tensors of a and b's values that require gradients. */
function leaves(a: F64, b: F64): [tm.Tensor, tm.Tensor] {
  const [at, bt] = [tm.tensor(a.v, a.shape), tm.tensor(b.v, b.shape)];
  at.requiresGrad = bt.requiresGrad = true;
  return [at, bt];
}

describe.each(BACKENDS)('cosineSimilarity, pairwiseDistance and normalize on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { a: [13, 7], b: [13, 7], axis: 1 },
    { a: [2, 5, 3], b: [2, 5, 3], axis: -1 },
    { a: [2, 5, 3], b: [2, 5, 3], axis: 0 },
    { a: [4, 1, 6], b: [3, 6], axis: -1 }, // broadcast to [4, 3, 6]
    { a: [1, 13], b: [1, 13], axis: 1 },
  ])('cosineSimilarity of $a and $b along $axis, and its gradients', async ({ a: aShape, b: bShape, axis }) => {
    const [a, b] = [f64(aShape, asF32(uniform(size(aShape), -2, 2))), f64(bShape, asF32(uniform(size(bShape), -2, 2)))];
    const [at, bt] = leaves(a, b);
    const y = tm.nn.cosineSimilarity(at, bt, { axis });
    const want = cosineRef(a, b, axis, 1e-8);
    expectClose(await y.data(), want, tol, 'cos');
    const r = asF32(uniform(want.length, -1, 1));
    y.mul(tm.tensor(r, y.shape)).sum().backward();
    const loss = () => cosineRef(a, b, axis, 1e-8).reduce((s, v, i) => s + v * r[i], 0);
    expectClose(await at.grad!.data(), centralDifferences(a.v, loss), tol, 'da');
    expectClose(await bt.grad!.data(), centralDifferences(b.v, loss), tol, 'db');
  });

  it('cosineSimilarity clamps each norm to ε on its own: a zero vector gives 0, one of norm below ε is divided by ε', async () => {
    const a = tm.tensor([[0, 0, 0], [3e-5, 4e-5, 0], [1, 2, 2]]);
    const b = tm.tensor([[1, 2, 3], [3, 4, 0], [0, 0, 1e-9]]);
    // Row 1: ‖a‖ = 5e-5 below ε = 1e-3: (a / ε)·(b / ‖b‖) = 5e-5·5 / (1e-3·5) = 0.05. Row 2: ‖b‖ = 1e-9 below either ε.
    expectClose(await tm.nn.cosineSimilarity(a, b, { epsilon: 1e-3 }).data(), [0, 0.05, (2 / 3) * (1e-9 / 1e-3)], 1e-5);
    expectClose(await tm.nn.cosineSimilarity(a, b).data(), [0, 1, (2 / 3) * (1e-9 / 1e-8)], 1e-5);
    // Clamping the product of the norms instead, as PyTorch did before 1.12, would give 2e-9 / max(3e-9, 1e-8) = 0.2 in row 2.
  });

  it.each([
    { a: [13, 7], b: [13, 7], p: 2 },
    { a: [13, 7], b: [13, 7], p: 1 },
    { a: [5, 1, 4], b: [3, 4], p: 3 }, // broadcast to [5, 3, 4]
    { a: [7], b: [7], p: 0.5 },
    { a: [2, 3, 5], b: [2, 3, 5], p: Infinity },
  ])('pairwiseDistance of $a and $b with p $p, ε added to each difference, and its gradients', async ({ a: aShape, b: bShape, p }) => {
    const [a, b] = [f64(aShape, asF32(uniform(size(aShape), -2, 2))), f64(bShape, asF32(uniform(size(bShape), -2, 2)))];
    const eps = 1e-2; // large enough that where it goes shows
    const [at, bt] = leaves(a, b);
    const y = tm.nn.pairwiseDistance(at, bt, { p, epsilon: eps });
    const want = distanceRef(a, b, p, eps);
    expectClose(await y.data(), want, tol, 'd');
    const kept = tm.nn.pairwiseDistance(at, bt, { p, epsilon: eps, keepDims: true });
    expect(kept.shape).toEqual([...y.shape, 1]);
    const r = asF32(uniform(want.length, -1, 1));
    y.mul(tm.tensor(r, y.shape)).sum().backward();
    const loss = () => distanceRef(a, b, p, eps).reduce((s, v, i) => s + v * r[i], 0);
    expectClose(await at.grad!.data(), centralDifferences(a.v, loss), p < 1 ? 1e-3 : tol, 'da');
    expectClose(await bt.grad!.data(), centralDifferences(b.v, loss), p < 1 ? 1e-3 : tol, 'db');
  });

  it('pairwiseDistance of equal vectors is ε·n^(1/p) (1e-6 by default), not 0', async () => {
    const x = tm.tensor(asF32(uniform(12, -1, 1)), [3, 4]);
    expectClose(await tm.nn.pairwiseDistance(x, x).data(), [2e-6, 2e-6, 2e-6], 1e-5);
    expectClose(await tm.nn.pairwiseDistance(x, x, { p: 1, epsilon: 0.5 }).data(), [2, 2, 2], 1e-6);
  });

  it.each([
    { shape: [13, 7], p: 2, axis: 1 },
    { shape: [3, 5, 2], p: 1, axis: 1 },
    { shape: [3, 5, 2], p: 3, axis: -1 },
    { shape: [7], p: 2, axis: 0 },
    { shape: [4, 6], p: Infinity, axis: 0 },
  ])('normalize $shape to unit $p-norm along $axis, and its gradient', async ({ shape, p, axis }) => {
    const x = f64(shape, asF32(uniform(size(shape), -2, 2)));
    const xt = tm.tensor(x.v, shape);
    xt.requiresGrad = true;
    const y = tm.nn.normalize(xt, { p, axis });
    expectClose(await y.data(), normalizeRef(x, p, axis, 1e-12), tol, 'y');
    const r = asF32(uniform(x.v.length, -1, 1));
    y.mul(tm.tensor(r, shape)).sum().backward();
    const loss = () => normalizeRef(x, p, axis, 1e-12).reduce((s, v, i) => s + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x.v, loss), tol, 'dx');
  });

  it('normalize leaves a zero vector zero, and divides one of norm below ε by ε (no gradient through the clamped norm)', async () => {
    const x = tm.tensor([[0, 0], [3e-4, 4e-4], [3, 4]]);
    x.requiresGrad = true;
    const y = tm.nn.normalize(x, { epsilon: 1e-3 });
    expectClose(await y.data(), [0, 0, 0.3, 0.4, 0.6, 0.8], 1e-6);
    y.sum().backward();
    // Rows 0 and 1 are x / ε: a gradient of 1/ε each. Row 2: (I − ŷŷᵀ)/‖x‖ · 1.
    expectClose(await x.grad!.data(), [1e3, 1e3, 1e3, 1e3, (1 - 0.6 * 1.4) / 5, (1 - 0.8 * 1.4) / 5], 1e-5);
  });
});

describe('cosineSimilarity, pairwiseDistance and normalize', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse shapes that do not broadcast, a bad axis, p, epsilon and int tensors, naming them', () => {
    const [a, b] = [tm.zeros([2, 3]), tm.zeros([2, 4])];
    expect(() => tm.nn.cosineSimilarity(a, b)).toThrow(new tm.ShapeError('cosineSimilarity: shapes [2,3] and [2,4] cannot be broadcast together (axis 1: 3 vs 4)'));
    expect(() => tm.nn.cosineSimilarity(a, a, { axis: 2 })).toThrow(new tm.ShapeError('cosineSimilarity: axis 2 is out of range for a tensor of rank 2'));
    expect(() => tm.nn.cosineSimilarity(a, a, { epsilon: -1 })).toThrow(new tm.ValueError('cosineSimilarity: epsilon must be a finite number ≥ 0, got -1'));
    expect(() => tm.nn.cosineSimilarity(a, a, { eps: 1 } as unknown as tm.nn.CosineSimilarityOptions)).toThrow(/unknown option "eps" \(did you mean epsilon\?\)/);
    expect(() => tm.nn.cosineSimilarity(tm.zeros([2], { dtype: 'i32' }), tm.zeros([2]))).toThrow(new tm.DTypeError('cosineSimilarity: a must be f32 or f16, got i32'));
    expect(() => tm.nn.pairwiseDistance(a, b)).toThrow(new tm.ShapeError('pairwiseDistance: shapes [2,3] and [2,4] cannot be broadcast together (axis 1: 3 vs 4)'));
    expect(() => tm.nn.pairwiseDistance(a, a, { p: 0 })).toThrow(new tm.ValueError('pairwiseDistance: p must be a number > 0 or Infinity, got 0'));
    expect(() => tm.nn.pairwiseDistance(tm.scalar(1), tm.scalar(2))).toThrow(new tm.ValueError('pairwiseDistance: a and b are scalars; the vectors lie along the last axis'));
    expect(() => tm.nn.normalize(a, { p: -2 })).toThrow(new tm.ValueError('normalize: p must be a number > 0 or Infinity, got -2'));
    expect(() => tm.nn.normalize(a, { axis: -3 })).toThrow(new tm.ShapeError('normalize: axis -3 is out of range for a tensor of rank 2'));
    expect(() => tm.nn.normalize(tm.zeros([2], { dtype: 'i8' }))).toThrow(new tm.DTypeError('normalize: x must be f32 or f16, got i8'));
  });

  it('leave nothing behind', () => {
    const [a, b] = [tm.randn([4, 5], { seed: 1 }), tm.randn([4, 5], { seed: 2 })];
    const run = () => tm.noGrad(() => [tm.nn.cosineSimilarity(a, b), tm.nn.pairwiseDistance(a, b, { p: 3 }), tm.nn.normalize(a, { p: 1 })].forEach((t) => t.dispose()));
    run();
    const before = tm.memory().numTensors;
    run();
    expect(tm.memory().numTensors).toBe(before);
  });
});

/** torch.cdist in float64: every vector of x1 [..., P, M] against every one of x2 [..., R, M], the batch axes broadcast. */
function cdistRef(x1: F64, x2: F64, p: number): F64 {
  const [P, M] = x1.shape.slice(-2);
  const R = x2.shape[x2.shape.length - 2];
  const [batch1, batch2] = [x1.shape.slice(0, -2), x2.shape.slice(0, -2)];
  const batch = broadcastShape(batch1, batch2)!;
  const out = new Float64Array(size(batch) * P * R);
  for (let b = 0; b < size(batch); b++) {
    const at = unravel(b, batch);
    const [o1, o2] = [broadcastIndex(at, batch1) * P * M, broadcastIndex(at, batch2) * R * M];
    for (let i = 0; i < P; i++) {
      for (let j = 0; j < R; j++) {
        const d = Array.from({ length: M }, (_, k) => x1.v[o1 + i * M + k] - x2.v[o2 + j * M + k]);
        out[(b * P + i) * R + j] = p === 0 ? d.filter((v) => v !== 0).length : pNormOf(d, p);
      }
    }
  }
  return { shape: [...batch, P, R], v: out };
}

describe.each(BACKENDS)('cdist on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { x1: [7, 5], x2: [9, 5], p: 2, mode: 'direct' },
    { x1: [7, 5], x2: [9, 5], p: 2, mode: 'matmul' },
    { x1: [30, 3], x2: [4, 3], p: 2, mode: 'auto' }, // 30 > 25: by matmul
    { x1: [2, 1, 3, 4], x2: [3, 6, 4], p: 2, mode: 'matmul' }, // batches [2, 1] and [3] broadcast to [2, 3]
    { x1: [2, 1, 3, 4], x2: [3, 6, 4], p: 1, mode: 'auto' },
    { x1: [6, 13], x2: [1, 13], p: 3, mode: 'auto' },
    { x1: [5, 4], x2: [6, 4], p: 0.5, mode: 'auto' },
    { x1: [3, 5, 2], x2: [3, 4, 2], p: Infinity, mode: 'auto' },
  ] as const)('$x1 against $x2, p $p, $mode: the distances and their gradients', async ({ x1: s1, x2: s2, p, mode }) => {
    const [a, b] = [f64([...s1], asF32(uniform(size(s1), -2, 2))), f64([...s2], asF32(uniform(size(s2), -2, 2)))];
    const [at, bt] = leaves(a, b);
    const y = tm.cdist(at, bt, { p, computeMode: mode });
    const want = cdistRef(a, b, p);
    expect(y.shape).toEqual(want.shape);
    // The matmul form loses digits to cancellation in ‖a‖² + ‖b‖² − 2a·b: compared at the scale of the norms.
    const byMatmul = p === 2 && mode !== 'direct';
    expectClose(await y.data(), want.v, byMatmul ? 1e-4 : tol, 'cdist', byMatmul ? want.v.map(() => 8) : undefined);
    const r = asF32(uniform(want.v.length, -1, 1));
    y.mul(tm.tensor(r, y.shape)).sum().backward();
    const loss = () => cdistRef(a, b, p).v.reduce((s, v, i) => s + v * r[i], 0);
    const gradTol = p < 1 ? 1e-3 : byMatmul ? 1e-3 : tol;
    expectClose(await at.grad!.data(), centralDifferences(a.v, loss), gradTol, 'dx1');
    expectClose(await bt.grad!.data(), centralDifferences(b.v, loss), gradTol, 'dx2');
  });

  it('p 0 counts the coordinates that differ, with no gradient', async () => {
    const x1 = tm.tensor([[1, 2, 3], [0, 0, 0]]);
    const x2 = tm.tensor([[1, 2, 4], [0, 5, 0], [1, 2, 3]]);
    expect(await tm.cdist(x1, x2, { p: 0 }).array()).toEqual([[1, 3, 0], [3, 1, 3]]);
  });

  it('a vector\'s distance to itself is 0 with gradient 0 directly, and near 0 (gradient 0) through the matmul', async () => {
    const x = tm.tensor(asF32(uniform(12, -1, 1)), [4, 3]);
    x.requiresGrad = true;
    const direct = tm.cdist(x, x, { computeMode: 'direct' });
    expectClose(await tm.diagonal(direct).data(), [0, 0, 0, 0], 0);
    tm.diagonal(direct).sum().backward();
    expectClose(await x.grad!.data(), new Float64Array(12), 0, 'direct gradient');
    x.grad = null;
    const byMatmul = tm.cdist(x, x, { computeMode: 'matmul' });
    expectClose(await tm.diagonal(byMatmul).data(), [0, 0, 0, 0], 2e-3);
    tm.diagonal(byMatmul).sum().backward();
    for (const g of await x.grad!.data()) expect(Math.abs(g)).toBeLessThan(2);
  });

  it('keeps f16 in f16, and works it through the matmul in f32', async () => {
    const [a, b] = [f64([30, 4], asF16(uniform(120, -1, 1))), f64([5, 4], asF16(uniform(20, -1, 1)))];
    const y = tm.cdist(tm.tensor(a.v, a.shape, { dtype: 'f16' }), tm.tensor(b.v, b.shape, { dtype: 'f16' }));
    expect(y.dtype).toBe('f16');
    expectClose(await y.data(), cdistRef(a, b, 2).v, 2e-2, 'f16', new Array(150).fill(4));
  });
});

describe('cdist', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuses vectors of different lengths, batches that do not broadcast, a bad p or mode and ints, naming them', () => {
    expect(() => tm.cdist(tm.zeros([3, 4]), tm.zeros([2, 5]))).toThrow(new tm.ShapeError('cdist: x1 and x2 must be [..., P, M] and [..., R, M] (vectors of one length M), got [3,4] and [2,5]'));
    expect(() => tm.cdist(tm.zeros([4]), tm.zeros([2, 4]))).toThrow(/cdist: x1 and x2 must be \[\.\.\., P, M\]/);
    expect(() => tm.cdist(tm.zeros([2, 3, 4]), tm.zeros([5, 2, 4]))).toThrow(new tm.ShapeError('cdist: shapes [2] and [5] cannot be broadcast together (axis 0: 2 vs 5)'));
    expect(() => tm.cdist(tm.zeros([3, 4]), tm.zeros([3, 4]), { p: -1 })).toThrow(new tm.ValueError('cdist: p must be a number > 0 or Infinity, got -1'));
    expect(() => tm.cdist(tm.zeros([3, 4]), tm.zeros([3, 4]), { computeMode: 'mm' as tm.CdistComputeMode })).toThrow(new tm.ValueError('cdist: computeMode must be \'auto\', \'matmul\' or \'direct\', got "mm"'));
    expect(() => tm.cdist(tm.zeros([3, 4], { dtype: 'i32' }), tm.zeros([3, 4]))).toThrow(new tm.DTypeError('cdist: x1 must be f32 or f16, got i32'));
  });

  it('leaves nothing behind', () => {
    const [a, b] = [tm.randn([30, 5], { seed: 1 }), tm.randn([4, 5], { seed: 2 })];
    const run = () => tm.noGrad(() => [tm.cdist(a, b), tm.cdist(a, b, { p: 1 }), tm.cdist(a, b, { p: 0 })].forEach((t) => t.dispose()));
    run();
    const before = tm.memory().numTensors;
    run();
    expect(tm.memory().numTensors).toBe(before);
  });
});

/** torch.pdist in float64: the distance of every row pair i < j of x [n, m], in row-major order. */
function pdistRef(x: F64, p: number): Float64Array {
  const [n, m] = x.shape;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Array.from({ length: m }, (_, k) => x.v[i * m + k] - x.v[j * m + k]);
      out.push(p === 0 ? d.filter((v) => v !== 0).length : pNormOf(d, p));
    }
  }
  return Float64Array.from(out);
}

/** torch.dist in float64: the p-norm of a − b broadcast, flattened. */
function distRef(a: F64, b: F64, p: number): number {
  const d = Array.from(broadcast2(a, b, (x, y) => x - y).v);
  if (p === 0) return d.filter((v) => v !== 0).length;
  if (p === -Infinity) return Math.min(...d.map(Math.abs));
  return pNormOf(d, p);
}

describe.each(BACKENDS)('pdist and dist on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  // torch.pdist(x, p) of these rows and the gradient of its sum (PyTorch 1.13, float64): a repeated row's distance 0, its gradient 0.
  it.each([
    { p: 2, d: [0, 3.31662479, 3.31662479], g: [0.30151134, 0.90453403, 0.30151134, 0.30151134, 0.90453403, 0.30151134, -0.60302269, -1.80906807, -0.60302269] },
    { p: 3, d: [0, 3.07231683, 3.07231683], g: [0.10594196, 0.95347764, 0.10594196, 0.10594196, 0.95347764, 0.10594196, -0.21188392, -1.90695527, -0.21188392] },
    { p: 1, d: [0, 5, 5], g: [1, 1, 1, 1, 1, 1, -2, -2, -2] },
    { p: Infinity, d: [0, 3, 3], g: [0, 1, 0, 0, 1, 0, 0, -2, 0] },
    { p: 0.5, d: [0, 13.92820323, 13.92820323], g: [3.73205081, 2.15470054, 3.73205081, 3.73205081, 2.15470054, 3.73205081, -7.46410162, -4.30940108, -7.46410162] },
    { p: 0, d: [0, 3, 3], g: [0, 0, 0, 0, 0, 0, 0, 0, 0] },
  ])('pdist with p $p gives PyTorch\'s distances and gradients, 0 for a repeated row', async ({ p, d, g }) => {
    const x = tm.tensor([[1, 2, 3], [1, 2, 3], [0, -1, 2]]);
    x.requiresGrad = true;
    const y = tm.pdist(x, p);
    expectClose(await y.data(), d, tol, 'pdist');
    // p 0 counts: no gradient (PyTorch's is 0).
    if (p === 0) return expect(y.requiresGrad).toBe(false);
    y.sum().backward();
    expectClose(await x.grad!.data(), g, tol, 'dx');
  });

  it.each([2, 1, 3, 0.5, Infinity, 0])('pdist of [9, 4] with p %s: every pair i < j in row-major order, and its gradient', async (p) => {
    const x = f64([9, 4], asF32(uniform(36, -2, 2)));
    const xt = tm.tensor(x.v, x.shape);
    xt.requiresGrad = true;
    const y = tm.pdist(xt, p);
    const want = pdistRef(x, p);
    expect(y.shape).toEqual([36]);
    expectClose(await y.data(), want, tol, 'pdist');
    if (p === 0) return;
    const r = asF32(uniform(want.length, -1, 1));
    y.mul(tm.tensor(r, y.shape)).sum().backward();
    const loss = () => pdistRef(x, p).reduce((s, v, i) => s + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x.v, loss), p < 1 ? 1e-3 : tol, 'dx');
  });

  it('pdist works each pair directly (exact past 25 rows, where cdist would take the matmul), keeps f16, and gives [0] for fewer than 2 rows', async () => {
    const rows = asF32(uniform(40 * 3, -1, 1));
    rows.copyWithin(3, 0, 3); // rows 0 and 1 equal
    const y = await tm.pdist(tm.tensor(rows, [40, 3])).data();
    expect([y.length, y[0]]).toEqual([780, 0]);
    expectClose(y, pdistRef(f64([40, 3], rows), 2), tol, 'pdist [40, 3]');
    const half = tm.pdist(tm.tensor([[0, 0], [3, 4], [6, 8]], [3, 2], { dtype: 'f16' }));
    expect([half.dtype, await half.array()]).toEqual(['f16', [5, 10, 5]]);
    for (const shape of [[1, 3], [0, 3]]) expect(tm.pdist(tm.zeros(shape)).shape).toEqual([0]);
  });

  // torch.dist([[1, 2], [3, -4]], [0.5, 1], p) (PyTorch 1.13, float32).
  it.each([
    [2, 5.70087719], [1, 9], [0, 4], [3, 5.21404028], [Infinity, 5], [-Infinity, 0.5], [-1, 0.27777776], [0.5, 30.51804352],
  ])('dist with p %s gives PyTorch\'s %s', async (p, want) => {
    const y = tm.dist(tm.tensor([[1, 2], [3, -4]]), tm.tensor([0.5, 1]), p);
    expect(y.shape).toEqual([]);
    expectClose(await y.data(), [want], tol, 'dist');
  });

  it.each([2, 1, 3, Infinity, -Infinity, 0.5])('dist of [3, 1, 4] and [5, 4] broadcast, p %s, and its gradients', async (p) => {
    const [a, b] = [f64([3, 1, 4], asF32(uniform(12, -2, 2))), f64([5, 4], asF32(uniform(20, -2, 2)))];
    const [at, bt] = leaves(a, b);
    const y = tm.dist(at, bt, p);
    expectClose(await y.data(), [distRef(a, b, p)], tol, 'dist');
    y.mul(0.75).backward();
    const loss = () => 0.75 * distRef(a, b, p);
    const gradTol = p < 1 ? 1e-3 : tol;
    expectClose(await at.grad!.data(), centralDifferences(a.v, loss), gradTol, 'da');
    expectClose(await bt.grad!.data(), centralDifferences(b.v, loss), gradTol, 'db');
  });

  it('dist of equal tensors is 0 with gradient 0, and an entry that does not differ gets gradient 0, as PyTorch\'s', async () => {
    for (const p of [2, 3, 1, 0.5]) {
      const a = tm.tensor([1, -2, 3]);
      a.requiresGrad = true;
      const y = tm.dist(a, tm.tensor([1, -2, 3]), p);
      expect(await y.array()).toBe(0);
      y.backward();
      expect(Array.from(await a.grad!.data()), `p ${p}`).toEqual([0, 0, 0]);
    }
    // torch.dist([0, 1], [0, 0], p).backward() and torch.pdist([[0, 0], [0, 1], [0, 1]], p).sum().backward() (PyTorch 1.13): 0 where nothing differs.
    for (const p of [0.5, 3, 2, Infinity]) {
      const a = tm.tensor([0, 1]);
      a.requiresGrad = true;
      tm.dist(a, tm.zeros([2]), p).backward();
      expect(Array.from(await a.grad!.data()), `dist p ${p}`).toEqual([0, 1]);
      const x = tm.tensor([[0, 0], [0, 1], [0, 1]]);
      x.requiresGrad = true;
      tm.pdist(x, p).sum().backward();
      expectClose(await x.grad!.data(), [0, -2, 0, 1, 0, 1], tol, `pdist p ${p}`);
    }
    // A negative p keeps 0ᵖ = ∞: a zero difference makes the norm 0 (torch.dist(a, a + [0, 1], -1) is 0).
    expect(await tm.dist(tm.tensor([1, 2]), tm.tensor([1, 3]), -1).array()).toBe(0);
  });
});

describe('pdist and dist', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse shapes, p and dtypes they cannot take, naming them', () => {
    expect(() => tm.pdist(tm.zeros([3]))).toThrow(new tm.ShapeError('pdist: x must be [n, m] (n vectors of length m), got [3]'));
    expect(() => tm.pdist(tm.zeros([2, 3, 4]))).toThrow(/pdist: x must be \[n, m\]/);
    expect(() => tm.pdist(tm.zeros([3, 2]), -1)).toThrow(new tm.ValueError('pdist: p must be a number ≥ 0 or Infinity, got -1'));
    expect(() => tm.pdist(tm.zeros([3, 2]), NaN)).toThrow(/pdist: p must be a number ≥ 0/);
    expect(() => tm.pdist(tm.zeros([3, 2], { dtype: 'i32' }))).toThrow(new tm.DTypeError('pdist: x must be f32 or f16, got i32'));
    expect(() => tm.pdist([[1]] as never)).toThrow(/pdist: x must be a Tensor/);
    expect(() => tm.dist(tm.zeros([3]), tm.zeros([4]))).toThrow(/dist: shapes \[3\] and \[4\] cannot be broadcast together/);
    expect(() => tm.dist(tm.zeros([3]), tm.zeros([3]), NaN)).toThrow(new tm.ValueError('dist: p must be a number or ±Infinity, got NaN'));
    expect(() => tm.dist(tm.zeros([3]), tm.zeros([3], { dtype: 'i8' }))).toThrow(new tm.DTypeError('dist: b must be f32 or f16, got i8'));
    expect(() => tm.dist(tm.zeros([3]), 1 as never)).toThrow(/dist: b must be a Tensor/);
  });

  it('leave nothing behind', () => {
    const [x, zero] = [tm.randn([6, 3], { seed: 1 }), tm.zeros([3])];
    const run = () => tm.noGrad(() => [tm.pdist(x), tm.pdist(x, 3), tm.pdist(x, 0), tm.dist(x, x), tm.dist(x, zero, -Infinity), tm.dist(x, zero, -1)].forEach((t) => t.dispose()));
    run();
    const before = tm.memory().numTensors;
    run();
    expect(tm.memory().numTensors).toBe(before);
  });
});
