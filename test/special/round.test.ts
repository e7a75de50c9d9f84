// tm.special.round (torch.special.round): half to even, at a number of
// decimals either side of the point, against PyTorch 1.13's values.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';

describe.each(BACKENDS)('tm.special.round on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('rounds half to even, at decimals after the point or before it (PyTorch\'s values)', async () => {
    expect(Array.from(await tm.special.round(tm.tensor([0.5, 1.5, 2.5, -2.5, 2.4])).data())).toEqual([0, 2, 2, -2, 2]);
    // torch.special.round([1.2345, −2.5, 1250, 0.125], decimals=2) and ([1250, 1350, −75], decimals=−2).
    expectClose(await tm.special.round(tm.tensor([1.2345, -2.5, 1250, 0.125]), { decimals: 2 }).data(), [1.23, -2.5, 1250, 0.12], 1e-7, 'decimals 2');
    expect(Array.from(await tm.special.round(tm.tensor([1250, 1350, -75]), { decimals: -2 }).data())).toEqual([1200, 1400, -100]);
    expect(tm.special.round(tm.tensor([1.25], { dtype: 'f16' }), { decimals: 1 }).dtype).toBe('f16');
    expect(() => tm.special.round(tm.tensor([1]), { decimals: 0.5 })).toThrow('round: decimals must be an integer, got 0.5');
    expect(() => tm.special.round(tm.tensor([1]), { digits: 2 } as never)).toThrow(/round: .*digits/);
  });
});
