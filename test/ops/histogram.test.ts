// histc on every backend against counts worked out here in float64, with
// values kept off the bins' edges (where f32 and float64 may put a value on
// either side): given ranges and the data's own, values outside and NaN
// left out, the upper end in the last bin, f16 and ints; bad options
// refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, randomInts } from '../helpers/data.js';

/** Values at random bins' middles ± a third of a bin, some below lo and above hi. */
function valuesIn(n: number, bins: number, lo: number, hi: number): Float64Array {
  const width = (hi - lo) / bins;
  return Float64Array.from(randomInts(n, -3, bins + 2), (b) => Math.fround(lo + (b + 0.5 + (Math.random() - 0.5) * 0.66) * width));
}

function histRef(values: ArrayLike<number>, bins: number, lo: number, hi: number): Float64Array {
  const counts = new Float64Array(bins);
  for (const v of Array.from(values)) if (v >= lo && v <= hi) counts[Math.min(Math.floor(((v - lo) / (hi - lo)) * bins), bins - 1)]++;
  return counts;
}

describe.each(BACKENDS)('histc on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[1000, 10, -2, 3], [7, 3, 0, 1], [4099, 129, -100, 50], [0, 5, 0, 1]])('%i values in %i bins from %d to %d: torch.histc', async (n, bins, lo, hi) => {
    const values = valuesIn(n, bins, lo, hi);
    if (n) values[0] = NaN;
    const y = tm.histc(tm.tensor(values, [n]), { bins, min: lo, max: hi });
    expect([y.shape, y.dtype]).toEqual([[bins], 'f32']);
    expectExact(await y.data(), histRef(values, bins, lo, hi), 'histc');
  });

  it('takes the data\'s range where min = max (the default), one either side where all values are equal; max itself goes in the last bin', async () => {
    const values = [2, 7, 4.5, 3, NaN, 7, 2];
    expect(await tm.histc(tm.tensor(values), { bins: 5 }).array()).toEqual([2, 1, 1, 0, 2]);
    expect(await tm.histc(tm.tensor([4, 4, 4]), { bins: 4 }).array()).toEqual([0, 0, 3, 0]);
    expect(await tm.histc(tm.tensor([0, 1, 1]), { bins: 2, min: 0, max: 1 }).array()).toEqual([1, 2]);
  });

  it('counts ints as f32 and f16 values in f16', async () => {
    const y = tm.histc(tm.tensor(new Int32Array([1, 2, 2, 9]), [4]), { bins: 3, min: 0, max: 3 });
    expect([y.dtype, await y.array()]).toEqual(['f32', [0, 1, 2]]);
    const h = tm.histc(tm.tensor([0.25, 0.75, 0.8], [3], { dtype: 'f16' }), { bins: 2, min: 0, max: 1 });
    expect([h.dtype, await h.array()]).toEqual(['f16', [1, 2]]);
  });

  it('refuses bad options by name', () => {
    const x = tm.ones([3]);
    expect(() => tm.histc(x, { bins: 0 })).toThrow(new tm.ValueError('histc: bins must be a positive integer, got 0'));
    expect(() => tm.histc(x, { min: 2, max: 1 })).toThrow(new tm.ValueError('histc: min 2 is above max 1'));
    expect(() => tm.histc(x, { max: Infinity })).toThrow(new tm.ValueError('histc: max must be a finite number, got Infinity'));
  });
});
