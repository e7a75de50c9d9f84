// perspective against torchvision's F.perspective on tensors in float64:
// the homography taking the endpoints to the startpoints (found here by
// composing square-to-quad maps, not by solving its 8 equations), its grid
// at pixel centres, grid_sample and the fill's mask. Nearest sampling's
// near-ties (f32 against f64) may take either pixel, as in affine.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { perspectiveRef } from '../helpers/vision.js';
import { expectLinearGradient, expectWarped, images, SHAPES } from './images.js';

type Quad = [[number, number], [number, number], [number, number], [number, number]];

/** The image's corners (at least a pixel apart), each moved by up to `d` of its size inwards or out at random. */
function jittered(H: number, W: number, d: number): { start: Quad; end: Quad } {
  const [r, b] = [Math.max(W - 1, 1), Math.max(H - 1, 1)];
  const start: Quad = [[0, 0], [r, 0], [r, b], [0, b]];
  const moves = uniform(8, -d, d);
  const end = start.map(([x, y], k) => [x + moves[2 * k] * Math.max(W, 2), y + moves[2 * k + 1] * Math.max(H, 2)]) as Quad;
  return { start, end };
}

describe.each(BACKENDS)('vision perspective on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('perspective of random corner moves, nearest, bilinear and bicubic, with and without fill, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const [, c, H, W] = shape;
    const fill = Array.from(uniform(c, 0, 1));
    for (let k = 0; k < 3; k++) {
      const { start, end } = jittered(H, W, 0.3);
      for (const interpolation of ['nearest', 'bilinear', 'bicubic'] as const) {
        const what = `${JSON.stringify(end)} ${interpolation}`;
        await expectWarped(tm.vision.perspective(t, start, end, { interpolation }), perspectiveRef(ref, start, end, interpolation), single, what);
        await expectWarped(tm.vision.perspective(t, start, end, { interpolation, fill }), perspectiveRef(ref, start, end, interpolation, fill), single, `${what} fill`);
      }
    }
  });

  it('bilinear by default; the same points leave the image as it is; an affine quad warps as affine does', async () => {
    const { ref, t } = images([2, 3, 7, 13]);
    const { start, end } = jittered(7, 13, 0.2);
    await expectWarped(tm.vision.perspective(t, start, end), perspectiveRef(ref, start, end, 'bilinear'), false, 'default');
    expectClose(await tm.vision.perspective(t, start, start).data(), await t.data(), 1e-5, 'identity');
    // A shift by whole pixels [2, −1]: the image's points land 2 right, 1 up.
    const moved = start.map(([x, y]) => [x + 2, y - 1]) as Quad;
    expectClose(await tm.vision.perspective(t, start, moved, { interpolation: 'nearest' }).data(), await tm.vision.affine(t, { translate: [2, -1] }).data(), 1e-6, 'shift');
  });

  it('gradients reach the images: Σ perspective(x)·g is linear in x, its gradient the map transposed', async () => {
    const { t } = images([2, 3, 5, 7]);
    const { start, end } = jittered(5, 7, 0.25);
    await expectLinearGradient((x) => tm.vision.perspective(x, start, end, { fill: 0.3 }), t, [0, 12, 50, 99, 160]);
  });
});
