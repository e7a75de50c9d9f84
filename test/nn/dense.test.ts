// linear, the function (PyTorch's F.linear, weight [out, in]), against
// x·Wᵀ + b worked here in float64 at odd sizes and batch shapes, with and
// without a bias: values and gradients to all three; errors by name. (The
// Dense layer is tested in layers.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, size } from '../helpers/float64.js';

function linearRef(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | undefined, out: number, inputs: number): Float64Array {
  const rows = x.length / inputs;
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < out; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inputs; i++) s += x[r * inputs + i] * w[o * inputs + i];
      y[r * out + o] = s;
    }
  }
  return y;
}

describe.each(BACKENDS)('linear on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { batch: [5], inputs: 7, out: 3, bias: true },
    { batch: [2, 3], inputs: 13, out: 9, bias: false },
    { batch: [], inputs: 129, out: 1, bias: true },
  ])('x [...$batch, $inputs] by weight [$out, $inputs] (bias $bias): x·Wᵀ + b and its gradients', async ({ batch, inputs, out, bias }) => {
    const [x, w, b] = [asF32(uniform(size(batch) * inputs)), asF32(uniform(out * inputs)), asF32(uniform(out))];
    const [xt, wt, bt] = [tm.tensor(x, [...batch, inputs]), tm.tensor(w, [out, inputs]), tm.tensor(b, [out])];
    xt.requiresGrad = wt.requiresGrad = bt.requiresGrad = true;
    const y = tm.nn.linear(xt, wt, bias ? bt : undefined);
    expect(y.shape).toEqual([...batch, out]);
    const ref = () => linearRef(x, w, bias ? b : undefined, out, inputs);
    expectClose(await y.data(), ref(), tol, 'y', ref().map(() => Math.sqrt(inputs) * 2));
    const r = asF32(uniform(y.size, -1, 1));
    y.mul(tm.tensor(r, y.shape)).sum().backward();
    const loss = () => ref().reduce((s, v, i) => s + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, loss), 1e-4, 'dx');
    expectClose(await wt.grad!.data(), centralDifferences(w, loss), 1e-4, 'dweight');
    if (bias) expectClose(await bt.grad!.data(), centralDifferences(b, loss), 1e-4, 'dbias');
  });
});

describe('linear', () => {
  it('refuses an x whose last axis is not the weight\'s inputs, and a bias of another length, by name', () => {
    expect(() => tm.nn.linear(tm.zeros([2, 3]), tm.zeros([3, 4]))).toThrow(new tm.ShapeError("linear: x [2,3] must end in weight [3,4]'s inputs (weight is [out, in])"));
    expect(() => tm.nn.linear(tm.zeros([2, 4]), tm.zeros([3, 4]), tm.zeros([4]))).toThrow(new tm.ShapeError('linear: bias [4] must be [3], one per output'));
  });
});

describe('Linear', () => {
  it('is Dense under PyTorch\'s name: Linear(inFeatures, outFeatures, { bias }) makes a Dense (its weight [in, out], PyTorch\'s transposed), saved as one', () => {
    expect(tm.nn.Linear).toBe(tm.nn.Dense);
    const layer = new tm.nn.Linear(3, 2, { bias: false, seed: 1 });
    expect(layer).toBeInstanceOf(tm.nn.Dense);
    expect(layer.weight.shape).toEqual([3, 2]);
    expect(layer.bias).toBeNull();
    expect(layer.config().type).toBe('Dense');
  });
});
