// unfold and fold (PyTorch's F.unfold / F.fold, nn.Unfold / nn.Fold)
// against index arithmetic written here: column row (c·kh + ky)·kw + kx,
// column l = oy·ow + ox reads pixel (oy·s + ky·d − p, ox·s + kx·d − p) of
// channel c, zero in the padding; fold adds each value back there. Fresh
// random data at odd shapes and geometries; gradients (each is the other's),
// second order, save/load and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { size } from '../helpers/float64.js';
import { collected } from '../helpers/gc.js';

interface Geometry {
  shape: number[]; // x [N, C, H, W] or [C, H, W]
  kernel: [number, number];
  dilation: [number, number];
  padding: [number, number];
  stride: [number, number];
}

/** For each entry of unfold's output (flattened), the flat index of the pixel of x it reads, or -1 in the padding; and the output's shape. */
function unfoldMap({ shape, kernel: [kh, kw], dilation: [dh, dw], padding: [ph, pw], stride: [sh, sw] }: Geometry): { out: number[]; from: Int32Array } {
  const [n, c, h, w] = shape.length === 4 ? shape : [1, ...shape];
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const from = new Int32Array(n * c * kh * kw * oh * ow);
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          for (let oy = 0; oy < oh; oy++) {
            for (let ox = 0; ox < ow; ox++) {
              const [iy, ix] = [oy * sh + ky * dh - ph, ox * sw + kx * dw - pw];
              from[k++] = iy >= 0 && iy < h && ix >= 0 && ix < w ? ((b * c + ch) * h + iy) * w + ix : -1;
            }
          }
        }
      }
    }
  }
  const columns = [c * kh * kw, oh * ow];
  return { out: shape.length === 4 ? [n, ...columns] : columns, from };
}

function unfoldRef(x: ArrayLike<number>, from: Int32Array): Float64Array {
  return Float64Array.from(from, (i) => (i < 0 ? 0 : x[i]));
}

function foldRef(columns: ArrayLike<number>, from: Int32Array, pixels: number): Float64Array {
  const images = new Float64Array(pixels);
  from.forEach((i, k) => {
    if (i >= 0) images[i] += columns[k];
  });
  return images;
}

const CASES: Geometry[] = [
  { shape: [2, 3, 7, 5], kernel: [3, 2], dilation: [1, 1], padding: [0, 0], stride: [1, 1] },
  { shape: [1, 1, 5, 5], kernel: [3, 3], dilation: [1, 1], padding: [1, 1], stride: [2, 2] },
  { shape: [3, 2, 9, 7], kernel: [2, 3], dilation: [2, 1], padding: [1, 2], stride: [2, 3] },
  { shape: [2, 13, 4], kernel: [1, 1], dilation: [1, 1], padding: [0, 0], stride: [1, 1] }, // one image, no batch axis
  { shape: [1, 5, 1, 7], kernel: [1, 3], dilation: [1, 2], padding: [0, 1], stride: [1, 2] },
  { shape: [2, 4, 6, 6], kernel: [2, 2], dilation: [1, 1], padding: [0, 0], stride: [2, 2] }, // blocks side by side: fold undoes unfold
];

const optionsOf = ({ dilation, padding, stride }: Geometry) => ({ dilation, padding, stride });

describe.each(BACKENDS)('unfold and fold on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES)('unfolds $shape in $kernel blocks (dilation $dilation, padding $padding, stride $stride) in PyTorch\'s order, and its gradient is fold', async (g) => {
    const before = await collected();
    const { out, from } = unfoldMap(g);
    const x = asF32(uniform(size(g.shape), -3, 3));
    const xt = tm.tensor(x, g.shape);
    xt.requiresGrad = true;
    const y = tm.nn.unfold(xt, g.kernel, optionsOf(g));
    expect(y.shape).toEqual(out);
    expect(Array.from(await y.data())).toEqual(Array.from(unfoldRef(x, from)));
    // L = Σ u·unfold(x): dL/dx = fold(u), every tap's u added into the pixel it read.
    const u = asF32(uniform(size(out), -1, 1));
    const ut = tm.tensor(u, out);
    const loss = tm.tidy(() => y.mul(ut).sum());
    loss.backward();
    expectClose(await xt.grad!.data(), foldRef(u, from, x.length));
    for (const t of [xt.grad!, xt, y, ut, loss]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it.each(CASES)('folds columns of $kernel blocks back into $shape, adding overlaps, and its gradient is unfold', async (g) => {
    const { out, from } = unfoldMap(g);
    const [h, w] = g.shape.slice(-2);
    const columns = asF32(uniform(size(out), -3, 3));
    const ct = tm.tensor(columns, out);
    ct.requiresGrad = true;
    const layer = new tm.nn.Fold([h, w], g.kernel, optionsOf(g));
    const y = layer.forward(ct);
    expect(y.shape).toEqual(g.shape);
    expectClose(await y.data(), foldRef(columns, from, size(g.shape)));
    const u = asF32(uniform(size(g.shape), -1, 1));
    y.mul(tm.tensor(u, g.shape)).sum().backward();
    expect(Array.from(await ct.grad!.data())).toEqual(Array.from(unfoldRef(u, from)));
  });

  it('differentiates twice: the gradient of unfold is fold, whose gradient is unfold again', async () => {
    const g = CASES[2];
    const { out, from } = unfoldMap(g);
    const x = asF32(uniform(size(g.shape), -1, 1));
    const u = asF32(uniform(size(out), -1, 1));
    const xt = tm.tensor(x, g.shape);
    xt.requiresGrad = true;
    const ut = tm.tensor(u, out);
    ut.requiresGrad = true;
    // For L = Σ u·unfold(x), dL/dx = fold(u), linear in u: the gradient of Σ v·dL/dx with respect to u is unfold(v).
    const [dx] = tm.grad(tm.nn.unfold(xt, g.kernel, optionsOf(g)).mul(ut).sum(), [xt], { createGraph: true });
    const v = asF32(uniform(size(g.shape), -1, 1));
    dx.mul(tm.tensor(v, g.shape)).sum().backward();
    expect(Array.from(await ut.grad!.data())).toEqual(Array.from(unfoldRef(v, from)));
  });

  it('saves and loads Unfold and Fold in a model: identical predictions', async () => {
    tm.setSeed(3);
    const m = new tm.nn.Sequential([
      new tm.nn.Conv2d(2, 3, 1), new tm.nn.Unfold([2, 3], { padding: 1, stride: [1, 2] }), new tm.nn.Fold([4, 5], [2, 3], { padding: 1, stride: [1, 2] }),
    ]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers.slice(1)).toEqual([
      { type: 'Unfold', kernelSize: [2, 3], dilation: [1, 1], padding: [1, 1], stride: [1, 2] },
      { type: 'Fold', outputSize: [4, 5], kernelSize: [2, 3], dilation: [1, 1], padding: [1, 1], stride: [1, 2] },
    ]);
    const x = tm.randn([3, 2, 4, 5], { seed: 8 });
    const y = loaded.predict(x);
    expect(y.shape).toEqual([3, 3, 4, 5]);
    expect(await y.data()).toEqual(await m.predict(x).data());
  });
});

describe('unfold and fold', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse bad shapes and sizes, naming them', () => {
    expect(() => tm.nn.unfold(tm.zeros([4, 5]), 2)).toThrow(new tm.ShapeError('unfold: x must be [batch, channels, height, width] (or one image [channels, height, width]), got [4,5]'));
    expect(() => tm.nn.unfold(tm.zeros([1, 2, 3, 3]), 4)).toThrow(new tm.ShapeError('unfold: a 4×4 window does not fit in x [1,2,3,3]'));
    expect(() => tm.nn.unfold(tm.zeros([1, 2, 3, 3]), 2, { stride: 0 })).toThrow(new tm.ValueError('unfold: stride must be an integer ≥ 1 or a pair [height, width] of them, got 0'));
    expect(() => tm.nn.unfold(tm.zeros([1, 2, 3, 3]), 2, { groups: 2 } as never)).toThrow(tm.ValueError);
    expect(() => tm.nn.fold(tm.zeros([1, 7, 4]), [3, 3], 2)).toThrow(new tm.ShapeError("fold: x [1,7,4] has 7 rows, not a positive multiple of the 2×2 kernel's 4 taps"));
    expect(() => tm.nn.fold(tm.zeros([1, 8, 5]), [3, 3], 2)).toThrow(new tm.ShapeError('fold: x [1,8,5] has 5 blocks, but 4 2×2 blocks fit in outputSize 3×3 (padding 0×0, stride 1×1, dilation 1×1)'));
    expect(() => tm.nn.fold(tm.zeros([1, 8, 1]), [1, 1], 2)).toThrow(new tm.ShapeError('fold: x [1,8,1] has 1 blocks, but 0 2×2 blocks fit in outputSize 1×1 (padding 0×0, stride 1×1, dilation 1×1)'));
    expect(() => tm.nn.fold(tm.zeros([8]), [3, 3], 2)).toThrow(new tm.ShapeError('fold: x must be [batch, channels × kernel taps, blocks] (or [channels × kernel taps, blocks]), got [8]'));
    expect(() => tm.nn.fold(tm.zeros([1, 8, 4], { dtype: 'i32' }), [3, 3], 2)).toThrow(new tm.DTypeError("fold: x must be f32 or f16, got i32 (cast it: x.cast('f32'))"));
    expect(() => new tm.nn.Fold(0, 2)).toThrow(new tm.ValueError('Fold: outputSize must be an integer ≥ 1 or a pair [height, width] of them, got 0'));
  });
});
