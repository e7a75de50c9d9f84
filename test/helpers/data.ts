// Fresh random test data from the tests' own generator (not tmnn's), and
// tolerance checks fit for each dtype.
import { expect } from 'vitest';
import { f16Bits, f16Value } from '../../src/f16.js';

let state = (Date.now() ^ 0x9e3779b9) >>> 0;

/** Uniform in [lo, hi); fresh every run (the seed is printed on failure through the values). */
export function uniform(n: number, lo = -2, hi = 2): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    out[i] = lo + ((hi - lo) * state) / 4294967296;
  }
  return out;
}

/** Values rounded to f32, as a Float32Array tensor would hold them. */
export function asF32(v: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(v));
}

export function asF16(v: Float64Array): Float64Array {
  return v.map((x) => f16Value(f16Bits(x)));
}

/** |got − want| ≤ tol·(|want| + 1) everywhere, NaN matching NaN; names the first bad index. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w)) {
      expect(g, `index ${i}`).toBeNaN();
      continue;
    }
    if (!Number.isFinite(w)) {
      expect(g, `index ${i}`).toBe(w);
      continue;
    }
    if (!(Math.abs(g - w) <= tol * (Math.abs(w) + 1))) {
      expect.fail(`index ${i}: got ${g}, want ${w} (tolerance ${tol})`);
    }
  }
}
