// ONNX's image-shaped ops (src/onnx/ops/image.ts) on every backend: LRN,
// MaxUnpool, Col2Im, CenterCropPad and MeanVarianceNormalization against
// float64 loops of ONNX's definitions (onnx/reference/ops) at odd shapes,
// their gradients against the loops' (scatters and gathers read off the
// same index maps) or float64 central differences, and beside
// onnxruntime-web, which runs them all but LRN of an even size (its kernel
// refuses one). Where onnxruntime and ONNX's reference disagree, on which
// shape MaxUnpool's indices count in when output_shape is given, tmnn
// follows onnxruntime (and PyTorch's max_unpool): the test says so.
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF16, asF32, expectClose, expectExact, randomInts, SEED, uniform } from '../../helpers/data.js';
import { centralDifferences, f64, ravel, size, unravel, type F64 } from '../../helpers/float64.js';
import type { AttributeSpec } from '../../helpers/onnx.js';
import { runWithGrad } from '../../helpers/onnx_grad.js';
import { feed, ints, opModel, run1, type Feed } from '../../helpers/onnx_run.js';
import { ortRun } from '../../helpers/ort.js';

const floats = (shape: number[], lo = -2, hi = 2): F64 => f64(shape, asF32(uniform(size(shape), lo, hi)));

/** ONNX's LRN: x / (bias + α/size · Σ x²)^β over channels c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉ that exist. */
function lrnRef(x: F64, n: number, alpha: number, beta: number, bias: number): Float64Array {
  const c = x.shape[1];
  return x.v.map((v, i) => {
    const at = unravel(i, x.shape);
    let sum = 0;
    for (let k = Math.max(0, at[1] - Math.floor((n - 1) / 2)); k <= Math.min(c - 1, at[1] + Math.ceil((n - 1) / 2)); k++) sum += x.v[ravel(at.map((d, a) => (a === 1 ? k : d)), x.shape)] ** 2;
    return v / (bias + (alpha / n) * sum) ** beta;
  });
}

/** MaxPool's values and Indices (flat into N·C·spatial, the first largest tap of each window, pads left out) in float64. */
function maxPoolRef(x: F64, kernel: number[], strides: number[], pads: number[]): { values: F64; indices: number[] } {
  const n = kernel.length;
  const out = x.shape.slice(2).map((s, i) => Math.floor((s + pads[i] + pads[n + i] - kernel[i]) / strides[i]) + 1);
  const shape = [...x.shape.slice(0, 2), ...out];
  const values: number[] = [], indices: number[] = [];
  for (let o = 0; o < size(shape); o++) {
    const at = unravel(o, shape);
    let best = -Infinity, where = -1;
    for (let tap = 0; tap < size(kernel); tap++) {
      const t = unravel(tap, kernel);
      const pos = at.slice(2).map((p, i) => p * strides[i] - pads[i] + t[i]);
      if (pos.some((p, i) => p < 0 || p >= x.shape[i + 2])) continue;
      const flat = ravel([...at.slice(0, 2), ...pos], x.shape);
      if (x.v[flat] > best) [best, where] = [x.v[flat], flat];
    }
    values.push(best);
    indices.push(where);
  }
  return { values: f64(shape, values), indices };
}

/** Where each of Col2Im's input values [N, C·∏block, L] lands in the image [N, C, …image] (flat), −1 in the pads: ONNX's reference loop. */
function col2imTargets(xShape: number[], image: number[], block: number[], dil: number[], pads: number[], strides: number[]): { targets: number[]; shape: number[] } {
  const n = image.length;
  const blocks = image.map((s, i) => Math.floor((s + pads[i] + pads[n + i] - dil[i] * (block[i] - 1) - 1) / strides[i]) + 1);
  const taps = size(block), channels = xShape[1] / taps;
  const shape = [xShape[0], channels, ...image];
  const targets = Array.from({ length: size(xShape) }, (_, i) => {
    const [b, row, col] = unravel(i, xShape);
    const offset = unravel(row % taps, block), position = unravel(col, blocks);
    const pixel = position.map((p, a) => p * strides[a] - pads[a] + offset[a] * dil[a]);
    return pixel.some((p, a) => p < 0 || p >= image[a]) ? -1 : ravel([b, Math.floor(row / taps), ...pixel], shape);
  });
  return { targets, shape };
}

/** CenterCropPad: the input index each output entry reads (−1 for padding), and the output shape. */
function centerCropPadSources(inShape: number[], target: number[], axes: number[]): { sources: number[]; shape: number[] } {
  const shape = [...inShape], shift = inShape.map(() => 0);
  axes.forEach((axis, i) => {
    const a = axis < 0 ? axis + inShape.length : axis;
    shape[a] = target[i];
    shift[a] = inShape[a] >= target[i] ? Math.floor((inShape[a] - target[i]) / 2) : -Math.floor((target[i] - inShape[a]) / 2);
  });
  const sources = Array.from({ length: size(shape) }, (_, o) => {
    const at = unravel(o, shape).map((p, a) => p + shift[a]);
    return at.some((p, a) => p < 0 || p >= inShape[a]) ? -1 : ravel(at, inShape);
  });
  return { sources, shape };
}

/** MVN: (x − mean) / (std + 1e-9) over `axes` (population statistics), or x − mean alone. */
function mvnRef(x: F64, axes: number[], normalizeVariance = true): Float64Array {
  const keyOf = (i: number) => unravel(i, x.shape).map((d, a) => (axes.includes(a) ? 0 : d)).join();
  const sums = new Map<string, { n: number; s: number; ss: number }>();
  x.v.forEach((v, i) => {
    const g = sums.get(keyOf(i)) ?? { n: 0, s: 0, ss: 0 };
    g.n++;
    g.s += v;
    sums.set(keyOf(i), g);
  });
  x.v.forEach((v, i) => (sums.get(keyOf(i))!.ss += (v - sums.get(keyOf(i))!.s / sums.get(keyOf(i))!.n) ** 2));
  return x.v.map((v, i) => {
    const g = sums.get(keyOf(i))!;
    const centered = v - g.s / g.n;
    return normalizeVariance ? centered / (Math.sqrt(g.ss / g.n) + 1e-9) : centered;
  });
}

const ortFloat = (a: F64) => new ort.Tensor('float32', Float32Array.from(a.v), a.shape);
const ortInt64 = (values: readonly number[], shape: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), shape);
const numbers = (t: ort.Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);

/** tmnn's output for `inputs` beside onnxruntime's, fed the same graph inputs. */
async function besideOrt(op: string, inputs: Feed[], ortFeeds: Record<string, ort.Tensor>, attrs: Record<string, AttributeSpec>, opset: number, tol: number): Promise<void> {
  const bytes = opModel(op, inputs, attrs, { opset, outputTypes: [inputs[0].type ?? 'float'] });
  const want = (await ortRun(bytes, ortFeeds)).y0;
  const got = await run1(op, inputs, attrs, { opset });
  expect(got.shape, `${op} beside onnxruntime`).toEqual([...want.dims]);
  expectClose(got.v, numbers(want), tol, `${op} beside onnxruntime (seed ${SEED})`);
}

describe.each(BACKENDS)('ONNX image ops on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  describe('LRN', () => {
    it.each([
      { shape: [2, 5, 3, 4], size: 3 },
      { shape: [1, 7, 5], size: 4 }, // even: one channel more after than before, unlike PyTorch's window
      { shape: [2, 6, 2, 3, 2], size: 5 },
      { shape: [3, 4, 2, 3], size: 1 },
      { shape: [2, 3, 4, 3], size: 8 }, // wider than the channels
    ])('divides by the energy of neighbouring channels on $shape, size $size; its gradient matches central differences', async ({ shape, size: n }) => {
      const x = floats(shape), r = uniform(size(shape));
      const [alpha, beta, bias] = [0.4, 0.75, 1.5];
      const attrs = { size: n, alpha: { float: alpha }, beta: { float: beta }, bias: { float: bias } };
      const { y, dx } = await runWithGrad('LRN', [feed(x)], attrs, r, { opset: 13 });
      expectClose(y, lrnRef(x, n, alpha, beta, bias), 1e-5, `LRN y (seed ${SEED})`);
      const values = Float64Array.from(x.v);
      const want = centralDifferences(values, () => lrnRef(f64(shape, values), n, alpha, beta, bias).reduce((s, v, i) => s + v * r[i], 0));
      expectClose(dx, want, 1e-4, `LRN dx (seed ${SEED})`);
    });

    it('takes ONNX defaults (α 1e-4, β 0.75, bias 1) and agrees with onnxruntime', async () => {
      const x = floats([2, 6, 5, 3], -20, 20);
      expectClose((await run1('LRN', [feed(x)], { size: 3 })).v, lrnRef(x, 3, 1e-4, 0.75, 1), 1e-5, `LRN defaults (seed ${SEED})`);
      await besideOrt('LRN', [feed(x)], { x0: ortFloat(x) }, { size: 5, alpha: { float: 0.01 }, beta: { float: 0.5 }, bias: { float: 2 } }, 13, 1e-5);
    });
  });

  describe('MaxUnpool', () => {
    it.each([
      { shape: [2, 3, 5, 5], kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], give: true }, // an odd size: output_shape says 5, not 4
      { shape: [1, 2, 6, 7], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], give: true }, // overlapping windows, pads
      { shape: [2, 3, 8], kernel: [2], strides: [2], pads: [0, 0], give: false },
      { shape: [1, 2, 4, 6, 4], kernel: [2, 3, 2], strides: [2, 3, 2], pads: [0, 0, 0, 0, 0, 0], give: false },
      { shape: [2, 2, 7, 6], kernel: [3, 2], strides: [2, 2], pads: [1, 0, 1, 0], give: false }, // pads make the attributes' shape the pooled one
    ])('puts MaxPool\'s values back at its indices on $shape (kernel $kernel, strides $strides, pads $pads)', async ({ shape, kernel, strides, pads, give }) => {
      const xin = floats(shape);
      const { values, indices } = maxPoolRef(xin, kernel, strides, pads);
      const inputs: Feed[] = [feed(values), { shape: values.shape, values: indices, type: 'int64' }, ...(give ? [ints(shape)] : [])];
      const attrs = { kernel_shape: kernel, strides, pads };
      const want = new Float64Array(size(shape));
      indices.forEach((at, i) => (want[at] = values.v[i]));
      const r = uniform(size(shape));
      const { y, shape: got, dx } = await runWithGrad('MaxUnpool', inputs, attrs, r, { opset: 11 });
      expect(got).toEqual(shape);
      // Overlapping windows may name a position twice, with one value: their mean is it, to an ulp.
      expectClose(y, want, 1e-6, `MaxUnpool y (seed ${SEED})`);
      const count = new Float64Array(size(shape));
      indices.forEach((at) => count[at]++);
      expectClose(dx, indices.map((at) => r[at] / count[at]), 1e-6, `MaxUnpool dx (seed ${SEED})`);
    });

    it('agrees with onnxruntime, whose indices count in output_shape (ONNX\'s reference counts them in the attributes\' shape and pads after)', async () => {
      for (const [shape, give] of [[[2, 3, 5, 7], true], [[1, 2, 4, 4, 6], false]] as const) {
        const xin = floats([...shape]);
        const kernel = shape.slice(2).map(() => 2);
        const { values, indices } = maxPoolRef(xin, kernel, kernel, [...kernel, ...kernel].map(() => 0));
        const inputs: Feed[] = [feed(values), { shape: values.shape, values: indices, type: 'int64' }, ...(give ? [ints([...shape])] : [])];
        await besideOrt('MaxUnpool', inputs, { x0: ortFloat(values), x1: ortInt64(indices, values.shape) }, { kernel_shape: kernel, strides: kernel }, 11, 0);
      }
    });
  });

  describe('Col2Im', () => {
    it.each([
      { image: [5, 6], block: [2, 3], dil: [1, 1], pads: [0, 0, 0, 0], strides: [1, 2], n: 2, c: 2 },
      { image: [7, 5], block: [3, 2], dil: [2, 1], pads: [1, 0, 2, 1], strides: [2, 2], n: 1, c: 3 },
      { image: [9], block: [3], dil: [1], pads: [1, 1], strides: [2], n: 2, c: 1 },
      { image: [4, 3, 5], block: [2, 2, 3], dil: [1, 1, 1], pads: [0, 1, 0, 1, 0, 1], strides: [1, 2, 1], n: 1, c: 2 },
    ])('sums columns into images $image from blocks $block (dilations $dil, pads $pads, strides $strides); its gradient is the gather back', async ({ image, block, dil, pads, strides, n, c }) => {
      const k = size(block);
      const blocks = image.map((s, i) => Math.floor((s + pads[i] + pads[image.length + i] - dil[i] * (block[i] - 1) - 1) / strides[i]) + 1);
      const xShape = [n, c * k, size(blocks)];
      const x = floats(xShape);
      const { targets, shape } = col2imTargets(xShape, image, block, dil, pads, strides);
      const want = new Float64Array(size(shape));
      targets.forEach((t, i) => t >= 0 && (want[t] += x.v[i]));
      const r = uniform(size(shape));
      const inputs = [feed(x), ints(image), ints(block)];
      const attrs = { dilations: dil, pads, strides };
      const { y, shape: got, dx } = await runWithGrad('Col2Im', inputs, attrs, r, { opset: 18 });
      expect(got).toEqual(shape);
      expectClose(y, want, 1e-5, `Col2Im y (seed ${SEED})`);
      expectClose(dx, targets.map((t) => (t >= 0 ? r[t] : 0)), 1e-6, `Col2Im dx (seed ${SEED})`);
      await besideOrt('Col2Im', inputs, { x0: ortFloat(x) }, attrs, 18, 1e-5);
    });
  });

  describe('CenterCropPad', () => {
    it.each([
      { shape: [7, 4, 5], target: [4, 7, 5], axes: undefined }, // odd differences: the extra entry at the end
      { shape: [3, 6, 5], target: [8, 3], axes: [-1, 1] },
      { shape: [2, 9, 4], target: [9, 2, 4], axes: undefined },
    ])('crops or pads $shape to $target centred (axes $axes); its gradient reads back what it kept', async ({ shape, target, axes }) => {
      const x = floats(shape);
      const { sources, shape: outShape } = centerCropPadSources(shape, target, axes ?? shape.map((_, a) => a));
      const r = uniform(size(outShape));
      const attrs: Record<string, AttributeSpec> = axes ? { axes } : {};
      const inputs = [feed(x), ints(target)];
      const { y, shape: got, dx } = await runWithGrad('CenterCropPad', inputs, attrs, r, { opset: 18 });
      expect(got).toEqual(outShape);
      expectExact(y, sources.map((s) => (s >= 0 ? x.v[s] : 0)), `CenterCropPad y (seed ${SEED})`);
      const want = new Float64Array(size(shape));
      sources.forEach((s, o) => s >= 0 && (want[s] += r[o]));
      expectClose(dx, want, 1e-6, `CenterCropPad dx (seed ${SEED})`);
      await besideOrt('CenterCropPad', inputs, { x0: ortFloat(x) }, attrs, 18, 0);
    });

    it('crops and pads integers', async () => {
      const x: Feed = { shape: [5, 4], values: randomInts(20, -1000, 1000), type: 'int64' };
      const { sources, shape } = centerCropPadSources([5, 4], [2, 7], [0, 1]);
      const y = await run1('CenterCropPad', [x, ints([2, 7])], {}, { opset: 18 });
      expect(y.shape).toEqual(shape);
      expectExact(y.v, sources.map((s) => (s >= 0 ? x.values[s] : 0)), `CenterCropPad of int64 (seed ${SEED})`);
      await besideOrt('CenterCropPad', [x, ints([2, 7])], { x0: ortInt64(Array.from(x.values), [5, 4]) }, {}, 18, 0);
    });
  });

  describe('MeanVarianceNormalization', () => {
    it.each([
      { shape: [2, 3, 4, 5], axes: undefined, opset: 13 },
      { shape: [3, 4, 5], axes: [1], opset: 13 },
      { shape: [2, 3, 4, 5], axes: [-1, 1], opset: 9 },
    ])('standardizes $shape over axes $axes (opset $opset), ε on the standard deviation; its gradient matches central differences', async ({ shape, axes, opset }) => {
      const x = floats(shape), r = uniform(size(shape));
      const axesPos = (axes ?? [0, 2, 3]).map((a) => (a < 0 ? a + shape.length : a));
      const { y, dx } = await runWithGrad('MeanVarianceNormalization', [feed(x)], axes ? { axes } : {}, r, { opset });
      expectClose(y, mvnRef(x, axesPos), 1e-5, `MVN y (seed ${SEED})`);
      const values = Float64Array.from(x.v);
      const want = centralDifferences(values, () => mvnRef(f64(shape, values), axesPos).reduce((s, v, i) => s + v * r[i], 0));
      expectClose(dx, want, 1e-4, `MVN dx (seed ${SEED})`);
    });

    it.each([
      { across: 0, normalize: 1 },
      { across: 1, normalize: 1 },
      { across: 0, normalize: 0 },
    ])('before opset 9 normalizes over the batch and spatial axes, the channels too where asked (across_channels $across, normalize_variance $normalize)', async ({ across, normalize }) => {
      const x = floats([2, 3, 4, 5]);
      const attrs = { across_channels: across, normalize_variance: normalize };
      const y = await run1('MeanVarianceNormalization', [feed(x)], attrs, { opset: 8 });
      expectClose(y.v, mvnRef(x, across ? [0, 1, 2, 3] : [0, 2, 3], normalize === 1), 1e-5, `MVN opset 8 (seed ${SEED})`);
      await besideOrt('MeanVarianceNormalization', [feed(x)], { x0: ortFloat(x) }, attrs, 8, 1e-5);
    });

    it('agrees with onnxruntime', async () => {
      const x = floats([3, 2, 5, 4]);
      await besideOrt('MeanVarianceNormalization', [feed(x)], { x0: ortFloat(x) }, {}, 13, 1e-5);
      await besideOrt('MeanVarianceNormalization', [feed(x)], { x0: ortFloat(x) }, { axes: [1, 3] }, 13, 1e-5);
    });
  });

  it('runs float16 inputs in f16 (LRN, Col2Im, MeanVarianceNormalization)', async () => {
    const half = (shape: number[]): F64 => f64(shape, asF16(uniform(size(shape))));
    // A few f16 roundings (2^-11 each) along each op's chain of arithmetic.
    const tol = 1e-2;
    const x = half([2, 5, 3, 4]);
    const lrn = await run1('LRN', [feed(x, 'float16')], { size: 3, alpha: { float: 0.4 } }, { opset: 13 });
    expectClose(lrn.v, lrnRef(x, 3, 0.4, 0.75, 1), tol, `LRN in f16 (seed ${SEED})`);
    const mvn = await run1('MeanVarianceNormalization', [feed(x, 'float16')], {}, { opset: 13 });
    expectClose(mvn.v, mvnRef(x, [0, 2, 3]), tol, `MVN in f16 (seed ${SEED})`);
    const columns = half([1, 8, 6]);
    const { targets, shape } = col2imTargets(columns.shape, [3, 4], [2, 2], [1, 1], [0, 0, 0, 0], [1, 1]);
    const want = new Float64Array(size(shape));
    targets.forEach((t, i) => t >= 0 && (want[t] += columns.v[i]));
    const image = await run1('Col2Im', [feed(columns, 'float16'), ints([3, 4]), ints([2, 2])], {}, { opset: 18 });
    expectClose(image.v, want, tol, `Col2Im in f16 (seed ${SEED})`);
  });

  describe('bad attributes and inputs', () => {
    const refuse = async (op: string, inputs: Feed[], attrs: Record<string, AttributeSpec>, error: RegExp, opset = 18) => {
      await expect(run1(op, inputs, attrs, { opset })).rejects.toThrow(error);
    };

    it('names the attribute, the input and the value it does not take', async () => {
      const x = feed(floats([1, 4, 3, 3]));
      await refuse('LRN', [x], {}, /\(LRN\): size = undefined must be a positive integer \(it is required\)/);
      await refuse('LRN', [x], { size: 0 }, /size = 0 must be a positive integer/);
      await refuse('LRN', [feed(floats([4, 3]))], { size: 3 }, /input is \[4, 3\]; it needs \[N, C, D1, …\]/);
      const pooled = feed(floats([1, 2, 2, 2])), at = (values: number[]): Feed => ({ shape: [1, 2, 2, 2], values, type: 'int64' });
      await refuse('MaxUnpool', [pooled, at([0, 1, 2, 3, 4, 5, 6, 7])], {}, /kernel_shape must give the window's size along the 2 spatial axes/);
      await refuse('MaxUnpool', [pooled, { shape: [1, 2, 4], values: [0, 1, 2, 3, 4, 5, 6, 7], type: 'int64' }], { kernel_shape: [2, 2] }, /indices \(input 1\) are integers \[1, 2, 4\]; they must be integers of X's shape \[1, 2, 2, 2\]/);
      await refuse('MaxUnpool', [pooled, at([0, 1, 2, 3, 4, 5, 6, 7]), ints([2, 2, 4, 4])], { kernel_shape: [2, 2], strides: [2, 2] }, /output_shape = \[2, 2, 4, 4\] must be \[1, 2, …\] with 2 positive spatial sizes/);
      if (backend !== 'webgpu') {
        // js and native hold the indices where they can be read at once; a GPU's scatter puts nothing for such an index.
        await refuse('MaxUnpool', [pooled, at([0, 1, 2, 3, 4, 5, 6, 32])], { kernel_shape: [2, 2], strides: [2, 2] }, /\(MaxUnpool\): index 32 \(at 7 of indices \[1,2,2,2\]\) is outside the unpooled \[1, 2, 4, 4\] \(32 values\)/);
      }
      const columns = feed(floats([1, 12, 4]));
      await refuse('Col2Im', [columns, ints([4, 4]), ints([2, 2])], {}, /input \[1, 12, 4\] has 4 blocks; \[3, 3\] blocks of \[2, 2\] fit in image_shape \[4, 4\]/);
      await refuse('Col2Im', [columns, ints([3, 3]), ints([5])], {}, /image_shape \[3, 3\] and block_shape \[5\] must give one size for each of the same spatial axes/);
      await refuse('Col2Im', [columns, ints([3, 3]), ints([1, 5])], {}, /input \[1, 12, 4\] has 12 rows, not a multiple of block_shape \[1, 5\]'s 5 taps/);
      await refuse('Col2Im', [columns, ints([3, 3]), ints([2, 2])], { strides: [0, 1] }, /strides = \[0, 1\] must be positive integers/);
      await refuse('CenterCropPad', [x, ints([2, 2])], {}, /shape \[2, 2\] gives 2 lengths for 4 axes \[0, 1, 2, 3\]/);
      await refuse('CenterCropPad', [x, ints([2, 2])], { axes: [1, -3] }, /axes = \[1, -3\] names an axis twice/);
      await refuse('CenterCropPad', [x, ints([2])], { axes: [4] }, /axes = \[4\] names an axis outside the input's 4/);
      await refuse('MeanVarianceNormalization', [feed(floats([3, 4, 5]))], {}, /axes = \[0, 2, 3\] names an axis outside the input's 3/);
    });
  });
});
