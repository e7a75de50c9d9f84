// torch.gcd and torch.lcm of integer tensors, elementwise with broadcasting.
// Euclid's algorithm as torch's calc_gcd runs it, (a, b) ← (b mod a, a)
// with C's truncating remainder until a is 0, so that |INT_MIN| (which stays
// negative) gives torch's results. A fixed number of rounds for every
// element, so a GPU needs no read-back: the worst case below 2³¹ is a pair
// of consecutive Fibonacci numbers, F₄₅ and F₄₆, which take 45 remainders,
// one more where the larger comes first; a pair done early keeps (0, g).
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { DTypeError, ValueError } from '../errors.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { cast } from './cast.js';
import { abs, div, equal, fmod, greaterEqual, mul, notEqual, remainder, sub, where } from './elementwise.js';
import { withTensors } from './util.js';

const ROUNDS = 47;

/** Refuses float operands (gcd and lcm are for integers, as torch's) and two plain numbers. */
function integers(op: string, a: TensorLike, b: TensorLike, body: (a: Tensor, b: Tensor) => Tensor): Tensor {
  if (typeof a === 'number' && typeof b === 'number') throw new ValueError(`${op}: a and b are both numbers; give at least one as an integer tensor`);
  return withTensors(op, a, b, (ta, tb) => {
    for (const [t, name] of [[ta, 'a'], [tb, 'b']] as const) {
      if (isFloat(t.dtype)) throw new DTypeError(`${op}: ${name} must be an integer tensor (i32 or i8), got ${t.dtype}`);
    }
    return tidy(() => body(ta, tb));
  });
}

/** gcd(a, b) by Euclid's rounds, each in a tidy of its own so that memory stays that of one round. */
function gcdOf(a: Tensor, b: Tensor): Tensor {
  // where broadcasts and promotes, so after the first round both have the common shape and int type.
  let x = abs(a);
  let y = abs(b);
  for (let round = 0; round < ROUNDS; round++) {
    const [nextX, nextY] = tidy(() => {
      const going = notEqual(x, 0);
      return [where(going, fmod(y, where(going, x, 1)), x), where(going, x, y)];
    });
    x.dispose();
    y.dispose();
    [x, y] = [nextX, nextY];
  }
  x.dispose();
  return y;
}

/**
 * The greatest common divisor of a and b, elementwise (torch.gcd, np.gcd):
 * ints only (i32, i8; a number beside a tensor), broadcasting; gcd(0, 0) =
 * 0, gcd(a, 0) = |a|; with INT_MIN, torch's (negative) results. Fixed work
 * per element (47 rounds).
 */
export function gcd(a: TensorLike, b: TensorLike): Tensor {
  return integers('gcd', a, b, gcdOf);
}

/** v (i32) wrapped into i8's range, as a C int cast to int8_t. */
function wrappedToI8(v: Tensor): Tensor {
  const low = remainder(v, 256);
  return cast(where(greaterEqual(low, 128), sub(low, 256), low), 'i8');
}

/**
 * The least common multiple, |a / gcd(a, b) · b|, elementwise (torch.lcm,
 * np.lcm): ints only, broadcasting; 0 where a or b is 0. Past the int
 * type's range it wraps as torch's does: i8 computed as a C int and cast
 * back, i32 wrapping before the absolute value.
 */
export function lcm(a: TensorLike, b: TensorLike): Tensor {
  return integers('lcm', a, b, (ta, tb) => {
    const small = ta.dtype === 'i8' && tb.dtype === 'i8';
    const [x, y] = small ? [cast(ta, 'i32'), cast(tb, 'i32')] : [ta, tb];
    const g = gcdOf(x, y);
    const value = where(equal(g, 0), 0, abs(mul(div(x, where(equal(g, 0), 1, g), { roundingMode: 'trunc' }), y)));
    return small ? wrappedToI8(value) : value;
  });
}
