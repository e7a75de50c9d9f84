// Fractional max pooling against PyTorch 1.13's, given its samples
// (scripts/make-fractional-pool-fixtures.py): values, indices and gradients
// over images and volumes, at odd sizes, by outputRatio, at an output of 1,
// without the batch axis, and samples at the ends of [0, 1); the window
// starts of many planes at awkward ratios and along an axis past 2^24; then
// windows past a GPU's binding limit, the samples drawn here (seeded, and in
// range), ties, −∞ windows, f16, maxUnpool2d on the indices, an empty batch,
// and the errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

const fixture = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'pooling', 'fractional_max_pool.npz')));

type Pool = (x: tm.Tensor, kernel: number | number[], options: { outputSize?: number | number[]; outputRatio?: number | number[]; randomSamples?: tm.Tensor; seed?: number }) => { values: tm.Tensor; indices: tm.Tensor };
const pool2d = tm.fractionalMaxPool2dWithIndices as unknown as Pool;
const pool3d = tm.fractionalMaxPool3dWithIndices as unknown as Pool;

// The fixture script's CASES: x's shape, the window, the output option as PyTorch was given it.
const CASES: [string, number[], number | number[], { outputSize?: number | number[]; outputRatio?: number | number[] }][] = [
  ['odd', [2, 3, 9, 11], 2, { outputSize: [5, 6] }],
  ['ratio', [1, 2, 10, 10], 3, { outputRatio: 0.5 }],
  ['ratio_per_axis', [2, 3, 13, 17], [3, 2], { outputRatio: [0.5, 0.75] }],
  ['output_1', [2, 2, 7, 5], [2, 3], { outputSize: 1 }],
  ['unbatched', [3, 8, 8], 2, { outputSize: [4, 7] }],
  ['step_1', [1, 2, 6, 6], 3, { outputSize: 4 }],
  ['volumes', [2, 2, 7, 8, 9], 2, { outputSize: [4, 5, 6] }],
  ['volumes_ratio_unbatched', [2, 6, 7, 5], [2, 3, 2], { outputRatio: 0.5 }],
  ['volumes_output_1', [1, 2, 5, 5, 5], 3, { outputSize: 1 }],
];

/** The fixture script's STEPS: x's shape, the window, the output size. */
const STEPS: [string, number[], number[], number[]][] = [
  ['steps', [4, 32, 45, 37], [2, 3], [20, 14]],
  ['steps_volumes', [2, 16, 23, 19, 29], [3, 2, 2], [9, 13, 11]],
];

/** The window starts along `axis` of each plane of an increasing x, read off the indices of its first windows on the other axes (their maxima the last taps). */
async function startsAlong(indices: tm.Tensor, extent: number[], kernel: number[], axis: number): Promise<number[]> {
  const [n, c, ...out] = indices.shape;
  const held = await indices.data();
  const stride = extent.slice(axis + 1).reduce((a, b) => a * b, 1);
  const starts: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < out[axis]; i++) {
      const at = out.reduce((sum, o, b) => sum * o + (b === axis ? i : 0), p);
      starts.push((Math.floor(held[at] / stride) % extent[axis]) - (kernel[axis] - 1));
    }
  }
  return starts;
}

describe.each(BACKENDS)('fractional max pooling on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each(CASES)('%s: PyTorch\'s values, indices and gradient for its samples', async (name, shape, kernel, output) => {
    const torch = tm.fromNpz(fixture);
    const x = torch[`${name}.x`];
    expect(x.shape).toEqual(shape);
    x.requiresGrad = true;
    const pool = name.startsWith('volumes') ? pool3d : pool2d;
    const { values, indices } = pool(x, kernel, { ...output, randomSamples: torch[`${name}.samples`] });
    expect(values.shape).toEqual(torch[`${name}.values`].shape);
    expect(indices.dtype).toBe('i32');
    expectExact(await values.data(), await torch[`${name}.values`].data(), `${name} values`);
    expectExact(await indices.data(), await torch[`${name}.indices`].data(), `${name} indices`);
    tm.tidy(() => values.mul(torch[`${name}.weights`]).sum()).backward();
    expectClose(await x.grad!.data(), await torch[`${name}.grad`].data(), 1e-6, `${name} gradient`);
    // The values alone, as the function without indices gives them.
    const alone = (name.startsWith('volumes') ? tm.fractionalMaxPool3d : tm.fractionalMaxPool2d) as unknown as (...args: Parameters<Pool>) => tm.Tensor;
    expectExact(await alone(x, kernel, { ...output, randomSamples: torch[`${name}.samples`] }).data(), await values.data(), `${name} values alone`);
  });

  it.each(STEPS)('%s: PyTorch\'s window starts for many planes at awkward ratios', async (name, shape, kernel, out) => {
    const torch = tm.fromNpz(fixture);
    const x = tm.arange(0, shape.reduce((a, b) => a * b, 1), 1, { dtype: 'f32' }).reshape(shape);
    const pool = out.length === 3 ? pool3d : pool2d;
    const { indices } = pool(x, kernel, { outputSize: out, randomSamples: torch[`${name}.samples`] });
    const names = out.length === 3 ? ['depth', 'height', 'width'] : ['height', 'width'];
    for (const [a, axis] of names.entries()) {
      expect(await startsAlong(indices, shape.slice(2), kernel, a), `${name} starts along the ${axis}`).toEqual(Array.from(await torch[`${name}.starts_${axis}`].data()));
    }
  });

  it('an axis longer than 2^24: α is the f32 quotient of the sizes as f32, as PyTorch\'s (not the f32 rounding of their exact quotient)', async () => {
    // 16777217 / 5 rounds to 3355443.5 in f32, but PyTorch divides f32(16777217) = 16777216 by 5: α = 3355443.25.
    // All-equal windows take their first tap, so the indices are the starts; PyTorch's, from torch.zeros(2, 1, 1, 16777219).
    const x = tm.zeros([2, 1, 1, 16777219], { dtype: 'f16' });
    const { indices } = tm.fractionalMaxPool2dWithIndices(x, [1, 2], { outputSize: [1, 6], randomSamples: tm.tensor([[[0, 0]], [[0.5, 0]]]) });
    expect(Array.from(await indices.data())).toEqual([0, 3355443, 6710886, 10066330, 13421773, 16777217, 0, 3355444, 6710887, 10066330, 13421774, 16777217]);
    x.dispose();
  });

  it('windows whose values together pass a GPU\'s binding limit (38M taps here, 152 MB of indices): pooled in runs, as maxPool2d pools them', async () => {
    // outputSize = size − kernel + 1 steps by α = 1: with samples of 0.5 every window starts one after the last, as stride-1 max pooling's.
    const x = tm.randn([3, 8, 256, 256], { seed: 5 });
    const samples = tm.fill([3, 8, 2], 0.5);
    const before = tm.memory().numTensors;
    const { values, indices } = tm.fractionalMaxPool2dWithIndices(x, 5, { outputSize: 252, randomSamples: samples });
    expect(tm.memory().numTensors, 'the runs left nothing behind').toBe(before + 2);
    const want = tm.maxPool2d(x, 5, { stride: 1 });
    expectExact(await values.data(), await want.data(), 'values');
    // (maxPool2dWithIndices gathers as many taps at once, past the binding limit on webgpu: each index is checked as inside its window, holding its value.)
    const [held, got, at] = [await x.data(), await values.data(), await indices.data()];
    const outside = Array.from(at.entries()).filter(([e, index]) => {
      const [plane, i, j] = [Math.floor(e / 252 ** 2), Math.floor(e / 252) % 252, e % 252];
      const [h, w] = [Math.floor(index / 256), index % 256];
      return h < i || h > i + 4 || w < j || w > j + 4 || held[plane * 256 ** 2 + index] !== got[e];
    });
    expect(outside.length).toBe(0);
    for (const t of [x, samples, values, indices, want]) t.dispose();
  });

  it('drawn samples: the seed\'s tm.rand draws, the same each time, and windows that step as the algorithm says', async () => {
    const x = tm.arange(0, 2 * 5 * 19 * 23, 1, { dtype: 'f32' }).reshape([2, 5, 19, 23]);
    const seeded = tm.fractionalMaxPool2dWithIndices(x, [2, 3], { outputSize: [11, 8], seed: 7 });
    const again = tm.fractionalMaxPool2dWithIndices(x, [2, 3], { outputSize: [11, 8], seed: 7 });
    const given = tm.fractionalMaxPool2dWithIndices(x, [2, 3], { outputSize: [11, 8], randomSamples: tm.rand([2, 5, 2], { seed: 7 }) });
    expectExact(await again.indices.data(), await seeded.indices.data(), 'same seed');
    expectExact(await given.indices.data(), await seeded.indices.data(), 'the seed\'s samples');
    expectExact(await given.values.data(), await seeded.values.data(), 'the seed\'s values');
    const other = tm.fractionalMaxPool2dWithIndices(x, [2, 3], { outputSize: [11, 8], seed: 8 });
    expect(Array.from(await other.indices.data())).not.toEqual(Array.from(await seeded.indices.data()));
    tm.setSeed(3);
    const first = await tm.fractionalMaxPool2d(x, 2, { outputRatio: 0.6 }).data();
    tm.setSeed(3);
    expectExact(await tm.fractionalMaxPool2d(x, 2, { outputRatio: 0.6 }).data(), first, 'setSeed');
    // Each plane's starts: 0 first, in − k last, each step ⌊α⌋ or ⌈α⌉.
    for (const [axis, [size, k, o]] of [[0, [19, 2, 11]], [1, [23, 3, 8]]] as const) {
      const alpha = (size - k) / (o - 1);
      const starts = await startsAlong(seeded.indices, [19, 23], [2, 3], axis);
      for (let p = 0; p < 10; p++) {
        const plane = starts.slice(p * o, (p + 1) * o);
        expect(plane[0]).toBe(0);
        expect(plane[o - 1]).toBe(size - k);
        for (let i = 1; i < o; i++) expect([Math.floor(alpha), Math.ceil(alpha)]).toContain(plane[i] - plane[i - 1]);
      }
    }
  });

  it('a tie goes to the window\'s first tap, with all the gradient; NaN wins its window', async () => {
    const x = tm.ones([1, 1, 5, 5]);
    x.requiresGrad = true;
    const samples = tm.tensor([[[0.25, 0.75]]]);
    const { values, indices } = tm.fractionalMaxPool2dWithIndices(x, 2, { outputSize: 2, randomSamples: samples });
    expect(await indices.array()).toEqual([[[[0, 3], [15, 18]]]]);
    values.sum().backward();
    const grad = await x.grad!.data();
    expect([...grad.entries()].filter(([, g]) => g !== 0).map(([i, g]) => [i, g])).toEqual([[0, 1], [3, 1], [15, 1], [18, 1]]);
    const nan = tm.tensor([[[[1, NaN, 3, 2]]]]);
    expect(Number.isNaN((await tm.fractionalMaxPool2d(nan, [1, 4], { outputSize: 1 }).data())[0])).toBe(true);
  });

  it('a window all −∞ takes its first tap, with the gradient, as PyTorch\'s', async () => {
    // PyTorch: F.fractional_max_pool2d(x, 2, output_size=2, return_indices=True, _random_samples=torch.tensor([[[0.5, 0.5]]])).
    const x = tm.tensor([[[[-Infinity, -Infinity, 1, 2], [-Infinity, -Infinity, 3, 4], [5, 6, 7, 8]]]]);
    x.requiresGrad = true;
    const { values, indices } = tm.fractionalMaxPool2dWithIndices(x, 2, { outputSize: 2, randomSamples: tm.tensor([[[0.5, 0.5]]]) });
    expect(await indices.array()).toEqual([[[[0, 7], [9, 11]]]]);
    expect(await values.array()).toEqual([[[[-Infinity, 4], [6, 8]]]]);
    values.sum().backward();
    expect(await x.grad!.array()).toEqual([[[[1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 1]]]]);
  });

  it('f16 x, and the indices unpooled by maxUnpool2d', async () => {
    const x = tm.randn([2, 3, 9, 11], { seed: 2 });
    const samples = tm.rand([2, 3, 2], { seed: 4 });
    const want = tm.fractionalMaxPool2dWithIndices(x.cast('f16').cast('f32'), 3, { outputSize: [5, 6], randomSamples: samples });
    const half = tm.fractionalMaxPool2dWithIndices(x.cast('f16'), 3, { outputSize: [5, 6], randomSamples: samples.cast('f16').cast('f32') });
    expect(half.values.dtype).toBe('f16');
    expectExact(await half.indices.data(), await want.indices.data(), 'f16 indices');
    expectExact(await half.values.data(), await want.values.data(), 'f16 values');
    // Every value back at its index, the rest zeros (overlapping windows may pick one position twice: the same value).
    // maxUnpool2d takes a 2×2 pooling's sizes: 5×6 from 9×11 is within its stride of 10×12.
    const back = await tm.maxUnpool2d(want.values, want.indices, 2, { outputSize: [9, 11] }).data();
    const [values, indices, xs] = [await want.values.data(), await want.indices.data(), await x.cast('f16').cast('f32').data()];
    const placed = new Set<number>();
    indices.forEach((at, i) => {
      const plane = Math.floor(i / 30);
      expect(back[plane * 99 + at]).toBe(values[i]);
      expect(xs[plane * 99 + at]).toBe(values[i]);
      placed.add(plane * 99 + at);
    });
    back.forEach((v, i) => placed.has(i) || expect(v).toBe(0));
  });

  it('an empty batch, and nothing left behind', async () => {
    const empty = tm.fractionalMaxPool3dWithIndices(tm.zeros([0, 2, 4, 5, 6]), 2, { outputSize: [2, 3, 4] });
    expect(empty.values.shape).toEqual([0, 2, 2, 3, 4]);
    expect(empty.indices.shape).toEqual([0, 2, 2, 3, 4]);
    const x = tm.randn([2, 3, 8, 9], { seed: 1 });
    tm.fractionalMaxPool2d(x, 2, { outputRatio: 0.5, seed: 1 }).dispose();
    const before = await collected();
    const { values, indices } = tm.fractionalMaxPool2dWithIndices(x, 2, { outputRatio: 0.5, seed: 1 });
    values.dispose();
    indices.dispose();
    tm.tidy(() => void tm.fractionalMaxPool3d(tm.randn([2, 5, 6, 7]), 2, { outputSize: 3 }));
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses what PyTorch refuses, and more, naming the op and the shapes', () => {
    const x = tm.randn([2, 3, 9, 11], { seed: 1 });
    const f = (kernel: number | number[], options: object) => () => pool2d(x, kernel, options as never);
    expect(f(3, { outputSize: [8, 9] })).toThrow("fractionalMaxPool2dWithIndices: 8 windows of 3 along the height need x's height ≥ output + kernel − 1 = 10, but x [2,3,9,11] has 9");
    expect(f(10, { outputSize: 1 })).toThrow('fractionalMaxPool2dWithIndices: a 10×10 window does not fit in x [2,3,9,11]');
    expect(f(3, {})).toThrow("fractionalMaxPool2dWithIndices: needs outputSize (the output's height, width) or outputRatio (its size over x's, in (0, 1))");
    expect(f(3, { outputSize: 2, outputRatio: 0.5 })).toThrow('fractionalMaxPool2dWithIndices: give outputSize or outputRatio, not both');
    expect(f(3, { outputRatio: 1 })).toThrow('fractionalMaxPool2dWithIndices: outputRatio must be a number in (0, 1) or [height, width] of them, got 1');
    expect(f(3, { outputRatio: [0.5, 0.5, 0.5] })).toThrow(/outputRatio must be a number in \(0, 1\)/);
    expect(f(3, { outputRatio: 0.05 })).toThrow('fractionalMaxPool2dWithIndices: an outputRatio of 0.05 along the height leaves no output for x [2,3,9,11] (⌊9 · 0.05⌋ = 0)');
    expect(f(0, { outputSize: 2 })).toThrow('fractionalMaxPool2dWithIndices: kernelSize must be an integer ≥ 1 or a pair [height, width] of them, got 0');
    expect(f(2, { outputSize: 0 })).toThrow('fractionalMaxPool2dWithIndices: outputSize must be an integer ≥ 1 or a pair [height, width] of them, got 0');
    expect(f(2, { output_size: 2 })).toThrow(/unknown option "output_size" \(did you mean outputSize\?\)/);
    expect(f(2, { outputSize: 2, randomSamples: tm.rand([2, 3, 3]) })).toThrow(
      'fractionalMaxPool2dWithIndices: randomSamples must be [N, C, 2] = [2,3,2] for x [2,3,9,11] (a uniform per axis for each channel of each sample), got [2,3,3]',
    );
    expect(f(2, { outputSize: 2, randomSamples: tm.zeros([2, 3, 2], { dtype: 'i32' }) })).toThrow('fractionalMaxPool2dWithIndices: randomSamples must be f32 or f16 uniforms in [0, 1), got i32');
    expect(f(2, { outputSize: 2, randomSamples: tm.rand([2, 3, 2]), seed: 1 })).toThrow('fractionalMaxPool2dWithIndices: give randomSamples or a seed to draw them with, not both');
    expect(f(2, { outputSize: 2, seed: -1 })).toThrow('fractionalMaxPool2dWithIndices: seed must be an integer in [0, 2^32), got -1');
    if (backend !== 'webgpu') {
      expect(f(2, { outputSize: 2, randomSamples: tm.fill([2, 3, 2], 1) })).toThrow('fractionalMaxPool2dWithIndices: randomSamples must be uniforms in [0, 1), got 1 at 0 of [2,3,2]');
    }
    expect(() => tm.fractionalMaxPool2d(tm.randn([9, 11]), 2, { outputSize: 2 })).toThrow('fractionalMaxPool2d: x must be [batch, channels, height, width] (or one image [channels, height, width]), got [9,11]');
    expect(() => tm.fractionalMaxPool2d(tm.zeros([1, 1, 4, 4], { dtype: 'i32' }), 2, { outputSize: 2 })).toThrow(/fractionalMaxPool2d: x must be f32 or f16, got i32/);
    expect(() => tm.fractionalMaxPool3d(tm.randn([2, 3, 5, 6, 7]), 2, { outputSize: [5, 5, 5] })).toThrow("fractionalMaxPool3d: 5 windows of 2 along the depth need x's depth ≥ output + kernel − 1 = 6, but x [2,3,5,6,7] has 5");
    expect(() => tm.fractionalMaxPool3d(tm.randn([2, 3, 5, 6, 7]), [2, 2] as never, { outputSize: 2 })).toThrow(/fractionalMaxPool3d: kernelSize must be an integer ≥ 1 or a triple \[depth, height, width\]/);
    expect(() => tm.fractionalMaxPool3d(tm.randn([3, 5, 6, 7]), 2, { outputSize: 2, randomSamples: tm.rand([3, 3]) })).toThrow(/randomSamples must be \[N, C, 3\] = \[1,3,3\] for x \[3,5,6,7\]/);
  });

  it('a sample outside [0, 1) is refused where the samples can be read at once (js, native); on webgpu its windows stay inside x', async () => {
    const x = tm.arange(0, 2 * 9 * 11, 1, { dtype: 'f32' }).reshape([2, 9, 11]);
    const pool = () => tm.fractionalMaxPool2dWithIndices(x, 2, { outputSize: [4, 5], randomSamples: tm.tensor([[[7, -3], [1, 0.5]]]) });
    if (backend !== 'webgpu') {
      expect(pool).toThrow('fractionalMaxPool2dWithIndices: randomSamples must be uniforms in [0, 1), got 7 at 0 of [1,2,2]');
      return;
    }
    for (const at of await pool().indices.data()) expect(at >= 0 && at < 99).toBe(true);
  });
});
