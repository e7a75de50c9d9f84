// The MNIST example's augmentation (examples/mnist/augment.ts): digits of any
// model's shape moved as 28×28 images, each by its own draw; the training
// batches of the tm.data pipeline moved, their labels kept beside them; and
// the moved test digits the same for a seed.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { augmentedBatches, digitMoves, movedTestDigits, moveDigits, TEST_MOVES } from '../../examples/mnist/augment.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, SEED, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

/** n random "digits" [n, 784] in [0, 1). */
function digits(n: number): tm.Tensor {
  return tm.tensor(Float32Array.from(uniform(n * 784, 0, 1)), [n, 784]);
}

/** A 28×28 image shifted by whole pixels [dx, dy], zeros coming in: a float64 loop. */
function shifted(image: ArrayLike<number>, dx: number, dy: number): number[] {
  const out = new Array<number>(784).fill(0);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const [sx, sy] = [x - dx, y - dy];
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = image[sy * 28 + sx];
    }
  }
  return out;
}

describe.each(BACKENDS)('examples/mnist augmentation on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('moveDigits moves each flat digit by its own draw of the training moves (±10°, ±2 px, 0.9–1.1), as vision.affine with those parameters would, in the shape it came in', async () => {
    const x = digits(5);
    const moves = digitMoves();
    tm.setSeed(SEED);
    const moved = moveDigits(moves, x);
    expect(moved.shape).toEqual([5, 784]);
    const params = moves.last!;
    expect(params).toHaveLength(5);
    expect(new Set(params.map((p) => p.angle)).size).toBe(5);
    for (const p of params) {
      expect(Math.abs(p.angle)).toBeLessThanOrEqual(10);
      expect(p.translate.every((t) => Number.isInteger(t) && Math.abs(t) <= 2)).toBe(true);
      expect(p.scale).toBeGreaterThanOrEqual(0.9);
      expect(p.scale).toBeLessThanOrEqual(1.1);
    }
    const got = await moved.data();
    const raw = await x.data();
    for (let i = 0; i < 5; i++) {
      const one = tm.tidy(() => tm.vision.affine(x.slice([i, 0], [1, 784]).reshape([1, 28, 28]), { ...params[i], interpolation: 'bilinear', fill: 0 }));
      expectClose(got.subarray(i * 784, (i + 1) * 784), await one.data(), 1e-5, `digit ${i}`);
      one.dispose();
    }
    // The moved digits are not the digits: the pipeline did something. Over the batch, not digit by digit: a draw
    // within about 0.1° and 0.3% of the identity, unshifted, moves no pixel by 0.1 (1 digit in 7,500; seed 2261's first).
    expect(Math.max(...Array.from(got, (v, j) => Math.abs(v - raw[j]))), `moved against raw (test seed ${SEED})`).toBeGreaterThan(0.1);
    for (const t of [x, moved]) t.dispose();
  });

  it('moveDigits takes the LSTM\'s [N, 28, 28] rows too; a whole-pixel shift is the float64 loop\'s', async () => {
    const x = digits(3);
    const rows = x.reshape([3, 28, 28]);
    const shifts = new tm.vision.RandomAffine(0, { translate: [0.1, 0.1], interpolation: 'bilinear' });
    const moved = moveDigits(shifts, rows);
    // Bilinear at whole-pixel shifts: exact but for the f32 rounding of the sampling grid.
    expect(moved.shape).toEqual([3, 28, 28]);
    const got = await moved.data();
    const raw = await x.data();
    shifts.last!.forEach(({ translate: [dx, dy] }, i) => {
      expectClose(got.subarray(i * 784, (i + 1) * 784), shifted(raw.subarray(i * 784, (i + 1) * 784), dx, dy), 1e-5, `digit ${i} shifted by ${dx}, ${dy}`);
    });
    for (const t of [x, rows, moved]) t.dispose();
  });

  it('augmentedBatches shuffles, batches and moves each batch, the labels staying with their digits, and frees what it makes', async () => {
    const x = digits(10);
    const y = tm.arange(0, 10, 1, { dtype: 'i32' }); // digit i has label i
    // A transform whose effect can be undone: negated digits.
    const seen: number[] = [];
    const negate = { forward: (images: tm.Tensor) => (seen.push(images.shape[0]), tm.neg(images)) };
    const batches = augmentedBatches(x, y, { batchSize: 4, seed: SEED, transform: negate });
    const raw = await x.data();
    const before = await collected(); // earlier tests' garbage collected first, so that no finalizer frees it at an await below
    const orders: number[][] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      const order: number[] = [];
      for await (const b of batches) {
        expect(b.x.shape).toEqual([b.y.shape[0], 784]);
        const [bx, by] = [await b.x.data(), Array.from(await b.y.data())];
        by.forEach((label, r) => expectClose(bx.subarray(r * 784, (r + 1) * 784), Array.from(raw.subarray(label * 784, (label + 1) * 784), (v) => -v), 0, `label ${label}`));
        order.push(...by);
        b.x.dispose();
        b.y.dispose();
      }
      orders.push(order);
    }
    expect(seen).toEqual([4, 4, 2, 4, 4, 2]);
    expect(orders.map((o) => [...o].sort((a, b) => a - b))).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    expect(orders[0]).not.toEqual(orders[1]); // a new order each epoch
    expect(tm.memory().numTensors).toBe(before);
    x.dispose();
    y.dispose();
  });

  it('by default the batches go through the digit moves: every batch differs from its raw digits', async () => {
    const x = digits(6);
    const y = tm.arange(0, 6, 1, { dtype: 'i32' });
    const raw = await x.data();
    for await (const b of augmentedBatches(x, y, { batchSize: 3, seed: SEED })) {
      const [bx, by] = [await b.x.data(), Array.from(await b.y.data())];
      // The batch's largest change, not each digit's: one digit's draw can be all but the identity (see above).
      const gap = Math.max(...by.flatMap((label, r) => Array.from(bx.subarray(r * 784, (r + 1) * 784), (v, j) => Math.abs(v - raw[label * 784 + j]))));
      expect(gap, `batch ${by} against its raw digits (test seed ${SEED})`).toBeGreaterThan(0.1);
      b.x.dispose();
      b.y.dispose();
    }
    x.dispose();
    y.dispose();
  });

  it('movedTestDigits moves the test digits by a seeded draw of the test moves: the same for a seed, others for another', async () => {
    const x = digits(4);
    const [a, b, c] = [movedTestDigits(x, 11), movedTestDigits(x, 11), movedTestDigits(x, 12)];
    const [da, db, dc, raw] = await Promise.all([a.data(), b.data(), c.data(), x.data()]);
    expectClose(db, da, 0, 'same seed');
    // The test moves (±15°, ±3 px), drawn from the generator seeded so.
    tm.setSeed(11);
    const moves = digitMoves(TEST_MOVES);
    const want = moveDigits(moves, x);
    expectClose(da, await want.data(), 0, 'TEST_MOVES seeded with 11');
    expect(moves.last!.every((p) => Math.abs(p.angle) <= 15 && p.translate.every((t) => Math.abs(t) <= 3))).toBe(true);
    want.dispose();
    expect(Math.max(...Array.from(dc, (v, i) => Math.abs(v - da[i])))).toBeGreaterThan(0.1);
    expect(Math.max(...Array.from(da, (v, i) => Math.abs(v - raw[i])))).toBeGreaterThan(0.1);
    for (const t of [x, a, b, c]) t.dispose();
  });
});
