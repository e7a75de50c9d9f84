import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { erfRef } from '../helpers/float64.js';
import { CorruptFileError } from '../../src/io/errors.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

async function stats(t: tm.Tensor) {
  const v = Array.from(await t.data());
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
  return { mean, variance };
}

describe('Dense', () => {
  it('initialises relu layers with He (variance 2/fanIn) and tanh/sigmoid layers with Xavier (2/(fanIn+fanOut))', async () => {
    const he = new tm.nn.Dense(400, 300, { activation: 'relu', seed: 1 });
    const xavier = new tm.nn.Dense(400, 300, { activation: 'tanh', seed: 1 });
    const h = await stats(he.weight);
    const x = await stats(xavier.weight);
    expect(Math.abs(h.mean)).toBeLessThan(0.003);
    expect(h.variance).toBeCloseTo(2 / 400, 4);
    expect(x.variance).toBeCloseTo(2 / 700, 4);
    expect(await he.bias!.data()).toEqual(new Float32Array(300));
    he.dispose();
    xavier.dispose();
  });

  it('is reproducible with a seed', async () => {
    const a = new tm.nn.Dense(5, 3, { seed: 42 });
    const b = new tm.nn.Dense(5, 3, { seed: 42 });
    expect(await a.weight.data()).toEqual(await b.weight.data());
    a.dispose();
    b.dispose();
  });

  it('computes activation(x·W + b)', async () => {
    const d = new tm.nn.Dense(2, 2, { activation: 'relu' });
    d.weight.assign(tm.tensor([[1, -1], [2, 1]]));
    d.bias!.assign(tm.tensor([0.5, -10]));
    const y = d.forward(tm.tensor([[1, 1], [-3, 1]]));
    expect(await y.array()).toEqual([[3.5, 0], [0, 0]]);
  });

  it('rejects bad sizes and activations with a clear error', () => {
    expect(() => new tm.nn.Dense(0, 3)).toThrow(/inputs must be a positive integer, got 0/);
    expect(() => new tm.nn.Dense(3, 2, { activation: 'swish' as 'relu' })).toThrow(/unknown activation "swish"/);
    // Each of these was taken silently: any init but 'he' as Xavier, a truthy bias as true.
    expect(() => new tm.nn.Dense(3, 2, { init: 'glorot' as 'he' })).toThrow('Dense: unknown init "glorot"; expected one of he, xavier');
    expect(() => new tm.nn.Dense(3, 2, { init: 'He' as 'he' })).toThrow('Dense: unknown init "He"; expected one of he, xavier');
    expect(() => new tm.nn.Dense(3, 2, { bias: 0 as unknown as boolean })).toThrow('Dense: bias must be true or false, got 0');
    expect(() => new tm.nn.Dense(3, 2, { seed: '7' as unknown as number })).toThrow('Dense: seed must be an integer in [0, 2^32), got "7"');
    expect(() => tm.randn([2], { seed: NaN })).toThrow('randn: seed must be an integer in [0, 2^32), got NaN');
    expect(() => tm.rand([2], { seed: 0.5 })).toThrow('rand: seed must be an integer in [0, 2^32), got 0.5');
    expect(() => tm.setSeed('1' as unknown as number)).toThrow('setSeed: seed must be an integer in [0, 2^32), got "1"');
    // The generator holds 32 bits: 2^32 + 1 read as 1, and -1 as 2^32 - 1.
    expect(() => tm.randn([2], { seed: 2 ** 32 + 1 })).toThrow('randn: seed must be an integer in [0, 2^32), got 4294967297');
    expect(() => tm.randn([2], { seed: -1 })).toThrow('randn: seed must be an integer in [0, 2^32), got -1');
  });

  it('lists its parameters by name for saving', () => {
    const m = new tm.nn.Sequential([new tm.nn.Dense(3, 4), new tm.nn.ReLU(), new tm.nn.Dense(4, 2, { bias: false })]);
    expect(Object.keys(m.namedParameters())).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    m.dispose();
  });
});

describe('activation layers', () => {
  it('ReLU, Sigmoid, Tanh, Softmax, LeakyReLU and GELU compute their functions', async () => {
    const x = tm.tensor([-2, 0, 1.5]);
    const close = async (t: tm.Tensor, want: number[]) => {
      const got = await t.data();
      want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));
    };
    await close(new tm.nn.ReLU().forward(x), [0, 0, 1.5]);
    await close(new tm.nn.Sigmoid().forward(x), [-2, 0, 1.5].map((v) => 1 / (1 + Math.exp(-v))));
    await close(new tm.nn.Tanh().forward(x), [-2, 0, 1.5].map(Math.tanh));
    const e = [-2, 0, 1.5].map(Math.exp);
    await close(new tm.nn.Softmax().forward(x), e.map((v) => v / (e[0] + e[1] + e[2])));
    await close(new tm.nn.LeakyReLU(0.2).forward(x), [-0.4, 0, 1.5]);
    const tanhGelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    await close(new tm.nn.GELU({ approximate: 'tanh' }).forward(x), [-2, 0, 1.5].map(tanhGelu));
  });

  it("GELU is exact by default, x·Φ(x) through erf as PyTorch's (1.5 → 1.3997895); 'tanh' is the approximation Dense's 'gelu' uses", async () => {
    const x = tm.tensor([-3, -2, -0.5, 0, 1e-3, 1.5, 4]);
    const exact = [-3, -2, -0.5, 0, 1e-3, 1.5, 4].map((v) => 0.5 * v * (1 + erfRef(v / Math.SQRT2)));
    expectClose(await new tm.nn.GELU().forward(x).data(), exact, 1e-6);
    expectClose(await tm.nn.gelu(x).data(), exact, 1e-6);
    expect((await new tm.nn.GELU().forward(tm.tensor([1.5])).data())[0]).toBeCloseTo(1.3997895, 6);
    expect((await new tm.nn.GELU({ approximate: 'tanh' }).forward(tm.tensor([1.5])).data())[0]).toBeCloseTo(1.3995715, 6);
    const dense = new tm.nn.Dense(1, 1, { activation: 'gelu', bias: false });
    dense.weight.assign(tm.tensor([[1]]));
    expectClose(await dense.forward(tm.tensor([[1.5]])).data(), await tm.nn.gelu(tm.tensor([1.5]), 'tanh').data(), 0);
    expect(new tm.nn.GELU().config()).toEqual({ type: 'GELU', approximate: 'none' });
    expect(() => new tm.nn.GELU({ approximate: 'erf' as 'none' })).toThrow("GELU: approximate must be 'none' or 'tanh', got \"erf\"");
    // Its gradient: Φ(x) + x·φ(x).
    const g = tm.tensor([-1, 0.3, 2]);
    g.requiresGrad = true;
    tm.nn.gelu(g).sum().backward();
    const phi = (v: number) => Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
    expectClose(await g.grad!.data(), [-1, 0.3, 2].map((v) => 0.5 * (1 + erfRef(v / Math.SQRT2)) + v * phi(v)), 1e-6);
  });

  it('LeakyReLU is x above 0 and alpha·x below it for any alpha (max(x, alpha·x) is that only for alpha ≤ 1), with gradient alpha at 0', async () => {
    for (const alpha of [0.2, 2, -0.5]) {
      const x = tm.tensor([-1, 0, 2]);
      x.requiresGrad = true;
      const y = new tm.nn.LeakyReLU(alpha).forward(x);
      expect(Array.from(await y.data(), (v) => v + 0)).toEqual([-alpha, 0, 2].map((v) => Math.fround(v))); // + 0: -0 at 0 for a negative alpha
      y.sum().backward();
      expect(Array.from(await x.grad!.data())).toEqual([alpha, alpha, 1].map((v) => Math.fround(v)));
    }
  });

  it('refuse settings they cannot compute with where they are made, not at the first forward', () => {
    expect(() => new tm.nn.Softmax(1.5)).toThrow('Softmax: axis must be an integer, got 1.5');
    expect(() => new tm.nn.Softmax('1' as unknown as number)).toThrow('Softmax: axis must be an integer, got "1"');
    expect(() => new tm.nn.LeakyReLU(NaN)).toThrow('LeakyReLU: alpha must be a finite number, got NaN');
    expect(() => new tm.nn.LeakyReLU('0.1' as unknown as number)).toThrow('LeakyReLU: alpha must be a finite number, got "0.1"');
  });
});

describe('Dropout', () => {
  it('a seeded Dropout draws each mask from a stream of its seed: no mask repeats a neighbouring seed\'s, and seeds near 2^32 keep working', async () => {
    const x = tm.ones([64]);
    const masks = async (d: tm.nn.Dropout, n: number) => Promise.all(Array.from({ length: n }, async () => Array.from(await d.forward(x).data())));
    const [a, b] = [await masks(new tm.nn.Dropout(0.5, 14), 3), await masks(new tm.nn.Dropout(0.5, 16), 1)];
    expect(a[2]).not.toEqual(b[0]);
    expect(a[0]).not.toEqual(a[1]);
    const top = new tm.nn.Dropout(0.5, 2 ** 32 - 1);
    expect((await masks(top, 3)).length).toBe(3);
  });

  it('zeroes about `rate` of the values in training and scales the rest by 1/(1-rate)', async () => {
    const d = new tm.nn.Dropout(0.25, 3);
    const y = await d.forward(tm.ones([4000])).data();
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros / 4000).toBeGreaterThan(0.22);
    expect(zeros / 4000).toBeLessThan(0.28);
    expect(y.filter((v) => v !== 0).every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
  });

  it('is the identity in eval mode', async () => {
    const m = new tm.nn.Sequential([new tm.nn.Dropout(0.5)]).eval();
    expect(await m.forward(tm.tensor([1, 2, 3])).data()).toEqual(new Float32Array([1, 2, 3]));
  });

  it('rejects a rate outside [0, 1), a rate that is not a number, and a seed that is not an integer', () => {
    expect(() => new tm.nn.Dropout(1)).toThrow('Dropout: rate must be a number in [0, 1), got 1');
    expect(() => new tm.nn.Dropout('0.5' as unknown as number)).toThrow('Dropout: rate must be a number in [0, 1), got "0.5"');
    expect(() => new tm.nn.Dropout(0.5, 1.5)).toThrow('Dropout: seed must be an integer in [0, 2^32), got 1.5');
  });
});

describe('a layer of your own', () => {
  // PyTorch's way: parameters and sublayers are fields.
  class Affine extends tm.nn.Module {
    readonly scale = tm.ones([2]);
    readonly shift = tm.zeros([2]);
    readonly frozen = tm.fill([2], 3); // no requiresGrad: a constant, not a parameter
    readonly head = new tm.nn.Dense(2, 1, { seed: 1 });
    readonly extras = [new tm.nn.Dropout(0.5, 1)];
    constructor() {
      super();
      this.scale.requiresGrad = true;
      this.shift.requiresGrad = true;
    }
    forward(x: tm.Tensor): tm.Tensor {
      return this.head.forward(this.extras[0].forward(x.mul(this.scale).add(this.shift)));
    }
    config() {
      return { type: 'Affine' };
    }
  }

  it('finds the parameters and sublayers held in its fields, in the order they were set', () => {
    const layer = new Affine();
    expect(Object.keys(layer.namedParameters())).toEqual(['scale', 'shift', '0.weight', '0.bias']);
    expect(layer.parameters()).toEqual([layer.scale, layer.shift, layer.head.weight, layer.head.bias]);
    expect(layer.children()).toEqual([layer.head, layer.extras[0]]);
    layer.eval();
    expect(layer.head.training && layer.extras[0].training).toBe(false);
  });

  it('counts a layer or a tensor held in two places once (weights shared), and a layer that holds its parent does not loop', async () => {
    const shared = new tm.nn.Dense(2, 2, { seed: 1 });
    class Twice extends tm.nn.Module {
      readonly first = shared;
      readonly again = shared;
      readonly tied = shared.weight; // the same tensor as first.weight, by another name
      parent: tm.nn.Module | null = null;
      forward(x: tm.Tensor): tm.Tensor {
        return this.again.forward(this.first.forward(x));
      }
      config() {
        return { type: 'Twice' };
      }
    }
    const layer = new Twice();
    layer.parent = new tm.nn.Sequential([layer]); // a back-reference: children() finds it
    expect(layer.parameters()).toEqual([shared.weight, shared.bias]);
    expect(Object.keys(layer.namedParameters())).toEqual(['tied', '0.bias']); // its own fields first, then its sublayers'
    layer.eval();
    expect([layer.training, shared.training]).toEqual([false, false]);
    // An optimizer takes the list as it is (a tensor listed twice would be stepped twice, and is refused).
    const x = tm.randn([4, 2], { seed: 1 });
    await new tm.nn.Sequential([layer]).fit(x, x, { epochs: 1, loss: 'mse', quiet: true });
  });

  it('is trained by fit: its own weights move, not only its sublayers\'', async () => {
    const layer = new Affine();
    const x = tm.randn([32, 2], { seed: 1 });
    const y = x.sum(1, { keepDims: true });
    const model = new tm.nn.Sequential([layer]);
    const before = Array.from(await layer.scale.data());
    await model.fit(x, y, { epochs: 3, batchSize: 8, loss: 'mse', optimizer: new tm.optim.SGD(model.parameters(), { lr: 0.1 }), quiet: true });
    expect(Array.from(await layer.scale.data())).not.toEqual(before);
    expect(Array.from(await layer.frozen.data())).toEqual([3, 3]);
  });
});

describe('Embedding and Flatten', () => {
  it('Embedding looks rows up by index ([..., dim] from ints [...]) from a table drawn from N(0, 1), reproducibly with a seed', async () => {
    const e = new tm.nn.Embedding(1000, 64, { seed: 4 });
    const { mean, variance } = await stats(e.weight);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    expect(await new tm.nn.Embedding(1000, 64, { seed: 4 }).weight.data()).toEqual(await e.weight.data());
    const y = e.forward(tm.tensor([[3, 999], [-1, 0]], undefined, { dtype: 'i32' }));
    expect(y.shape).toEqual([2, 2, 64]);
    const table = await e.weight.data();
    const rows = await y.data();
    for (const [at, row] of [[0, 3], [1, 999], [2, 999], [3, 0]]) expect(rows.slice(at * 64, (at + 1) * 64)).toEqual(table.slice(row * 64, (row + 1) * 64));
    expect(e.parameters()).toEqual([e.weight]);
    expect(() => new tm.nn.Embedding(0, 4)).toThrow('Embedding: count must be a positive integer, got 0');
    expect(() => e.forward(tm.tensor([1.5]))).toThrow(tm.DTypeError);
  });

  it.each(BACKENDS)('Embedding with paddingIdx on %s: that row starts at zeros and no gradient reaches it, however it is indexed', async (backend) => {
    await tm.init({ backend });
    const e = new tm.nn.Embedding(5, 3, { paddingIdx: -1, seed: 2 });
    const table = Array.from(await e.weight.data());
    expect(table.slice(12)).toEqual([0, 0, 0]);
    expect(table.slice(0, 12).every((v) => v !== 0)).toBe(true);
    const ids = tm.tensor([[4, 1], [-1, 1]], { dtype: 'i32' });
    e.forward(ids).mul(tm.tensor([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]])).sum().backward();
    const grad = Array.from(await e.weight.grad!.data());
    expect(grad.slice(12)).toEqual([0, 0, 0]);
    expect(grad.slice(3, 6)).toEqual([14, 16, 18]);
    expect(e.config()).toEqual({ type: 'Embedding', count: 5, dim: 3, paddingIdx: -1 });
    const loaded = tm.nn.fromBytes(await new tm.nn.Sequential([e]).toBytes());
    expect((loaded.layers[0] as tm.nn.Embedding).paddingIdx).toBe(-1);
    expect(() => new tm.nn.Embedding(5, 3, { paddingIdx: 5 })).toThrow('Embedding: paddingIdx must be an integer in [-5, 5), got 5');
    await tm.init({ backend: 'js' });
  });

  it('layers that take no arguments refuse some (PyTorch habits: Flatten(2), ReLU(inplace=True))', () => {
    expect(() => new (tm.nn.Flatten as unknown as new (d: number) => tm.nn.Flatten)(2)).toThrow('Flatten: takes no arguments, got 2 (it keeps axis 0 and joins the rest; for other axes, reshape)');
    expect(() => new (tm.nn.ReLU as unknown as new (o: object) => tm.nn.ReLU)({ inplace: true })).toThrow('ReLU: takes no arguments, got {"inplace":true}');
  });

  it('Permute reorders the axes after the batch axis, numbered from 1 as Keras numbers them', async () => {
    const x = tm.arange(24).reshape([2, 3, 4]);
    const y = new tm.nn.Permute([2, 1]).forward(x);
    expect(y.shape).toEqual([2, 4, 3]);
    expect(await y.array()).toEqual(await x.transpose([0, 2, 1]).array());
    expect(new tm.nn.Permute([3, 1, 2]).forward(tm.zeros([5, 2, 3, 4])).shape).toEqual([5, 4, 2, 3]);
    expect(() => new tm.nn.Permute([0, 1])).toThrow('Permute: axes must order 1..n (0, the batch, stays first), each once, got [0, 1]');
    expect(() => new tm.nn.Permute([2, 1]).forward(tm.zeros([2, 3]))).toThrow('Permute: x [2,3] has 2 axes; the layer orders 2 after the batch axis');
  });

  it('Flatten keeps the batch axis and joins the rest', () => {
    expect(new tm.nn.Flatten().forward(tm.zeros([4, 3, 5])).shape).toEqual([4, 15]);
    expect(new tm.nn.Flatten().forward(tm.zeros([0, 3])).shape).toEqual([0, 3]);
    expect(new tm.nn.Flatten().forward(tm.zeros([4])).shape).toEqual([4, 1]);
  });

  it.each(BACKENDS)('a model of Embedding, Flatten and Dense learns from token ids with fit on %s: which of two tokens comes first', async (backend) => {
    await tm.init({ backend });
    tm.setSeed(1);
    // Sequences of 4 tokens from 0..9; the class is 1 where token 7 comes before token 3.
    const count = 256;
    const ids = new Int32Array(count * 4);
    const labels = new Int32Array(count);
    let s = 12345;
    const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) >> 8) % 10;
    for (let i = 0; i < count; i++) {
      const seq = [next(), next(), next(), next()];
      const [a, b] = [Math.floor(i / 2) % 4, (Math.floor(i / 2) + 1 + (i % 3)) % 4];
      [seq[a], seq[b]] = i % 2 ? [7, 3] : [3, 7];
      ids.set(seq, i * 4);
      labels[i] = seq.indexOf(7) < seq.indexOf(3) ? 1 : 0;
    }
    const x = tm.tensor(ids, [count, 4]);
    const y = tm.tensor(labels, [count]);
    const model = new tm.nn.Sequential([new tm.nn.Embedding(10, 8, { seed: 1 }), new tm.nn.Flatten(), new tm.nn.Dense(32, 32, { activation: 'relu', seed: 2 }), new tm.nn.Dense(32, 2, { seed: 3 })]);
    const before = await model.layers[0].parameters()[0].data();
    await model.fit(x, y, { epochs: 40, batchSize: 32, loss: 'crossEntropy', optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.01 }), quiet: true, seed: 1 });
    expect(await model.layers[0].parameters()[0].data()).not.toEqual(before);
    expect((await model.evaluate(x, y, { loss: 'crossEntropy' })).accuracy).toBeGreaterThan(0.95);
    await tm.init({ backend: 'js' });
  });
});

describe.each(BACKENDS)('LayerNorm on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('normalises each row of the last axis (population variance + epsilon), then scales and shifts, as PyTorch\'s: float64 at odd sizes, and f16', async () => {
    for (const [rows, dim] of [[1, 1], [7, 13], [3, 129]]) {
      const norm = new tm.nn.LayerNorm(dim, { epsilon: 1e-3 });
      const [wv, bv] = [Float32Array.from({ length: dim }, (_, i) => 1 + i / dim), Float32Array.from({ length: dim }, (_, i) => i % 3 - 1)];
      norm.weight.assign(tm.tensor(wv));
      norm.bias.assign(tm.tensor(bv));
      const xv = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i * 12.9898) * 50 + 100);
      const want = new Float64Array(rows * dim);
      for (let r = 0; r < rows; r++) {
        const row = Array.from(xv.slice(r * dim, (r + 1) * dim));
        const m = row.reduce((s, v) => s + v, 0) / dim;
        const v = row.reduce((s, x) => s + (x - m) ** 2, 0) / dim;
        row.forEach((x, i) => (want[r * dim + i] = ((x - m) / Math.sqrt(v + 1e-3)) * wv[i] + bv[i]));
      }
      const got = await norm.forward(tm.tensor(xv, [rows, dim])).data();
      got.forEach((g, i) => expect(Math.abs(g - want[i]), `[${rows}, ${dim}] at ${i}`).toBeLessThan(1e-4 * (1 + Math.abs(want[i]))));
      const half = norm.forward(tm.tensor(xv, [rows, dim], { dtype: 'f16' }));
      expect(half.dtype).toBe('f16');
    }
    expect(() => new tm.nn.LayerNorm(4).forward(tm.zeros([2, 3]))).toThrow(new tm.ShapeError("LayerNorm: x [2,3] does not end in the layer's dim 4"));
    expect(() => new tm.nn.LayerNorm(4, { epsilon: 0 })).toThrow('LayerNorm: epsilon must be a finite number > 0, got 0');
  });

  it('trains its weight and bias, and passes gradients to what feeds it', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 4, { seed: 1 }), new tm.nn.LayerNorm(4), new tm.nn.Dense(4, 1, { seed: 2 })]);
    expect(model.parameters()).toHaveLength(6);
    const x = tm.randn([32, 3], { seed: 3 });
    const before = await model.parameters()[2].data();
    await model.fit(x, x.sum(1, { keepDims: true }), { epochs: 3, loss: 'mse', quiet: true, seed: 1 });
    expect(await model.parameters()[2].data()).not.toEqual(before);
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual(model.config());
    expect(await loaded.predict(x).data()).toEqual(await model.predict(x).data());
    await tm.init({ backend: 'js' });
  });
});

describe('Conv2d, MaxPool2d and AvgPool2d', () => {
  it('Conv2d is tm.conv2d with its weight [out, in/groups, kh, kw], plus a bias per output channel; He-initialised over channels × window', async () => {
    const conv = new tm.nn.Conv2d(6, 4, [3, 2], { padding: 1, groups: 2, seed: 1 });
    expect(conv.weight.shape).toEqual([4, 3, 3, 2]);
    expect(conv.bias!.shape).toEqual([4]);
    conv.bias = tm.tensor([1, 2, 3, 4]);
    const x = tm.randn([2, 6, 5, 7], { seed: 2 });
    const y = conv.forward(x);
    const want = tm.conv2d(x, conv.weight, { padding: 1, groups: 2 }).add(tm.tensor([1, 2, 3, 4]).reshape([1, 4, 1, 1]));
    expect(y.shape).toEqual([2, 4, 5, 8]);
    expect(await y.data()).toEqual(await want.data());
    expect((await conv.forward(x.slice([0], [1]).squeeze(0)).data())).toEqual((await want.slice([0], [1]).data()));
    const wide = new tm.nn.Conv2d(50, 40, 3, { seed: 3 });
    expect((await stats(wide.weight)).variance).toBeCloseTo(2 / 450, 4);
    expect(await new tm.nn.Conv2d(1, 2, 3, { seed: 5 }).weight.data()).toEqual(await new tm.nn.Conv2d(1, 2, 3, { seed: 5 }).weight.data());
    expect(new tm.nn.Conv2d(3, 8, 1, { bias: false }).parameters()).toHaveLength(1);
  });

  it('Conv1d is tm.conv1d with its weight [out, in/groups, k] plus a bias, sizes numbers; errors name Conv1d', async () => {
    const conv = new tm.nn.Conv1d(4, 6, 3, { padding: 'same', groups: 2, seed: 1 });
    expect(conv.weight.shape).toEqual([6, 2, 3]);
    conv.bias = tm.tensor([1, 2, 3, 4, 5, 6]);
    const x = tm.randn([2, 4, 7], { seed: 2 });
    const want = tm.conv1d(x, conv.weight, { padding: 'same', groups: 2 }).add(tm.tensor([1, 2, 3, 4, 5, 6]).reshape([1, 6, 1]));
    expect(await conv.forward(x).data()).toEqual(await want.data());
    expect(await conv.forward(x.slice([1], [1]).squeeze(0)).data()).toEqual(await want.slice([1], [1]).data());
    expect([conv.kernelSize, conv.stride, conv.padding, conv.dilation]).toEqual([3, 1, 'same', 1]);
    expect(() => new tm.nn.Conv1d(4, 6, [3, 3] as unknown as number)).toThrow('Conv1d: kernelSize must be an integer ≥ 1, got [3, 3]');
    expect(() => new tm.nn.MaxPool1d(2, { padding: 2 })).toThrow('MaxPool1d: padding 2 is more than half the 2 window');
    expect(await new tm.nn.MaxPool1d(2).forward(tm.tensor([[[1, 5, 2, 3, 9]]])).array()).toEqual([[[5, 3]]]);
  });

  it('an f16 input computes in f16 with f16 copies of the parameters, as Dense', () => {
    const y = new tm.nn.Conv2d(2, 3, 3, { padding: 'same' }).forward(tm.randn([1, 2, 5, 5], { seed: 1 }).cast('f16'));
    expect([y.dtype, y.shape]).toEqual(['f16', [1, 3, 5, 5]]);
  });

  it('refuse settings they cannot compute with where they are made', () => {
    expect(() => new tm.nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow('Conv2d: groups must be a positive integer dividing inChannels 3 and outChannels 4, got 2');
    expect(() => new tm.nn.Conv2d(3, 4, 0)).toThrow('Conv2d: kernelSize must be an integer ≥ 1 or a pair [height, width] of them, got 0');
    expect(() => new tm.nn.Conv2d(3, 4, 3, { stride: 2, padding: 'same' })).toThrow("Conv2d: padding 'same' needs stride 1, got stride 2");
    expect(() => new tm.nn.Conv2d(3, 4, 3, { init: 'lecun' as tm.nn.Initializer })).toThrow(/unknown init "lecun"/);
    expect(() => new tm.nn.Conv2d(0, 4, 3)).toThrow('Conv2d: inChannels must be a positive integer, got 0');
    expect(() => new tm.nn.MaxPool2d(2, { padding: 2 })).toThrow('MaxPool2d: padding 2 is more than half the 2×2 window');
    expect(() => new tm.nn.AvgPool2d([2, 2], { stride: [1, 0] })).toThrow('AvgPool2d: stride must be an integer ≥ 1 or a pair [height, width] of them, got [1, 0]');
    expect(() => new tm.nn.Conv2d(3, 4, 3).forward(tm.zeros([1, 2, 8, 8]))).toThrow('conv2d: weight [4,3,3,3] takes 3 channels, x [1,2,8,8] has 2');
  });

  it.each(BACKENDS)("paddingMode reflect, replicate and circular on %s: x padded with its own entries (tm.pad's modes), then convolved unpadded; 'same' split as the op splits it", async (backend) => {
    await tm.init({ backend });
    const x = tm.randn([2, 3, 6, 7], { seed: 1 });
    for (const mode of ['reflect', 'replicate', 'circular'] as const) {
      const conv = new tm.nn.Conv2d(3, 4, [3, 2], { padding: [1, 1], paddingMode: mode, seed: 2 });
      const want = tm.conv2d(x.pad([[0, 0], [0, 0], [1, 1], [1, 1]], { mode }), conv.weight).add(conv.bias!.reshape([1, 4, 1, 1]));
      expectClose(await conv.forward(x).data(), await want.data(), 1e-5, mode);
      // 'same' with a window of 4 along the width: 1 before, 2 after.
      const same = new tm.nn.Conv2d(3, 4, [3, 4], { padding: 'same', paddingMode: mode, bias: false, seed: 3 });
      const wantSame = tm.conv2d(x.pad([[0, 0], [0, 0], [1, 1], [1, 2]], { mode }), same.weight);
      expect(same.forward(x).shape).toEqual([2, 4, 6, 7]);
      expectClose(await same.forward(x).data(), await wantSame.data(), 1e-5, `${mode} same`);
      const seq = new tm.nn.Conv1d(3, 2, 3, { padding: 2, dilation: 2, paddingMode: mode, seed: 4 });
      const s = tm.randn([3, 6], { seed: 5 }); // one unbatched sequence
      const wantSeq = tm.conv1d(s.pad([[0, 0], [2, 2]], { mode }), seq.weight, { dilation: 2 }).add(seq.bias!.reshape([2, 1]));
      expectClose(await seq.forward(s).data(), await wantSeq.data(), 1e-5, `${mode} 1d`);
    }
    // The gradient reaches the weight and x through the padding.
    const conv = new tm.nn.Conv2d(3, 2, 3, { padding: 1, paddingMode: 'reflect', seed: 6 });
    const xg = x.clone();
    xg.requiresGrad = true;
    tm.tidy(() => conv.forward(xg).square().sum()).backward();
    expect(xg.grad!.shape).toEqual(x.shape);
    expect(conv.weight.grad!.shape).toEqual([2, 3, 3, 3]);
    expect(() => new tm.nn.Conv2d(3, 2, 3, { paddingMode: 'mirror' as 'reflect' })).toThrow('Conv2d: unknown paddingMode "mirror"; expected zeros, reflect, replicate, circular');
    // Errors name the x given, not the padded one.
    expect(() => conv.forward(tm.zeros([1, 2, 8, 8]))).toThrow('Conv2d: takes 3 channels, x [1,2,8,8] has 2');
    expect(() => conv.forward(tm.zeros([2, 8]))).toThrow('Conv2d: x must be [batch, channels, height, width] (or one image [channels, height, width]), got [2,8]');
    expect(new tm.nn.Conv2d(3, 2, 3, { padding: 1, paddingMode: 'circular' }).config()).toMatchObject({ padding: [1, 1], paddingMode: 'circular' });
    expect(new tm.nn.Conv2d(3, 2, 3).config()).not.toHaveProperty('paddingMode');
    await tm.init({ backend: 'js' });
  });

  it('ConvTranspose2d is tm.convTranspose2d with its weight [in, out/groups, kh, kw], plus a bias; ConvTranspose1d the same along sequences', async () => {
    const up = new tm.nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, seed: 1 });
    expect([up.weight.shape, up.bias!.shape]).toEqual([[4, 3, 3, 3], [6]]);
    expect([up.kernelSize, up.stride, up.padding, up.outputPadding, up.dilation, up.groups]).toEqual([[3, 3], [2, 2], [1, 1], [1, 1], [1, 1], 2]);
    up.bias = tm.tensor([1, 2, 3, 4, 5, 6]);
    const x = tm.randn([2, 4, 5, 7], { seed: 2 });
    const y = up.forward(x);
    const want = tm.convTranspose2d(x, up.weight, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }).add(tm.tensor([1, 2, 3, 4, 5, 6]).reshape([1, 6, 1, 1]));
    expect(y.shape).toEqual([2, 6, 10, 14]);
    expect(await y.data()).toEqual(await want.data());
    // PyTorch's fan-in for this layout: out/groups × window.
    expect((await stats(new tm.nn.ConvTranspose2d(30, 50, 3, { seed: 3 }).weight)).variance).toBeCloseTo(2 / 450, 4);
    const seq = new tm.nn.ConvTranspose1d(3, 2, 4, { stride: 2, padding: 1, bias: false, seed: 4 });
    const s = tm.randn([2, 3, 6], { seed: 5 });
    expect(seq.parameters()).toHaveLength(1);
    expect(await seq.forward(s).data()).toEqual(await tm.convTranspose1d(s, seq.weight, { stride: 2, padding: 1 }).data());
    expect(seq.forward(s).shape).toEqual([2, 2, 12]);
    expect(() => new tm.nn.ConvTranspose2d(4, 6, 3, { groups: 4 })).toThrow('ConvTranspose2d: groups must be a positive integer dividing inChannels 4 and outChannels 6, got 4');
    expect(() => new tm.nn.ConvTranspose2d(4, 6, 3, { outputPadding: 1 })).toThrow('ConvTranspose2d: outputPadding 1 must be less than the stride 1×1 or the dilation 1×1');
    expect(() => new tm.nn.ConvTranspose1d(4, 6, 3, { padding: 'same' } as unknown as tm.ConvTranspose1dOptions)).toThrow('ConvTranspose1d: padding must be an integer ≥ 0, got "same"');
  });

  it.each(BACKENDS)('an autoencoder of Conv2d and ConvTranspose2d learns on %s: 8×8 bars through a 2×2 code and back', async (backend) => {
    await tm.init({ backend });
    const count = 64;
    const images = new Float32Array(count * 64);
    for (let i = 0; i < count; i++) for (let k = 0; k < 8; k++) images[i * 64 + (i % 2 ? k * 8 + (i >> 3) : (i >> 3) * 8 + k)] = 1;
    const x = tm.tensor(images, [count, 1, 8, 8]);
    const model = new tm.nn.Sequential([
      new tm.nn.Conv2d(1, 8, 3, { stride: 2, padding: 1, seed: 1 }), new tm.nn.ReLU(),
      new tm.nn.Conv2d(8, 8, 3, { stride: 2, padding: 1, seed: 2 }), new tm.nn.ReLU(),
      new tm.nn.ConvTranspose2d(8, 8, 4, { stride: 2, padding: 1, seed: 3 }), new tm.nn.ReLU(),
      new tm.nn.ConvTranspose2d(8, 1, 3, { stride: 2, padding: 1, outputPadding: 1, seed: 4 }),
    ]);
    expect(model.predict(x).shape).toEqual([count, 1, 8, 8]);
    const first = await model.evaluate(x, x, { loss: 'mse' });
    await model.fit(x, x, { epochs: 60, batchSize: 16, loss: 'mse', optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.01 }), quiet: true, seed: 1 });
    const last = await model.evaluate(x, x, { loss: 'mse' });
    expect(last.loss).toBeLessThan(first.loss / 4);
    await tm.init({ backend: 'js' });
  });

  it('AvgPool2d and AvgPool1d take countIncludePad, every pool ceilMode, kept in their config and model files', async () => {
    const x = tm.arange(16).cast('f32').reshape([1, 1, 4, 4]);
    const pool = new tm.nn.AvgPool2d(3, { stride: 3, padding: 1, countIncludePad: false });
    expect(pool.config()).toEqual({ type: 'AvgPool2d', kernelSize: [3, 3], stride: [3, 3], padding: [1, 1], ceilMode: false, countIncludePad: false });
    expect(await pool.forward(x).data()).toEqual(await tm.avgPool2d(x, 3, { stride: 3, padding: 1, countIncludePad: false }).data());
    const loaded = tm.nn.fromBytes(await new tm.nn.Sequential([pool, new tm.nn.AvgPool1d(2, { padding: 1 })]).toBytes());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers).toEqual([pool.config(), { type: 'AvgPool1d', kernelSize: 2, stride: 2, padding: 1, ceilMode: false, countIncludePad: true }]);
    expect(() => new tm.nn.MaxPool2d(2, { countIncludePad: false } as tm.Pool2dOptions)).toThrow(/MaxPool2d.*countIncludePad/);
    const ceil = new tm.nn.MaxPool2d(2, { ceilMode: true });
    expect(ceil.forward(tm.zeros([1, 1, 7, 7])).shape).toEqual([1, 1, 4, 4]);
    const back = tm.nn.fromBytes(await new tm.nn.Sequential([ceil]).toBytes());
    expect((back.config() as unknown as { layers: unknown[] }).layers[0]).toEqual({ type: 'MaxPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: true, dilation: [1, 1] });
  });

  it('pools take the window as stride unless told', async () => {
    const x = tm.arange(16).cast('f32').reshape([1, 1, 4, 4]);
    expect(await new tm.nn.MaxPool2d(2).forward(x).array()).toEqual([[[[5, 7], [13, 15]]]]);
    expect(await new tm.nn.AvgPool2d(2, { stride: 1 }).forward(x).array()).toEqual([[[[2.5, 3.5, 4.5], [6.5, 7.5, 8.5], [10.5, 11.5, 12.5]]]]);
  });

  it.each(BACKENDS)('a CNN learns with fit on %s: whether an 8×8 image holds a horizontal or a vertical bar, wherever it lies', async (backend) => {
    await tm.init({ backend });
    const count = 192;
    const images = new Float32Array(count * 64);
    const labels = new Int32Array(count);
    let s = 777;
    const next = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31) >> 8) % n;
    for (let i = 0; i < count; i++) {
      labels[i] = i % 2;
      const [line, from] = [next(8), next(5)];
      for (let k = 0; k < 4; k++) images[i * 64 + (labels[i] ? (from + k) * 8 + line : line * 8 + from + k)] = 1;
      for (let k = 0; k < 64; k++) images[i * 64 + k] += 0.1 * (next(10) / 10 - 0.5);
    }
    const x = tm.tensor(images, [count, 1, 8, 8]);
    const y = tm.tensor(labels, [count]);
    const model = new tm.nn.Sequential([
      new tm.nn.Conv2d(1, 6, 3, { padding: 1, seed: 1 }), new tm.nn.ReLU(), new tm.nn.MaxPool2d(2),
      new tm.nn.Conv2d(6, 8, [1, 3], { padding: [0, 1], seed: 2 }), new tm.nn.ReLU(), new tm.nn.AvgPool2d(2),
      new tm.nn.Flatten(), new tm.nn.Dense(32, 2, { seed: 3 }),
    ]);
    const first = await model.evaluate(x, y, { loss: 'crossEntropy' });
    await model.fit(x, y, { epochs: 15, batchSize: 32, loss: 'crossEntropy', optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.01 }), quiet: true, seed: 1 });
    const last = await model.evaluate(x, y, { loss: 'crossEntropy' });
    expect(last.loss).toBeLessThan(first.loss / 4);
    expect(last.accuracy).toBeGreaterThan(0.97);
    await tm.init({ backend: 'js' });
  });
});

describe.each(BACKENDS)('BatchNorm1d, BatchNorm2d and BatchNorm3d on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  /** Each channel (axis 1) of x normalised over every other axis in float64 (population variance + eps), and the unbiased variance. */
  function byChannel(v: Float64Array, shape: number[], eps = 1e-5) {
    const [n, c] = shape;
    const inner = shape.slice(2).reduce((a, b) => a * b, 1);
    const out = new Float64Array(v.length);
    const means: number[] = [];
    const unbiased: number[] = [];
    for (let ch = 0; ch < c; ch++) {
      const at = (b: number, i: number) => (b * c + ch) * inner + i;
      let sum = 0;
      for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) sum += v[at(b, i)];
      const mean = sum / (n * inner);
      let sq = 0;
      for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) sq += (v[at(b, i)] - mean) ** 2;
      const variance = sq / (n * inner);
      for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) out[at(b, i)] = (v[at(b, i)] - mean) / Math.sqrt(variance + eps);
      means.push(mean);
      unbiased.push(sq / (n * inner - 1));
    }
    return { out, means, unbiased };
  }

  it.each([[[5, 3, 7, 9]], [[2, 4, 1, 13]], [[9, 2, 3, 2]], [[3, 2, 3, 5, 7]], [[2, 3, 1, 1, 5]]])('BatchNorm2d or 3d of %j in training: each channel over the batch and every position, as PyTorch; the running estimates move by momentum', async (shape) => {
    const v = Float64Array.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 5)));
    const norm = new (shape.length === 5 ? tm.nn.BatchNorm3d : tm.nn.BatchNorm2d)(shape[1], { momentum: 0.25 });
    norm.weight!.assign(tm.tensor(Array.from({ length: shape[1] }, (_, i) => 1 + i)));
    norm.bias!.assign(tm.tensor(Array.from({ length: shape[1] }, (_, i) => -i)));
    const y = norm.forward(tm.tensor(v, shape));
    const ref = byChannel(v, shape);
    const inner = shape.slice(2).reduce((a, b) => a * b, 1);
    const want = ref.out.map((o, i) => o * (1 + (Math.floor(i / inner) % shape[1])) - (Math.floor(i / inner) % shape[1]));
    expectClose(await y.data(), want, 1e-5);
    expectClose(await norm.runningMean!.data(), ref.means.map((m) => 0.25 * m), 1e-5);
    expectClose(await norm.runningVar!.data(), ref.unbiased.map((u) => 0.75 + 0.25 * u), 1e-5);
    // eval: the running estimates, not the batch's.
    norm.eval();
    const e = norm.forward(tm.tensor(v, shape));
    const rm = await norm.runningMean!.data();
    const rv = await norm.runningVar!.data();
    expectClose(await e.data(), v.map((x, i) => {
      const ch = Math.floor(i / inner) % shape[1];
      return ((x - rm[ch]) / Math.sqrt(rv[ch] + 1e-5)) * (1 + ch) - ch;
    }), 1e-5);
  });

  it('affine: false normalises only, with no weight or bias; trackRunningStats: false keeps no estimates and uses the batch\'s statistics in eval mode too', async () => {
    const x = tm.randn([6, 3, 4], { seed: 2 });
    const plain = new tm.nn.BatchNorm1d(3, { affine: false });
    expect([plain.weight, plain.bias, plain.affine]).toEqual([null, null, false]);
    expect(Object.keys(plain.namedParameters())).toEqual([]);
    expect(Object.keys(plain.namedBuffers())).toEqual(['runningMean', 'runningVar']);
    const mean = x.mean([0, 2], { keepDims: true });
    const normalised = x.sub(mean).div(x.variance([0, 2], { keepDims: true }).add(1e-5).sqrt());
    expectClose(await plain.forward(x).data(), await normalised.data(), 1e-5);
    const batchOnly = new tm.nn.BatchNorm1d(3, { trackRunningStats: false });
    expect([batchOnly.runningMean, batchOnly.runningVar, batchOnly.trackRunningStats]).toEqual([null, null, false]);
    batchOnly.eval();
    expectClose(await batchOnly.forward(x).data(), await normalised.data(), 1e-5);
    expect(batchOnly.config()).toEqual({ type: 'BatchNorm1d', features: 3, epsilon: 1e-5, momentum: 0.1, trackRunningStats: false });
    expect(new tm.nn.BatchNorm2d(3).config()).toEqual({ type: 'BatchNorm2d', features: 3, epsilon: 1e-5, momentum: 0.1 });
    const loaded = tm.nn.fromBytes(await new tm.nn.Sequential([plain, batchOnly]).toBytes());
    expect(loaded.config()).toEqual({ type: 'Sequential', layers: [plain.config(), batchOnly.config()] });
    expect(Object.keys(loaded.namedState())).toEqual(['1.weight', '1.bias', '0.runningMean', '0.runningVar']);
  });

  it('BatchNorm1d takes [batch, features] and [batch, features, length]; f16 computes in f16; bad shapes and settings are refused', async () => {
    const v = Float64Array.from({ length: 24 }, (_, i) => Math.cos(i) * 2);
    const flat = new tm.nn.BatchNorm1d(4).forward(tm.tensor(v, [6, 4]));
    const ref = byChannel(v, [6, 4]);
    expectClose(await flat.data(), ref.out, 1e-5);
    const long = new tm.nn.BatchNorm1d(3).forward(tm.tensor(v, [2, 3, 4]));
    expectClose(await long.data(), byChannel(v, [2, 3, 4]).out, 1e-5);
    const half = new tm.nn.BatchNorm1d(4).forward(tm.tensor(v, [6, 4], { dtype: 'f16' }));
    expect(half.dtype).toBe('f16');
    expectClose(await half.data(), ref.out, 2e-2);
    expect(() => new tm.nn.BatchNorm2d(3).forward(tm.zeros([2, 4, 5, 5]))).toThrow('BatchNorm2d: x [2,4,5,5] is not [batch, 3, height, width]');
    expect(() => new tm.nn.BatchNorm3d(3).forward(tm.zeros([2, 3, 5, 5]))).toThrow('BatchNorm3d: x [2,3,5,5] is not [batch, 3, depth, height, width]');
    expect(() => new tm.nn.BatchNorm1d(3).forward(tm.zeros([2, 3, 4, 5]))).toThrow('BatchNorm1d: x [2,3,4,5] is not [batch, 3] or [batch, 3, length]');
    expect(() => new tm.nn.BatchNorm1d(3).forward(tm.zeros([1, 3]))).toThrow('BatchNorm1d: training needs more than one value per channel to take a variance of, x [1,3] has 1');
    expect(new tm.nn.BatchNorm1d(3).eval().forward(tm.zeros([1, 3])).shape).toEqual([1, 3]);
    expect(() => new tm.nn.BatchNorm2d(0)).toThrow('BatchNorm2d: features must be a positive integer, got 0');
    expect(() => new tm.nn.BatchNorm2d(2, { momentum: 1.5 })).toThrow('BatchNorm2d: momentum must be a number in [0, 1], got 1.5');
  });

  it("f16 statistics over 65,536 values a channel (a [64, C, 32, 32] batch): computed in f32, not ∞ counts in f16", async () => {
    const v = Float64Array.from({ length: 64 * 2 * 32 * 32 }, (_, i) => 10 + Math.sin(i * 0.7));
    const half = tm.tensor(v, [64, 2, 32, 32], { dtype: 'f16' });
    const variance = await half.variance([0, 2, 3]).data();
    expectClose(variance, await tm.tensor(v, [64, 2, 32, 32]).variance([0, 2, 3]).data(), 1e-2);
    const norm = new tm.nn.BatchNorm2d(2);
    const y = await norm.forward(half).data();
    expect(Array.from(y).reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThan(2);
    expectClose(await norm.runningVar!.data(), Array.from(variance, (u) => 0.9 + 0.1 * u * (65536 / 65535)), 1e-3);
  });

  it('a layer frozen in eval mode stays frozen through predict, evaluate and fit (its estimates fixed)', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 4, { seed: 1 }), new tm.nn.BatchNorm1d(4), new tm.nn.Dense(4, 2, { seed: 2 })]);
    model.layers[1].eval();
    const x = tm.randn([6, 3], { seed: 1 });
    const y = tm.tensor(new Int32Array([0, 1, 0, 1, 0, 1]));
    model.predict(x).dispose();
    await model.evaluate(x, y, { loss: 'crossEntropy' });
    expect(model.modules().map((m) => m.training)).toEqual([true, true, false, true]);
    await model.fit(x, y, { epochs: 2, batchSize: 3, loss: 'crossEntropy', quiet: true, seed: 1 });
    expect(model.modules().map((m) => m.training)).toEqual([true, true, false, true]);
    expect(Array.from(await (model.layers[1] as tm.nn.BatchNorm1d).runningMean!.data())).toEqual([0, 0, 0, 0]);
    // A model put in eval mode as a whole trains in train mode, every layer.
    model.eval();
    await model.fit(x, y, { epochs: 1, batchSize: 3, loss: 'crossEntropy', quiet: true, seed: 1 });
    expect(model.modules().every((m) => m.training)).toBe(true);
    await tm.init({ backend: 'js' });
  });

  it('its running estimates are buffers: saved and loaded with the model, freed with it, never trained', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Conv2d(2, 3, 3, { seed: 1 }), new tm.nn.BatchNorm2d(3), new tm.nn.ReLU(), new tm.nn.Flatten(), new tm.nn.Dense(27, 2, { seed: 2 })]);
    expect(model.parameters()).toHaveLength(6);
    expect(Object.keys(model.namedBuffers())).toEqual(['1.runningMean', '1.runningVar']);
    const x = tm.randn([8, 2, 5, 5], { seed: 3 });
    const y = tm.tensor(Int32Array.from({ length: 8 }, (_, i) => i % 2));
    await model.fit(x, y, { epochs: 2, batchSize: 4, loss: 'crossEntropy', quiet: true, seed: 1 });
    const norm = model.layers[1] as tm.nn.BatchNorm2d;
    expect([norm.runningMean!.requiresGrad, norm.runningMean!.grad]).toEqual([false, null]);
    expect(Array.from(await norm.runningMean!.data()).some((m) => m !== 0)).toBe(true);
    const loaded = tm.nn.fromBytes(await model.toBytes());
    expect(loaded.config()).toEqual(model.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers[1]).toEqual({ type: 'BatchNorm2d', features: 3, epsilon: 1e-5, momentum: 0.1 });
    const loadedNorm = loaded.layers[1] as tm.nn.BatchNorm2d;
    expect(await loadedNorm.runningVar!.data()).toEqual(await norm.runningVar!.data());
    expect(await loaded.predict(x).data()).toEqual(await model.predict(x).data());
    const before = await collected(); // the two predictions above are garbage, finalized at the collector's whim: not during the awaits below
    loaded.dispose();
    expect(tm.memory().numTensors).toBe(before - 8);
    // A file whose estimates no batch could give (a negative variance) is corrupt, not a model of NaN.
    const bytes = await model.toBytes();
    const entries = tm.decodeSafetensors(bytes);
    const negative = { ...entries.entries, '1.runningVar': { dtype: 'f32' as const, shape: [3], data: Float32Array.of(1, -2, 1) } };
    expect(() => tm.nn.fromBytes(tm.encodeSafetensors(negative, entries.metadata))).toThrow(new CorruptFileError('model file: 1.runningVar holds -2 at 1; a running estimate is finite and ≥ 0'));
    const { '1.runningMean': _dropped, ...missing } = entries.entries;
    expect(() => tm.nn.fromBytes(tm.encodeSafetensors(missing, entries.metadata))).toThrow(new CorruptFileError('model file: buffer 1.runningMean is missing'));
    expect(tm.memory().numTensors).toBe(before - 8);
    norm.runningMean!.dispose();
    await expect(model.toBytes()).rejects.toThrow('save: 1.runningMean [3] was disposed; nothing was written');
    await tm.init({ backend: 'js' });
  });
});

describe('Module buffers', () => {
  it('a custom layer declares state to save but not train with ownBuffers; a name may not be both a parameter and a buffer', async () => {
    class Scaled extends tm.nn.Module {
      weight = tm.ones([2]);
      count = tm.zeros([1]);
      constructor() {
        super();
        this.weight.requiresGrad = true;
      }
      forward(x: tm.Tensor) { return x.mul(this.weight); }
      override ownBuffers(): Record<string, tm.Tensor> { return { count: this.count }; }
      config() { return { type: 'Scaled' }; }
    }
    const layer = new Scaled();
    expect(Object.keys(layer.namedParameters())).toEqual(['weight']);
    expect(Object.keys(new tm.nn.Sequential([layer]).namedState())).toEqual(['0.weight', '0.count']);
    expect(new tm.nn.Sequential([layer]).modules()).toHaveLength(2);
    // namedModules: each layer with its parameters' prefix, a layer reached twice named once.
    const nested = new tm.nn.Sequential([new tm.nn.Sequential([layer, new tm.nn.ReLU()]), layer]);
    expect(nested.namedModules().map(([path, m]) => [path, m.constructor.name])).toEqual([['', 'Sequential'], ['0', 'Sequential'], ['0.0', 'Scaled'], ['0.1', 'ReLU']]);
    class Clash extends Scaled {
      override ownBuffers() { return { weight: this.count }; }
    }
    expect(() => new Clash().namedState()).toThrow('namedState: weight names both a parameter and a buffer');
    const before = await collected();
    layer.dispose();
    expect(tm.memory().numTensors).toBe(before - 2);
  });
});
