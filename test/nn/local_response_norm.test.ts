// LocalResponseNorm (PyTorch's nn.LocalResponseNorm) against its definition
// computed here in float64: x / (k + α/size · Σ x²)^β, the sum over the
// channels from c − ⌊size/2⌋ to c + ⌊(size − 1)/2⌋ that exist. Fresh random
// data at odd shapes and window sizes (wider than the channels too); the
// gradient against central differences; save/load and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, size } from '../helpers/float64.js';

function lrnRef(x: ArrayLike<number>, shape: number[], n: number, alpha: number, beta: number, k: number): Float64Array {
  const [batch, c] = shape;
  const inner = size(shape.slice(2));
  const y = new Float64Array(x.length);
  const before = Math.floor(n / 2);
  for (let b = 0; b < batch; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < inner; p++) {
        let s = 0;
        for (let o = ch - before; o <= ch + n - 1 - before; o++) if (o >= 0 && o < c) s += x[(b * c + o) * inner + p] ** 2;
        const at = (b * c + ch) * inner + p;
        y[at] = x[at] / (k + (alpha / n) * s) ** beta;
      }
    }
  }
  return y;
}

describe.each(BACKENDS)('LocalResponseNorm on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [2, 7, 3, 5], n: 5, alpha: 1e-4, beta: 0.75, k: 1 }, // PyTorch's defaults
    { shape: [1, 3, 4], n: 2, alpha: 0.5, beta: 0.6, k: 2 }, // an even window: one more channel before than after
    { shape: [3, 4, 2, 1, 3], n: 9, alpha: 1.5, beta: 1.2, k: 0.5 }, // wider than the channels
    { shape: [2, 1, 5], n: 1, alpha: 2, beta: 0.5, k: 1 },
  ])('normalises $shape over $n channels (α $alpha, β $beta, k $k), and its gradient matches central differences', async ({ shape, n, alpha, beta, k }) => {
    const x = asF32(uniform(size(shape), -2, 2));
    const u = asF32(uniform(size(shape), -1, 1));
    const xt = tm.tensor(x, shape);
    xt.requiresGrad = true;
    const y = new tm.nn.LocalResponseNorm(n, { alpha, beta, k }).forward(xt);
    expect(y.shape).toEqual(shape);
    expectClose(await y.data(), lrnRef(x, shape, n, alpha, beta, k), tol);
    y.mul(tm.tensor(u, shape)).sum().backward();
    const x64 = Float64Array.from(x);
    const want = centralDifferences(x64, () => lrnRef(x64, shape, n, alpha, beta, k).reduce((s, v, i) => s + v * u[i], 0));
    expectClose(await xt.grad!.data(), want, tol);
  });

  it('saves and loads in a model: identical predictions', async () => {
    tm.setSeed(6);
    const m = new tm.nn.Sequential([new tm.nn.Conv2d(3, 6, 3), new tm.nn.ReLU(), new tm.nn.LocalResponseNorm(3, { alpha: 0.01, k: 2 })]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers[2]).toEqual({ type: 'LocalResponseNorm', size: 3, alpha: 0.01, beta: 0.75, k: 2 });
    const x = tm.randn([2, 3, 5, 5], { seed: 10 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
  });
});

describe('LocalResponseNorm', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuses bad settings and shapes, naming them', () => {
    expect(() => new tm.nn.LocalResponseNorm(0)).toThrow(new tm.ValueError('LocalResponseNorm: size must be a positive integer, got 0'));
    expect(() => new tm.nn.LocalResponseNorm(3, { beta: NaN })).toThrow(new tm.ValueError('LocalResponseNorm: beta must be a finite number, got NaN'));
    expect(() => new tm.nn.LocalResponseNorm(3, { kappa: 1 } as never)).toThrow(tm.ValueError);
    expect(() => tm.nn.localResponseNorm(tm.zeros([4, 5]), 3)).toThrow(new tm.ShapeError('localResponseNorm: x must be [batch, channels, ...] with at least one axis after the channels, got [4,5]'));
  });
});
