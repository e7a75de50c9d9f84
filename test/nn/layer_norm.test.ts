// layerNorm, the function (PyTorch's F.layer_norm), against its definition
// worked here in float64 over one or several last axes, with and without a
// weight and bias: values and gradients to x, weight and bias against
// central differences, f16 worked in f32, errors by name. (The LayerNorm
// layer, which calls it, is tested in layers.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, size } from '../helpers/float64.js';

/** (x − mean) / √(variance + ε) · weight + bias over each run of the last n values, in float64. */
function layerNormRef(x: ArrayLike<number>, n: number, eps: number, weight?: ArrayLike<number>, bias?: ArrayLike<number>): Float64Array {
  const y = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += n) {
    const row = Array.from({ length: n }, (_, i) => x[start + i]);
    const mean = row.reduce((s, v) => s + v, 0) / n;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    row.forEach((v, i) => (y[start + i] = ((v - mean) / Math.sqrt(variance + eps)) * (weight ? weight[i] : 1) + (bias ? bias[i] : 0)));
  }
  return y;
}

describe.each(BACKENDS)('layerNorm on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [7, 13], normalized: [13], affine: true },
    { shape: [2, 3, 4, 5], normalized: [4, 5], affine: true },
    { shape: [3, 129], normalized: 129, affine: false },
  ])('x $shape over $normalized (weight and bias: $affine): the values and their gradients', async ({ shape, normalized, affine }) => {
    const n = size([normalized].flat());
    const x = asF32(uniform(size(shape), -3, 3));
    const [w, b] = [asF32(uniform(n, 0.5, 1.5)), asF32(uniform(n, -1, 1))];
    const xt = tm.tensor(x, shape);
    const [wt, bt] = [tm.tensor(w, [normalized].flat()), tm.tensor(b, [normalized].flat())];
    xt.requiresGrad = wt.requiresGrad = bt.requiresGrad = true;
    const y = tm.nn.layerNorm(xt, normalized, affine ? wt : null, affine ? bt : null, 1e-3);
    const ref = () => layerNormRef(x, n, 1e-3, affine ? w : undefined, affine ? b : undefined);
    expectClose(await y.data(), ref(), tol, 'y');
    const r = asF32(uniform(x.length, -1, 1));
    y.mul(tm.tensor(r, shape)).sum().backward();
    const loss = () => ref().reduce((s, v, i) => s + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, loss), 1e-4, 'dx');
    if (affine) {
      expectClose(await wt.grad!.data(), centralDifferences(w, loss), 1e-4, 'dweight');
      expectClose(await bt.grad!.data(), centralDifferences(b, loss), 1e-4, 'dbias');
    }
  });

  it('works f16 in f32 (sums of squares past 65,504 do not overflow) and rounds once to f16', async () => {
    const x = asF16(uniform(4 * 300, 100, 200));
    const y = tm.nn.layerNorm(tm.tensor(x, [4, 300], { dtype: 'f16' }), 300);
    expect(y.dtype).toBe('f16');
    expectClose(await y.data(), layerNormRef(x, 300, 1e-5), 2e-3);
  });
});

describe('layerNorm', () => {
  it('refuses an x not ending in normalizedShape, a weight of another shape, a bad epsilon and int x, by name', () => {
    const x = tm.zeros([2, 3]);
    expect(() => tm.nn.layerNorm(x, 4)).toThrow(new tm.ShapeError('layerNorm: x [2,3] does not end in normalizedShape [4]'));
    expect(() => tm.nn.layerNorm(x, 3, tm.ones([4]))).toThrow(new tm.ShapeError('layerNorm: weight [4] is not of normalizedShape [3]'));
    expect(() => tm.nn.layerNorm(x, 3, null, tm.ones([2]))).toThrow(new tm.ShapeError('layerNorm: bias [2] is not of normalizedShape [3]'));
    expect(() => tm.nn.layerNorm(x, 3, null, null, 0)).toThrow(new tm.ValueError('layerNorm: epsilon must be a finite number > 0, got 0'));
    expect(() => tm.nn.layerNorm(x, [])).toThrow(new tm.ValueError('layerNorm: normalizedShape must be a positive integer or a non-empty list of them, got []'));
    expect(() => tm.nn.layerNorm(x.cast('i32'), 3)).toThrow(new tm.DTypeError('layerNorm: x must be f32 or f16, got i32'));
  });
});
