// LocalResponseNorm, as PyTorch's (AlexNet's, Krizhevsky et al., 2012):
// each value of x [N, C, ...] divided by (k + α/size · Σ x²)^β, the sum over
// the `size` channels around its own (size/2 before, (size − 1)/2 after,
// rounded down; channels past either end count as zeros), at the same
// position. The window's sum is `size` shifted slices of the zero-padded
// squares added up: exact, where a difference of running sums would cancel.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { pad, slice } from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface LocalResponseNormOptions {
  /** α, the scale of the window's mean square. Default 1e-4. */
  alpha?: number;
  /** β, the power the divisor is raised to. Default 0.75. */
  beta?: number;
  /** k, added to the divisor. Default 1. */
  k?: number;
}

const OPTIONS: OptionNames<LocalResponseNormOptions> = { alpha: true, beta: true, k: true };

function settings(where: string, size: number, options: LocalResponseNormOptions): Required<LocalResponseNormOptions> {
  if (!Number.isSafeInteger(size) || size <= 0) throw new ValueError(`${where}: size must be a positive integer, got ${formatValue(size)}`);
  const { alpha = 1e-4, beta = 0.75, k = 1 } = checkOptions(where, options, OPTIONS);
  for (const [name, v] of [['alpha', alpha], ['beta', beta], ['k', k]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${where}: ${name} must be a finite number, got ${formatValue(v)}`);
  }
  return { alpha, beta, k };
}

/** x [N, C, ...] normalised over windows of `size` neighbouring channels (PyTorch's F.local_response_norm). */
export function localResponseNorm(x: Tensor, size: number, options: LocalResponseNormOptions = {}): Tensor {
  const { alpha, beta, k } = settings('localResponseNorm', size, options);
  if (x.rank < 3) throw new ShapeError(`localResponseNorm: x must be [batch, channels, ...] with at least one axis after the channels, got ${formatShape(x.shape)}`);
  return tidy(() => {
    const channels = x.shape[1];
    const before = Math.floor(size / 2);
    const squares = pad(x.square(), x.shape.map((_, a) => (a === 1 ? [before, size - 1 - before] : [0, 0])) as [number, number][]);
    let windowSum = slice(squares, [0, 0], [-1, channels]);
    for (let i = 1; i < size; i++) windowSum = windowSum.add(slice(squares, [0, i], [-1, channels]));
    return x.div(windowSum.mul(alpha / size).add(k).pow(beta));
  });
}

/** Division by the neighbouring channels' energy, as PyTorch's nn.LocalResponseNorm; see localResponseNorm. */
export class LocalResponseNorm extends Module {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(readonly size: number, options: LocalResponseNormOptions = {}) {
    super();
    ({ alpha: this.alpha, beta: this.beta, k: this.k } = settings('LocalResponseNorm', size, options));
  }

  forward(x: Tensor): Tensor {
    return localResponseNorm(x, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }

  config(): LayerConfig {
    return { type: 'LocalResponseNorm', size: this.size, alpha: this.alpha, beta: this.beta, k: this.k };
  }
}
