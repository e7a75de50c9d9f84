// tm.matmul(x, tm.quantize(w)) the int8 way: on the native backend one addon
// call (quantized_linear.cc) with the weight packed once; on js the ops of
// ops/quantize.ts one by one. Both must be the f32 definition below bit for
// bit — every step the f32 operation the composed ops round to — at odd
// sizes, on every int8 path this CPU runs, with a packed weight reused
// across products and across a change of path.
import { afterEach, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { loadAddon, type Int8Path } from '../../../src/backends/native/addon.js';
import { asF32, uniform } from '../../helpers/data.js';

const f = Math.fround;

/** x [m, k] · w's quantized form (values [n, k], scales [n]) the int8 way, each step rounded to f32 as the ops do. */
function int8Way(x: Float64Array, values: Int8Array, scales: Float32Array, m: number, n: number, k: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = x.subarray(i * k, (i + 1) * k);
    const amax = row.reduce((a, v) => (Number.isNaN(a) || Number.isNaN(v) ? NaN : Math.max(a, Math.abs(v))), 0);
    const s = amax === 0 ? 1 : f(amax / 127);
    const q = Array.from(row, (v) => {
      const y = f(v / s);
      const t = f(y + Math.sign(y) * 0.5);
      return Number.isNaN(t) ? 0 : Math.max(-128, Math.min(127, Math.trunc(t)));
    });
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += q[p] * values[j * k + p];
      out[i * n + j] = f(f(f(acc) * s) * scales[j]);
    }
  }
  return out;
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [1, 784, 256], [7, 5, 17], [33, 127, 33], [130, 513, 100], [9, 64, 3]];

describe.each(['js', 'native'] as const)('the int8 way on %s is its f32 definition bit for bit', (backend) => {
  afterEach(async () => {
    if (backend === 'native') (await loadAddon()).int8Path(null);
  });

  async function check(m: number, k: number, n: number, edit?: (x: Float64Array) => void) {
    const x = asF32(uniform(m * k, -3, 3));
    edit?.(x);
    const q = tm.quantize(tm.tensor(asF32(uniform(k * n, -1, 1)), [k, n]));
    const values = (await q.values.data()) as Int8Array;
    const scales = (await q.scales.data()) as Float32Array;
    const want = int8Way(x, values, scales, m, n, k);
    const xt = tm.tensor(x, [m, k]);
    // Twice: the second product reads the packing the first one made.
    for (let round = 0; round < 2; round++) expect(await tm.matmul(xt, q).data()).toEqual(want);
    xt.dispose();
    q.dispose();
  }

  it.each(SHAPES)('x [%i, %i] · q [%i columns]', async (m, k, n) => {
    await tm.init({ backend });
    await check(m, k, n);
  });

  it('rows of zeros, quotients on a tie (±x.5 rounds away from zero), and a NaN row', async () => {
    await tm.init({ backend });
    await check(5, 9, 7, (x) => {
      x.fill(0, 0, 9); // row 0: scale 1, all zero
      // row 1: max 127 makes the scale exactly 1, so these quotients are ties
      x.set([127, 2.5, -2.5, 0.5, -0.5, 126.5, -127, 3, -1.5], 9);
      x[2 * 9 + 4] = NaN; // row 2: NaN through the row's scale
    });
  });
});

describe('the native int8 way', () => {
  afterEach(async () => {
    (await loadAddon()).int8Path(null);
  });

  it('every int8 path this CPU runs, switched between products of one packed weight', async () => {
    await tm.init({ backend: 'native' });
    const addon = await loadAddon();
    const paths = (['portable', 'avx512-vnni', 'avx512vl-vnni', 'avx-vnni'] as Int8Path[]).filter((p) => {
      try {
        return addon.int8Path(p) === p;
      } catch {
        return false;
      }
    });
    expect(paths).toContain('portable');
    const [m, k, n] = [37, 131, 45];
    const x = asF32(uniform(m * k, -3, 3));
    const q = tm.quantize(tm.tensor(asF32(uniform(k * n, -1, 1)), [k, n]));
    const want = int8Way(x, (await q.values.data()) as Int8Array, (await q.scales.data()) as Float32Array, m, n, k);
    const xt = tm.tensor(x, [m, k]);
    for (const path of [...paths, ...paths.reverse()]) {
      addon.int8Path(path);
      expect(await tm.matmul(xt, q).data(), path).toEqual(want);
    }
    xt.dispose();
    q.dispose();
  });
});
