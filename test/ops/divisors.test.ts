// tm.gcd and tm.lcm against Euclid in doubles, on fresh random ints of every
// size up to 2³¹ (and the consecutive Fibonacci numbers that take the most
// rounds), broadcasting, signs and zeros, i8 beside i32; floats refused.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, randomInts } from '../helpers/data.js';

function gcdRef(a: number, b: number): number {
  let [x, y] = [Math.abs(a), Math.abs(b)];
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
/** |a / g · b| wrapped to i32, as the library's i32 product wraps. */
const lcmRef = (a: number, b: number) => {
  const g = gcdRef(a, b);
  return g === 0 ? 0 : Math.abs(Math.imul(Math.trunc(a / g), b) | 0);
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
      expect(g.dtype).toBe('i32');
      expectExact(await g.data(), Array.from(a, (v, i) => gcdRef(v, b[i])), `gcd up to ${hi}`);
      if (hi === 20) expectExact(await tm.lcm(tm.tensor(a, shape, { dtype: 'i32' }), tm.tensor(b, shape, { dtype: 'i32' })).data(), Array.from(a, (v, i) => lcmRef(v, b[i])), 'lcm');
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
  });

  it('refuses floats, naming the operand', () => {
    expect(() => tm.gcd(tm.tensor([1.5]), tm.tensor([2], [1], { dtype: 'i32' }))).toThrow('gcd: a must be an integer tensor (i32 or i8), got f32');
    expect(() => tm.lcm(tm.tensor([2], [1], { dtype: 'i32' }), tm.tensor([2]).cast('f16'))).toThrow('lcm: b must be an integer tensor (i32 or i8), got f16');
  });
});
