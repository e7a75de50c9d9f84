// Bilinear against PyTorch's y_k = x1ᵀ·A_k·x2 + b_k summed in float64 here,
// at odd sizes, batched, with two leading axes and unbatched, on every
// backend; the gradients of both inputs, the weight and the bias by central
// differences of that float64 sum; PyTorch's initialisation, its layout in
// loadPytorch, saving and loading, errors, memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, size } from '../helpers/float64.js';

/** y [batch, out] of x1 [batch, in1], x2 [batch, in2], weight [out, in1, in2] and bias [out] (or none), in float64. */
function bilinearRef(x1: Float64Array, x2: Float64Array, w: Float64Array, b: Float64Array | null, in1: number, in2: number, out: number): Float64Array {
  const batch = x1.length / in1;
  const y = new Float64Array(batch * out);
  for (let n = 0; n < batch; n++) {
    for (let k = 0; k < out; k++) {
      let s = b ? b[k] : 0;
      for (let i = 0; i < in1; i++) for (let j = 0; j < in2; j++) s += x1[n * in1 + i] * w[(k * in1 + i) * in2 + j] * x2[n * in2 + j];
      y[n * out + k] = s;
    }
  }
  return y;
}

const CASES: { lead: number[]; in1: number; in2: number; out: number; bias: boolean }[] = [
  { lead: [5], in1: 7, in2: 3, out: 13, bias: true },
  { lead: [2, 3], in1: 1, in2: 5, out: 2, bias: true },
  { lead: [], in1: 13, in2: 7, out: 1, bias: false },
  { lead: [1], in1: 1, in2: 1, out: 1, bias: true },
  { lead: [4], in1: 6, in2: 13, out: 3, bias: false },
];

describe.each(BACKENDS)('Bilinear on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES)('x1 [...$lead, $in1], x2 [...$lead, $in2] → [...$lead, $out] (bias $bias) as the float64 sum, and every gradient by central differences', async ({ lead, in1, in2, out, bias }) => {
    const layer = new tm.nn.Bilinear(in1, in2, out, { bias, seed: 3 });
    const v = {
      x1: asF32(uniform(size(lead) * in1)), x2: asF32(uniform(size(lead) * in2)),
      w: Float64Array.from(await layer.weight.data()), b: layer.bias ? Float64Array.from(await layer.bias.data()) : null,
    };
    const upstream = asF32(uniform(size(lead) * out, -1, 1));
    const x1 = tm.tensor(v.x1, [...lead, in1]);
    const x2 = tm.tensor(v.x2, [...lead, in2]);
    x1.requiresGrad = true;
    x2.requiresGrad = true;
    const y = layer.forward(x1, x2);
    expect(y.shape).toEqual([...lead, out]);
    const want = bilinearRef(v.x1, v.x2, v.w, v.b, in1, in2, out);
    expectClose(await y.data(), want, 1e-5, 'Bilinear');
    tm.tidy(() => y.mul(tm.tensor(upstream, [...lead, out])).sum()).backward();
    const loss = () => bilinearRef(v.x1, v.x2, v.w, v.b, in1, in2, out).reduce((s, e, i) => s + e * upstream[i], 0);
    expectClose(await x1.grad!.data(), centralDifferences(v.x1, loss), 1e-4, 'dx1');
    expectClose(await x2.grad!.data(), centralDifferences(v.x2, loss), 1e-4, 'dx2');
    expectClose(await layer.weight.grad!.data(), centralDifferences(v.w, loss), 1e-4, 'dweight');
    if (v.b) expectClose(await layer.bias!.grad!.data(), centralDifferences(v.b, loss), 1e-4, 'dbias');
  });

  it('computes f16 inputs in f16 with f16 copies of its parameters, their gradients reaching the f32 ones', async () => {
    const layer = new tm.nn.Bilinear(5, 3, 4, { seed: 1 });
    const [a, b] = [asF32(uniform(2 * 5)), asF32(uniform(2 * 3))];
    const y = layer.forward(tm.tensor(a, [2, 5], { dtype: 'f16' }), tm.tensor(b, [2, 3], { dtype: 'f16' }));
    expect(y.dtype).toBe('f16');
    const want = bilinearRef(a, b, Float64Array.from(await layer.weight.data()), Float64Array.from(await layer.bias!.data()), 5, 3, 4);
    expectClose(await y.data(), want, 1e-2, 'f16 Bilinear');
    tm.tidy(() => y.cast('f32').sum()).backward();
    expect(layer.weight.grad!.dtype).toBe('f32');
  });

  it('leaves no tensors behind, forward alone or a training step', () => {
    const layer = new tm.nn.Bilinear(4, 3, 2, { seed: 2 });
    const [x1, x2] = [tm.randn([5, 4], { seed: 1 }), tm.randn([5, 3], { seed: 2 })];
    x1.requiresGrad = true;
    const step = () => tm.tidy(() => layer.forward(x1, x2).square().mean().backward());
    const forward = () => tm.noGrad(() => layer.forward(x1, x2).dispose());
    step();
    forward();
    const before = tm.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      step();
      forward();
    }
    expect(tm.memory().numTensors).toBe(before);
    layer.dispose();
  });

  it("takes a PyTorch state_dict's weight [out, in1, in2] and bias as they are, and saves and loads them", async () => {
    const weight = asF32(uniform(2 * 3 * 4));
    const bias = asF32(uniform(2));
    const layer = new tm.nn.Bilinear(3, 4, 2);
    const model = new tm.nn.Sequential([layer]);
    tm.nn.loadPytorch(model, tm.encodeSafetensors({
      '0.weight': { dtype: 'f32', shape: [2, 3, 4], data: Float32Array.from(weight) },
      '0.bias': { dtype: 'f32', shape: [2], data: Float32Array.from(bias) },
    }));
    expect(Array.from(await layer.weight.data())).toEqual(Array.from(weight));
    expect(Array.from(await layer.bias!.data())).toEqual(Array.from(bias));
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual({ type: 'Sequential', layers: [{ type: 'Bilinear', in1: 3, in2: 4, out: 2, bias: true }] });
    const back = loaded.layers[0] as tm.nn.Bilinear;
    expect(Array.from(await back.weight.data())).toEqual(Array.from(weight));
    const [x1, x2] = [tm.randn([3, 3], { seed: 5 }), tm.randn([3, 4], { seed: 6 })];
    expect(await back.forward(x1, x2).data()).toEqual(await layer.forward(x1, x2).data());
  });
});

describe('Bilinear: initialisation, settings and errors', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it("starts its weight and bias uniform in ±1/√in1, as PyTorch's; a seed repeats them", async () => {
    const layer = new tm.nn.Bilinear(16, 9, 50, { seed: 7 });
    const bound = 1 / 4;
    const w = Array.from(await layer.weight.data());
    expect(layer.weight.shape).toEqual([50, 16, 9]);
    expect(w.every((v) => v >= -bound && v < bound)).toBe(true);
    // Uniform in ±1/4: variance 1/48; over 7200 draws its estimate is within a few percent.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(Math.abs(variance - 1 / 48)).toBeLessThan(0.1 / 48);
    expect(Array.from(await layer.bias!.data()).every((v) => v >= -bound && v < bound)).toBe(true);
    expect(await new tm.nn.Bilinear(16, 9, 50, { seed: 7 }).weight.data()).toEqual(await layer.weight.data());
    expect(Object.keys(new tm.nn.Bilinear(2, 2, 2, { bias: false }).namedParameters())).toEqual(['weight']);
  });

  it('refuses bad sizes and options, inputs that do not fit, and a missing second input', () => {
    expect(() => new tm.nn.Bilinear(0, 2, 3)).toThrow('Bilinear: in1 must be a positive integer, got 0');
    expect(() => new tm.nn.Bilinear(2, 2, 1.5)).toThrow('Bilinear: out must be a positive integer, got 1.5');
    expect(() => new tm.nn.Bilinear(2, 2, 2, { bais: false } as tm.nn.BilinearOptions)).toThrow(/Bilinear.*bais/);
    expect(() => new tm.nn.Bilinear(2, 2, 2, { seed: -1 })).toThrow('Bilinear: seed must be an integer in [0, 2^32), got -1');
    const layer = new tm.nn.Bilinear(3, 4, 2);
    expect(() => layer.forward(tm.ones([5, 3]), tm.ones([5, 5]))).toThrow('Bilinear: x1 [5,3] and x2 [5,5] must be [..., 3] and [..., 4] with the same leading axes');
    expect(() => layer.forward(tm.ones([5, 3]), tm.ones([2, 4]))).toThrow('Bilinear: x1 [5,3] and x2 [2,4] must be [..., 3] and [..., 4] with the same leading axes');
    expect(() => layer.forward(tm.ones([3]), tm.ones([1, 4]))).toThrow('Bilinear: x1 [3] and x2 [1,4]');
    expect(() => layer.forward(tm.ones([5, 3]))).toThrow('Bilinear: forward(x1, x2) needs two inputs');
  });

  it('a model file whose weight is not [out, in1, in2] is refused', () => {
    const file = tm.encodeSafetensors({ '0.weight': { dtype: 'f32', shape: [2, 4, 3], data: new Float32Array(24) } }, {
      format: 'tmnn', model: JSON.stringify({ type: 'Sequential', layers: [{ type: 'Bilinear', in1: 3, in2: 4, out: 2, bias: false }] }),
    });
    expect(() => tm.nn.fromBytes(file)).toThrow(new CorruptFileError('model file: parameter 0.weight is [2,4,3], the layer needs [2,3,4]'));
  });
});
