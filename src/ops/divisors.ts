// torch.gcd and torch.lcm of integer tensors, elementwise with broadcasting.
// Euclid's algorithm, a fixed number of rounds for every element so that a
// GPU needs no read-back: the worst case below 2³¹ is a pair of consecutive
// Fibonacci numbers, F₄₅ and F₄₆, which take 45 remainders; a pair done
// early keeps (g, 0) through the rest.
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { abs, div, equal, mul, notEqual, remainder, where } from './elementwise.js';
import { withTensors } from './util.js';

const ROUNDS = 46;

/** Refuses float operands: gcd and lcm are for integers, as torch's. */
function integers(op: string, a: TensorLike, b: TensorLike, body: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return withTensors(op, a, b, (ta, tb) => {
    for (const [t, name] of [[ta, 'a'], [tb, 'b']] as const) {
      if (isFloat(t.dtype)) throw new DTypeError(`${op}: ${name} must be an integer tensor (i32 or i8), got ${t.dtype}`);
    }
    return tidy(() => body(ta, tb));
  });
}

/** gcd(|a|, |b|) by Euclid's rounds. */
function gcdOf(a: Tensor, b: Tensor): Tensor {
  // where broadcasts and promotes, so after the first round both have the common shape and int type.
  let x = abs(a);
  let y = abs(b);
  for (let round = 0; round < ROUNDS; round++) {
    const going = notEqual(y, 0);
    const next = remainder(x, where(going, y, 1));
    [x, y] = [where(going, y, x), where(going, next, y)];
  }
  return x;
}

/**
 * The greatest common divisor of |a| and |b|, elementwise (torch.gcd,
 * np.gcd): ints only (i32, i8; numbers beside a tensor), broadcasting;
 * gcd(0, 0) = 0, gcd(a, 0) = |a|. Fixed work per element (46 rounds).
 */
export function gcd(a: TensorLike, b: TensorLike): Tensor {
  return integers('gcd', a, b, gcdOf);
}

/**
 * The least common multiple, |a / gcd(a, b) · b|, elementwise (torch.lcm,
 * np.lcm): ints only, broadcasting; 0 where a or b is 0. Wraps around past
 * the int type's range, as torch's.
 */
export function lcm(a: TensorLike, b: TensorLike): Tensor {
  return integers('lcm', a, b, (ta, tb) => {
    const g = gcdOf(ta, tb);
    return where(equal(g, 0), 0, abs(mul(div(ta, where(equal(g, 0), 1, g), { roundingMode: 'trunc' }), tb)));
  });
}
