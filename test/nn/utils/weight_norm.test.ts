// tm.nn.utils.weightNorm / removeWeightNorm: a layer's weight as g · v / ‖v‖
// (PyTorch's weight_norm), checked against float64 references of the
// weight, the layer's output and the gradients of g and v (central
// differences of a loss through the layer), on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, uniform } from '../../helpers/data.js';
import { centralDifferences, f64, linearRef, size, unravel, type F64 } from '../../helpers/float64.js';
import { conv2dBiasRef, squaredOutputStep } from '../../helpers/reparametrized.js';

/** g · v / ‖v‖ in float64, the norm over every axis but `kept` (all of v where null); g has one value per index along kept. */
function weightNormRef(g: ArrayLike<number>, v: F64, kept: number | null): F64 {
  const at = (i: number) => (kept === null ? 0 : unravel(i, v.shape)[kept]);
  const squares = new Float64Array(kept === null ? 1 : v.shape[kept]);
  v.v.forEach((x, i) => (squares[at(i)] += x * x));
  return { shape: v.shape, v: v.v.map((x, i) => (g[at(i)] * x) / Math.sqrt(squares[at(i)])) };
}

/** The layers the cases use, with their float64 forward from a weight and bias, and the axis weightNorm keeps by default. */
const LAYERS = [
  { what: 'Dense(7, 13)', make: () => new tm.nn.Dense(7, 13), input: [5, 7], kept: 1, ref: (x: F64, w: F64, b: F64) => linearRef(x, w, b) },
  { what: 'Dense(1, 1)', make: () => new tm.nn.Dense(1, 1), input: [3, 1], kept: 1, ref: (x: F64, w: F64, b: F64) => linearRef(x, w, b) },
  {
    what: 'Conv2d(3, 5, [3, 2])', make: () => new tm.nn.Conv2d(3, 5, [3, 2]), input: [2, 3, 6, 5], kept: 0,
    ref: conv2dBiasRef,
  },
];

describe.each(BACKENDS)('weightNorm on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(LAYERS)('$what: starts at g = ‖w‖, v = w, the same weight, and computes g · v / ‖v‖ from new g and v', async ({ make, input, kept, ref }) => {
    const layer = make();
    const w = await layer.weight.data();
    const original = layer.weight;
    const normed = tm.nn.utils.weightNorm(layer);
    expect(normed).toBe(layer);
    expect(normed.weightV).toBe(original);
    const gShape = original.shape.map((d, i) => (i === kept ? d : 1));
    expect(normed.weightG.shape).toEqual(gShape);
    const wRef = f64([...original.shape], w);
    const norms = weightNormRef(new Float64Array(size(gShape)).fill(1), wRef, kept);
    // g = ‖w‖: every column (filter) of w over its normalised self.
    const gWant = new Float64Array(size(gShape));
    wRef.v.forEach((x, i) => (gWant[unravel(i, wRef.shape)[kept]] = x / norms.v[i]));
    expectClose(await normed.weightG.data(), gWant, 1e-5, 'g');
    expectClose(await layer.weight.data(), w, 1e-5, 'weight');
    // Fresh g and v: the weight follows at the next forward, and the output with it.
    const g = uniform(size(gShape), 0.5, 2).map(Math.fround);
    const v = f64([...original.shape], uniform(original.size).map(Math.fround));
    normed.weightG.assign(tm.tensor(g, gShape));
    normed.weightV.assign(tm.tensor(v.v, v.shape));
    const x = f64(input, uniform(size(input)).map(Math.fround));
    const y = layer.forward(tm.tensor(x.v, x.shape));
    const weight = weightNormRef(g, v, kept);
    expectClose(await layer.weight.data(), weight.v, 1e-5, 'weight');
    const b = f64([layer.bias!.size], await layer.bias!.data());
    expectClose(await y.data(), ref(x, weight, b).v, 1e-4, 'output');
    layer.dispose();
  });

  it('keeps the axis dim names (negative counts from the end), or takes one norm of the whole weight with dim null', async () => {
    // By default the output axis: a transposed convolution's weight is [inChannels, outChannels, ...kernel].
    const transposed = tm.nn.utils.weightNorm(new tm.nn.ConvTranspose2d(3, 4, [2, 5]));
    expect(transposed.weightG.shape).toEqual([1, 4, 1, 1]);
    transposed.dispose();
    for (const dim of [0, -1, null]) {
      const layer = tm.nn.utils.weightNorm(new tm.nn.Dense(7, 3), { dim });
      const kept = dim === null ? null : dim < 0 ? dim + 2 : dim;
      expect(layer.weightG.shape).toEqual(kept === null ? [] : [7, 3].map((d, i) => (i === kept ? d : 1)));
      const g = uniform(layer.weightG.size, 0.5, 2).map(Math.fround);
      layer.weightG.assign(tm.tensor(g, layer.weightG.shape));
      layer.forward(tm.ones([1, 7]));
      const v = f64([7, 3], await layer.weightV.data());
      expectClose(await layer.weight.data(), weightNormRef(g, v, kept).v, 1e-5, `dim ${dim}`);
      layer.dispose();
    }
  });

  it.each(LAYERS)('$what: gradients of g and v match float64 central differences of a loss through the layer', async ({ make, input, kept, ref }) => {
    const layer = tm.nn.utils.weightNorm(make());
    const gShape = layer.weightG.shape;
    const g = uniform(size(gShape), 0.5, 2).map(Math.fround);
    // v away from 0: at |v| ≪ 1 the direction's gradient is g/|v| times terms that cancel, and f32 leaves ~g/|v|·2^-24 of
    // them (Dense(1, 1)'s dv, exactly 0, came out 1.2e-4 for a v of ~0.01).
    const v = f64([...layer.weightV.shape], uniform(layer.weightV.size, -1, 1).map((u) => Math.fround((u < 0 ? -1 : 1) * (0.5 + 1.5 * Math.abs(u)))));
    layer.weightG.assign(tm.tensor(g, gShape));
    layer.weightV.assign(tm.tensor(v.v, v.shape));
    const b = f64([layer.bias!.size], await layer.bias!.data());
    const x = f64(input, uniform(size(input)).map(Math.fround));
    const y = layer.forward(tm.tensor(x.v, x.shape));
    const r = uniform(y.size);
    y.mul(tm.tensor(r, y.shape)).sum().backward();
    const loss = () => ref(x, weightNormRef(g, v, kept), b).v.reduce((s, yi, i) => s + yi * r[i], 0);
    const scale = (d: Float64Array) => d.map(() => Math.max(...d.map(Math.abs)));
    const dg = centralDifferences(g, loss);
    const dv = centralDifferences(v.v, loss);
    expectClose(await layer.weightG.grad!.data(), dg, 1e-4, 'dL/dg', scale(dg));
    expectClose(await layer.weightV.grad!.data(), dv, 1e-4, 'dL/dv', scale(dv));
    layer.dispose();
  });

  it('trains with fit, g, v and the bias being the parameters; saved weights load into another such model, which computes the same', async () => {
    const build = (seed: number) => {
      const model = new tm.nn.Sequential([new tm.nn.Dense(3, 8, { activation: 'tanh', seed }), new tm.nn.Dense(8, 1, { seed: seed + 1 })]);
      for (const layer of model.layers) tm.nn.utils.weightNorm(layer as tm.nn.Dense);
      return model;
    };
    const model = build(1);
    expect(Object.keys(model.namedParameters())).toEqual(['0.weightG', '0.weightV', '0.bias', '1.weightG', '1.weightV', '1.bias']);
    expect(Object.keys(model.stateDict())).toEqual(['0.weightG', '0.weightV', '0.bias', '1.weightG', '1.weightV', '1.bias']);
    const x = tm.tensor(uniform(64 * 3, -1, 1), [64, 3]);
    const y = tm.tidy(() => x.slice([0, 0], [64, 1]).mul(x.slice([0, 1], [64, 1])).add(x.slice([0, 2], [64, 1]).sin()));
    const history = await model.fit(x, y, { epochs: 30, batchSize: 16, loss: 'mse', optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.02 }), quiet: true });
    expect(history.loss[29]).toBeLessThan(history.loss[0] / 3);
    // A model file records the architecture, not the reparametrization: refused, not saved without it.
    await expect(model.toBytes()).rejects.toThrow('save: the weight of a Dense is under tm.nn.utils.weightNorm, which a model file does not record: removeWeightNorm first');
    const copy = build(7);
    await copy.loadWeights(await model.weightsToBytes());
    expectClose(await copy.forward(x).data(), await model.forward(x).data(), 1e-6);
    model.dispose();
    copy.dispose();
  });

  it('a load (loadStateDict, loadWeights) computes the weight from the loaded g and v at once, not at the next forward', async () => {
    const layer = tm.nn.utils.weightNorm(new tm.nn.Dense(7, 13));
    const g = uniform(13, 0.5, 2).map(Math.fround);
    const v = f64([7, 13], uniform(91).map(Math.fround));
    const bias = await layer.bias!.data();
    layer.loadStateDict({ weightG: tm.tensor(g, [1, 13]), weightV: tm.tensor(v.v, v.shape), bias: tm.tensor(bias, [13]) });
    expectClose(await layer.weight.data(), weightNormRef(g, v, 1).v, 1e-5, 'after loadStateDict');
    const other = tm.nn.utils.weightNorm(new tm.nn.Dense(7, 13));
    await other.loadWeights(await layer.weightsToBytes());
    expectClose(await other.weight.data(), weightNormRef(g, v, 1).v, 1e-5, 'after loadWeights');
    layer.dispose();
    other.dispose();
  });

  it('vectorToParameters computes the weight from the written g and v at once, not at the next forward', async () => {
    const layer = tm.nn.utils.weightNorm(new tm.nn.Dense(7, 13));
    const g = uniform(13, 0.5, 2).map(Math.fround);
    const v = f64([7, 13], uniform(91).map(Math.fround));
    const written = new Map<tm.Tensor, ArrayLike<number>>([[layer.weightG, g], [layer.weightV, v.v], [layer.bias!, await layer.bias!.data()]]);
    tm.nn.utils.vectorToParameters(tm.tensor(layer.parameters().flatMap((p) => Array.from(written.get(p)!))), layer.parameters());
    expectClose(await layer.weight.data(), weightNormRef(g, v, 1).v, 1e-5);
    layer.dispose();
  });

  it('removeWeightNorm bakes the weight into a plain parameter again: the same output, weight and bias its parameters, no hook left', async () => {
    const layer = tm.nn.utils.weightNorm(new tm.nn.Conv2d(2, 4, 3, { padding: 1 }));
    layer.weightG.assign(tm.tensor(uniform(4, 0.5, 2), [4, 1, 1, 1]));
    const v = layer.weightV;
    const x = tm.randn([2, 2, 5, 7]);
    const before = await layer.forward(x).data();
    expect(tm.nn.utils.removeWeightNorm(layer)).toBe(layer);
    expect(layer.weight).toBe(v);
    expect(layer.weight.requiresGrad).toBe(true);
    expect(Object.keys(layer.namedParameters())).toEqual(['weight', 'bias']);
    expect('weightG' in layer || 'weightV' in layer).toBe(false);
    expect(Object.hasOwn(layer, 'ownParameters')).toBe(false);
    expectClose(await layer.forward(x).data(), before, 1e-5);
    // The weight is a leaf now: a step on it is what the layer computes with.
    layer.weight.assign(tm.zeros(layer.weight.shape));
    expectClose(await layer.forward(x).data(), new Float64Array(before.length), 0);
    // It can be applied again.
    tm.nn.utils.weightNorm(layer, { dim: 1 });
    expect(Object.keys(layer.namedParameters())).toEqual(['weightG', 'weightV', 'bias']);
    layer.dispose();
  });

  it("leaves memory flat over training steps, freeing each computed weight as the next replaces it, and everything on removal and dispose (its own or a Sequential's)", async () => {
    const bare = tm.memory().numTensors;
    const layer = tm.nn.utils.weightNorm(new tm.nn.Dense(5, 4));
    const optimizer = new tm.optim.SGD(layer.parameters(), { lr: 0.1 });
    const x = tm.randn([3, 5]);
    const step = () => squaredOutputStep(layer, optimizer, x);
    step();
    const after = tm.memory().numTensors;
    for (let i = 0; i < 4; i++) step();
    expect(tm.memory().numTensors).toBe(after);
    tm.nn.utils.removeWeightNorm(layer);
    layer.dispose();
    expect(tm.memory().numTensors).toBe(bare + 1); // x
    x.dispose();
    const other = tm.nn.utils.weightNorm(new tm.nn.Dense(5, 4));
    // Without recording: a recorded graph dropped unused is freed by the garbage collector, not here.
    tm.noGrad(() => tm.tidy(() => void other.forward(tm.ones([1, 5]))));
    other.dispose();
    expect(tm.memory().numTensors).toBe(bare);
    // In a Sequential, whose dispose frees the layer's computed weight through the layer's own dispose.
    const model = new tm.nn.Sequential([new tm.nn.ReLU(), new tm.nn.Sequential([tm.nn.utils.weightNorm(new tm.nn.Dense(5, 4))])]);
    tm.noGrad(() => tm.tidy(() => void model.forward(tm.ones([1, 5]))));
    model.dispose();
    expect(tm.memory().numTensors).toBe(bare);
  });
});

describe('weightNorm refuses', () => {
  it('a parameter the layer does not have, a second weightNorm, a bad dim, and removal where there is none', async () => {
    await tm.init({ backend: 'js' });
    const dense = new tm.nn.Dense(2, 3);
    expect(() => tm.nn.utils.weightNorm(dense, { name: 'kernel' })).toThrow('weightNorm: Dense has no parameter "kernel"; its parameters are weight, bias');
    expect(() => tm.nn.utils.weightNorm(new tm.nn.ReLU())).toThrow('weightNorm: ReLU has no parameter "weight"; its parameters are (none)');
    expect(() => tm.nn.utils.weightNorm(dense, { dim: 2 })).toThrow('weightNorm: dim must be an axis of weight (an integer in [-2, 1] for its shape [2,3]), got 2');
    expect(() => tm.nn.utils.weightNorm(dense, { dim: 0.5 })).toThrow('got 0.5');
    expect(() => tm.nn.utils.weightNorm(dense, { axis: 0 } as tm.nn.utils.WeightNormOptions)).toThrow('weightNorm: unknown option "axis"');
    expect(() => tm.nn.utils.weightNorm({} as tm.nn.Module)).toThrow('weightNorm: expects a layer (a tm.nn.Module)');
    expect(() => tm.nn.utils.removeWeightNorm(dense)).toThrow('removeWeightNorm: weight of Dense has no weightNorm');
    tm.nn.utils.weightNorm(dense);
    expect(() => tm.nn.utils.weightNorm(dense)).toThrow('weightNorm: weight of Dense is already reparametrized by weightNorm; removeWeightNorm first');
    expect(() => tm.nn.utils.spectralNorm(dense)).toThrow('spectralNorm: weight of Dense is already reparametrized by weightNorm; removeWeightNorm first');
    expect(() => tm.nn.utils.removeSpectralNorm(dense)).toThrow('removeSpectralNorm: weight of Dense is reparametrized by weightNorm, not spectralNorm');
    expect(() => tm.nn.utils.weightNorm(dense, { name: 'bias' })).not.toThrow();
    expect(() => tm.nn.utils.removeWeightNorm(dense, 'kernel')).toThrow('removeWeightNorm: kernel of Dense has no weightNorm; weightNorm is on weight, bias');
  });
});
