// tm.gcd and tm.lcm against Euclid in doubles, on fresh random ints of every
// size up to 2³¹ (and the consecutive Fibonacci numbers that take the most
// rounds), broadcasting, signs and zeros, i8 beside i32; floats refused.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, randomInts } from '../helpers/data.js';

/** torch's calc_gcd in i32: |a| and |b| (|INT_MIN| wraps to itself), then (a, b) ← (b % a, a), C's truncating %, until a is 0. */
function gcdRef(a0: number, b0: number): number {
  let [a, b] = [Math.abs(a0) | 0, Math.abs(b0) | 0];
  while (a !== 0) [a, b] = [b % a | 0, a];
  return b;
}
/** |a / g · b| in i32 (the product wrapping first, as C's int), then wrapped to i8 where `i8`. */
const lcmRef = (a: number, b: number, i8 = false) => {
  const g = gcdRef(a, b);
  const v = g === 0 ? 0 : Math.abs(Math.imul(Math.trunc(a / g), b)) | 0;
  return i8 ? (v << 24) >> 24 : v;
};

describe.each(BACKENDS)('tm.gcd and tm.lcm on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[1], [7, 13], [3, 1, 5]])('shape %j: random ints from small to 2³¹, signs and zeros', async (...shape) => {
    const n = shape.reduce((p, d) => p * d, 1);
    for (const hi of [20, 1e4, 2 ** 31 - 1]) {
      const a = randomInts(n, -hi, hi);
      const b = randomInts(n, -hi, hi);
      if (n > 2) [a[0], b[0], a[1], b[1]] = [0, 0, 0, b[1]];
      const g = tm.gcd(tm.tensor(a, shape, { dtype: 'i32' }), tm.tensor(b, shape, { dtype: 'i32' }));
      const l = tm.lcm(tm.tensor(a, shape, { dtype: 'i32' }), tm.tensor(b, shape, { dtype: 'i32' }));
      expect(l.dtype).toBe('i32');
      expect(g.dtype).toBe('i32');
      expectExact(await g.data(), Array.from(a, (v, i) => gcdRef(v, b[i])), `gcd up to ${hi}`);
      expectExact(await l.data(), Array.from(a, (v, i) => lcmRef(v, b[i])), `lcm up to ${hi}`);
    }
  });

  it('takes the 45 rounds consecutive Fibonacci numbers need; broadcasts, with numbers and i8 beside i32', async () => {
    expectExact(await tm.gcd(tm.tensor([1836311903, 1134903170, -832040], [3], { dtype: 'i32' }), tm.tensor([1134903170, 701408733, 514229], [3], { dtype: 'i32' })).data(), [1, 1, 1], 'Fibonacci');
    const column = tm.tensor([12, 18, -30], [3, 1], { dtype: 'i32' });
    const row = tm.tensor([8, 9, 0, 5], [1, 4], { dtype: 'i8' });
    const g = tm.gcd(column, row);
    expect([g.shape, g.dtype]).toEqual([[3, 4], 'i32']);
    expectExact(await g.data(), [4, 3, 12, 1, 2, 9, 18, 1, 2, 3, 30, 5], 'broadcast');
    expectExact(await tm.lcm(column, 8).data(), [24, 72, 120], 'lcm with a number');
    expectExact(await tm.gcd(tm.tensor([100, -7], [2], { dtype: 'i8' }), tm.tensor([-75, 14], [2], { dtype: 'i8' })).data(), [25, 7], 'i8');
    // INT_MIN, whose absolute value wraps to itself: torch's results, the same either way round.
    const intMin = -(2 ** 31);
    const pairs = [[1, intMin], [intMin, 1], [6, intMin], [intMin, 6], [intMin, intMin], [intMin, 0]];
    const g2 = tm.gcd(tm.tensor(pairs.map(([p]) => p), [6], { dtype: 'i32' }), tm.tensor(pairs.map(([, q]) => q), [6], { dtype: 'i32' }));
    expectExact(await g2.data(), pairs.map(([p, q]) => gcdRef(p, q)), 'INT_MIN');
    expect(pairs.map(([p, q]) => gcdRef(p, q))).toEqual([1, 1, -2, -2, intMin, intMin]);
    // lcm of i8 past its range: the C int's |a/g·b|, then wrapped (100, 90 → 900 → −124), as torch's.
    const a8 = [100, 127, -6, 0, 12];
    const b8 = [90, 126, 4, 5, -18];
    const l8 = tm.lcm(tm.tensor(a8, [5], { dtype: 'i8' }), tm.tensor(b8, [5], { dtype: 'i8' }));
    expect(l8.dtype).toBe('i8');
    expectExact(await l8.data(), a8.map((p, i) => lcmRef(p, b8[i], true)), 'i8 lcm');
    expect(a8.map((p, i) => lcmRef(p, b8[i], true))).toEqual([-124, -126, 12, 0, 36]);
  });

  it('refuses floats, naming the operand, and two plain numbers', () => {
    expect(() => tm.gcd(12, 18)).toThrow('gcd: a and b are both numbers; give at least one as an integer tensor');
    expect(() => tm.gcd(tm.tensor([1.5]), tm.tensor([2], [1], { dtype: 'i32' }))).toThrow('gcd: a must be an integer tensor (i32 or i8), got f32');
    expect(() => tm.lcm(tm.tensor([2], [1], { dtype: 'i32' }), tm.tensor([2]).cast('f16'))).toThrow('lcm: b must be an integer tensor (i32 or i8), got f16');
  });
});
