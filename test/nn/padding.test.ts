// The padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad,
// CircularPad, 1d, 2d and 3d) against index arithmetic written here: each
// output position reads the input position its mode maps it to (or the
// constant), and the gradient sums the upstream gradient back the same way,
// in float64, at odd shapes batched and unbatched, on every backend; PyTorch's
// (left, right, top, bottom, front, back) order, its limits as errors, saving and loading.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { TOL, asF32, expectClose, uniform } from '../helpers/data.js';
import { ravel, size, unravel } from '../helpers/float64.js';

type Mode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Where output index i along an axis of size d, padded by `before`, reads from; -1 for the constant. */
function source(i: number, d: number, before: number, mode: Mode): number {
  const s = i - before;
  if (s >= 0 && s < d) return s;
  switch (mode) {
    case 'constant': return -1;
    case 'reflect': return s < 0 ? -s : 2 * (d - 1) - s;
    case 'replicate': return s < 0 ? 0 : d - 1;
    case 'circular': return ((s % d) + d) % d;
  }
}

/** x padded along its last `axes` axes by PyTorch's [left, right(, top, bottom(, front, back))], and the gradient of Σ upstream·y. */
function padRef(x: Float64Array, shape: number[], padding: number[], mode: Mode, value: number, upstream?: Float64Array): { shape: number[]; y: Float64Array; dx: Float64Array } {
  const pairs = shape.map(() => [0, 0]);
  for (let k = 0; k < padding.length / 2; k++) pairs[shape.length - 1 - k] = [padding[2 * k], padding[2 * k + 1]];
  const out = shape.map((d, a) => d + pairs[a][0] + pairs[a][1]);
  const y = new Float64Array(size(out));
  const dx = new Float64Array(x.length);
  for (let o = 0; o < y.length; o++) {
    const at = unravel(o, out).map((i, a) => source(i, shape[a], pairs[a][0], mode));
    if (at.some((i) => i < 0)) {
      y[o] = value;
      continue;
    }
    const from = ravel(at, shape);
    y[o] = x[from];
    if (upstream) dx[from] += upstream[o];
  }
  return { shape: out, y, dx };
}

type Layer = new (...args: never[]) => tm.nn.Module;
const LAYERS: [name: string, Layer, mode: Mode, value: number, axes: 1 | 2 | 3][] = [
  ['ZeroPad1d', tm.nn.ZeroPad1d, 'constant', 0, 1],
  ['ConstantPad1d', tm.nn.ConstantPad1d, 'constant', -2.5, 1],
  ['ReflectionPad1d', tm.nn.ReflectionPad1d, 'reflect', 0, 1],
  ['ReplicationPad1d', tm.nn.ReplicationPad1d, 'replicate', 0, 1],
  ['CircularPad1d', tm.nn.CircularPad1d, 'circular', 0, 1],
  ['ZeroPad2d', tm.nn.ZeroPad2d, 'constant', 0, 2],
  ['ConstantPad2d', tm.nn.ConstantPad2d, 'constant', 7, 2],
  ['ReflectionPad2d', tm.nn.ReflectionPad2d, 'reflect', 0, 2],
  ['ReplicationPad2d', tm.nn.ReplicationPad2d, 'replicate', 0, 2],
  ['CircularPad2d', tm.nn.CircularPad2d, 'circular', 0, 2],
  ['ZeroPad3d', tm.nn.ZeroPad3d, 'constant', 0, 3],
  ['ConstantPad3d', tm.nn.ConstantPad3d, 'constant', -1.5, 3],
  ['ReflectionPad3d', tm.nn.ReflectionPad3d, 'reflect', 0, 3],
  ['ReplicationPad3d', tm.nn.ReplicationPad3d, 'replicate', 0, 3],
  ['CircularPad3d', tm.nn.CircularPad3d, 'circular', 0, 3],
];

/** Shapes and paddings every mode takes (reflection's below each size), batched and unbatched, one size given as a number. */
const CASES: Record<1 | 2 | 3, [shape: number[], padding: number | number[]][]> = {
  1: [[[2, 3, 7], [2, 5]], [[1, 1, 13], 3], [[3, 7], [0, 6]], [[2, 5, 2], [1, 0]], [[4, 1], 0]],
  2: [[[2, 3, 5, 7], [1, 2, 3, 0]], [[1, 1, 13, 3], 2], [[3, 7, 5], [4, 0, 2, 6]], [[2, 1, 2, 9], [8, 1, 0, 1]], [[1, 2, 1, 1], 0]],
  3: [[[2, 3, 3, 5, 7], [1, 2, 3, 0, 2, 1]], [[1, 1, 5, 3, 3], 2], [[3, 7, 5, 2], [1, 0, 2, 4, 6, 0]], [[2, 1, 1, 2, 9], [8, 1, 0, 1, 0, 0]], [[1, 2, 1, 1, 1], 0]],
};

const make = (L: Layer, padding: number | number[], value: number) => new (L as unknown as new (p: number | number[], v: number) => tm.nn.Module)(padding, value);

describe.each(BACKENDS)('padding layers on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  describe.each(LAYERS)('%s', (name, L, mode, value, axes) => {
    it.each(CASES[axes])('pads %j by %j as the index arithmetic says, and sums the gradient back', async (shape, padding) => {
      const sides = typeof padding === 'number' ? Array<number>(2 * axes).fill(padding) : padding;
      const x = asF32(uniform(size(shape), -3, 3));
      const want = padRef(x, shape, sides, mode, value);
      const upstream = asF32(uniform(size(want.shape), -1, 1));
      const { dx } = padRef(x, shape, sides, mode, value, upstream);
      const xt = tm.tensor(x, shape);
      xt.requiresGrad = true;
      const y = make(L, padding, value).forward(xt);
      expect(y.shape).toEqual(want.shape);
      expectClose(await y.data(), want.y, TOL.f32, name);
      tm.tidy(() => y.mul(tm.tensor(upstream, want.shape)).sum()).backward();
      expectClose(await xt.grad!.data(), dx, TOL.f32, `${name} gradient`);
    });

    it('leaves no tensors behind', () => {
      const layer = make(L, [1, 2, 2, 1, 1, 2].slice(0, 2 * axes), value);
      const x = tm.randn([2, 3, 4, 5, 6].slice(0, axes + 2), { seed: 1 });
      layer.forward(x).dispose();
      const before = tm.memory().numTensors;
      layer.forward(x).dispose();
      expect(tm.memory().numTensors).toBe(before);
    });
  });

  it('reach their limits exactly: reflection to one less than the size, circular padding to the size, replication any distance', async () => {
    const x = tm.tensor([1, 2, 3], [1, 3]);
    expect(Array.from(await new tm.nn.ReflectionPad1d([2, 2]).forward(x).data())).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(Array.from(await new tm.nn.CircularPad1d([3, 3]).forward(x).data())).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(Array.from(await new tm.nn.ReplicationPad1d([5, 4]).forward(x).data())).toEqual([1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3]);
    // (left, right, top, bottom): the width first.
    const image = tm.tensor([1, 2, 3, 4], [1, 2, 2]);
    expect(Array.from(await new tm.nn.ConstantPad2d([1, 0, 0, 1], 9).forward(image).data())).toEqual([9, 1, 2, 9, 3, 4, 9, 9, 9]);
  });
});

describe('padding layers: settings, errors and saving', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('config holds the padding spelled out, and a constant padding its value', () => {
    expect(new tm.nn.ZeroPad2d(2).config()).toEqual({ type: 'ZeroPad2d', padding: [2, 2, 2, 2] });
    expect(new tm.nn.ConstantPad1d([0, 3], 1.5).config()).toEqual({ type: 'ConstantPad1d', padding: [0, 3], value: 1.5 });
    expect(new tm.nn.ReflectionPad1d(1).config()).toEqual({ type: 'ReflectionPad1d', padding: [1, 1] });
    expect(new tm.nn.ConstantPad3d(1, -2).config()).toEqual({ type: 'ConstantPad3d', padding: [1, 1, 1, 1, 1, 1], value: -2 });
  });

  it('refuses bad paddings and values, the layer and the value named', () => {
    expect(() => new tm.nn.ZeroPad1d(-1)).toThrow('ZeroPad1d: padding must be a non-negative integer or [left, right] of them, got -1');
    expect(() => new tm.nn.ReflectionPad2d([1, 2] as unknown as tm.nn.Padding2d)).toThrow('ReflectionPad2d: padding must be a non-negative integer or [left, right, top, bottom] of them, got [1, 2]');
    expect(() => new tm.nn.CircularPad1d(1.5)).toThrow(/CircularPad1d: padding .* got 1\.5/);
    expect(() => new tm.nn.ConstantPad2d(1, NaN)).toThrow('ConstantPad2d: value must be a finite number, got NaN');
    expect(() => new tm.nn.ReplicationPad3d([1, 2, 3, 4] as unknown as tm.nn.Padding3d)).toThrow('ReplicationPad3d: padding must be a non-negative integer or [left, right, top, bottom, front, back] of them, got [1, 2, 3, 4]');
  });

  it("refuses x of another rank, and paddings beyond PyTorch's limits, naming the axis, its size and x's shape", () => {
    expect(() => new tm.nn.ZeroPad1d(1).forward(tm.zeros([2, 3, 4, 5]))).toThrow('ZeroPad1d: x [2,3,4,5] is not [batch, channels, length] or [channels, length]');
    expect(() => new tm.nn.ZeroPad2d(1).forward(tm.zeros([4, 5]))).toThrow('ZeroPad2d: x [4,5] is not [batch, channels, height, width] or [channels, height, width]');
    expect(() => new tm.nn.ReflectionPad1d([0, 3]).forward(tm.zeros([1, 2, 3]))).toThrow("ReflectionPad1d: padding [0, 3] of the width of x [1,2,3] must be less than the width's size 3");
    expect(() => new tm.nn.ReflectionPad2d([0, 0, 2, 1]).forward(tm.zeros([1, 2, 5]))).toThrow("ReflectionPad2d: padding [2, 1] of the height of x [1,2,5] must be less than the height's size 2");
    expect(() => new tm.nn.CircularPad2d([4, 0, 0, 0]).forward(tm.zeros([1, 5, 3]))).toThrow("CircularPad2d: padding [4, 0] of the width of x [1,5,3] must be at most the width's size 3");
    expect(() => new tm.nn.ReplicationPad1d(1).forward(tm.zeros([2, 0]))).toThrow('ReplicationPad1d: padding [1, 1] of the width of x [2,0] must be a width with entries to repeat');
    expect(() => new tm.nn.ZeroPad3d(1).forward(tm.zeros([2, 3, 4]))).toThrow('ZeroPad3d: x [2,3,4] is not [batch, channels, depth, height, width] or [channels, depth, height, width]');
    expect(() => new tm.nn.ReflectionPad3d([0, 0, 0, 0, 1, 3]).forward(tm.zeros([1, 3, 5, 5]))).toThrow("ReflectionPad3d: padding [1, 3] of the depth of x [1,3,5,5] must be less than the depth's size 3");
  });

  it('round-trips through save and load on every backend: configs and predictions identical', async () => {
    for (const backend of BACKENDS) {
      await tm.init({ backend });
      const images = new tm.nn.Sequential([
        new tm.nn.ZeroPad2d([1, 0, 2, 1]), new tm.nn.ConstantPad2d(1, -0.75), new tm.nn.ReflectionPad2d([2, 1, 0, 3]),
        new tm.nn.ReplicationPad2d(2), new tm.nn.CircularPad2d([0, 3, 1, 1]),
      ]);
      const sequences = new tm.nn.Sequential([
        new tm.nn.ZeroPad1d(1), new tm.nn.ConstantPad1d([2, 0], 4), new tm.nn.ReflectionPad1d([3, 1]), new tm.nn.ReplicationPad1d([0, 2]), new tm.nn.CircularPad1d(5),
      ]);
      const volumes = new tm.nn.Sequential([
        new tm.nn.ZeroPad3d([1, 0, 2, 1, 0, 1]), new tm.nn.ConstantPad3d(1, 0.5), new tm.nn.ReflectionPad3d([2, 1, 0, 3, 1, 1]),
        new tm.nn.ReplicationPad3d(1), new tm.nn.CircularPad3d([0, 3, 1, 1, 2, 0]),
      ]);
      for (const [m, shape] of [[images, [2, 3, 4, 5]], [sequences, [2, 3, 7]], [volumes, [2, 1, 3, 4, 5]]] as const) {
        const loaded = tm.nn.fromBytes(await m.toBytes());
        expect(loaded.config()).toEqual(m.config());
        const x = tm.randn([...shape], { seed: 4 });
        expect(await loaded.predict(x).data(), backend).toEqual(await m.predict(x).data());
      }
    }
    await tm.init({ backend: 'js' });
  });

  it('a file with a padding of another length, or a constant padding without its value, is refused', () => {
    const edited = (layer: object) => tm.encodeSafetensors({}, { format: 'tmnn', model: JSON.stringify({ type: 'Sequential', layers: [layer] }) });
    expect(() => tm.nn.fromBytes(edited({ type: 'ReflectionPad2d', padding: [1, 1] }))).toThrow(new CorruptFileError('model file: layer 0 (ReflectionPad2d) has padding = [1, 1], expected [left, right, top, bottom], integers ≥ 0'));
    expect(() => tm.nn.fromBytes(edited({ type: 'ConstantPad1d', padding: [1, 1] }))).toThrow(new CorruptFileError('model file: layer 0 (ConstantPad1d) has value = undefined, expected a number'));
    expect(() => tm.nn.fromBytes(edited({ type: 'ZeroPad3d', padding: [1, 1, 1, 1] }))).toThrow(new CorruptFileError('model file: layer 0 (ZeroPad3d) has padding = [1, 1, 1, 1], expected [left, right, top, bottom, front, back], integers ≥ 0'));
    expect(tm.nn.fromBytes(edited({ type: 'ConstantPad1d', padding: [1, 1], value: 2 })).config()).toEqual({ type: 'Sequential', layers: [{ type: 'ConstantPad1d', padding: [1, 1], value: 2 }] });
  });
});
