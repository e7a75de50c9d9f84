// erase against torchvision's F.erase in float64: a box set to a value, a
// colour per channel, or a tensor.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, randomInts, uniform } from '../helpers/data.js';
import { eraseRef } from '../helpers/vision.js';
import { images, shapeOf, SHAPES } from './images.js';

describe.each(BACKENDS)('erase on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(SHAPES)('a random box with a number, a colour and a tensor, $shape (single $single)', async ({ shape, single }) => {
    const { ref, t } = images(shape, single);
    const [, c, H, W] = shape;
    const [h, w] = [randomInts(1, 1, H)[0], randomInts(1, 1, W)[0]];
    const [top, left] = [randomInts(1, 0, H - h)[0], randomInts(1, 0, W - w)[0]];
    const colour = Array.from(uniform(c, 0, 1));
    const patch = uniform(c * h * w, 0, 1).map(Math.fround);
    const cases: [number | number[] | tm.Tensor, (k: number, i: number, j: number) => number, string][] = [
      [0.75, () => 0.75, 'number'],
      [colour, (k) => colour[k], 'colour'],
      [tm.tensor(patch, [c, h, w]), (k, i, j) => patch[(k * h + i) * w + j], 'tensor'],
      [tm.tensor(colour, [c, 1, 1]), (k) => colour[k], 'tensor [C, 1, 1]'],
    ];
    for (const [value, v, what] of cases) {
      const y = tm.vision.erase(t, top, left, h, w, value);
      expect(y.shape).toEqual(shapeOf(ref, single));
      expectClose(await y.data(), eraseRef(ref, top, left, h, w, v).data, 1e-6, `${what} box ${[top, left, h, w]}`);
    }
  });
});
