// interp on every backend against np.interp worked here in float64: fresh
// random ascending points at odd sizes, x inside, on the points, outside
// (left and right, given or fp's ends) and NaN; one point; gradients to x
// and fp against central differences; bad input refused by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences } from '../helpers/float64.js';

/** np.interp in float64. */
function interpRef(x: ArrayLike<number>, xp: ArrayLike<number>, fp: ArrayLike<number>, left = fp[0], right = fp[fp.length - 1]): Float64Array {
  const n = xp.length;
  return Float64Array.from(x, (v) => {
    if (Number.isNaN(v)) return NaN;
    if (v < xp[0]) return left;
    if (v > xp[n - 1]) return right;
    let j = 0;
    while (j < n - 1 && v >= xp[j + 1]) j++;
    if (v === xp[j]) return fp[j];
    return fp[j] + ((v - xp[j]) * (fp[j + 1] - fp[j])) / (xp[j + 1] - xp[j]);
  });
}

/** n ascending f32 points from about −5 to 5, distinct. */
const ascending = (n: number) => asF32(Float64Array.from(uniform(n, -5, 5)).sort()).map((v, i, a) => (i > 0 && v <= a[i - 1] ? a[i - 1] + 1e-3 : v));

describe.each(BACKENDS)('interp on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([[2, 7], [13, 129], [129, 1000], [7, 0]])('%i points at %i x: np.interp, fp\'s ends outside, the points themselves exactly', async (n, m) => {
    const [xp, fp] = [ascending(n), asF32(uniform(n, -3, 3))];
    const x = asF32(uniform(m, -6, 6));
    if (m > 4) [x[0], x[1], x[2], x[3]] = [xp[0], xp[n - 1], xp[n >> 1], NaN];
    const y = tm.interp(tm.tensor(x, [m]), tm.tensor(xp), tm.tensor(fp));
    expect([y.shape, y.dtype]).toEqual([[m], 'f32']);
    const want = interpRef(x, xp, fp);
    expectClose(await y.data(), want, 1e-5, 'interp', want.map(() => 3));
    if (m > 4) expect(Array.from((await y.data()).slice(0, 3))).toEqual([fp[0], fp[n - 1], fp[n >> 1]]);
  });

  it('takes left and right where given, keeps x\'s shape, and reads one point as a constant', async () => {
    const x = tm.tensor([[-10, 0.5], [1.5, 10]]);
    const y = tm.interp(x, tm.tensor([0, 1, 2]), tm.tensor([0, 10, 30]), { left: -1, right: 99 });
    expect(await y.array()).toEqual([[-1, 5], [20, 99]]);
    expect(await tm.interp(tm.tensor([-1, 2, 3]), tm.tensor([2]), tm.tensor([7])).array()).toEqual([7, 7, 7]);
  });

  it('passes gradients to x (the slope) and to fp (the two weights of each x)', async () => {
    const [xp, fp] = [ascending(9), asF32(uniform(9, -3, 3))];
    const x = asF32(uniform(20, -4.5, 4.5));
    const [xt, ft] = [tm.tensor(x), tm.tensor(fp)];
    xt.requiresGrad = ft.requiresGrad = true;
    const r = asF32(uniform(20, -1, 1));
    tm.interp(xt, tm.tensor(xp), ft).mul(tm.tensor(r)).sum().backward();
    const loss = () => interpRef(x, xp, fp).reduce((s, v, i) => s + v * r[i], 0);
    expectClose(await xt.grad!.data(), centralDifferences(x, loss, 1e-7), 1e-3, 'dx');
    expectClose(await ft.grad!.data(), centralDifferences(fp, loss), 1e-4, 'dfp');
  });

  it('works f16 in f16, and reads int x as f32', async () => {
    const [xp, fp] = [asF16(Float64Array.of(-2, 0, 1, 4)), asF16(Float64Array.of(1, -1, 2, 0))];
    const x = asF16(uniform(11, -3, 5));
    const h = tm.interp(tm.tensor(x, [11], { dtype: 'f16' }), tm.tensor(xp, [4], { dtype: 'f16' }), tm.tensor(fp, [4], { dtype: 'f16' }));
    expect(h.dtype).toBe('f16');
    expectClose(await h.data(), interpRef(x, xp, fp), 5e-3);
    const i = tm.interp(tm.tensor(new Int32Array([-3, 0, 2, 5]), [4]), tm.tensor(xp), tm.tensor(fp));
    expect(i.dtype).toBe('f32');
    expectClose(await i.data(), [1, -1, 4 / 3, 0], 1e-6);
  });
});

describe('interp', () => {
  it('refuses points of different lengths or none, int fp and bad ends, naming them', () => {
    const x = tm.zeros([3]);
    expect(() => tm.interp(x, tm.zeros([3]), tm.zeros([4]))).toThrow(new tm.ShapeError('interp: xp and fp must be 1-D of one length, at least one point, got [3] and [4]'));
    expect(() => tm.interp(x, tm.zeros([0]), tm.zeros([0]))).toThrow(tm.ShapeError);
    expect(() => tm.interp(x, tm.zeros([2]), tm.zeros([2], { dtype: 'i32' }))).toThrow(new tm.DTypeError('interp: fp must be f32 or f16, got i32'));
    expect(() => tm.interp(x, tm.zeros([2]), tm.zeros([2]), { left: 'a' as unknown as number })).toThrow(new tm.ValueError('interp: left must be a number, got "a"'));
  });
});
