// rotate and affine against torchvision's F.rotate / F.affine on tensors in
// float64: its inverse matrix, pixel-space grid and grid_sample, and with a
// fill its mask channel. Nearest sampling may pick the other pixel where a
// point falls within a hair of a rounding boundary (f32 against f64); those
// outputs are held to either pixel.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';
import { affineRef, type AffineRefParams } from '../helpers/vision.js';
import { expectLinearGradient, expectWarped, images, SHAPES } from './images.js';

describe.each(BACKENDS)('vision rotate and affine on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('rotate by right and random angles, nearest, bilinear and bicubic, with and without fill, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const c = shape[1];
    const fill = Array.from(uniform(c, 0, 1));
    for (const angle of [90, -180, ...uniform(2, -180, 180)]) {
      for (const interpolation of ['nearest', 'bilinear', 'bicubic'] as const) {
        // torchvision's rotate is affine by the opposite angle.
        const p: AffineRefParams = { angle: -angle, translate: [0, 0], scale: 1, shear: [0, 0] };
        await expectWarped(tm.vision.rotate(t, angle, { interpolation }), affineRef(ref, p, interpolation), single, `rotate ${angle} ${interpolation}`);
        await expectWarped(tm.vision.rotate(t, angle, { interpolation, fill }), affineRef(ref, p, interpolation, fill), single, `rotate ${angle} ${interpolation} fill`);
      }
    }
  });

  it.each(SHAPES)('affine: angle, shift, scale, shear and centre drawn at random, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const [, c, H, W] = shape;
    for (let k = 0; k < 3; k++) {
      const [angle, tx, ty, scale, sx, sy, cx, cy] = [uniform(1, -180, 180)[0], ...uniform(2, -3, 3), uniform(1, 0.5, 1.5)[0], ...uniform(2, -30, 30), uniform(1, 0, W)[0], uniform(1, 0, H)[0]];
      const p: AffineRefParams = { angle, translate: [tx, ty], scale, shear: [sx, sy], ...(k === 2 ? { center: [cx, cy] as [number, number] } : {}) };
      for (const interpolation of ['nearest', 'bilinear', 'bicubic'] as const) {
        const fill = k === 1 ? 0.5 : undefined;
        const y = tm.vision.affine(t, { ...p, interpolation, ...(fill === undefined ? {} : { fill }) });
        await expectWarped(y, affineRef(ref, p, interpolation, fill === undefined ? undefined : Array(c).fill(fill)), single, `affine ${JSON.stringify(p)} ${interpolation}`);
      }
    }
  });

  it.each(SHAPES)('rotate with expand: the output holds the whole rotated image, any centre, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const [, c, H, W] = shape;
    const fill = Array.from(uniform(c, 0, 1));
    // Few angles: each output size is a new program to compile on webgpu.
    for (const [k, angle] of [90, -45, ...uniform(2, -180, 180)].entries()) {
      const center: [number, number] | undefined = k === 3 ? [uniform(1, 0, W)[0], uniform(1, 0, H)[0]] : undefined;
      const p: AffineRefParams = { angle: -angle, translate: [0, 0], scale: 1, shear: [0, 0], ...(center ? { center } : {}) };
      for (const interpolation of ['nearest', 'bilinear', 'bicubic'] as const) {
        const options = { interpolation, expand: true, ...(center ? { center } : {}) };
        await expectWarped(tm.vision.rotate(t, angle, options), affineRef(ref, p, interpolation, undefined, true), single, `rotate ${angle} ${interpolation} expand`);
        await expectWarped(tm.vision.rotate(t, angle, { ...options, fill }), affineRef(ref, p, interpolation, fill, true), single, `rotate ${angle} ${interpolation} expand fill`);
      }
    }
    // A quarter turn swaps the sides; 45° of a 10 × 10 square spans 5 ± 5√2, rounded out to [−3, 13].
    expect(tm.vision.rotate(tm.zeros([1, 7, 13]), 90, { expand: true }).shape).toEqual([1, 13, 7]);
    expect(tm.vision.rotate(tm.zeros([1, 10, 10]), 45, { expand: true }).shape).toEqual([1, 16, 16]);
  }, 90_000); // On webgpu: up to ~18 s a shape in a loaded CI run.

  it('gradients reach the images through bicubic rotate with expand and affine with a fill, as the sampling weights say', async () => {
    const { t } = images([2, 3, 5, 7]);
    await expectLinearGradient((x) => tm.vision.rotate(x, 33, { interpolation: 'bicubic', expand: true }), t, [0, 17, 40, 104, 209]);
    await expectLinearGradient((x) => tm.vision.affine(x, { angle: 20, scale: 0.8, shear: 10, interpolation: 'bilinear', fill: 0.5 }), t, [0, 17, 40, 104, 209]);
  });

  it('affine with a single shear number shears along x only, and the defaults are the identity', async () => {
    const { ref, t } = images([2, 3, 7, 13]);
    await expectWarped(tm.vision.affine(t, { shear: 20 }), affineRef(ref, { angle: 0, translate: [0, 0], scale: 1, shear: [20, 0] }, 'nearest'), false, 'shear 20');
    expect(await tm.vision.affine(t).data()).toEqual(await t.data());
  });
});
