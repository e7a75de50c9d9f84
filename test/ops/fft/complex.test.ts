// tm.fft's complex helpers against float64 arithmetic on the pairs, on fresh
// random data: complex, real, imag, conj, abs (and its gradient, 0 at 0),
// angle (and its gradient), polar; the refusals of what is not complex.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';
import { expectGradients } from '../../helpers/linalg.js';

/** Each pair of interleaved z through f. */
const eachPair = (z: Float64Array, f: (re: number, im: number) => number[]) => Float64Array.from(Array.from({ length: z.length / 2 }, (_, i) => f(z[2 * i], z[2 * i + 1])).flat());

describe.each(BACKENDS)('tm.fft complex helpers on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[[1]], [[7]], [[3, 13]], [[2, 1, 5]]])('complex, real, imag, conj, abs and angle of %j pairs: the float64 values', async (shape) => {
    const before = await collected();
    const n = shape.reduce((a, b) => a * b, 1);
    const [re, im] = [asF32(uniform(n)), asF32(uniform(n))];
    const [Re, Im] = [tm.tensor(Float32Array.from(re), shape), tm.tensor(Float32Array.from(im), shape)];
    const z = tm.fft.complex(Re, Im);
    expect(z.shape).toEqual([...shape, 2]);
    const pairs = Float64Array.from({ length: 2 * n }, (_, i) => (i % 2 ? im : re)[Math.floor(i / 2)]);
    const made = [Re, Im, z];
    /** The values of a result, which is freed after. */
    const values = async (t: tm.Tensor) => {
      made.push(t);
      return t.data();
    };
    expectExact(await values(z), pairs, 'complex');
    expectExact(await values(tm.fft.complex(Re)), Float64Array.from(pairs, (v, i) => (i % 2 ? 0 : v)), 'complex without imag');
    expectExact(await values(tm.fft.real(z)), re, 'real');
    expectExact(await values(tm.fft.imag(z)), im, 'imag');
    expect(made[made.length - 1].shape).toEqual(shape);
    expectExact(await values(tm.fft.conj(z)), eachPair(pairs, (a, b) => [a, -b]), 'conj');
    expectClose(await values(tm.fft.abs(z)), eachPair(pairs, (a, b) => [Math.hypot(a, b)]), 1e-6, 'abs');
    expectClose(await values(tm.fft.angle(z)), eachPair(pairs, (a, b) => [Math.atan2(b, a)]), 1e-6, 'angle');
    for (const t of new Set(made)) t.dispose();
    expect(await collected()).toBe(before);
  });

  it('complex(re) has imaginary parts 0 even where re is ±∞ or NaN', async () => {
    expectExact(await tm.fft.complex(tm.tensor([Infinity, NaN, -1])).data(), [Infinity, 0, NaN, 0, -1, 0], 'complex of non-finite values');
  });

  it('abs and angle are differentiable: central differences, and abs gives 0 at z = 0', async () => {
    const z = uniform(2 * 6, 0.2, 2).map((v, i) => (i % 3 ? -v : v));
    await expectGradients([[6, 2]], [z], (Z) => [tm.fft.abs(Z), tm.fft.angle(Z)], (v) => Float64Array.from([...eachPair(v, (a, b) => [Math.hypot(a, b)]), ...eachPair(v, (a, b) => [Math.atan2(b, a)])]));
    const Z = tm.tensor([[0, 0], [3, -4]]);
    Z.requiresGrad = true;
    tm.fft.abs(Z).sum().backward();
    expectClose(await Z.grad!.data(), [0, 0, 0.6, -0.8], 1e-6, 'abs gradient at 0 and at 3 − 4i');
  });

  it('polar(abs, angle): (abs·cos, abs·sin) pairs, differentiable in both', async () => {
    const [r, t] = [asF32(uniform(13, 0, 2)), asF32(uniform(13, -4, 4))];
    const z = tm.fft.polar(tm.tensor(Float32Array.from(r)), tm.tensor(Float32Array.from(t)));
    expect(z.shape).toEqual([13, 2]);
    expectClose(await z.data(), Float64Array.from({ length: 26 }, (_, i) => r[i >> 1] * (i % 2 ? Math.sin(t[i >> 1]) : Math.cos(t[i >> 1]))), 1e-6, 'polar');
    await expectGradients([[5], [5]], [uniform(5, 0.5, 2), uniform(5, -3, 3)], (a, b) => [tm.fft.polar(a, b)], (a, b) => Float64Array.from({ length: 10 }, (_, i) => a[i >> 1] * (i % 2 ? Math.sin(b[i >> 1]) : Math.cos(b[i >> 1]))));
  });

  it('f16 pairs stay f16', async () => {
    const z = tm.tensor([[3, 4], [-1, 0]]).cast('f16');
    expect(tm.fft.abs(z).dtype).toBe('f16');
    expectClose(await tm.fft.abs(z).data(), [5, 1], 1e-3, 'f16 abs');
    expect(tm.fft.real(z).dtype).toBe('f16');
  });

  it('refuses what is not complex, naming the shape, and mismatched parts', () => {
    expect(() => tm.fft.real(tm.ones([3, 3]))).toThrow('real: z must be complex, a float tensor [..., 2] whose last axis holds (real, imaginary) pairs, got [3,3]');
    expect(() => tm.fft.abs(tm.scalar(1))).toThrow('abs: z must be complex, a float tensor [..., 2] whose last axis holds (real, imaginary) pairs, got []');
    expect(() => tm.fft.angle(tm.ones([2], { dtype: 'i32' }))).toThrow('angle: z must be a float tensor (f32 or f16), got i32');
    expect(() => tm.fft.complex(tm.ones([3]), tm.ones([4]))).toThrow('complex: real [3] and imag [4] must have the same shape');
    expect(() => tm.fft.complex(tm.ones([3], { dtype: 'i32' }))).toThrow('complex: real must be a float tensor (f32 or f16), got i32');
  });
});
