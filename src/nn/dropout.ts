// Dropout: in training, zeroes each element with probability `rate` and
// scales the rest by 1/(1-rate) so the expected activation is unchanged; in
// eval mode, the identity.
import { ValueError } from '../errors.js';
import { freshSeed } from '../random.js';
import { rand } from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export class Dropout extends Module {
  constructor(readonly rate: number, readonly seed?: number) {
    super();
    if (!(rate >= 0 && rate < 1)) throw new ValueError(`Dropout: rate must be in [0, 1), got ${rate}`);
  }

  private draws = 0;

  forward(x: Tensor): Tensor {
    if (!this.training || this.rate === 0) return x.reshape(x.shape);
    // A fresh mask each call; reproducible when seeded.
    const seed = this.seed === undefined ? freshSeed() : this.seed + this.draws++;
    const u = rand(x.shape, { seed, dtype: x.dtype === 'f16' ? 'f16' : 'f32' });
    const keepMask = u.greaterEqual(this.rate);
    u.dispose();
    const scaled = keepMask.mul(1 / (1 - this.rate));
    keepMask.dispose();
    const y = x.mul(scaled);
    scaled.dispose();
    return y;
  }

  config(): LayerConfig {
    return { type: 'Dropout', rate: this.rate };
  }
}
