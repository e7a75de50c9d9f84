// tm.nn.utils.orthogonal / removeOrthogonal (PyTorch's
// parametrizations.orthogonal): a weight computed as the first columns of
// base·Q, Q the exponential or Cayley transform of the skew-symmetric part
// of the parameter's lower triangle, or the product of the Householder
// reflections below its diagonal, checked against float64 written here
// (test/helpers/linalg.ts's Taylor-series exponential, Gauss–Jordan inverse
// and reflections multiplied out) for tall, wide, square and batched
// weights, on the matrix PyTorch sees (a Dense's weight transposed);
// orthogonal from the start (the original weight's orthogonalisation) and
// after optimizer steps; removal bakes the weight in. On every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { expm64, householderProduct64, householderQr, inverse64, matmul64, transpose64 } from '../../helpers/linalg.js';

// `transposed`: PyTorch's matrix is the weight's transpose (a Linear's [out, in]), and orthogonal works on that.
const LAYERS = [
  { what: 'Dense(7, 4), a tall weight', make: () => new tm.nn.Dense(7, 4), input: [3, 7], transposed: true },
  { what: 'Dense(3, 5), a wide weight', make: () => new tm.nn.Dense(3, 5), input: [3, 3], transposed: true },
  { what: 'Dense(4, 4)', make: () => new tm.nn.Dense(4, 4), input: [2, 4], transposed: true },
  { what: 'Conv2d(2, 3, 3), a batch of 3 × 3 matrices', make: () => new tm.nn.Conv2d(2, 3, 3), input: [1, 2, 5, 5], transposed: false },
  { what: 'Conv1d(2, 3, 4), a batch of wide 2 × 4 matrices', make: () => new tm.nn.Conv1d(2, 3, 4), input: [1, 2, 6], transposed: false },
] as const;

/**
 * The matrices of w (last two axes of `shape`), each turned into the tall
 * matrix orthogonal works on (PyTorch's, made tall: transposed where exactly
 * one of `transposed` and PyTorch's n < k holds), and back.
 */
function eachTall(w: ArrayLike<number>, shape: readonly number[], transposed: boolean, f: (m: Float64Array, long: number, short: number) => Float64Array): Float64Array {
  const [rows, cols] = shape.slice(-2);
  const [n, k] = transposed ? [cols, rows] : [rows, cols];
  const [long, short] = [Math.max(n, k), Math.min(n, k)];
  const flip = transposed !== n < k;
  const out = new Float64Array(w.length);
  for (let at = 0; at < w.length; at += n * k) {
    const m = Float64Array.from(w).subarray(at, at + n * k);
    const r = f(flip ? transpose64(m, rows, cols) : m, long, short);
    out.set(flip ? transpose64(r, long, short) : r, at);
  }
  return out;
}

/** −I in each matrix of `shape` (its last two axes): the parameter orthogonal starts from. */
function negativeIdentity(shape: readonly number[]): number[] {
  const [rows, cols] = shape.slice(-2);
  return Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, e) => (Math.floor((e % (rows * cols)) / cols) === e % cols ? -1 : 0));
}

/** Q [long, short] of a tall X by `map`, in float64. */
function q64(x: Float64Array, long: number, short: number, map: 'matrixExp' | 'cayley' | 'householder'): Float64Array {
  if (map === 'householder') {
    const tau = Array.from({ length: short }, (_, j) => 2 / (1 + x.reduce((s, v, e) => s + (e % short === j && Math.floor(e / short) > j ? v * v : 0), 0)));
    const full = householderProduct64(x, long, short, tau);
    return Float64Array.from({ length: long * short }, (_, e) => full[Math.floor(e / short) * long + (e % short)] * Math.sign(x[(e % short) * short + (e % short)]));
  }
  const a = new Float64Array(long * long);
  for (let i = 0; i < long; i++) for (let j = 0; j < Math.min(i, short); j++) [a[i * long + j], a[j * long + i]] = [x[i * short + j], -x[i * short + j]];
  const identity = Float64Array.from({ length: long * long }, (_, e) => (e % (long + 1) === 0 ? 1 : 0));
  const q = map === 'matrixExp' ? expm64(a, long) : matmul64(inverse64(identity.map((v, e) => v - a[e] / 2), long), identity.map((v, e) => v + a[e] / 2), long, long, long);
  return Float64Array.from({ length: long * short }, (_, e) => q[Math.floor(e / short) * long + (e % short)]);
}

/** Q·diag(sign(diag R)) of the Householder QR of a tall m [long, short]. */
function orthonormalised(m: Float64Array, long: number, short: number): Float64Array {
  const { q, r } = householderQr(m, long, short);
  return q.map((v, e) => v * Math.sign(r[(e % short) * short + (e % short)] || 1));
}

/** The largest |entry| of MᵀM − I for the tall matrices of w. */
function orthogonalityError(w: ArrayLike<number>, shape: readonly number[]): number {
  let worst = 0;
  eachTall(w, shape, false, (m, long, short) => {
    const gram = matmul64(transpose64(m, long, short), m, short, long, short);
    gram.forEach((v, e) => (worst = Math.max(worst, Math.abs(v - (e % (short + 1) === 0 ? 1 : 0)))));
    return m;
  });
  return worst;
}

describe.each(BACKENDS)('tm.nn.utils.orthogonal on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(LAYERS.flatMap((l) => (['matrixExp', 'cayley', 'householder'] as const).map((map) => ({ ...l, map }))))('$what, $map: starts as the weight orthogonalised, and computes base·Q from a new parameter', async ({ make, input, map, transposed }) => {
    const layer = make();
    const shape = [...layer.weight.shape];
    const [n, k] = shape.slice(-2);
    const [long, short] = [Math.max(n, k), Math.min(n, k)];
    const w = Float64Array.from(await layer.weight.data());
    const original = layer.weight;
    const o = tm.nn.utils.orthogonal(layer, { map, seed: 3 });
    expect(o.weightOriginal).toBe(original);
    expect(Array.from(await original.data())).toEqual(negativeIdentity(shape));
    expect(o.weightBase.shape).toEqual([...shape.slice(0, -2), long, long]);
    expect(Object.keys(layer.namedParameters())).toEqual(['weightOriginal', 'bias']);
    expect(Object.keys(layer.namedBuffers())).toEqual(['weightBase']);
    expectClose(await layer.weight.data(), eachTall(w, shape, transposed, orthonormalised), 1e-5, 'the initial weight');
    // A new parameter X (its diagonal the ±1 Householder reads): the weight is the first columns of base·Q(X), and the output follows.
    const x = uniform(original.size, -0.5, 0.5).map(Math.fround).map((v, e) => (negativeIdentity(shape)[e] ? Math.sign(v) : v));
    original.assign(tm.tensor(x, shape));
    const y = layer.forward(tm.randn([...input]));
    const base = Float64Array.from(await o.weightBase.data());
    let matrix = 0;
    const want = eachTall(x, shape, transposed, (m) => {
      const full = matmul64(base.subarray(matrix * long * long, (matrix + 1) * long * long), q64(m, long, short, map), long, long, short);
      matrix++;
      return full;
    });
    expectClose(await layer.weight.data(), want, 1e-5, 'the computed weight', want.map(() => 1));
    expect(orthogonalityError(await layer.weight.data(), shape)).toBeLessThanOrEqual(1e-5);
    y.dispose();
    layer.dispose();
  });

  it("defaults to PyTorch's map: the matrix exponential for a square weight, Householder reflections for a rectangular one", async () => {
    for (const [inputs, units, map] of [[4, 4, 'matrixExp'], [6, 3, 'householder'], [2, 5, 'householder']] as const) {
      const x = uniform(inputs * units, -0.5, 0.5).map((v, e) => (negativeIdentity([inputs, units])[e] ? -1 : v));
      const [byDefault, chosen] = [undefined, map].map((m) => {
        const layer = tm.nn.utils.orthogonal(new tm.nn.Dense(inputs, units), { map: m, seed: 5 });
        layer.weightBase.assign(tm.eye(Math.max(inputs, units)));
        layer.weightOriginal.assign(tm.tensor(x, [inputs, units]));
        layer.forward(tm.zeros([1, inputs])).dispose();
        return layer;
      });
      expect(Array.from(await byDefault.weight.data()), `Dense(${inputs}, ${units})`).toEqual(Array.from(await chosen.weight.data()));
    }
  });

  it('stays orthogonal through Adam steps that lower a loss; memory flat; removeOrthogonal bakes the weight into a plain parameter', async () => {
    const layer = tm.nn.utils.orthogonal(new tm.nn.Dense(6, 3));
    const target = tm.randn([4, 3]);
    const x = tm.randn([4, 6]);
    const optimizer = new tm.optim.Adam(layer.parameters(), { lr: 0.05 });
    const loss = () => tm.tidy(() => layer.forward(x).sub(target).square().mean());
    const first = await loss().item();
    const step = () => {
      optimizer.zeroGrad();
      const l = loss();
      l.backward();
      optimizer.step();
      l.dispose();
    };
    // The first step makes Adam's state; from then on each step leaves memory as it found it.
    step();
    const before = await collected();
    for (let i = 0; i < 30; i++) step();
    expect(await collected()).toBe(before);
    expect(await loss().item()).toBeLessThan(first);
    const weight = await layer.weight.data();
    expect(orthogonalityError(weight, [6, 3])).toBeLessThanOrEqual(1e-5);
    const kept = layer.weightOriginal;
    tm.nn.utils.removeOrthogonal(layer);
    expect(layer.weight).toBe(kept);
    expect(Array.from(await layer.weight.data())).toEqual(Array.from(weight));
    expect(Object.keys(layer.namedParameters())).toEqual(['weight', 'bias']);
    expect('weightBase' in layer).toBe(false);
  });

  it('refuses a vector, an unknown map, a second reparametrization and saving, naming them', async () => {
    const layer = new tm.nn.Dense(3, 2);
    expect(() => tm.nn.utils.orthogonal(layer, { name: 'bias' })).toThrow('orthogonal: bias of Dense has shape [2]; an orthogonal weight is a matrix (or a batch of them)');
    expect(() => tm.nn.utils.orthogonal(layer, { map: 'qr' as never })).toThrow("orthogonal: map must be 'matrixExp', 'cayley' or 'householder', got \"qr\"");
    tm.nn.utils.orthogonal(layer);
    expect(() => tm.nn.utils.weightNorm(layer)).toThrow('weightNorm: weight of Dense is already reparametrized by orthogonal; removeOrthogonal first');
    expect(() => tm.nn.utils.removeWeightNorm(layer)).toThrow('removeWeightNorm: weight of Dense is reparametrized by orthogonal, not weightNorm');
    await expect(new tm.nn.Sequential([layer]).toBytes()).rejects.toThrow('save: the weight of a Dense is under tm.nn.utils.orthogonal, which a model file does not record: removeOrthogonal first');
  });
});
