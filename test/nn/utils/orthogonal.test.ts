// tm.nn.utils.orthogonal / removeOrthogonal (PyTorch's
// parametrizations.orthogonal): a weight computed as the first columns of
// base·Q(A), A the skew-symmetric part of the parameter's lower triangle and
// Q its exponential or Cayley transform, checked against float64 written here
// (test/helpers/linalg.ts's Taylor-series exponential and Gauss–Jordan
// inverse) for tall, wide, square and batched weights; orthogonal from the
// start (the original weight's orthogonalisation) and after optimizer steps;
// removal bakes the weight in. On every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { expm64, householderQr, inverse64, matmul64, transpose64 } from '../../helpers/linalg.js';

const LAYERS = [
  { what: 'Dense(7, 4), a tall weight', make: () => new tm.nn.Dense(7, 4), input: [3, 7] },
  { what: 'Dense(3, 5), a wide weight', make: () => new tm.nn.Dense(3, 5), input: [3, 3] },
  { what: 'Dense(4, 4)', make: () => new tm.nn.Dense(4, 4), input: [2, 4] },
  { what: 'Conv2d(2, 3, 3), a batch of 3 × 3 matrices', make: () => new tm.nn.Conv2d(2, 3, 3), input: [1, 2, 5, 5] },
] as const;

/** The matrices of w (last two axes n × k), each turned tall (transposed where n < k), and back. */
function eachTall(w: ArrayLike<number>, shape: readonly number[], f: (m: Float64Array, long: number, short: number) => Float64Array): Float64Array {
  const [n, k] = shape.slice(-2);
  const [long, short] = [Math.max(n, k), Math.min(n, k)];
  const out = new Float64Array(w.length);
  for (let at = 0; at < w.length; at += n * k) {
    const m = Float64Array.from(w).subarray(at, at + n * k);
    const tall = n < k ? transpose64(m, n, k) : m;
    const r = f(tall, long, short);
    out.set(n < k ? transpose64(r, long, short) : r, at);
  }
  return out;
}

/** Q·diag(sign(diag R)) of the Householder QR of a tall m [long, short]. */
function orthonormalised(m: Float64Array, long: number, short: number): Float64Array {
  const { q, r } = householderQr(m, long, short);
  return q.map((v, e) => v * Math.sign(r[(e % short) * short + (e % short)] || 1));
}

/** The largest |entry| of MᵀM − I for the tall matrices of w. */
function orthogonalityError(w: ArrayLike<number>, shape: readonly number[]): number {
  let worst = 0;
  eachTall(w, shape, (m, long, short) => {
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

  it.each(LAYERS.flatMap((l) => (['matrixExp', 'cayley'] as const).map((map) => ({ ...l, map }))))('$what, $map: starts as the weight orthogonalised, and computes base·Q(A) from a new parameter', async ({ make, input, map }) => {
    const layer = make();
    const shape = [...layer.weight.shape];
    const [n, k] = shape.slice(-2);
    const [long, short] = [Math.max(n, k), Math.min(n, k)];
    const w = Float64Array.from(await layer.weight.data());
    const original = layer.weight;
    const o = tm.nn.utils.orthogonal(layer, { map, seed: 3 });
    expect(o.weightOriginal).toBe(original);
    expect(Array.from(await original.data()).every((v) => v === 0)).toBe(true);
    expect(o.weightBase.shape).toEqual([...shape.slice(0, -2), long, long]);
    expect(Object.keys(layer.namedParameters())).toEqual(['weightOriginal', 'bias']);
    expect(Object.keys(layer.namedBuffers())).toEqual(['weightBase']);
    expectClose(await layer.weight.data(), eachTall(w, shape, orthonormalised), 1e-5, 'the initial weight');
    // A new parameter X: the weight is the first columns of base·Q(tril₋₁(X) − tril₋₁(X)ᵀ), and the output follows.
    const x = uniform(original.size, -0.5, 0.5).map(Math.fround);
    original.assign(tm.tensor(x, shape));
    const y = layer.forward(tm.randn([...input]));
    const base = Float64Array.from(await o.weightBase.data());
    let matrix = 0;
    const want = eachTall(x, shape, (m) => {
      const a = new Float64Array(long * long);
      for (let i = 0; i < long; i++) for (let j = 0; j < Math.min(i, short); j++) [a[i * long + j], a[j * long + i]] = [m[i * short + j], -m[i * short + j]];
      const identity = Float64Array.from({ length: long * long }, (_, e) => (e % (long + 1) === 0 ? 1 : 0));
      const q = map === 'matrixExp' ? expm64(a, long) : matmul64(inverse64(identity.map((v, e) => v - a[e] / 2), long), identity.map((v, e) => v + a[e] / 2), long, long, long);
      const full = matmul64(base.subarray(matrix * long * long, (matrix + 1) * long * long), q, long, long, long);
      matrix++;
      return Float64Array.from({ length: long * short }, (_, e) => full[Math.floor(e / short) * long + (e % short)]);
    });
    expectClose(await layer.weight.data(), want, 1e-5, 'the computed weight', want.map(() => 1));
    expect(orthogonalityError(await layer.weight.data(), shape)).toBeLessThanOrEqual(1e-5);
    y.dispose();
    layer.dispose();
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
    expect(() => tm.nn.utils.orthogonal(layer, { map: 'householder' as never })).toThrow("orthogonal: map must be 'matrixExp' or 'cayley', got \"householder\"");
    tm.nn.utils.orthogonal(layer);
    expect(() => tm.nn.utils.weightNorm(layer)).toThrow('weightNorm: weight of Dense is already reparametrized by orthogonal; removeOrthogonal first');
    expect(() => tm.nn.utils.removeWeightNorm(layer)).toThrow('removeWeightNorm: weight of Dense is reparametrized by orthogonal, not weightNorm');
    await expect(new tm.nn.Sequential([layer]).toBytes()).rejects.toThrow('save: the weight of a Dense is under tm.nn.utils.orthogonal, which a model file does not record: removeOrthogonal first');
  });
});
