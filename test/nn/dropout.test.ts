// Dropout1d, Dropout2d, Dropout3d, AlphaDropout and FeatureAlphaDropout: each
// output checked value by value against what the layer's definition allows
// (a channel wholly zero or wholly x/(1 − p); AlphaDropout's a·x + b or its
// dropped value, for FeatureAlphaDropout the same for a whole channel), the gradient the
// same mask, the share dropped within statistical bounds for fixed seeds,
// AlphaDropout's mean and variance of a standard normal kept, the identity
// in eval mode, and the same seed giving the same masks on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { size } from '../helpers/float64.js';
import { collected } from '../helpers/gc.js';

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** Away from 0, so a kept value is never mistaken for a dropped one. */
const awayFromZero = (n: number) => asF32(uniform(n, 0.5, 2)).map((v, i) => (i % 3 ? v : -v));

/**
 * For x and y of `shape`, whose last `spatial` axes make one channel: which
 * channels were kept, after checking each is wholly zero or wholly x/(1 − p)
 * (in float64, to f32's rounding).
 */
function channelsKept(x: Float64Array, y: ArrayLike<number>, shape: number[], spatial: number, p: number): boolean[] {
  const per = size(shape.slice(shape.length - spatial));
  const kept: boolean[] = [];
  for (let c = 0; c < x.length / per; c++) {
    const at = Array.from({ length: per }, (_, j) => c * per + j);
    const keep = y[at[0]] !== 0;
    for (const i of at) {
      const want = keep ? x[i] / (1 - p) : 0;
      if (Math.abs(y[i] - want) > 1e-6 * Math.abs(want)) throw new Error(`channel ${c}: y[${i}] = ${y[i]}, not ${want} as the channel's first value says (${keep ? 'kept' : 'dropped'})`);
    }
    kept.push(keep);
  }
  return kept;
}

type ChannelLayer = typeof tm.nn.Dropout1d | typeof tm.nn.Dropout2d | typeof tm.nn.Dropout3d;
const CHANNEL_LAYERS: [name: string, ChannelLayer, spatial: number, shapes: number[][]][] = [
  ['Dropout1d', tm.nn.Dropout1d, 1, [[5, 7, 13], [7, 13], [1, 1, 1], [3, 13, 1]]],
  ['Dropout2d', tm.nn.Dropout2d, 2, [[5, 7, 3, 13], [7, 5, 3], [1, 1, 1, 1], [2, 13, 1, 7]]],
  ['Dropout3d', tm.nn.Dropout3d, 3, [[5, 7, 3, 1, 5], [7, 5, 3, 3], [1, 1, 1, 1, 1], [2, 13, 1, 7, 1]]],
];

describe.each(BACKENDS)('channel and alpha dropout on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  describe.each(CHANNEL_LAYERS)('%s', (name, Layer, spatial, shapes) => {
    it.each(shapes.map((s) => [s]))('zeroes whole channels of %j or scales them by 1/(1 − p), and the gradient follows the same mask', async (shape) => {
      const p = 0.4;
      const x = awayFromZero(size(shape));
      const upstream = asF32(uniform(x.length, -1, 1));
      const xt = tm.tensor(x, shape);
      xt.requiresGrad = true;
      const y = new Layer(p, 11).forward(xt);
      expect(y.shape).toEqual(shape);
      const kept = channelsKept(x, await y.data(), shape, spatial, p);
      tm.tidy(() => y.mul(tm.tensor(upstream, shape)).sum()).backward();
      const per = size(shape.slice(shape.length - spatial));
      expectClose(await xt.grad!.data(), upstream.map((u, i) => (kept[Math.floor(i / per)] ? u / (1 - p) : 0)), 1e-6, `${name} gradient`);
    });

    it('drops a share of channels within 5 standard deviations of the rate, for several seeds and rates', async () => {
      const shape = [40, 50, ...Array<number>(spatial).fill(2)];
      const x = tm.ones(shape);
      for (const [p, seed] of [[0.1, 1], [0.3, 2], [0.5, 3], [0.8, 4]]) {
        const kept = channelsKept(new Float64Array(size(shape)).fill(1), await new Layer(p, seed).forward(x).data(), shape, spatial, p);
        const dropped = kept.filter((k) => !k).length;
        const sd = Math.sqrt(kept.length * p * (1 - p));
        expect(Math.abs(dropped - kept.length * p), `p ${p}, seed ${seed}: ${dropped} of ${kept.length}`).toBeLessThan(5 * sd);
      }
    });

    it('is the identity in eval mode and at rate 0, and leaves no tensors behind', async () => {
      const shape = [3, 4, 5, 2, 3].slice(0, spatial + 2);
      const x = tm.tensor(asF32(uniform(size(shape))), shape);
      expect(await new Layer(0.5, 1).eval().forward(x).data()).toEqual(await x.data());
      expect(await new Layer(0, 1).forward(x).data()).toEqual(await x.data());
      const layer = new Layer(0.5, 2);
      layer.forward(x).dispose();
      const before = await collected();
      layer.forward(x).dispose();
      expect(tm.memory().numTensors).toBe(before);
    });
  });

  it('AlphaDropout maps kept values to a·x + b and dropped ones to a·α′ + b (PyTorch\'s formula), with gradient a and 0', async () => {
    for (const [shape, p] of [[[7, 13], 0.2], [[3, 1, 5], 0.5], [[1], 0.05], [[2, 3, 4, 5], 0.9]] as [number[], number][]) {
      const floor = -SELU_SCALE * SELU_ALPHA;
      const a = 1 / Math.sqrt((floor * floor * p + 1) * (1 - p));
      const b = -a * floor * p;
      const x = awayFromZero(size(shape));
      const upstream = asF32(uniform(x.length, -1, 1));
      const xt = tm.tensor(x, shape);
      xt.requiresGrad = true;
      const y = new tm.nn.AlphaDropout(p, 5).forward(xt);
      const got = await y.data();
      const dropped = a * floor + b;
      // Which were kept is read off y: a·x + b can equal the dropped value only where x = α′, and no x here is.
      const kept = Array.from(got, (v, i) => Math.abs(v - (a * x[i] + b)) <= 1e-5 * Math.max(1, Math.abs(v)));
      expectClose(got, x.map((v, i) => (kept[i] ? a * v + b : dropped)), 1e-5, `AlphaDropout(${p})`);
      tm.tidy(() => y.mul(tm.tensor(upstream, shape)).sum()).backward();
      expectClose(await xt.grad!.data(), upstream.map((u, i) => (kept[i] ? a * u : 0)), 1e-5, 'AlphaDropout gradient');
    }
  });

  it('FeatureAlphaDropout drops whole channels of [N, C, ...] to a·α′ + b and maps the others to a·x + b, with gradient a and 0', async () => {
    const p = 0.4;
    const floor = -SELU_SCALE * SELU_ALPHA;
    const a = 1 / Math.sqrt((floor * floor * p + 1) * (1 - p));
    const b = -a * floor * p;
    for (const shape of [[5, 7, 3, 1, 5], [6, 9, 13], [3, 4], [2, 13, 1, 7]]) {
      const x = awayFromZero(size(shape));
      const upstream = asF32(uniform(x.length, -1, 1));
      const xt = tm.tensor(x, shape);
      xt.requiresGrad = true;
      const y = new tm.nn.FeatureAlphaDropout(p, 8).forward(xt);
      const got = await y.data();
      const per = size(shape.slice(2));
      // A channel's first value says whether it was kept; every value of it must agree.
      const kept = Array.from({ length: x.length / per }, (_, c) => Math.abs(got[c * per] - (a * x[c * per] + b)) <= 1e-5 * Math.max(1, Math.abs(got[c * per])));
      expectClose(got, x.map((v, i) => (kept[Math.floor(i / per)] ? a * v + b : a * floor + b)), 1e-5, `FeatureAlphaDropout ${JSON.stringify(shape)}`);
      expect(kept.some((k) => k) && kept.some((k) => !k), `${JSON.stringify(shape)}: some channels kept and some dropped`).toBe(true);
      tm.tidy(() => y.mul(tm.tensor(upstream, shape)).sum()).backward();
      expectClose(await xt.grad!.data(), upstream.map((u, i) => (kept[Math.floor(i / per)] ? a * u : 0)), 1e-5, 'FeatureAlphaDropout gradient');
    }
    const x = tm.tensor(awayFromZero(24), [2, 3, 4]);
    expect(Array.from(await new tm.nn.FeatureAlphaDropout(p).eval().forward(x).data())).toEqual(Array.from(await x.data()));
  });

  it('AlphaDropout keeps a standard normal input\'s zero mean and unit variance, and drops about p of it', async () => {
    const n = 200000;
    const x = tm.randn([n], { seed: 7 });
    for (const [p, seed] of [[0.1, 1], [0.5, 2]]) {
      const y = Array.from(await new tm.nn.AlphaDropout(p, seed).forward(x).data());
      const mean = y.reduce((s, v) => s + v, 0) / n;
      const variance = y.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      // The mean of n unit-variance values is within 5/√n of 0; the variance's spread is about √(2/n), a few times more for the skewed mixture.
      expect(Math.abs(mean), `mean at p ${p}`).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(variance - 1), `variance at p ${p}`).toBeLessThan(0.02);
    }
  });
});

describe('dropout masks', () => {
  it('the same seed gives the same masks on every backend, call after call', async () => {
    const layers = () => [new tm.nn.Dropout1d(0.5, 21), new tm.nn.Dropout2d(0.5, 21), new tm.nn.Dropout3d(0.5, 21), new tm.nn.AlphaDropout(0.3, 21), new tm.nn.FeatureAlphaDropout(0.3, 21)];
    const inputs = [[4, 6, 5], [4, 6, 3, 2], [4, 6, 2, 3, 2], [9, 7], [4, 6, 2, 3]];
    const results: number[][][] = [];
    for (const backend of BACKENDS) {
      await tm.init({ backend });
      const out: number[][] = [];
      for (const [i, layer] of layers().entries()) {
        const x = tm.ones(inputs[i]);
        for (let call = 0; call < 2; call++) out.push(Array.from(await layer.forward(x).data()));
      }
      results.push(out);
    }
    await tm.init({ backend: 'js' });
    for (const [i, out] of results.entries()) expect(out, BACKENDS[i]).toEqual(results[0]);
    // Each call draws a fresh mask.
    expect(results[0][0]).not.toEqual(results[0][1]);
  });

  it('refuse x of another rank, a rate outside [0, 1), and a seed that is not an integer', () => {
    expect(() => new tm.nn.Dropout1d(0.5).forward(tm.ones([2, 3, 4, 5]))).toThrow('Dropout1d: x [2,3,4,5] is not [batch, channels, length] or [channels, length]');
    expect(() => new tm.nn.Dropout2d(0.5).forward(tm.ones([4, 5]))).toThrow('Dropout2d: x [4,5] is not [batch, channels, height, width] or [channels, height, width]');
    expect(() => new tm.nn.Dropout3d(0.5).forward(tm.ones([4, 5, 6]))).toThrow('Dropout3d: x [4,5,6] is not [batch, channels, depth, height, width] or [channels, depth, height, width]');
    // Refused in eval mode too: a model that runs in eval would fail in training.
    expect(() => new tm.nn.Dropout2d(0.5).eval().forward(tm.ones([4]))).toThrow('Dropout2d: x [4] is not');
    expect(() => new tm.nn.Dropout1d(1)).toThrow('Dropout1d: rate must be a number in [0, 1), got 1');
    expect(() => new tm.nn.AlphaDropout(-0.1)).toThrow('AlphaDropout: rate must be a number in [0, 1), got -0.1');
    expect(() => new tm.nn.FeatureAlphaDropout(0.5).forward(tm.ones([4]))).toThrow('FeatureAlphaDropout: x [4] must have a batch and a channel axis ([batch, channels, ...])');
    expect(() => new tm.nn.Dropout2d(0.5, 1.5)).toThrow('Dropout2d: seed must be an integer in [0, 2^32), got 1.5');
  });

  it('count the masks a seeded layer has drawn (drawCounts), under `dropout.i` for the dropouts a layer holds itself; counts put back (setDrawCounts) draw the same next mask', async () => {
    await tm.init({ backend: 'js' });
    const x = tm.randn([2, 3, 4], { seed: 2 });
    const memory = tm.randn([2, 2, 4], { seed: 3 });
    const cases: [string, () => tm.nn.Module, (layer: tm.nn.Module) => tm.Tensor, Record<string, number>][] = [
      ['Dropout', () => new tm.nn.Dropout(0.5, 1), (l) => l.forward(x), { masks: 1 }],
      ['MultiheadAttention', () => new tm.nn.MultiheadAttention(4, 2, { dropout: 0.5, seed: 1 }), (l) => l.forward(x), { 'dropout.0.masks': 1 }],
      ['LSTM of two layers', () => new tm.nn.LSTM(4, 3, { numLayers: 2, dropout: 0.5, seed: 1 }), (l) => l.forward(x), { 'dropout.0.masks': 1 }],
      ['TransformerEncoderLayer', () => new tm.nn.TransformerEncoderLayer(4, 2, { dropout: 0.5, seed: 1 }), (l) => l.forward(x), { 'dropout.0.masks': 1, 'dropout.1.masks': 1, 'dropout.2.masks': 1 }],
      [
        'TransformerDecoderLayer',
        () => new tm.nn.TransformerDecoderLayer(4, 2, { dropout: 0.5, seed: 1 }),
        (l) => (l as tm.nn.TransformerDecoderLayer).forward(x, memory),
        { 'dropout.0.masks': 1, 'dropout.1.masks': 1, 'dropout.2.masks': 1, 'dropout.3.masks': 1 },
      ],
    ];
    for (const [name, make, run, once] of cases) {
      const layer = make();
      run(layer);
      expect(layer.drawCounts(), name).toEqual(once);
      // Its sublayers' counts too (a transformer layer's attention), as a training checkpoint keeps them.
      const counts = layer.namedModules().map(([, sub]) => sub.drawCounts());
      const second = await run(layer).data();
      const resumed = make();
      resumed.namedModules().forEach(([, sub], i) => sub.setDrawCounts(counts[i]));
      expect(await run(resumed).data(), `${name}: the mask after the first`).toEqual(second);
      expect(await run(make()).data(), `${name}: the first mask`).not.toEqual(second);
      // Unseeded, nothing to count: the masks come from setSeed's sequence (tm.getRandomState).
      const unseeded = name === 'Dropout' ? new tm.nn.Dropout(0.5) : null;
      if (unseeded) {
        run(unseeded);
        expect(unseeded.drawCounts()).toEqual({});
      }
    }
  });

  it('are saved and loaded with their rate and seed: a loaded model draws the masks the saved one drew', async () => {
    await tm.init({ backend: 'js' });
    const make = () => new tm.nn.Sequential([new tm.nn.Dropout3d(0.4, 3), new tm.nn.FeatureAlphaDropout(0.3, 6), new tm.nn.Dropout2d(0.3, 4), new tm.nn.Flatten(), new tm.nn.AlphaDropout(0.2, 5)]);
    const noSeed = new tm.nn.Sequential([new tm.nn.Dropout1d(0.25)]);
    const loaded = tm.nn.fromBytes(await make().toBytes());
    expect(loaded.config()).toEqual(make().config());
    expect(tm.nn.fromBytes(await noSeed.toBytes()).config()).toEqual({ type: 'Sequential', layers: [{ type: 'Dropout1d', rate: 0.25 }] });
    const x = tm.randn([3, 5, 2, 2], { seed: 1 });
    expect(await loaded.forward(x).data()).toEqual(await make().forward(x).data());
    const file = (layer: object) => tm.encodeSafetensors({}, { format: 'tmnn', model: JSON.stringify({ type: 'Sequential', layers: [layer] }) });
    expect(() => tm.nn.fromBytes(file({ type: 'Dropout2d', rate: 1 }))).toThrow(new CorruptFileError('model file: Dropout2d: rate must be a number in [0, 1), got 1'));
  });
});

describe.each(BACKENDS)('dropout, the function, on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('zeroes a share p of x and scales the rest by 1/(1 − p), as PyTorch\'s F.dropout; the same seed, the same mask; the gradient through the same mask', async () => {
    const x = awayFromZero(4000);
    const xt = tm.tensor(x, [40, 100]);
    xt.requiresGrad = true;
    const y = tm.nn.dropout(xt, { p: 0.3, seed: 11 });
    const got = await y.data();
    let dropped = 0;
    got.forEach((v, i) => {
      if (v === 0) dropped++;
      else expect(Math.abs(v - x[i] / 0.7)).toBeLessThanOrEqual(1e-6 * Math.abs(v));
    });
    // 4000 draws at p = 0.3: the share within five standard errors (0.0072 each).
    expect(Math.abs(dropped / 4000 - 0.3)).toBeLessThan(0.036);
    expect(Array.from(await tm.nn.dropout(xt, { p: 0.3, seed: 11 }).data())).toEqual(Array.from(got));
    y.sum().backward();
    const grad = await xt.grad!.data();
    got.forEach((v, i) => expect(grad[i]).toBeCloseTo(v === 0 ? 0 : 1 / 0.7, 5));
  });

  it('is the identity outside training or at p 0, and zeroes everything at p 1', async () => {
    const x = tm.tensor(awayFromZero(12), [3, 4]);
    expect(Array.from(await tm.nn.dropout(x, { training: false }).data())).toEqual(Array.from(await x.data()));
    expect(Array.from(await tm.nn.dropout(x, { p: 0 }).data())).toEqual(Array.from(await x.data()));
    expect(Array.from(await tm.nn.dropout(x, { p: 1 }).data()).every((v) => v === 0)).toBe(true);
    expect(() => tm.nn.dropout(x, { p: 1.5 })).toThrow(new tm.ValueError('dropout: p must be a number in [0, 1], got 1.5'));
  });

  it.each([['dropout1d', 1, [5, 7, 13]], ['dropout2d', 2, [7, 5, 3]], ['dropout3d', 3, [2, 13, 1, 7, 2]]] as const)(
    '%s zeroes whole channels of x or scales them by 1/(1 − p), as PyTorch\'s; a seed repeats the mask; the gradient follows it',
    async (name, spatial, shape) => {
      const p = 0.4;
      const x = awayFromZero(size([...shape]));
      const xt = tm.tensor(x, [...shape]);
      xt.requiresGrad = true;
      const y = tm.nn[name](xt, { p, seed: 3 });
      const got = await y.data();
      const kept = channelsKept(x, got, [...shape], spatial, p);
      expect(Array.from(await tm.nn[name](xt, { p, seed: 3 }).data())).toEqual(Array.from(got));
      y.sum().backward();
      const per = size(shape.slice(shape.length - spatial));
      expectClose(await xt.grad!.data(), x.map((_, i) => (kept[Math.floor(i / per)] ? 1 / (1 - p) : 0)), 1e-6, `${name} gradient`);
      expect(Array.from(await tm.nn[name](xt, { training: false }).data())).toEqual(Array.from(x));
      expect(() => tm.nn[name](tm.zeros([3]), { p })).toThrow(new RegExp(`^${name}: x \\[3\\] is not \\[batch, channels`));
    },
  );

  it('alphaDropout is AlphaDropout\'s map in training (off by default, as PyTorch\'s F.alpha_dropout); p 1 zeroes all', async () => {
    const p = 0.3;
    const floor = -SELU_SCALE * SELU_ALPHA;
    const a = 1 / Math.sqrt((floor * floor * p + 1) * (1 - p));
    const b = -a * floor * p;
    const x = awayFromZero(600);
    const xt = tm.tensor(x, [20, 30]);
    expect(Array.from(await tm.nn.alphaDropout(xt, { p }).data())).toEqual(Array.from(x));
    const got = await tm.nn.alphaDropout(xt, { p, training: true, seed: 4 }).data();
    let dropped = 0;
    got.forEach((v, i) => {
      const isDropped = Math.abs(v - (a * floor + b)) < 1e-5;
      if (isDropped) dropped++;
      else expect(Math.abs(v - (a * x[i] + b))).toBeLessThanOrEqual(1e-5 * (Math.abs(v) + 1));
    });
    expect(Math.abs(dropped / 600 - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / 600));
    expect(Array.from(await tm.nn.alphaDropout(xt, { p: 1, training: true }).data()).every((v) => v === 0)).toBe(true);
  });

  it('featureAlphaDropout is FeatureAlphaDropout\'s map in training, one draw per (sample, channel), off by default as PyTorch\'s F.feature_alpha_dropout', async () => {
    const p = 0.5;
    const floor = -SELU_SCALE * SELU_ALPHA;
    const a = 1 / Math.sqrt((floor * floor * p + 1) * (1 - p));
    const b = -a * floor * p;
    const x = awayFromZero(8 * 10 * 6);
    const xt = tm.tensor(x, [8, 10, 6]);
    expect(Array.from(await tm.nn.featureAlphaDropout(xt, { p }).data())).toEqual(Array.from(x));
    const got = await tm.nn.featureAlphaDropout(xt, { p, training: true, seed: 9 }).data();
    expect(Array.from(await tm.nn.featureAlphaDropout(xt, { p, training: true, seed: 9 }).data())).toEqual(Array.from(got));
    let dropped = 0;
    for (let c = 0; c < 80; c++) {
      const isDropped = Math.abs(got[c * 6] - (a * floor + b)) < 1e-5;
      if (isDropped) dropped++;
      for (let j = 0; j < 6; j++) {
        const want = isDropped ? a * floor + b : a * x[c * 6 + j] + b;
        expect(Math.abs(got[c * 6 + j] - want), `channel ${c}, value ${j}`).toBeLessThanOrEqual(1e-5 * (Math.abs(want) + 1));
      }
    }
    expect(Math.abs(dropped / 80 - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / 80));
    expect(() => tm.nn.featureAlphaDropout(tm.zeros([3]), { p, training: true })).toThrow('featureAlphaDropout: x [3] must have a batch and a channel axis');
  });
});
