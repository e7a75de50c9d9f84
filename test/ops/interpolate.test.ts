// Resizing against PyTorch's F.interpolate in float64: nearest takes input
// floor(i·n/m); (bi)linear interpolates at (i + ½)·n/m − ½, clamped
// (align_corners=False), one axis after the other; and a value PyTorch gives.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { separable } from '../helpers/antialias.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';

/** Along one axis of a [rows, n] matrix resized to m: each output a weighted sum of inputs, as [m][n] weights. */
function axisWeights(n: number, m: number, linear: boolean): number[][] {
  return Array.from({ length: m }, (_, i) => {
    const row = new Array<number>(n).fill(0);
    if (!linear) {
      row[Math.min(n - 1, Math.floor((i * n) / m))] = 1;
      return row;
    }
    const source = Math.max(0, ((i + 0.5) * n) / m - 0.5);
    const low = Math.min(n - 1, Math.floor(source));
    const high = Math.min(n - 1, low + 1);
    row[low] += 1 - (source - low);
    row[high] += source - low;
    return row;
  });
}

type RefMode = 'nearest-exact' | 'linear' | 'cubic';

/**
 * PyTorch's upsample kernels' weights along one axis, written from its
 * formulas: nearest-exact reads floor((i + ½)·n/m); linear and cubic centre
 * on i·(n − 1)/(m − 1) with aligned corners, else on (i + ½)·n/m − ½ (linear
 * clamped at 0); cubic is Keys' with a = −0.75 over floor − 1 … floor + 2,
 * reading past the edges as the edge.
 */
function modeWeights(n: number, m: number, mode: RefMode, align: boolean): number[][] {
  const a = -0.75;
  const cubic = (d: number) => {
    const x = Math.abs(d);
    return x <= 1 ? (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1 : x < 2 ? a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a : 0;
  };
  return Array.from({ length: m }, (_, i) => {
    const row = new Array<number>(n).fill(0);
    const clamp = (k: number) => Math.min(n - 1, Math.max(0, k));
    if (mode === 'nearest-exact') {
      row[clamp(Math.floor(((i + 0.5) * n) / m))] = 1;
      return row;
    }
    let source = align ? (m > 1 ? (i * (n - 1)) / (m - 1) : 0) : ((i + 0.5) * n) / m - 0.5;
    if (mode === 'linear') {
      if (!align) source = Math.max(0, source);
      const low = Math.floor(source);
      row[clamp(low)] += 1 - (source - low);
      row[clamp(low + 1)] += source - low;
      return row;
    }
    const floor = Math.floor(source);
    for (let k = floor - 1; k <= floor + 2; k++) row[clamp(k)] += cubic(source - k);
    return row;
  });
}

/** x [planes, h, w] resized to [oh, ow]: y and, for weights r on y, the gradient of Σ y·r. */
function resizeRef(x: Float64Array, planes: number, [h, w]: number[], [oh, ow]: number[], linear: boolean, r: Float64Array) {
  return separable(x, planes, [h, w], axisWeights(h, oh, linear), axisWeights(w, ow, linear), r);
}

describe.each(BACKENDS)('interpolate on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([
    { from: [4, 5], to: [8, 10] }, { from: [7, 9], to: [3, 4] }, { from: [5, 3], to: [7, 3] }, { from: [1, 2], to: [3, 5] }, { from: [6, 6], to: [6, 6] },
  ])('2d $from → $to, nearest and bilinear, with gradients', async ({ from, to }) => {
    const [n, c] = [2, 3];
    const x = Float64Array.from(uniform(n * c * from[0] * from[1]).map(Math.fround));
    const r = Float64Array.from(uniform(n * c * to[0] * to[1]).map(Math.fround));
    for (const mode of ['nearest', 'bilinear'] as const) {
      const t = tm.tensor(x, [n, c, ...from]);
      t.requiresGrad = true;
      const y = tm.interpolate2d(t, { size: to as [number, number], mode });
      expect(y.shape).toEqual([n, c, ...to]);
      const want = resizeRef(x, n * c, from, to, mode === 'bilinear', r);
      expectClose(await y.data(), want.y, 1e-6, mode);
      y.mul(tm.tensor(r, y.shape)).sum().backward();
      expectClose(await t.grad!.data(), want.dx, 1e-5, `${mode} gradient`);
    }
  });

  it.each([
    { from: [4, 5], to: [8, 11] }, { from: [7, 9], to: [3, 4] }, { from: [5, 3], to: [1, 6] }, { from: [1, 2], to: [3, 5] }, { from: [6, 6], to: [6, 6] },
  ])('2d $from → $to, bicubic and nearest-exact, and the interpolating modes with alignCorners, with gradients', async ({ from, to }) => {
    const [n, c] = [2, 3];
    const x = Float64Array.from(uniform(n * c * from[0] * from[1]).map(Math.fround));
    const r = Float64Array.from(uniform(n * c * to[0] * to[1]).map(Math.fround));
    const cases: [tm.InterpolateMode, RefMode, boolean][] = [['bicubic', 'cubic', false], ['bicubic', 'cubic', true], ['bilinear', 'linear', true], ['nearest-exact', 'nearest-exact', false]];
    for (const [mode, ref, alignCorners] of cases) {
      const t = tm.tensor(x, [n, c, ...from]);
      t.requiresGrad = true;
      const y = tm.interpolate2d(t, { size: to as [number, number], mode, alignCorners });
      expect(y.shape).toEqual([n, c, ...to]);
      const want = separable(x, n * c, from, modeWeights(from[0], to[0], ref, alignCorners), modeWeights(from[1], to[1], ref, alignCorners), r);
      expectClose(await y.data(), want.y, 1e-5, `${mode} ${alignCorners}`);
      y.mul(tm.tensor(r, y.shape)).sum().backward();
      expectClose(await t.grad!.data(), want.dx, 1e-5, `${mode} ${alignCorners} gradient`);
    }
  });

  it("gives PyTorch's bicubic doubling of [[1, 2], [3, 4]] (overshooting past the corners) and its aligned linear resize; a scale factor with aligned corners maps them onto each other", async () => {
    const bicubic = await tm.interpolate2d(tm.tensor([[[[1, 2], [3, 4]]]]), { scaleFactor: 2, mode: 'bicubic' }).data();
    expectClose(bicubic.slice(0, 4), [0.68359375, 1.015625, 1.5625, 1.89453125], 1e-6);
    expectClose(bicubic.slice(12), [3.10546875, 3.4375, 3.984375, 4.31640625], 1e-6);
    expectClose(await tm.interpolate1d(tm.tensor([[[1, 2]]]), { size: 4, mode: 'linear', alignCorners: true }).data(), [1, 4 / 3, 5 / 3, 2], 1e-6);
    // alignCorners ignores the factor's 1/s: 3 → 6 reads at i·2/5.
    expectClose(await tm.interpolate1d(tm.tensor([[[0, 10, 20]]]), { scaleFactor: 2, mode: 'linear', alignCorners: true }).data(), [0, 4, 8, 12, 16, 20], 1e-5);
    expect(Array.from(await tm.interpolate1d(tm.tensor([[[0, 1, 2, 3, 4]]]), { size: 3, mode: 'nearest-exact' }).data())).toEqual([0, 2, 4]);
    expect(Array.from(await tm.interpolate1d(tm.tensor([[[0, 1, 2, 3, 4]]]), { size: 3 }).data())).toEqual([0, 1, 3]);
  });

  it("gives PyTorch's bilinear doubling of [[1, 2], [3, 4]], and a scale factor's size rounded down", async () => {
    const y = tm.interpolate2d(tm.tensor([[[[1, 2], [3, 4]]]]), { scaleFactor: 2, mode: 'bilinear' });
    expect(await y.array()).toEqual([[[[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]]]]);
    expect(tm.interpolate2d(tm.zeros([1, 1, 5, 4]), { scaleFactor: [1.5, 0.5] }).shape).toEqual([1, 1, 7, 2]);
    const seq = tm.interpolate1d(tm.tensor([[[1, 2, 4]]]), { size: 6, mode: 'linear' });
    expectClose(await seq.data(), resizeRef(Float64Array.of(1, 2, 4), 1, [1, 3], [1, 6], true, new Float64Array(6)).y, 1e-6);
    expect(await tm.interpolate1d(tm.tensor([[1, 2, 3]]), { scaleFactor: 2 }).array()).toEqual([[1, 1, 2, 2, 3, 3]]);
  });

  it('maps a scale factor s back by 1/s, as PyTorch does, not by the sizes\' ratio', async () => {
    const ramp = (n: number) => tm.arange(0, n, 1, { dtype: 'f32' }).reshape([1, 1, n]);
    expect(Array.from(await tm.interpolate1d(ramp(10), { scaleFactor: 0.35 }).data())).toEqual([0, 2, 5]);
    expectClose(await tm.interpolate1d(ramp(5), { scaleFactor: 1.5, mode: 'linear' }).data(), [0, 0.5, 7 / 6, 11 / 6, 2.5, 19 / 6, 23 / 6], 1e-6);
    // 3 × 1.2 keeps 3 positions, read at (i + ½)/1.2 − ½.
    expectClose(await tm.interpolate1d(tm.tensor([[[0, 10, 20]]]), { scaleFactor: 1.2, mode: 'linear' }).data(), [0, 7.5, 95 / 6], 1e-6);
    expect(() => tm.interpolate1d(ramp(3), { scaleFactor: 0.2 })).toThrow('interpolate1d: scaleFactor [1, 0.2] leaves no output of x [1,1,3]');
    // A size maps by n/m (in f32, as PyTorch's): 2 → 98, output 49 reads input 1 (49·2/98 = 1, and f32's 49·(2/98) rounds to 1).
    expect((await tm.interpolate1d(ramp(2), { size: 98 }).data())[49]).toBe(1);
  });

  it('picks the nearest input in float32, as PyTorch\'s kernels do, where exact arithmetic would land on the other side of an integer', async () => {
    const ramp = (shape: number[]) => tm.arange(0, shape.reduce((a, b) => a * b, 1), 1, { dtype: 'f32' }).reshape(shape);
    // PyTorch 1.13's F.interpolate(size=22) of 26: output 11 reads 12, 11·(26/22) = 13 exactly but 12.999999 with the scale in f32.
    const shrunk = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24];
    expect(Array.from(await tm.interpolate1d(ramp([1, 1, 26]), { size: 22 }).data())).toEqual(shrunk);
    expect(Array.from(await tm.interpolate2d(ramp([1, 1, 1, 26]), { size: [1, 22] }).data())).toEqual(shrunk);
    // F.interpolate(scale_factor=3.7, mode='nearest-exact') of 6: output 18 reads 5, 18.5·(1/3.7) rounded to f32 (4.999999999999999 in float64).
    const stretched = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 5];
    expect(Array.from(await tm.interpolate1d(ramp([1, 1, 6]), { scaleFactor: 3.7, mode: 'nearest-exact' }).data())).toEqual(stretched);
    expect(Array.from(await tm.interpolate2d(ramp([1, 1, 6, 1]), { scaleFactor: [3.7, 1], mode: 'nearest-exact' }).data())).toEqual(stretched);
  });

  it('Upsample and Identity layers', async () => {
    const images = tm.randn([2, 3, 4, 4], { seed: 1 });
    expectClose(await new tm.nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(images).data(), await tm.interpolate2d(images, { scaleFactor: 2, mode: 'bilinear' }).data(), 0);
    expect(new tm.nn.Upsample({ size: 9 }).forward(tm.zeros([2, 3, 4])).shape).toEqual([2, 3, 9]);
    expect(await new tm.nn.Identity().forward(images).data()).toEqual(await images.data());
    // The layer keeps copies: the caller's array, or its config's, changed later changes nothing.
    const size: [number, number] = [6, 8];
    const up = new tm.nn.Upsample({ size });
    size[0] = 9;
    (up.config().size as number[])[1] = 2;
    expect(up.forward(images).shape).toEqual([2, 3, 6, 8]);
  });

  it('UpsamplingNearest2d and UpsamplingBilinear2d: Upsample with mode nearest, and bilinear with the corners aligned (PyTorch\'s fixed modes)', async () => {
    const square = tm.tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    // PyTorch's nn.UpsamplingBilinear2d(size=3) of [[1, 2], [3, 4]]: the corners kept, the middle their mean.
    expect(Array.from(await new tm.nn.UpsamplingBilinear2d({ size: 3 }).forward(square).data())).toEqual([1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
    expect(Array.from(await new tm.nn.UpsamplingNearest2d({ scaleFactor: 2 }).forward(square).data())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const images = tm.randn([2, 3, 5, 4], { seed: 2 });
    expectClose(
      await new tm.nn.UpsamplingBilinear2d({ scaleFactor: [1.5, 2] }).forward(images).data(),
      await tm.interpolate2d(images, { scaleFactor: [1.5, 2], mode: 'bilinear', alignCorners: true }).data(), 0,
    );
    // Saved as the Upsample each is.
    expect(new tm.nn.UpsamplingBilinear2d({ size: [6, 8] }).config()).toEqual({ type: 'Upsample', size: [6, 8], mode: 'bilinear', alignCorners: true });
    const loaded = tm.nn.fromBytes(await new tm.nn.Sequential([new tm.nn.UpsamplingNearest2d({ size: 7 })]).toBytes());
    expect(await loaded.forward(images).data()).toEqual(await tm.interpolate2d(images, { size: 7 }).data());
    expect(() => new tm.nn.UpsamplingNearest2d({ size: 2 }).forward(tm.zeros([1, 2, 3]))).toThrow('UpsamplingNearest2d: x must be images [batch, channels, height, width], got [1,2,3]');
    expect(() => new tm.nn.UpsamplingBilinear2d({ size: 2, mode: 'nearest' } as never)).toThrow('UpsamplingBilinear2d: unknown option "mode"');
    // Refused under their own names, as images, not by the op of another rank with a mode the caller never chose.
    const images2d = 'x must be images [batch, channels, height, width], got';
    expect(() => new tm.nn.UpsamplingBilinear2d({ size: 2 }).forward(tm.zeros([1, 2, 3]))).toThrow(`UpsamplingBilinear2d: ${images2d} [1,2,3]`);
    expect(() => new tm.nn.UpsamplingBilinear2d({ scaleFactor: 2 }).forward(tm.zeros([1, 2, 3, 3, 3]))).toThrow(`UpsamplingBilinear2d: ${images2d} [1,2,3,3,3]`);
    expect(() => new tm.nn.UpsamplingNearest2d({ size: [2, 3, 4] as never })).toThrow('UpsamplingNearest2d: size must be a positive integer or a pair [height, width] of them, got [2, 3, 4]');
    expect(() => new tm.nn.UpsamplingBilinear2d({ scaleFactor: [2, 2, 2] as never })).toThrow('UpsamplingBilinear2d: scaleFactor must be a finite number > 0 or a pair [height, width] of them, got [2, 2, 2]');
    expect(() => new tm.nn.UpsamplingNearest2d({})).toThrow('UpsamplingNearest2d: give size or scaleFactor (one of them)');
  });
});

describe('interpolate refuses', () => {
  it('both or neither of size and scaleFactor, a mode for the other rank, bad sizes', async () => {
    await tm.init({ backend: 'js' });
    const x = tm.zeros([1, 1, 4, 4]);
    expect(() => tm.interpolate2d(x, {})).toThrow('interpolate2d: give size or scaleFactor (one of them)');
    expect(() => tm.interpolate2d(x, { size: 2, scaleFactor: 2 })).toThrow('interpolate2d: give size or scaleFactor (one of them)');
    expect(() => tm.interpolate2d(x, { size: 2, mode: 'linear' })).toThrow("interpolate2d: mode must be 'nearest', 'nearest-exact', 'bilinear', 'bicubic', got \"linear\"");
    expect(() => tm.interpolate1d(tm.zeros([1, 1, 4]), { size: 2, mode: 'bilinear' })).toThrow("interpolate1d: mode must be 'nearest', 'nearest-exact', 'linear', got \"bilinear\"");
    expect(() => tm.interpolate1d(tm.zeros([1, 1, 4]), { size: 2, mode: 'bicubic' })).toThrow("interpolate1d: mode must be 'nearest', 'nearest-exact', 'linear', got \"bicubic\"");
    expect(() => tm.interpolate2d(x, { size: 2, alignCorners: true })).toThrow("interpolate2d: alignCorners applies to the interpolating modes, not to \"nearest\"");
    expect(() => new tm.nn.Upsample({ size: 2, mode: 'nearest-exact', alignCorners: true })).toThrow("Upsample: alignCorners applies to the interpolating modes, not to \"nearest-exact\"");
    expect(() => tm.interpolate2d(x, { scaleFactor: 0 })).toThrow('interpolate2d: scaleFactor must be a finite number > 0 or a pair [height, width] of them, got 0');
    expect(() => new tm.nn.Upsample({ size: 2.5 })).toThrow('Upsample: size must be a positive integer or a pair [height, width] or a triple [depth, height, width] of them, got 2.5');
    expect(() => new tm.nn.Upsample({ scaleFactor: 2, mode: 'cubic' as 'nearest' })).toThrow("Upsample: mode must be 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', got \"cubic\"");
    expect(() => new tm.nn.Upsample({ scaleFactor: 2 }).forward(tm.zeros([4, 4]))).toThrow('Upsample: x must be images [batch, channels, height, width], sequences [batch, channels, length] or volumes [batch, channels, depth, height, width], got [4,4]');
  });
});
