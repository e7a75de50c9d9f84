// RReLU and rrelu: in training each value at or below 0 times a slope drawn
// from [lower, upper), read back off the output (y / x) and checked to lie in
// the range, to differ from value to value and to spread over the range as
// a uniform does; the gradient the slope each value got; eval mode (and the
// function by default) the mean slope; seeded slopes the same on every
// backend and saved with the layer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';

/** Away from 0 on both sides, so a slope reads back from y / x to f32's rounding. */
const awayFromZero = (n: number) => asF32(uniform(n, 0.5, 2)).map((v, i) => (i % 2 ? v : -v));

describe.each(BACKENDS)('RReLU on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([[[7, 13], 0.125, 1 / 3], [[3, 1, 5, 2], 0.01, 0.5], [[4001], 0.2, 0.2000001]])(
    'in training scales each value ≤ 0 of %j by its own slope in [lower, upper); the gradient is that slope, 1 above 0',
    async (shape, lower, upper) => {
      const x = awayFromZero(shape.reduce((a, b) => a * b, 1));
      const upstream = asF32(uniform(x.length, -1, 1));
      const xt = tm.tensor(x, shape);
      xt.requiresGrad = true;
      const y = new tm.nn.RReLU(lower, upper, 3).forward(xt);
      const got = await y.data();
      const slopes = Array.from(x, (v, i) => got[i] / v);
      const negative = slopes.filter((_, i) => x[i] < 0);
      for (const [i, v] of x.entries()) {
        if (v > 0) expect(got[i], `x[${i}] = ${v} > 0 passes`).toBe(v);
        else expect(slopes[i] >= lower * (1 - 1e-6) && slopes[i] < upper * (1 + 1e-6), `slope ${slopes[i]} of x[${i}] in [${lower}, ${upper})`).toBe(true);
      }
      if (upper - lower > 0.1) expect(new Set(negative).size, 'a slope per value').toBeGreaterThan(negative.length / 2);
      tm.tidy(() => y.mul(tm.tensor(upstream, shape)).sum()).backward();
      expectClose(await xt.grad!.data(), upstream.map((u, i) => u * (x[i] > 0 ? 1 : slopes[i])), 1e-5, 'RReLU gradient');
    },
  );

  it('draws slopes spread as a uniform on [lower, upper): mean and variance within 5 standard errors', async () => {
    const [n, lower, upper] = [20000, 0.1, 0.4];
    const x = tm.full([n], -1);
    const slopes = Array.from(await new tm.nn.RReLU(lower, upper, 5).forward(x).data(), (v) => -v);
    const mean = slopes.reduce((s, v) => s + v, 0) / n;
    const variance = slopes.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const width = upper - lower;
    expect(Math.abs(mean - (lower + upper) / 2)).toBeLessThan((5 * width) / Math.sqrt(12 * n));
    // A uniform's variance w²/12; its estimate's spread w²·√(1/180n)·2.
    expect(Math.abs(variance - width ** 2 / 12)).toBeLessThan(5 * width ** 2 * Math.sqrt(4 / (180 * n)));
  });

  it('in eval mode (and as the function by default) scales by the mean slope (lower + upper) / 2, which is also the gradient there, at 0 included', async () => {
    const x = Float32Array.from([-2, -0.5, 0, 0.25, 3]);
    const want = [-2 * 0.25, -0.5 * 0.25, 0, 0.25, 3];
    for (const run of [(t: tm.Tensor) => new tm.nn.RReLU(0.125, 0.375).eval().forward(t), (t: tm.Tensor) => tm.nn.rrelu(t, { lower: 0.125, upper: 0.375 })]) {
      const xt = tm.tensor(x, [5]);
      xt.requiresGrad = true;
      const y = run(xt);
      expectClose(await y.data(), want, 1e-6, 'eval');
      y.sum().backward();
      expectClose(await xt.grad!.data(), [0.25, 0.25, 0.25, 1, 1], 1e-6, 'eval gradient');
    }
    // PyTorch's defaults: [1/8, 1/3).
    expectClose(await tm.nn.rrelu(tm.tensor([-24], [1])).data(), [-24 * (1 / 8 + 1 / 3) / 2], 1e-6, 'default bounds');
  });

  it('rrelu draws slopes when training, the same for the same seed', async () => {
    const xt = tm.tensor(awayFromZero(600), [20, 30]);
    const x = await xt.data();
    const got = await tm.nn.rrelu(xt, { training: true, seed: 4 }).data();
    expect(Array.from(await tm.nn.rrelu(xt, { training: true, seed: 4 }).data())).toEqual(Array.from(got));
    expect(Array.from(await tm.nn.rrelu(xt, { training: true, seed: 5 }).data())).not.toEqual(Array.from(got));
    got.forEach((v, i) => {
      if (x[i] > 0) expect(v).toBe(x[i]);
      else expect(v / x[i] >= 1 / 8 - 1e-6 && v / x[i] < 1 / 3 + 1e-6).toBe(true);
    });
  });

  it('keeps f16 input in f16', async () => {
    const x = tm.tensor(awayFromZero(12), [3, 4]).cast('f16');
    expect(new tm.nn.RReLU().forward(x).dtype).toBe('f16');
  });
});

describe('RReLU slopes and files', () => {
  it('a seeded layer draws the same slopes on every backend, fresh ones each call, and resumes from drawCounts', async () => {
    const results: number[][] = [];
    for (const backend of BACKENDS) {
      await tm.init({ backend });
      const layer = new tm.nn.RReLU(0.1, 0.3, 17);
      const x = tm.full([5, 7], -1);
      results.push([...(await layer.forward(x).data()), ...(await layer.forward(x).data())]);
    }
    await tm.init({ backend: 'js' });
    for (const [i, out] of results.entries()) expect(out, BACKENDS[i]).toEqual(results[0]);
    expect(results[0].slice(0, 35)).not.toEqual(results[0].slice(35));
    const layer = new tm.nn.RReLU(0.1, 0.3, 17);
    const x = tm.full([5, 7], -1);
    layer.forward(x);
    expect(layer.drawCounts()).toEqual({ slopes: 1 });
    const resumed = new tm.nn.RReLU(0.1, 0.3, 17);
    resumed.setDrawCounts(layer.drawCounts());
    expect(Array.from(await resumed.forward(x).data())).toEqual(results[0].slice(35));
    expect(new tm.nn.RReLU().drawCounts()).toEqual({});
  });

  it('is saved with its bounds and seed; a loaded one draws the slopes the saved one drew', async () => {
    await tm.init({ backend: 'js' });
    const make = () => new tm.nn.Sequential([new tm.nn.RReLU(0.05, 0.25, 9), new tm.nn.RReLU()]);
    const loaded = tm.nn.fromBytes(await make().toBytes());
    expect(loaded.config()).toEqual({ type: 'Sequential', layers: [{ type: 'RReLU', lower: 0.05, upper: 0.25, seed: 9 }, { type: 'RReLU', lower: 1 / 8, upper: 1 / 3 }] });
    const x = tm.randn([4, 6], { seed: 1 });
    const once = new tm.nn.Sequential([new tm.nn.RReLU(0.05, 0.25, 9)]);
    const reloaded = tm.nn.fromBytes(await once.toBytes());
    expect(await reloaded.forward(x).data()).toEqual(await once.forward(x).data());
    const file = (layer: object) => tm.encodeSafetensors({}, { format: 'tmnn', model: JSON.stringify({ type: 'Sequential', layers: [layer] }) });
    expect(() => tm.nn.fromBytes(file({ type: 'RReLU', lower: 0.5, upper: 0.1 }))).toThrow(new CorruptFileError('model file: RReLU: lower 0.5 is above upper 0.1; the slopes are drawn from [lower, upper)'));
  });

  it('refuses bounds that are not finite or in order, and a seed that is not an integer', () => {
    expect(() => new tm.nn.RReLU(0.5, 0.25)).toThrow(new tm.ValueError('RReLU: lower 0.5 is above upper 0.25; the slopes are drawn from [lower, upper)'));
    expect(() => new tm.nn.RReLU(Number.NaN)).toThrow('RReLU: lower must be a finite number, got NaN');
    expect(() => new tm.nn.RReLU(0.1, 0.2, -1)).toThrow('RReLU: seed must be an integer in [0, 2^32), got -1');
    const x = tm.ones([2]);
    expect(() => tm.nn.rrelu(x, { upper: Infinity })).toThrow('rrelu: upper must be a finite number, got Infinity');
    expect(() => tm.nn.rrelu(x, { lower: 1, upper: 0 })).toThrow('rrelu: lower 1 is above upper 0');
    expect(() => tm.nn.rrelu(x, { slope: 1 } as never)).toThrow('rrelu: unknown option "slope"; the options are lower, upper, training, seed');
  });
});
