// renorm as torch.renorm, on every backend, against float64 written here:
// each slice along the axis with a p-norm past maxnorm scaled by maxnorm /
// (norm + 1e-7), the rest untouched, for p 1, 2, 3 and ∞ and every axis;
// gradients against central differences (the scale's own dependence on x
// included).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { expectGradients } from '../helpers/linalg.js';
import { unravel } from '../helpers/float64.js';

/** renorm in float64 over x of `shape`. */
function renormRef(x: Float64Array, shape: number[], p: number, axis: number, maxnorm: number): Float64Array {
  const norms = new Float64Array(shape[axis]);
  x.forEach((v, i) => {
    const s = unravel(i, shape)[axis];
    norms[s] = p === Infinity ? Math.max(norms[s], Math.abs(v)) : norms[s] + Math.abs(v) ** p;
  });
  const norm = (s: number) => (p === Infinity ? norms[s] : norms[s] ** (1 / p));
  return x.map((v, i) => {
    const s = unravel(i, shape)[axis];
    return norm(s) > maxnorm ? (v * maxnorm) / (norm(s) + 1e-7) : v;
  });
}

describe.each(BACKENDS)('renorm on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([1, 2, 3, Infinity])('p = %s: slices along each axis of [3, 4, 5] past maxnorm come down to it, the others stay as they are', async (p) => {
    const shape = [3, 4, 5];
    const x = asF32(uniform(60, -1, 1));
    for (const axis of [0, 1, -1]) {
      const a = (axis + 3) % 3;
      // A maxnorm between the slices' smallest and largest norms, so that some are scaled and some are not.
      const norms = Array.from({ length: shape[a] }, (_, s) => {
        const entries = Array.from(x).filter((_, i) => unravel(i, shape)[a] === s).map(Math.abs);
        return p === Infinity ? Math.max(...entries) : entries.reduce((t, v) => t + v ** p, 0) ** (1 / p);
      });
      const maxnorm = (Math.min(...norms) + Math.max(...norms)) / 2;
      const y = tm.renorm(tm.tensor(Float32Array.from(x), shape), p, axis, maxnorm);
      const want = renormRef(x, shape, p, a, maxnorm);
      expectClose(await y.data(), want, 1e-5, `p=${p} axis=${axis}`);
      expect(want.some((v, i) => v === x[i]) && want.some((v, i) => v !== x[i]), 'some slices scaled, some not').toBe(true);
    }
  });

  it('a vector\'s slices are its entries; f16 stays f16; gradients match central differences', async () => {
    expectClose(await tm.renorm(tm.tensor([3, -0.5, -4]), 2, 0, 1).data(), [3 / (3 + 1e-7), -0.5, -4 / (4 + 1e-7)], 1e-7, 'vector');
    expect(tm.renorm(tm.ones([2, 2], { dtype: 'f16' }), 2, 0, 1).dtype).toBe('f16');
    const shape = [3, 4];
    const x = asF32(uniform(12, -1, 1));
    x.fill(0.05, 8, 12);
    await expectGradients([shape], [x], (t) => [tm.renorm(t, 2, 0, 0.5)], (v) => renormRef(v, shape, 2, 0, 0.5));
    await expectGradients([shape], [x], (t) => [tm.renorm(t, 3, 1, 0.6)], (v) => renormRef(v, shape, 3, 1, 0.6));
  });

  it('refuses ints, a p that is not positive, a negative maxnorm and a scalar, naming them', () => {
    expect(() => tm.renorm(tm.ones([2], { dtype: 'i32' }), 2, 0, 1)).toThrow('renorm: x must be a float tensor (f32 or f16), got i32');
    expect(() => tm.renorm(tm.ones([2]), 0, 0, 1)).toThrow('renorm: p must be a positive number (Infinity for the largest |x|), got 0');
    expect(() => tm.renorm(tm.ones([2]), 2, 0, -1)).toThrow('renorm: maxnorm must be a number ≥ 0, got -1');
    expect(() => tm.renorm(tm.scalar(1), 2, 0, 1)).toThrow('renorm: x is a scalar: there is no axis to take slices along');
    expect(() => tm.renorm(tm.ones([2]), 2, 1, 1)).toThrow('renorm');
  });
});
