// nn.Conv3d on every backend: its forward (bias included) and the gradients
// of x, weight and bias against the float64 3-D convolution
// (test/helpers/volumes.ts), x padded by its paddingMode in float64 index
// arithmetic for the modes other than zeros; its settings, save and load,
// f16, and its errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { f64, ravel, size, unravel, type F64 } from '../helpers/float64.js';
import { abs, conv3dRef } from '../helpers/volumes.js';

const random = (shape: number[]): F64 => f64(shape, Float64Array.from(Float32Array.from(uniform(size(shape), -1, 1))));

/** y [N, F, …] plus bias b [F] along axis 1, in float64. */
function withBias(y: F64, b: Float64Array): F64 {
  const per = size(y.shape.slice(2));
  return f64(y.shape, y.v.map((v, i) => v + b[Math.floor(i / per) % y.shape[1]]));
}

/** x [N, C, D, H, W] padded by `sides` ([before, after] per spatial axis) in `mode`: each position reads the one its mode maps it to. */
function padRef(x: F64, sides: [number, number][], mode: 'reflect' | 'replicate' | 'circular'): F64 {
  const pairs = [[0, 0], [0, 0], ...sides];
  const shape = x.shape.map((d, a) => d + pairs[a][0] + pairs[a][1]);
  const source = (i: number, d: number, before: number) => {
    const s = i - before;
    if (s >= 0 && s < d) return s;
    if (mode === 'reflect') return s < 0 ? -s : 2 * (d - 1) - s;
    if (mode === 'replicate') return s < 0 ? 0 : d - 1;
    return ((s % d) + d) % d;
  };
  return f64(shape, Float64Array.from({ length: size(shape) }, (_, o) => x.v[ravel(unravel(o, shape).map((i, a) => source(i, x.shape[a], pairs[a][0])), x.shape)]));
}

describe.each(BACKENDS)('nn.Conv3d on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { x: [2, 3, 5, 7, 3], args: [3, 4, 3] as const, options: { padding: 1 }, sides: [[1, 1], [1, 1], [1, 1]], stride: [1, 1, 1], dilation: [1, 1, 1], groups: 1 },
    { x: [1, 4, 7, 5, 5], args: [4, 6, [2, 3, 1]] as const, options: { stride: 2, groups: 2 }, sides: [[0, 0], [0, 0], [0, 0]], stride: [2, 2, 2], dilation: [1, 1, 1], groups: 2 },
    { x: [2, 3, 5, 6, 7], args: [3, 3, 3] as const, options: { padding: 'same' as const, dilation: [2, 1, 1] as [number, number, number], groups: 3 }, sides: [[2, 2], [1, 1], [1, 1]], stride: [1, 1, 1], dilation: [2, 1, 1], groups: 3 },
  ])('x $x through Conv3d($args, $options): y = conv3d(x, W) + b, and the gradients of x, W and b', async (c) => {
    const layer = new tm.nn.Conv3d(...(c.args as unknown as [number, number, number]), c.options);
    const [w, b, x] = [random([...layer.weight.shape]), random([layer.outChannels]), random(c.x)];
    layer.weight.assign(tm.tensor(w.v, w.shape));
    layer.bias!.assign(tm.tensor(b.v));
    const xt = tm.tensor(x.v, x.shape);
    xt.requiresGrad = true;
    const y = layer.forward(xt);
    const g = { stride: c.stride, dilation: c.dilation, sides: c.sides, groups: c.groups } as Parameters<typeof conv3dRef>[2];
    const dy = random([...y.shape]);
    const want = conv3dRef(x, w, g, dy);
    const scale = conv3dRef(abs(x), abs(w), g, abs(dy));
    expect(y.shape).toEqual(want.y.shape);
    expectClose(await y.data(), withBias(want.y, b.v).v, 1e-5, 'y', withBias(scale.y, b.v.map(Math.abs)).v);
    tm.tidy(() => y.mul(tm.tensor(dy.v, dy.shape)).sum()).backward();
    expectClose(await xt.grad!.data(), want.dx.v, 1e-5, 'dx', scale.dx.v);
    expectClose(await layer.weight.grad!.data(), want.dw.v, 1e-5, 'dW', scale.dw.v);
    // b's gradient: dy summed over the batch and every position of its channel.
    const per = size(dy.shape.slice(2));
    const db = new Float64Array(layer.outChannels);
    dy.v.forEach((v, i) => (db[Math.floor(i / per) % layer.outChannels] += v));
    expectClose(await layer.bias!.grad!.data(), db, 1e-5, 'db', new Float64Array(layer.outChannels).fill(per * dy.shape[0]));
    layer.dispose();
  });

  it.each(['reflect', 'replicate', 'circular'] as const)("paddingMode '%s': x padded with its own entries, then convolved with none, as PyTorch", async (mode) => {
    const layer = new tm.nn.Conv3d(2, 3, [3, 2, 3], { padding: [1, 1, 2], paddingMode: mode, bias: false, seed: 3 });
    const x = random([2, 2, 3, 5, 4]);
    const w = f64([...layer.weight.shape], await layer.weight.data());
    const sides: [number, number][] = [[1, 1], [1, 1], [2, 2]];
    const want = conv3dRef(padRef(x, sides, mode), w, { stride: [1, 1, 1], dilation: [1, 1, 1], sides: [[0, 0], [0, 0], [0, 0]], groups: 1 });
    const y = layer.forward(tm.tensor(x.v, x.shape));
    expect(y.shape).toEqual(want.y.shape);
    expectClose(await y.data(), want.y.v, 1e-5, mode, conv3dRef(padRef(abs(x), sides, mode), abs(w), { stride: [1, 1, 1], dilation: [1, 1, 1], sides: [[0, 0], [0, 0], [0, 0]], groups: 1 }).y.v);
    // One volume without its batch axis: the same values.
    const one = layer.forward(tm.tensor(x.v.slice(0, x.v.length / 2), x.shape.slice(1)));
    expectClose(await one.data(), want.y.v.slice(0, want.y.v.length / 2), 1e-5, `${mode}, unbatched`, conv3dRef(padRef(abs(x), sides, mode), abs(w), { stride: [1, 1, 1], dilation: [1, 1, 1], sides: [[0, 0], [0, 0], [0, 0]], groups: 1 }).y.v);
    layer.dispose();
  });

  it('one volume without its batch axis takes the bias along its channels; an f16 x computes in f16', async () => {
    const layer = new tm.nn.Conv3d(2, 3, 3, { padding: 1, seed: 1 });
    layer.bias!.assign(tm.tensor([1, -2, 3]));
    const x = tm.randn([2, 3, 4, 5], { seed: 2 });
    const one = layer.forward(x);
    expect(one.shape).toEqual([3, 3, 4, 5]);
    expectClose(await one.data(), await layer.forward(x.reshape([1, 2, 3, 4, 5])).data(), 1e-6);
    const half = layer.forward(x.cast('f16'));
    expect(half.dtype).toBe('f16');
    expectClose(await half.data(), await one.data(), 2e-2);
    layer.dispose();
  });

  it('trains without leaving tensors behind: memory flat step after step', () => {
    const model = new tm.nn.Sequential([new tm.nn.Conv3d(2, 4, 3, { padding: 1, seed: 1 }), new tm.nn.BatchNorm3d(4), new tm.nn.ReLU(), new tm.nn.MaxPool3d(2), new tm.nn.Flatten(), new tm.nn.Dense(4 * 2 * 2 * 2, 3, { seed: 2 })]);
    const optimizer = new tm.optim.SGD(model.parameters(), { lr: 0.01 });
    const x = tm.randn([3, 2, 4, 4, 5], { seed: 3 });
    const target = tm.randn([3, 3], { seed: 4 });
    const step = () => {
      optimizer.zeroGrad();
      tm.tidy(() => model.forward(x).sub(target).square().mean().backward());
      optimizer.step();
    };
    step();
    const settled = tm.memory().numTensors;
    step();
    step();
    expect(tm.memory().numTensors).toBe(settled);
    model.dispose();
  });
});

describe('nn.Conv3d settings, saving and loading', () => {
  it('holds its sizes as triples; config describes it, and the padding mode only when not zeros', () => {
    const layer = new tm.nn.Conv3d(4, 6, [1, 3, 2], { padding: 'same', dilation: [1, 2, 1], groups: 2, bias: false, paddingMode: 'circular', seed: 1 });
    expect([layer.kernelSize, layer.stride, layer.padding, layer.dilation, layer.groups, layer.paddingMode]).toEqual([[1, 3, 2], [1, 1, 1], 'same', [1, 2, 1], 2, 'circular']);
    expect(layer.weight.shape).toEqual([6, 2, 1, 3, 2]);
    expect(layer.bias).toBeNull();
    expect(new tm.nn.Conv3d(1, 2, 3).config()).toEqual({ type: 'Conv3d', inChannels: 1, outChannels: 2, kernelSize: [3, 3, 3], stride: [1, 1, 1], padding: [0, 0, 0], dilation: [1, 1, 1], groups: 1, bias: true });
    expect(layer.config()).toMatchObject({ padding: 'same', paddingMode: 'circular', bias: false });
  });

  it('round-trips through save and load with the other volume layers: the same config, parameters and predictions', async () => {
    const model = new tm.nn.Sequential([
      new tm.nn.Conv3d(2, 4, [3, 3, 1], { padding: [1, 1, 0], seed: 1 }), new tm.nn.BatchNorm3d(4), new tm.nn.ReLU(), new tm.nn.Dropout3d(0.2, 5),
      new tm.nn.Conv3d(4, 4, 3, { padding: 'same', groups: 4, paddingMode: 'reflect', seed: 2 }), new tm.nn.InstanceNorm3d(4, { affine: true }),
      new tm.nn.MaxPool3d(2, { stride: [1, 2, 2], padding: 1, dilation: [1, 1, 1], ceilMode: true }), new tm.nn.AvgPool3d([1, 2, 2], { countIncludePad: false }),
      new tm.nn.ReplicationPad3d([0, 1, 1, 0, 1, 1]),
    ]);
    const x = tm.randn([2, 2, 5, 6, 7], { seed: 3 });
    model.train();
    model.forward(x); // running estimates off their initial values
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual(model.config());
    for (const [name, p] of Object.entries(model.namedState())) expect(await loaded.namedState()[name].data(), name).toEqual(await p.data());
    expect(await loaded.predict(x).data()).toEqual(await model.predict(x).data());
  });

  it('loadPytorch reads PyTorch\'s names and layout [out, in/groups, kd, kh, kw], running statistics by their snake-case names', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Conv3d(2, 4, [1, 2, 3], { groups: 2 }), new tm.nn.BatchNorm3d(4)]);
    const values = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => from + i / 8);
    const entry = (shape: number[], data: Float32Array | Int32Array) => ({ dtype: data instanceof Int32Array ? ('i32' as const) : ('f32' as const), shape, data });
    const state = {
      '0.weight': entry([4, 1, 1, 2, 3], values(24, 0)), '0.bias': entry([4], values(4, 1)),
      '1.weight': entry([4], values(4, 2)), '1.bias': entry([4], values(4, 3)), '1.running_mean': entry([4], values(4, 4)), '1.running_var': entry([4], values(4, 5)),
      '1.num_batches_tracked': entry([], Int32Array.of(7)),
    };
    tm.nn.loadPytorch(model, state);
    const conv = model.layers[0] as tm.nn.Conv3d;
    const norm = model.layers[1] as tm.nn.BatchNorm3d;
    expectClose(await conv.weight.data(), values(24, 0), 0);
    expectClose(await norm.runningVar!.data(), values(4, 5), 0);
    expect(() => tm.nn.loadPytorch(new tm.nn.Sequential([new tm.nn.Conv3d(2, 4, 3)]), state)).toThrow('loadPytorch: 0.weight is [4,1,1,2,3], 0.weight needs [4,2,3,3,3] there');
  });

  it('refuses bad settings, and x of another shape, naming them', () => {
    expect(() => new tm.nn.Conv3d(3, 4, [3, 3] as unknown as tm.Size3d)).toThrow('Conv3d: kernelSize must be an integer ≥ 1 or a triple [depth, height, width] of them, got [3, 3]');
    expect(() => new tm.nn.Conv3d(3, 4, 3, { groups: 2 })).toThrow('Conv3d: groups must be a positive integer dividing inChannels 3 and outChannels 4, got 2');
    expect(() => new tm.nn.Conv3d(0, 4, 3)).toThrow('Conv3d: inChannels must be a positive integer, got 0');
    expect(() => new tm.nn.Conv3d(3, 4, 3, { paddingMode: 'mirror' as 'reflect' })).toThrow('Conv3d: unknown paddingMode "mirror"; expected zeros, reflect, replicate, circular');
    expect(() => new tm.nn.Conv3d(3, 4, 3, { init: 'glorot' as 'he' })).toThrow('Conv3d: unknown init "glorot"; expected one of he, xavier');
    expect(() => new tm.nn.Conv3d(3, 4, 3, { padding: 'same', stride: 2 })).toThrow("Conv3d: padding 'same' needs stride 1, got stride 2");
    expect(() => new tm.nn.Conv3d(3, 4, 3, { kernel_size: 3 } as tm.nn.Conv3dLayerOptions)).toThrow(/Conv3d: unknown option "kernel_size"/);
    expect(() => new tm.nn.Conv3d(3, 4, 3).forward(tm.zeros([2, 2, 5, 5, 5]))).toThrow('conv3d: weight [4,3,3,3,3] takes 3 channels, x [2,2,5,5,5] has 2');
    expect(() => new tm.nn.Conv3d(3, 4, 3, { padding: 1, paddingMode: 'reflect' }).forward(tm.zeros([2, 2, 5, 5, 5]))).toThrow('Conv3d: takes 3 channels, x [2,2,5,5,5] has 2');
    expect(() => new tm.nn.Conv3d(3, 4, 3, { padding: 1, paddingMode: 'reflect' }).forward(tm.zeros([3, 5, 5]))).toThrow('Conv3d: x must be [batch, channels, depth, height, width] (or one volume [channels, depth, height, width]), got [3,5,5]');
  });

  it('a file whose Conv3d has pairs for sizes, or a weight of another shape, is refused', async () => {
    const file = (layer: object, weight?: number[]) => {
      const entries: Record<string, tm.SafetensorsEntry> = weight ? { '0.weight': { dtype: 'f32', shape: weight, data: new Float32Array(size(weight)) } } : {};
      return tm.encodeSafetensors(entries, { format: 'tmnn', model: JSON.stringify({ type: 'Sequential', layers: [layer] }) });
    };
    const conv = new tm.nn.Conv3d(1, 2, 3, { bias: false }).config();
    expect(() => tm.nn.fromBytes(file({ ...conv, stride: [1, 1] }))).toThrow(new CorruptFileError('model file: layer 0 (Conv3d) has stride = [1, 1], expected [depth, height, width], integers ≥ 1'));
    expect(() => tm.nn.fromBytes(file(conv, [2, 1, 3, 3]))).toThrow(new CorruptFileError('model file: parameter 0.weight is [2,1,3,3], the layer needs [2,1,3,3,3]'));
    expect(() => tm.nn.fromBytes(file({ ...conv, padding: 'same', stride: [1, 2, 1] }, [2, 1, 3, 3, 3]))).toThrow(new CorruptFileError("model file: Conv3d: padding 'same' needs stride 1, got stride [1, 2, 1]"));
    expect(() => tm.nn.fromBytes(file({ type: 'MaxPool3d', kernelSize: [2, 2, 2], stride: [2, 2, 2], padding: [2, 0, 0], ceilMode: false, dilation: [1, 1, 1] }))).toThrow(new CorruptFileError('model file: MaxPool3d: padding [2, 0, 0] is more than half the 2×2×2 window (a window could then hold padding only)'));
  });
});
