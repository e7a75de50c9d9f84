// Resizing volumes [N, C, D, H, W] against PyTorch 1.13's F.interpolate:
// nearest, nearest-exact and trilinear, to sizes and by scale factors, the
// corners aligned or not, values and gradients (test/fixtures/interpolate/
// volumes.npz from scripts/make-interpolate-fixtures.py, the same cases in
// the same order); tm.interpolate picking the rank's op; Upsample of
// volumes, saved and exported; and the refusals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';

type Triple = [number, number, number];

/** scripts/make-interpolate-fixtures.py's CASES, in its order. */
const CASES: [shape: number[], options: tm.Interpolate3dOptions][] = [
  [[2, 3, 4, 5, 6], { size: [7, 3, 9], mode: 'trilinear' }],
  [[2, 3, 4, 5, 6], { size: [7, 3, 9], mode: 'trilinear', alignCorners: true }],
  [[1, 2, 3, 4, 5], { scaleFactor: 1.5, mode: 'trilinear' }],
  [[1, 2, 5, 4, 3], { scaleFactor: [2, 0.5, 1.7] as Triple, mode: 'trilinear' }],
  [[1, 2, 5, 4, 3], { scaleFactor: [2, 0.5, 1.7] as Triple, mode: 'trilinear', alignCorners: true }],
  [[2, 1, 3, 3, 4], { size: [1, 1, 1], mode: 'trilinear', alignCorners: true }],
  [[2, 1, 3, 3, 4], { size: [1, 2, 1], mode: 'trilinear' }],
  [[2, 2, 4, 5, 3], { size: [5, 7, 4], mode: 'nearest' }],
  [[1, 3, 3, 4, 5], { scaleFactor: 2.6, mode: 'nearest' }],
  [[1, 3, 6, 4, 5], { size: [3, 9, 2], mode: 'nearest-exact' }],
  [[1, 2, 7, 3, 2], { scaleFactor: [0.6, 1.4, 3] as Triple, mode: 'nearest-exact' }],
];

const fixtures = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'interpolate', 'volumes.npz')));

describe.each(BACKENDS)('interpolate3d on %s', (backend) => {
  let torch: Record<string, tm.Tensor>;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
    torch = tm.fromNpz(fixtures);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES.map(([shape, options], k) => [k, JSON.stringify(shape), JSON.stringify(options)]))(
    'case %i: x %s resized with %s gives PyTorch\'s values and gradient',
    async (k) => {
      const [shape, options] = CASES[k];
      const x = torch[`x_${k}`];
      expect(x.shape).toEqual(shape);
      const xt = x.clone();
      xt.requiresGrad = true;
      const y = tm.interpolate3d(xt, options);
      expect(y.shape).toEqual(torch[`y_${k}`].shape);
      expectClose(await y.data(), await torch[`y_${k}`].data(), 1e-5, `case ${k} values`);
      tm.tidy(() => y.mul(torch[`w_${k}`]).sum()).backward();
      expectClose(await xt.grad!.data(), await torch[`grad_${k}`].data(), 1e-5, `case ${k} gradient`);
    },
  );

  it('takes one volume without its batch axis, and f16 volumes (in f16, to f16\'s rounding)', async () => {
    const x = torch.x_0;
    const batched = await tm.interpolate3d(x, { size: [5, 6, 4], mode: 'trilinear' }).data();
    const single = tm.interpolate3d(x.slice([1], [1]).reshape([3, 4, 5, 6]), { size: [5, 6, 4], mode: 'trilinear' });
    expect(single.shape).toEqual([3, 5, 6, 4]);
    expectClose(await single.data(), batched.slice(batched.length / 2), 1e-6, 'unbatched');
    const half = tm.interpolate3d(x.cast('f16'), { scaleFactor: 2, mode: 'trilinear' });
    expect(half.dtype).toBe('f16');
    expectClose(await half.cast('f32').data(), await tm.interpolate3d(x, { scaleFactor: 2, mode: 'trilinear' }).data(), 1e-2, 'f16');
  });

  it('picks the nearest voxel in float32 as PyTorch\'s kernels do (26 → 22 by a size, 6 × 3.7 nearest-exact)', async () => {
    const ramp = (n: number, axis: number) => tm.arange(0, n, 1, { dtype: 'f32' }).reshape([1, 1, ...[1, 1, 1].map((one, a) => (a === axis ? n : one))]);
    for (const axis of [0, 1, 2]) {
      const size = [1, 1, 1].map((one, a) => (a === axis ? 22 : one)) as Triple;
      expect(Array.from(await tm.interpolate3d(ramp(26, axis), { size }).data()), `axis ${axis}`).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24]);
      const scaleFactor = [1, 1, 1].map((one, a) => (a === axis ? 3.7 : one)) as Triple;
      expect(Array.from(await tm.interpolate3d(ramp(6, axis), { scaleFactor, mode: 'nearest-exact' }).data()), `axis ${axis}`).toEqual([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 5]);
    }
  });

  it('tm.interpolate resizes by the rank: sequences, images and volumes (PyTorch\'s F.interpolate)', async () => {
    const volume = torch.x_2;
    expect(await tm.interpolate(volume, { size: [2, 5, 3], mode: 'trilinear' }).data()).toEqual(await tm.interpolate3d(volume, { size: [2, 5, 3], mode: 'trilinear' }).data());
    const images = tm.randn([2, 3, 4, 5], { seed: 1 });
    expect(await tm.interpolate(images, { scaleFactor: 2, mode: 'bicubic' }).data()).toEqual(await tm.interpolate2d(images, { scaleFactor: 2, mode: 'bicubic' }).data());
    const sequences = tm.randn([2, 3, 7], { seed: 2 });
    expect(await tm.interpolate(sequences, { size: 4, mode: 'linear' }).data()).toEqual(await tm.interpolate1d(sequences, { size: 4, mode: 'linear' }).data());
  });

  it('Upsample resizes volumes, by scale factors or to a size, and is saved with them', async () => {
    const x = torch.x_3;
    const up = new tm.nn.Upsample({ scaleFactor: [2, 0.5, 1.7], mode: 'trilinear' });
    expectClose(await up.forward(x).data(), await torch.y_3.data(), 1e-5, 'Upsample trilinear');
    const near = new tm.nn.Sequential([new tm.nn.Upsample({ size: [5, 7, 4] })]);
    expectClose(await tm.nn.fromBytes(await near.toBytes()).forward(torch.x_7).data(), await torch.y_7.data(), 0, 'Upsample nearest, loaded');
  });
});

describe('interpolate3d refuses', () => {
  it('a mode of another rank, sizes not of three axes, antialias, and x not a volume', async () => {
    await tm.init({ backend: 'js' });
    const x = tm.zeros([1, 2, 3, 4, 5]);
    expect(() => tm.interpolate3d(x, { size: 2, mode: 'bilinear' })).toThrow("interpolate3d: mode must be 'nearest', 'nearest-exact', 'trilinear', got \"bilinear\"");
    expect(() => tm.interpolate2d(tm.zeros([1, 2, 3, 4]), { size: 2, mode: 'trilinear' })).toThrow("interpolate2d: mode must be 'nearest', 'nearest-exact', 'bilinear', 'bicubic', got \"trilinear\"");
    expect(() => tm.interpolate3d(x, { size: [2, 3] as never })).toThrow('interpolate3d: size must be an integer ≥ 1 or a triple [depth, height, width] of them, got [2, 3]');
    expect(() => tm.interpolate3d(x, { scaleFactor: [2, 3] as never })).toThrow('interpolate3d: scaleFactor must be a finite number > 0 or a triple [depth, height, width] of them, got [2, 3]');
    expect(() => tm.interpolate3d(x, { scaleFactor: 0.1 })).toThrow('interpolate3d: scaleFactor [0.1, 0.1, 0.1] leaves no output of x [1,2,3,4,5]');
    expect(() => tm.interpolate3d(x, { size: 2, antialias: true } as never)).toThrow('interpolate3d: unknown option "antialias"');
    expect(() => tm.interpolate3d(x, { size: 2, alignCorners: true })).toThrow('interpolate3d: alignCorners applies to the interpolating modes, not to "nearest"');
    expect(() => tm.interpolate3d(tm.zeros([2, 3, 4]), { size: 2 })).toThrow('interpolate3d: x must be [batch, channels, depth, height, width] (or one volume [channels, depth, height, width]), got [2,3,4]');
    // tm.interpolate and Upsample pick the op by x's rank: a mode of another rank is refused as that, not by the op's list.
    expect(() => tm.interpolate(tm.zeros([1, 2, 3]), { size: 2, mode: 'bilinear' })).toThrow(
      "interpolate: mode \"bilinear\" resizes images [batch, channels, height, width], not x [1,2,3] (sequences, whose modes are 'nearest', 'nearest-exact', 'linear')",
    );
    expect(() => tm.interpolate(tm.zeros([1, 2, 3, 4]), { size: 2, mode: 'trilinear' })).toThrow(
      "interpolate: mode \"trilinear\" resizes volumes [batch, channels, depth, height, width], not x [1,2,3,4] (images, whose modes are 'nearest', 'nearest-exact', 'bilinear', 'bicubic')",
    );
    expect(() => new tm.nn.Upsample({ scaleFactor: 2, mode: 'trilinear' }).forward(tm.zeros([1, 2, 3, 4]))).toThrow('Upsample: mode "trilinear" resizes volumes [batch, channels, depth, height, width], not x [1,2,3,4]');
    expect(() => new tm.nn.Upsample({ scaleFactor: 2, mode: 'bicubic' }).forward(x)).toThrow('Upsample: mode "bicubic" resizes images [batch, channels, height, width], not x [1,2,3,4,5]');
    expect(() => tm.interpolate(tm.zeros([2, 3]), { size: 2 })).toThrow('interpolate: x must be sequences [batch, channels, length], images [batch, channels, height, width] or volumes [batch, channels, depth, height, width], got [2,3]');
    expect(() => new tm.nn.Upsample({ size: [2, 3, 4, 5] as never })).toThrow('Upsample: size must be a positive integer or a pair [height, width] or a triple [depth, height, width] of them, got [2, 3, 4, 5]');
  });
});
