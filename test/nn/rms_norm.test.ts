// RMSNorm against PyTorch's definition computed here in float64 (x divided
// by the root mean square of its last normalizedShape axes plus ε, times a
// weight of that shape), on fresh random data at odd shapes: the output, the
// gradients of x and the weight against central differences, ε's default
// (f32's machine epsilon, for f16 x too), f16, the function form, saving and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, size } from '../helpers/float64.js';

/** y = x / √(mean(x²) + ε) · weight over each run of the last `n` values, in float64. */
function rmsNormRef(x: ArrayLike<number>, n: number, eps: number, weight?: ArrayLike<number>): Float64Array {
  const y = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += n) {
    let squares = 0;
    for (let i = 0; i < n; i++) squares += x[start + i] ** 2;
    const scale = 1 / Math.sqrt(squares / n + eps);
    for (let i = 0; i < n; i++) y[start + i] = x[start + i] * scale * (weight ? weight[i] : 1);
  }
  return y;
}

describe.each(BACKENDS)('RMSNorm on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [13, 7], normalized: 7 as number | number[], epsilon: 1e-3 as number | undefined },
    { shape: [2, 3, 5], normalized: [3, 5], epsilon: 1e-3 },
    { shape: [1, 13], normalized: [13], epsilon: undefined }, // ε: f32's machine epsilon, 2⁻²³
    { shape: [4, 1], normalized: 1, epsilon: 0.5 }, // one value a row: x / √(x² + ε)
    { shape: [3, 2, 7, 1], normalized: [2, 7, 1], epsilon: undefined },
  ])('divides $shape by the root mean square over $normalized: the output and the gradients of x and weight', async ({ shape, normalized, epsilon }) => {
    const layer = new tm.nn.RMSNorm(normalized, epsilon === undefined ? {} : { epsilon });
    const n = size([normalized].flat());
    const eps = epsilon ?? 2 ** -23;
    const x = asF32(uniform(size(shape), -3, 3));
    const weight = asF32(uniform(n, 0.5, 1.5));
    layer.weight!.assign(tm.tensor(weight, [normalized].flat()));
    const xt = tm.tensor(x, shape);
    xt.requiresGrad = true;
    const y = layer.forward(xt);
    expect(y.shape).toEqual(shape);
    expectClose(await y.data(), rmsNormRef(x, n, eps, weight), tol, 'y');

    // The gradients of Σ r·y for fixed random r.
    const r = asF32(uniform(size(shape), -1, 1));
    y.mul(tm.tensor(r, shape)).sum().backward();
    const loss = () => rmsNormRef(x, n, eps, weight).reduce((sum, v, i) => sum + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, loss), tol, 'dx');
    expectClose(await layer.weight!.grad!.data(), centralDifferences(weight, loss), tol, 'dweight');
    layer.dispose();
  });

  it('rmsNorm, the function, with a weight or without; an all-zero row stays zero (ε keeps it finite)', async () => {
    const shape = [5, 3, 7];
    const x = asF32(uniform(size(shape), -2, 2));
    x.fill(0, 0, 7);
    const weight = asF32(uniform(7, -1, 1));
    expectClose(await tm.nn.rmsNorm(tm.tensor(x, shape), 7, tm.tensor(weight), 1e-4).data(), rmsNormRef(x, 7, 1e-4, weight), tol);
    const plain = await tm.nn.rmsNorm(tm.tensor(x, shape), [3, 7]).data();
    expectClose(plain, rmsNormRef(x, 21, 2 ** -23), tol);
    expect(Array.from(plain.slice(0, 7))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it("f16 x: computed in f32 (a square past 256 does not overflow), ε f32's machine epsilon 2⁻²³ as PyTorch's kernels add, the result f16", async () => {
    const shape = [3, 9];
    const x = asF16(uniform(size(shape), -300, 300));
    const layer = new tm.nn.RMSNorm(9, { elementwiseAffine: false });
    const half = tm.tensor(x, shape, { dtype: 'f16' });
    const y = layer.forward(half);
    expect(y.dtype).toBe('f16');
    expectClose(await y.data(), rmsNormRef(x, 9, 2 ** -23), 2e-3);
    // Small activations, mean(x²) ≈ 8e-4: f16's 2⁻¹⁰ (torch.finfo's, which PyTorch's docs name but its
    // opmath kernels do not add) would shrink them by a third.
    const small = asF16(uniform(size(shape), -0.05, 0.05));
    const z = layer.forward(tm.tensor(small, shape, { dtype: 'f16' }));
    expectClose(await z.data(), rmsNormRef(small, 9, 2 ** -23), 2e-3);
    for (const t of [half, y, z]) t.dispose();
  });

  it('leaves nothing behind after a training step', () => {
    const layer = new tm.nn.RMSNorm([3, 4]);
    const x = tm.randn([2, 3, 4], { seed: 1 });
    const step = () => tm.tidy(() => layer.forward(x).square().mean().backward());
    step();
    const before = tm.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tm.memory().numTensors).toBe(before);
    layer.dispose();
    x.dispose();
  });

  it('saves and loads: the weight (in f16 too), the epsilon given or none, elementwiseAffine', async () => {
    tm.setSeed(3);
    const m = new tm.nn.Sequential([
      new tm.nn.Dense(6, 10), new tm.nn.RMSNorm(10, { epsilon: 1e-4 }), new tm.nn.Unflatten(1, [2, 5]), new tm.nn.RMSNorm([2, 5], { elementwiseAffine: false }), new tm.nn.RMSNorm(5),
    ]);
    (m.layers[1] as tm.nn.RMSNorm).weight!.assign(tm.tensor(asF32(uniform(10, 0.5, 1.5))));
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers.slice(1)).toEqual([
      { type: 'RMSNorm', normalizedShape: [10], elementwiseAffine: true, epsilon: 1e-4 },
      { type: 'Unflatten', axis: 1, shape: [2, 5] },
      { type: 'RMSNorm', normalizedShape: [2, 5], elementwiseAffine: false },
      { type: 'RMSNorm', normalizedShape: [5], elementwiseAffine: true },
    ]);
    expect(Object.keys(loaded.namedParameters())).toEqual(['0.weight', '0.bias', '1.weight', '4.weight']);
    const x = tm.randn([4, 6], { seed: 2 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
    const norm = m.layers[1] as tm.nn.RMSNorm;
    const half = norm.weight!.cast('f16');
    half.requiresGrad = true;
    norm.weight = half;
    const weight = (tm.nn.fromBytes(await m.toBytes()).layers[1] as tm.nn.RMSNorm).weight!;
    expect([weight.dtype, weight.requiresGrad, Array.from(await weight.data())]).toEqual(['f16', true, Array.from(await half.data())]);
  });
});

describe('RMSNorm', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('has a weight of ones of normalizedShape and no bias; elementwiseAffine: false has none', () => {
    const layer = new tm.nn.RMSNorm([3, 4]);
    expect(Object.keys(layer.namedParameters())).toEqual(['weight']);
    expect([layer.weight!.shape, layer.weight!.requiresGrad, layer.elementwiseAffine, layer.epsilon]).toEqual([[3, 4], true, true, undefined]);
    const plain = new tm.nn.RMSNorm(4, { elementwiseAffine: false, epsilon: 1e-6 });
    expect([plain.weight, plain.normalizedShape, Object.keys(plain.namedState())]).toEqual([null, [4], []]);
  });

  it('refuses bad sizes and settings, an input not ending in normalizedShape and a weight of another shape, naming them', () => {
    expect(() => new tm.nn.RMSNorm(0)).toThrow(new tm.ValueError('RMSNorm: normalizedShape must be a positive integer or a non-empty list of them, got 0'));
    expect(() => new tm.nn.RMSNorm([])).toThrow(new tm.ValueError('RMSNorm: normalizedShape must be a positive integer or a non-empty list of them, got []'));
    expect(() => new tm.nn.RMSNorm([3, 2.5])).toThrow(new tm.ValueError('RMSNorm: normalizedShape must be a positive integer or a non-empty list of them, got [3, 2.5]'));
    expect(() => new tm.nn.RMSNorm(3, { epsilon: -1 })).toThrow(new tm.ValueError('RMSNorm: epsilon must be a finite number > 0, got -1'));
    expect(() => new tm.nn.RMSNorm(3, { eps: 1e-5 } as unknown as tm.nn.RMSNormOptions)).toThrow(/unknown option "eps" \(did you mean epsilon\?\)/);
    expect(() => new tm.nn.RMSNorm([3, 4]).forward(tm.zeros([2, 4, 3]))).toThrow(new tm.ShapeError("RMSNorm: x [2,4,3] does not end in the layer's normalizedShape [3,4]"));
    expect(() => new tm.nn.RMSNorm([2, 3, 4]).forward(tm.zeros([3, 4]))).toThrow(new tm.ShapeError("RMSNorm: x [3,4] does not end in the layer's normalizedShape [2,3,4]"));
    expect(() => tm.nn.rmsNorm(tm.zeros([2, 4]), 4, tm.ones([3]))).toThrow(new tm.ShapeError('rmsNorm: weight [3] is not of normalizedShape [4]'));
    expect(() => tm.nn.rmsNorm(tm.zeros([2, 4], { dtype: 'i32' }), 4)).toThrow(new tm.DTypeError('rmsNorm: x must be f32 or f16, got i32'));
  });

  it('a file whose RMSNorm weight has another shape is corrupt, named', async () => {
    const bytes = await new tm.nn.Sequential([new tm.nn.RMSNorm([2, 3])]).toBytes();
    const wrong = await new tm.nn.Sequential([new tm.nn.RMSNorm(6)]).toBytes();
    const { metadata } = tm.decodeSafetensors(bytes);
    const { entries } = tm.decodeSafetensors(wrong);
    const file = tm.encodeSafetensors(entries, metadata);
    expect(() => tm.nn.fromBytes(file)).toThrow(new CorruptFileError('model file: parameter 0.weight is [6], the layer needs [2,3]'));
  });
});
