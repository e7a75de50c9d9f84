// QuantizedDense: a Dense layer with an int8 weight. Its output is the
// float64 computation of its definition — x quantized per row (round half
// away from zero, scale max|row| / 127), times the dequantized weight, plus
// the bias, through the activation — at odd shapes; it is close to the float
// layer it came from; nothing in it is trained, yet x gets the straight-through
// gradient dy · dequantize(W)ᵀ; memory stays flat and dispose frees it all.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { useQuantizedPath } from '../../src/backends/webgpu/kernels/quantized_path.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { quantizedLinearRef } from '../helpers/quantized.js';

describe.each(BACKENDS)('QuantizedDense on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
    // The int8 way, the one this file's reference computes (webgpu may time the f16 way faster; quantize.test.ts checks that one).
    if (backend === 'webgpu') useQuantizedPath((activeBackend() as WebGpuBackend).runtime, 'int8');
  });

  it.each([[1, 1, 1], [7, 13, 5], [3, 129, 17], [33, 64, 31]])('x [%i, %i] → [%i]: the float64 definition, and close to the float Dense', async (m, k, n) => {
    const dense = new tm.nn.Dense(k, n, { seed: m + k + n });
    const bias = asF32(uniform(n, -1, 1));
    dense.bias!.assign(tm.tensor(bias));
    const layer = tm.nn.QuantizedDense.fromDense(dense);
    expect(layer.weight.dtype).toBe('i8');
    expect(layer.weight.shape).toEqual([n, k]);
    expect(layer.weightScale.shape).toEqual([n]);
    const x = asF32(uniform(m * k, -2, 2));
    const xt = tm.tensor(x, [m, k]);
    const y = tm.noGrad(() => layer.forward(xt));
    expect(y.dtype).toBe('f32');
    expect(y.shape).toEqual([m, n]);
    const w = await dense.weight.data();
    const { want, scale, xs, ws } = quantizedLinearRef(x, w, bias, m, k, n);
    expectClose(await y.data(), want, 1e-5, 'quantized dense', scale);
    // Against the float layer: each side's rounding moves a product term by half a step at most.
    const float = await tm.noGrad(() => dense.forward(xt)).data();
    const got = await y.data();
    got.forEach((g, i) => expect(Math.abs(g - float[i])).toBeLessThanOrEqual(k * (xs[Math.floor(i / n)] * 1 + ws[i % n] * 2) / 2 + 1e-5));
    for (const t of [dense, layer, xt, y]) t.dispose();
  });

  it('takes batched input [B, T, K] and applies the activation; no bias when the Dense had none', async () => {
    const dense = new tm.nn.Dense(9, 6, { activation: 'relu', bias: false, seed: 3 });
    const layer = tm.nn.QuantizedDense.fromDense(dense);
    expect(layer.bias).toBeNull();
    expect(Object.keys(layer.ownBuffers())).toEqual(['weight', 'weightScale']);
    const x = asF32(uniform(2 * 5 * 9));
    const y = tm.noGrad(() => layer.forward(tm.tensor(x, [2, 5, 9])));
    expect(y.shape).toEqual([2, 5, 6]);
    const { want, scale } = quantizedLinearRef(x, await dense.weight.data(), null, 10, 9, 6);
    expectClose(await y.data(), want.map((v) => Math.max(0, v)), 1e-5, 'relu', scale);
    expect(layer.config()).toEqual({ type: 'QuantizedDense', inputs: 9, units: 6, activation: 'relu', bias: false });
    dense.dispose();
    layer.dispose();
  });

  it('has no parameters; x gets the straight-through gradient dy · dequantize(W)ᵀ, the int8 weight none', async () => {
    const [m, k, n] = [5, 11, 7];
    const dense = new tm.nn.Dense(k, n, { seed: 8 });
    const layer = tm.nn.QuantizedDense.fromDense(dense);
    expect(layer.parameters()).toEqual([]);
    expect(layer.weight.requiresGrad).toBe(false);
    const x = tm.tensor(asF32(uniform(m * k)), [m, k]);
    x.requiresGrad = true;
    const dyValues = asF32(uniform(m * n));
    // Without tm.noGrad: the forward records, and backward reaches x.
    const y = layer.forward(x);
    y.backward(tm.tensor(dyValues, [m, n]));
    const deq = await tm.dequantize(layer.quantized).data(); // [k, n]
    const want = new Float64Array(m * k);
    for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) want[i * k + t] += dyValues[i * n + j] * deq[t * n + j];
    expectClose(await x.grad!.data(), want, 1e-5, 'dx');
    expect(layer.weight.grad).toBeNull();
    expect(layer.weightScale.grad).toBeNull();
    for (const t of [dense, layer, x, y]) t.dispose();
  });

  it('keeps an f16 input in f16 (the product summed in f32)', async () => {
    const dense = new tm.nn.Dense(8, 3, { seed: 1 });
    const layer = tm.nn.QuantizedDense.fromDense(dense);
    const x = asF32(uniform(4 * 8));
    const y = tm.noGrad(() => layer.forward(tm.tensor(x, [4, 8]).cast('f16')));
    expect(y.dtype).toBe('f16');
    const yf = await tm.noGrad(() => layer.forward(tm.tensor(x, [4, 8]))).data();
    // x rounded to f16 first may quantize one value a step off; the output rounded to f16.
    expectClose(await y.data(), yf, 2e-2);
    dense.dispose();
    layer.dispose();
  });

  it('leaves tm.memory() flat over repeated forwards, and dispose frees every tensor it holds', () => {
    const before = tm.memory().numTensors;
    const dense = new tm.nn.Dense(16, 8, { seed: 2 });
    const layer = tm.nn.QuantizedDense.fromDense(dense);
    dense.dispose();
    const x = tm.randn([3, 16], { seed: 5 });
    tm.noGrad(() => layer.forward(x)).dispose();
    const steady = tm.memory();
    for (let i = 0; i < 5; i++) tm.noGrad(() => layer.forward(x)).dispose();
    expect(tm.memory().numTensors).toBe(steady.numTensors);
    expect(tm.memory().numBytes).toBe(steady.numBytes);
    layer.dispose();
    x.dispose();
    expect(layer.weight.isDisposed && layer.weightScale.isDisposed && layer.bias!.isDisposed).toBe(true);
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses what it cannot take, by name', () => {
    const layer = tm.nn.QuantizedDense.fromDense(new tm.nn.Dense(4, 2, { seed: 1 }));
    expect(() => tm.noGrad(() => layer.forward(tm.zeros([3, 5])))).toThrow(tm.ShapeError);
    expect(() => tm.noGrad(() => layer.forward(tm.zeros([3, 4], { dtype: 'i32' })))).toThrow(/quantized weight multiplies f32 or f16 activations, got i32/);
    expect(() => tm.nn.QuantizedDense.fromDense(new tm.nn.ReLU() as unknown as tm.nn.Dense)).toThrow(/fromDense: expects a tm.nn.Dense/);
    expect(() => new tm.nn.QuantizedDense(0, 2)).toThrow(/inputs must be a positive integer/);
    expect(() => new tm.nn.QuantizedDense(2, 2, { activation: 'nope' as 'relu' })).toThrow(/unknown activation "nope"/);
    expect(() => new tm.nn.QuantizedDense(2, 2, { init: 'he' } as object)).toThrow(tm.ValueError);
    layer.dispose();
  });
});

describe('QuantizedDense on webgpu the f16 way (where the device times it faster)', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'webgpu' });
    useQuantizedPath((activeBackend() as WebGpuBackend).runtime, 'f16');
  });

  it.each([[3, 37, 11], [20, 130, 9]])('x [%i, %i] → [%i]: x in f16 times the int8 weight, summed in f32, scaled, plus bias', async (m, k, n) => {
    const dense = new tm.nn.Dense(k, n, { seed: k });
    dense.bias!.assign(tm.tensor(asF32(uniform(n, -1, 1))));
    const layer = tm.nn.QuantizedDense.fromDense(dense);
    const x = asF32(uniform(m * k, -2, 2));
    const y = tm.noGrad(() => layer.forward(tm.tensor(x, [m, k])));
    const [values, scales, bias] = [await layer.weight.data(), await layer.weightScale.data(), await layer.bias!.data()];
    const xh = asF16(x);
    const want = new Float64Array(m * n);
    const size = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        for (let t = 0; t < k; t++) {
          want[i * n + j] += xh[i * k + t] * values[j * k + t] * scales[j];
          size[i * n + j] += Math.abs(xh[i * k + t] * values[j * k + t] * scales[j]);
        }
        want[i * n + j] += bias[j];
        size[i * n + j] += Math.abs(bias[j]);
      }
    }
    expectClose(await y.data(), want, 1e-5, 'f16 way', size);
    dense.dispose();
    layer.dispose();
  });
});
