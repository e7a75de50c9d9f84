// Flips, crops, padding and resizing against torchvision's definitions in
// float64 (test/helpers/vision.ts), at odd sizes, batched and single.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, randomInts } from '../helpers/data.js';
import { centerCropRef, cropRef, hflipRef, padRef, resizedSize, resizeRef, vflipRef, type Images } from '../helpers/vision.js';
import { images, shapeOf, SHAPES } from './images.js';

async function expectImages(y: tm.Tensor, want: Images, single: boolean, what: string, tol = 1e-6) {
  expect(y.shape, what).toEqual(shapeOf(want, single));
  expectClose(await y.data(), want.data, tol, what);
}

describe.each(BACKENDS)('vision geometry on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('hflip and vflip, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    await expectImages(tm.vision.hflip(t), hflipRef(ref), single, 'hflip', 0);
    await expectImages(tm.vision.vflip(t), vflipRef(ref), single, 'vflip', 0);
  });

  it.each(SHAPES)('crop inside and past the edges, and centerCrop smaller and larger, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const [, , H, W] = shape;
    const [top, left] = [randomInts(1, -2, H)[0], randomInts(1, -2, W)[0]];
    const [h, w] = [randomInts(1, 1, H + 2)[0], randomInts(1, 1, W + 2)[0]];
    await expectImages(tm.vision.crop(t, top, left, h, w), cropRef(ref, top, left, h, w), single, `crop ${[top, left, h, w]}`, 0);
    for (const [ch, cw] of [[1, 1], [H, W], [Math.max(1, H - 3), W + 2], [H + 3, Math.max(1, W - 4)], [H + 4, W + 5]]) {
      await expectImages(tm.vision.centerCrop(t, [ch, cw]), centerCropRef(ref, ch, cw), single, `centerCrop ${ch}×${cw}`, 0);
    }
  });

  it.each(SHAPES)('pad in the four modes, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const [, , H, W] = shape;
    // Reflect needs less than the side, symmetric at most it.
    const within = (limit: number) => Array.from(randomInts(2, 0, limit));
    for (const mode of ['constant', 'edge', 'reflect', 'symmetric'] as const) {
      const [l, r] = within(mode === 'reflect' ? W - 1 : mode === 'symmetric' ? W : 3);
      const [tp, b] = within(mode === 'reflect' ? H - 1 : mode === 'symmetric' ? H : 3);
      const fill = mode === 'constant' ? 0.25 : undefined;
      const y = tm.vision.pad(t, [l, tp, r, b], mode === 'constant' ? { fill } : { paddingMode: mode });
      await expectImages(y, padRef(ref, [l, tp, r, b], mode, fill), single, `${mode} [${[l, tp, r, b]}]`, 0);
    }
    await expectImages(tm.vision.pad(t, 2), padRef(ref, [2, 2, 2, 2], 'constant'), single, 'pad 2', 0);
    await expectImages(tm.vision.pad(t, [1, 2], { paddingMode: 'edge' }), padRef(ref, [1, 2, 1, 2], 'edge'), single, 'pad [1, 2]', 0);
  });

  it.each(SHAPES)('resize to a size and by the shorter side, nearest, bilinear and bicubic, antialiased (the default) or not, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const [, , H, W] = shape;
    const cases: [number | [number, number], number | undefined][] = [[[5, 9], undefined], [[H * 2 + 1, 3], undefined], [4, undefined], [11, undefined], [3, 5]];
    for (const [size, maxSize] of cases) {
      for (const interpolation of ['nearest', 'bilinear', 'bicubic'] as const) {
        const out = resizedSize(H, W, size, maxSize);
        if (Math.min(...out) < 1) {
          expect(() => tm.vision.resize(t, size, { interpolation, maxSize })).toThrow(`resize: maxSize ${maxSize} leaves images ${H}×${W} no pixels along their shorter side`);
          continue;
        }
        const how = { interpolation, ...(maxSize ? { maxSize } : {}) };
        // torchvision's default antialias=True filters bilinear and bicubic; nearest ignores it.
        const y = tm.vision.resize(t, size, how);
        await expectImages(y, resizeRef(ref, out, interpolation, true), single, `resize ${size} ${maxSize} ${interpolation}`, 1e-5);
        const plain = tm.vision.resize(t, size, { ...how, antialias: false });
        await expectImages(plain, resizeRef(ref, out, interpolation, false), single, `resize ${size} ${maxSize} ${interpolation} antialias false`, 1e-5);
      }
    }
  });
});
