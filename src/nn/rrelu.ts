// RReLU, the randomized leaky ReLU (Xu et al. 2015, "Empirical Evaluation
// of Rectified Activations"), as PyTorch's F.rrelu and nn.RReLU: in
// training each value at or below 0 is scaled by a slope drawn uniformly
// from [lower, upper), a fresh one per element and call (a regulariser, like
// dropout); in eval mode every slope is the mean (lower + upper) / 2, a
// LeakyReLU. The gradient is the slope each value was given (1 above 0).
// As the dropouts, the uniforms come from tm.rand on x's backend, so a
// seeded layer draws the same slopes on every backend.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, derivedSeed, drawnSeed, freshSeed } from '../random.js';
import { rand, where } from '../ops/index.js';
import { onBackendOf } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface RreluOptions {
  /** The least slope (default 1/8). */
  lower?: number;
  /** The slopes' upper bound (default 1/3), ≥ lower. */
  upper?: number;
  /** Draw the slopes (true) or use their mean (false, the default, as PyTorch's F.rrelu). */
  training?: boolean;
  /** The slopes' seed (default: the next from tm.setSeed's sequence). */
  seed?: number;
}

const RRELU_OPTIONS: OptionNames<RreluOptions> = { lower: true, upper: true, training: 'boolean', seed: true };

/** lower and upper checked, naming `op`: finite, lower ≤ upper (PyTorch's uniform_ refuses the reverse). */
function checkBounds(op: string, lower: unknown, upper: unknown): void {
  for (const [name, v] of [['lower', lower], ['upper', upper]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${formatValue(v)}`);
  }
  if ((lower as number) > (upper as number)) throw new ValueError(`${op}: lower ${lower} is above upper ${upper}; the slopes are drawn from [lower, upper)`);
}

/** x where above 0, x times a slope drawn from [lower, upper) per element elsewhere; `seed` seeds the draw. */
function randomized(op: string, x: Tensor, lower: number, upper: number, seed: number): Tensor {
  return tidy(() => {
    const u = onBackendOf(op, x, () => rand(x.shape, { seed, dtype: x.dtype === 'f16' ? 'f16' : 'f32' }));
    return where(x.greater(0), x, x.mul(u.mul(upper - lower).add(lower)));
  });
}

/** x above 0, x times the mean slope (lower + upper) / 2 elsewhere: RReLU in eval mode. */
function averaged(x: Tensor, lower: number, upper: number): Tensor {
  // where rather than leakyRelu: at x = 0 the gradient is the slope, as PyTorch's rrelu gives it in both modes.
  return tidy(() => where(x.greater(0), x, x.mul((lower + upper) / 2)));
}

/**
 * PyTorch's F.rrelu: x where x > 0, a·x elsewhere, a drawn uniformly from
 * [lower, upper) for each element when `training` (fresh each call unless
 * seeded), a = (lower + upper) / 2 otherwise (the default, as PyTorch's).
 */
export function rrelu(x: Tensor, options: RreluOptions = {}): Tensor {
  const { lower = 1 / 8, upper = 1 / 3, training = false, seed } = checkOptions('rrelu', options, RRELU_OPTIONS);
  checkBounds('rrelu', lower, upper);
  if (seed !== undefined) checkSeed('rrelu', seed);
  return training ? randomized('rrelu', x, lower, upper, seed ?? freshSeed()) : averaged(x, lower, upper);
}

/**
 * PyTorch's nn.RReLU: in training each value at or below 0 scaled by a
 * slope drawn from [lower, upper) (default [1/8, 1/3)), fresh for every
 * element and forward; in eval mode by their mean. A seeded layer draws
 * slope after slope from streams of its seed, so a run repeats (and a
 * training checkpoint resumes the sequence).
 */
export class RReLU extends Module {
  private draws = 0;

  constructor(readonly lower = 1 / 8, readonly upper = 1 / 3, readonly seed?: number) {
    super();
    checkBounds('RReLU', lower, upper);
    if (seed !== undefined) checkSeed('RReLU', seed);
  }

  forward(x: Tensor): Tensor {
    if (!this.training) return averaged(x, this.lower, this.upper);
    const seed = this.seed === undefined ? freshSeed() : drawnSeed(() => derivedSeed(this.seed!, this.draws++));
    return randomized('RReLU', x, this.lower, this.upper, seed);
  }

  override drawCounts(): Record<string, number> {
    return this.seed === undefined ? {} : { slopes: this.draws };
  }

  override setDrawCounts(counts: Record<string, number>): void {
    if (this.seed !== undefined) this.draws = counts.slopes;
  }

  config(): LayerConfig {
    const bounds = { type: 'RReLU', lower: this.lower, upper: this.upper };
    return this.seed === undefined ? bounds : { ...bounds, seed: this.seed };
  }
}
