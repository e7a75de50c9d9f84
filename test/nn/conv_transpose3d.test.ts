// nn.ConvTranspose3d on every backend: its forward (bias included) and the
// gradients of x, weight and bias against the float64 transposed
// convolution (test/helpers/volumes.ts); its settings, save and load, and
// its errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { f64, size, type F64 } from '../helpers/float64.js';
import { abs, convTranspose3dRef, type TransposeGeometry } from '../helpers/volumes.js';

const random = (shape: number[]): F64 => f64(shape, Float64Array.from(Float32Array.from(uniform(size(shape), -1, 1))));

describe.each(BACKENDS)('nn.ConvTranspose3d on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { x: [2, 4, 3, 2, 3], args: [4, 6, 2] as const, options: { stride: 2, groups: 2 }, g: { stride: [2, 2, 2], padding: [0, 0, 0], outputPadding: [0, 0, 0], dilation: [1, 1, 1], groups: 2 } },
    { x: [1, 3, 2, 3, 3], args: [3, 2, [3, 3, 1]] as const, options: { stride: [2, 1, 1], padding: 1, outputPadding: [1, 0, 0] }, g: { stride: [2, 1, 1], padding: [1, 1, 1], outputPadding: [1, 0, 0], dilation: [1, 1, 1], groups: 1 } },
  ])('x $x through ConvTranspose3d($args, $options): y = convTranspose3d(x, W) + b, and the gradients of x, W and b', async (c) => {
    const layer = new tm.nn.ConvTranspose3d(...(c.args as unknown as [number, number, number]), c.options as tm.nn.ConvTranspose3dLayerOptions);
    const [w, b, x] = [random([...layer.weight.shape]), random([layer.outChannels]), random(c.x)];
    layer.weight.assign(tm.tensor(w.v, w.shape));
    layer.bias!.assign(tm.tensor(b.v));
    const xt = tm.tensor(x.v, x.shape);
    xt.requiresGrad = true;
    const y = layer.forward(xt);
    const g = c.g as TransposeGeometry;
    const dy = random([...y.shape]);
    const want = convTranspose3dRef(x, w, g, dy);
    const scale = convTranspose3dRef(abs(x), abs(w), g, abs(dy));
    const per = size(want.y.shape.slice(2));
    const channelOf = (i: number) => Math.floor(i / per) % layer.outChannels;
    expect(y.shape).toEqual(want.y.shape);
    expectClose(await y.data(), want.y.v.map((v, i) => v + b.v[channelOf(i)]), 1e-5, 'y', scale.y.v.map((v, i) => v + Math.abs(b.v[channelOf(i)])));
    tm.tidy(() => y.mul(tm.tensor(dy.v, dy.shape)).sum()).backward();
    expectClose(await xt.grad!.data(), want.dx.v, 1e-5, 'dx', scale.dx.v);
    expectClose(await layer.weight.grad!.data(), want.dw.v, 1e-5, 'dW', scale.dw.v);
    const db = new Float64Array(layer.outChannels);
    dy.v.forEach((v, i) => (db[channelOf(i)] += v));
    expectClose(await layer.bias!.grad!.data(), db, 1e-5, 'db', new Float64Array(layer.outChannels).fill(per * dy.shape[0]));
    layer.dispose();
  });
});

describe('nn.ConvTranspose3d settings, saving and loading', () => {
  it('holds its sizes as triples, its weight [inChannels, outChannels/groups, ...kernel]; config describes it', () => {
    const layer = new tm.nn.ConvTranspose3d(4, 6, [1, 3, 2], { stride: [1, 2, 2], padding: [0, 1, 0], outputPadding: [0, 1, 1], groups: 2, bias: false, seed: 1 });
    expect([layer.kernelSize, layer.stride, layer.padding, layer.outputPadding, layer.dilation, layer.groups]).toEqual([[1, 3, 2], [1, 2, 2], [0, 1, 0], [0, 1, 1], [1, 1, 1], 2]);
    expect(layer.weight.shape).toEqual([4, 3, 1, 3, 2]);
    expect(layer.config()).toEqual({ type: 'ConvTranspose3d', inChannels: 4, outChannels: 6, kernelSize: [1, 3, 2], stride: [1, 2, 2], padding: [0, 1, 0], outputPadding: [0, 1, 1], dilation: [1, 1, 1], groups: 2, bias: false });
  });

  it('round-trips through save and load in a volumetric autoencoder: the same config, parameters and predictions', async () => {
    const model = new tm.nn.Sequential([
      new tm.nn.Conv3d(1, 4, 3, { stride: 2, padding: 1, seed: 1 }), new tm.nn.ReLU(),
      new tm.nn.ConvTranspose3d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1, seed: 2 }), new tm.nn.ConvTranspose3d(2, 1, 1, { bias: false, seed: 3 }),
    ]);
    const x = tm.randn([2, 1, 4, 6, 4], { seed: 4 });
    expect(model.forward(x).shape).toEqual([2, 1, 4, 6, 4]);
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual(model.config());
    expect(await loaded.predict(x).data()).toEqual(await model.predict(x).data());
  });

  it('refuses bad settings, and files that hold them, naming them', () => {
    expect(() => new tm.nn.ConvTranspose3d(4, 6, 3, { outputPadding: 1 })).toThrow('ConvTranspose3d: outputPadding 1 must be less than the stride 1×1×1 or the dilation 1×1×1');
    expect(() => new tm.nn.ConvTranspose3d(4, 6, 3, { groups: 4 })).toThrow('ConvTranspose3d: groups must be a positive integer dividing inChannels 4 and outChannels 6, got 4');
    expect(() => new tm.nn.ConvTranspose3d(4, 6, 3, { paddingMode: 'zeros' } as tm.nn.ConvTranspose3dLayerOptions)).toThrow(/ConvTranspose3d: unknown option "paddingMode"/);
    expect(() => new tm.nn.ConvTranspose3d(4, 6, 3).forward(tm.zeros([1, 3, 2, 2, 2]))).toThrow('convTranspose3d: weight [4,6,3,3,3] is for 4 input channels (its first axis), x [1,3,2,2,2] has 3');
    const layer = new tm.nn.ConvTranspose3d(2, 4, 2, { bias: false }).config();
    const file = (config: object, weight: number[]) => tm.encodeSafetensors({ '0.weight': { dtype: 'f32', shape: weight, data: new Float32Array(size(weight)) } }, { format: 'tmnn', model: JSON.stringify({ type: 'Sequential', layers: [config] }) });
    expect(() => tm.nn.fromBytes(file(layer, [4, 2, 2, 2, 2]))).toThrow(new CorruptFileError('model file: parameter 0.weight is [4,2,2,2,2], the layer needs [2,4,2,2,2]'));
    expect(() => tm.nn.fromBytes(file({ ...layer, outputPadding: [0, 0, 3] }, [2, 4, 2, 2, 2]))).toThrow(new CorruptFileError('model file: ConvTranspose3d: outputPadding [0, 0, 3] must be less than the stride 1×1×1 or the dilation 1×1×1'));
  });
});
