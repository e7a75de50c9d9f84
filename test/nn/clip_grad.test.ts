import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

/** Parameters with the given gradients set (no graph: gradients as an optimizer finds them). */
function withGradients(values: Float64Array[], shapes: number[][], dtype: 'f32' | 'f16' = 'f32'): tm.Tensor[] {
  return values.map((v, i) => {
    const p = tm.zeros(shapes[i], { dtype });
    p.requiresGrad = true;
    p.grad = tm.tensor(v, shapes[i], { dtype });
    return p;
  });
}

describe.each(BACKENDS)('clipGradNorm on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('scales every gradient by maxNorm / (norm + 1e-6) when their joint norm is above maxNorm, and returns the norm before', async () => {
    const shapes = [[7, 13], [13], [3, 1, 5]];
    const values = shapes.map((s) => uniform(s.reduce((a, b) => a * b, 1)).map(Math.fround));
    const norm = Math.sqrt(values.reduce((t, v) => t + v.reduce((s, x) => s + x * x, 0), 0));
    const params = withGradients(values, shapes);
    const got = tm.nn.clipGradNorm(params, 1.5);
    expect(got.shape).toEqual([]);
    expectClose(await got.data(), [norm], 1e-6);
    const scale = 1.5 / (norm + 1e-6);
    for (const [i, p] of params.entries()) expectClose(await p.grad!.data(), values[i].map((x) => x * scale), 1e-6);
    // Below the bound: unchanged (the coefficient is clamped at 1).
    const small = withGradients([Float64Array.from([0.3, -0.4])], [[2]]);
    expectClose(await tm.nn.clipGradNorm(small, 1).data(), [0.5], 1e-6);
    expectClose(await small[0].grad!.data(), [0.3, -0.4], 1e-7);
  });

  it('with normType Infinity bounds the largest magnitude; skips parameters without a gradient; computes an f16 gradient\'s norm in f32', async () => {
    const params = withGradients([Float64Array.from([1, -4]), Float64Array.from([2, 3])], [[2], [2]]);
    const bare = tm.zeros([3]);
    bare.requiresGrad = true;
    expectClose(await tm.nn.clipGradNorm([...params, bare], 2, { normType: Infinity }).data(), [4], 0);
    expectClose(await params[0].grad!.data(), [0.5, -2], 1e-6);
    expect(bare.grad).toBeNull();
    // 300² overflows f16; the norm does not.
    const half = withGradients([Float64Array.from([300, 400])], [[2]], 'f16');
    expectClose(await tm.nn.clipGradNorm(half, 50).data(), [500], 1e-6);
    expect(half[0].grad!.dtype).toBe('f16');
    expectClose(await half[0].grad!.data(), [30, 40], 1e-3);
  });

  it('fit with clipGradNorm takes steps no longer than the bound allows', async () => {
    // One SGD step with lr 1 from zero weights moves them by exactly the (clipped) gradient.
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { bias: false })]);
    const w = (model.layers[0] as tm.nn.Dense).weight;
    w.assign(tm.zeros([3, 1]));
    const x = tm.tensor([[100, 200, -300]]);
    await model.fit(x, tm.tensor([[1000]]), { epochs: 1, batchSize: 1, loss: 'mse', optimizer: new tm.optim.SGD(model.parameters(), { lr: 1 }), clipGradNorm: 0.5, quiet: true });
    const step = Array.from(await w.data());
    expect(Math.hypot(...step)).toBeCloseTo(0.5, 5);
    // In the gradient's direction: −2·(0 − 1000)·x, normalised.
    expectClose(step, [100, 200, -300].map((v) => (0.5 * v) / Math.hypot(100, 200, 300)), 1e-5);
    model.dispose();
  });
});

describe('clipGradNorm refuses', () => {
  it('a bound or a norm it does not have, and parameters that are not tensors', async () => {
    await tm.init({ backend: 'js' });
    const p = withGradients([Float64Array.from([1])], [[1]]);
    expect(() => tm.nn.clipGradNorm(p, -1)).toThrow('clipGradNorm: maxNorm must be a finite number ≥ 0, got -1');
    expect(() => tm.nn.clipGradNorm(p, 1, { normType: 1 as 2 })).toThrow('clipGradNorm: normType must be 2 or Infinity, got 1');
    expect(() => tm.nn.clipGradNorm([1 as unknown as tm.Tensor], 1)).toThrow('clipGradNorm: parameters must be an array of tensors');
    const model = new tm.nn.Sequential([new tm.nn.Dense(1, 1)]);
    await expect(model.fit(tm.ones([2, 1]), tm.ones([2, 1]), { clipGradNorm: 0, quiet: true })).rejects.toThrow('fit: clipGradNorm must be a finite number > 0, got 0');
  });
});

describe.each(BACKENDS)('clipGradValue on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('clamps each gradient entry to [−clipValue, clipValue] in place, f16 too, NaN kept, parameters without a gradient left alone', async () => {
    for (const dtype of ['f32', 'f16'] as const) {
      const shapes = [[7, 13], [5]];
      const values = shapes.map((s) => uniform(s.reduce((a, b) => a * b, 1), -3, 3).map(Math.fround));
      values[1][2] = NaN;
      const params = withGradients(values, shapes, dtype);
      const bare = tm.zeros([2]);
      bare.requiresGrad = true;
      tm.nn.clipGradValue([...params, bare], 0.75);
      for (const [i, p] of params.entries()) {
        expect(p.grad!.dtype).toBe(dtype);
        const got = await p.grad!.data();
        const want = values[i].map((x) => (Number.isNaN(x) ? NaN : Math.min(0.75, Math.max(-0.75, x))));
        expectClose(got, want, dtype === 'f16' ? 1e-3 : 0);
      }
      expect(bare.grad).toBeNull();
    }
  });

  it('fit with clipGradValue steps each weight by at most the bound, and refuses a bound that is not > 0', async () => {
    // One SGD step with lr 1 from zero weights moves them by the clamped gradient: −2·(0 − 1000)·x, every entry past 0.25.
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { bias: false })]);
    const w = (model.layers[0] as tm.nn.Dense).weight;
    w.assign(tm.zeros([3, 1]));
    await model.fit(tm.tensor([[100, 200, -300]]), tm.tensor([[1000]]), { epochs: 1, batchSize: 1, loss: 'mse', optimizer: new tm.optim.SGD(model.parameters(), { lr: 1 }), clipGradValue: 0.25, quiet: true });
    expectClose(await w.data(), [0.25, 0.25, -0.25], 1e-6);
    await expect(model.fit(tm.ones([2, 3]), tm.ones([2, 1]), { clipGradValue: 0, quiet: true })).rejects.toThrow('fit: clipGradValue must be a finite number > 0, got 0');
    model.dispose();
    expect(() => tm.nn.clipGradValue([tm.zeros([1])], -1)).toThrow('clipGradValue: clipValue must be a finite number ≥ 0, got -1');
    expect(() => tm.nn.clipGradValue(tm.zeros([1]) as unknown as tm.Tensor[], 1)).toThrow('clipGradValue: parameters must be an array of tensors');
  });
});
