// Dropout: in training, zeroes each element with probability `rate` and
// scales the rest by 1/(1-rate) so the expected activation is unchanged; in
// eval mode, the identity.
import { ValueError, formatValue } from '../errors.js';
import { checkSeed, derivedSeed, freshSeed } from '../random.js';
import { rand } from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

/** The stream of a layer's seed its dropout masks come from, for layers that hold a Dropout of their own (their weights take streams 0, 1, …). */
export const DROPOUT_STREAM = 0xd0;

export class Dropout extends Module {
  constructor(readonly rate: number, readonly seed?: number) {
    super();
    // typeof first: '0.5' >= 0 holds in JavaScript.
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new ValueError(`Dropout: rate must be a number in [0, 1), got ${formatValue(rate)}`);
    if (seed !== undefined) checkSeed('Dropout', seed);
  }

  private draws = 0;

  forward(x: Tensor): Tensor {
    if (!this.training || this.rate === 0) return x.reshape(x.shape);
    // A fresh mask each call; reproducible when seeded.
    const seed = this.seed === undefined ? freshSeed() : derivedSeed(this.seed, this.draws++);
    const u = onBackendOf('Dropout', x, () => rand(x.shape, { seed, dtype: x.dtype === 'f16' ? 'f16' : 'f32' }));
    const keepMask = u.greaterEqual(this.rate);
    u.dispose();
    const scaled = keepMask.mul(1 / (1 - this.rate));
    keepMask.dispose();
    const y = x.mul(scaled);
    scaled.dispose();
    return y;
  }

  config(): LayerConfig {
    return this.seed === undefined ? { type: 'Dropout', rate: this.rate } : { type: 'Dropout', rate: this.rate, seed: this.seed };
  }
}
