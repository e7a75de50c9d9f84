// torch.special.round: rounding half to even, at a number of decimals.
import { ValueError, formatValue } from '../errors.js';
import { div, mul, round as roundWhole } from '../ops/elementwise.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { inF32 } from './float.js';

/**
 * x rounded half to even (torch.special.round, np.round): to whole numbers,
 * or with `decimals` to that many places after the point (before it where
 * negative), as x·10ᵈ rounded, over 10ᵈ — PyTorch's and NumPy's way, so
 * 1.005 at 2 decimals is 1 (1.005 is 1.00499… in binary). In f32 (ints
 * read as f32, f16 in f16).
 */
export function round(x: Tensor, options: { decimals?: number } = {}): Tensor {
  const { decimals = 0 } = checkOptions('round', options, { decimals: true });
  if (!Number.isSafeInteger(decimals)) throw new ValueError(`round: decimals must be an integer, got ${formatValue(decimals)}`);
  if (decimals === 0) return inF32('round', ['x'], [x], (xf) => roundWhole(xf));
  // 10^−d for negative d is not exact in binary: divide by 10^|d| instead, as NumPy does.
  const scale = 10 ** Math.abs(decimals);
  return inF32('round', ['x'], [x], (xf) => (decimals > 0 ? div(roundWhole(mul(xf, scale)), scale) : mul(roundWhole(div(xf, scale)), scale)));
}
