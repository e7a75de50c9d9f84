// randint, randperm, bernoulli and multinomial on every backend: values in
// range and of the right dtype and shape, the same seed giving the same
// values on every backend, and frequencies matching the distribution by a
// chi-square test. The seeds are fixed, so each test is deterministic; the
// thresholds sit where a correct sampler fails with probability ~1e-6, while
// an off-by-one (a category never drawn, one drawn twice as often) fails by
// orders of magnitude. Bad input is refused with the value named.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';

/** Pearson's statistic for observed counts against expected probabilities. */
function chiSquare(counts: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  const n = Array.from(counts).reduce((a, b) => a + b, 0);
  let stat = 0;
  for (let i = 0; i < counts.length; i++) {
    const expected = n * probabilities[i];
    if (expected === 0) {
      expect(counts[i], `category ${i} has probability 0`).toBe(0);
      continue;
    }
    stat += (counts[i] - expected) ** 2 / expected;
  }
  return stat;
}

/** The chi-square value a correct sampler exceeds with probability about 1e-6, for `dof` degrees of freedom (Wilson–Hilferty). */
function chiSquareLimit(dof: number): number {
  const z = 4.75;
  return dof * (1 - 2 / (9 * dof) + z * Math.sqrt(2 / (9 * dof))) ** 3;
}

function countsOf(values: ArrayLike<number>, k: number, offset = 0): Float64Array {
  const counts = new Float64Array(k);
  for (let i = 0; i < values.length; i++) counts[values[i] - offset]++;
  return counts;
}

/** What the same call draws on the js backend: the reference every backend must match. */
async function onJs<T>(make: () => T | Promise<T>): Promise<T> {
  const was = tm.backend();
  await tm.init({ backend: 'js' });
  try {
    return await make();
  } finally {
    await tm.init({ backend: was });
  }
}

describe.each(BACKENDS)('sampling on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe('randint', () => {
    it('draws integers in [low, high), each equally often', async () => {
      const t = tm.randint(-3, 4, [300, 401], { seed: 11 });
      expect(t.dtype).toBe('i32');
      expect(t.shape).toEqual([300, 401]);
      const v = await t.data();
      expect(Math.min(...v)).toBe(-3);
      expect(Math.max(...v)).toBe(3);
      expect(chiSquare(countsOf(v, 7, -3), new Array(7).fill(1 / 7))).toBeLessThan(chiSquareLimit(6));
      t.dispose();
    });

    it('covers the whole i32 range, both halves alike', async () => {
      const t = tm.randint(-(2 ** 31), 2 ** 31, [20000], { seed: 5 });
      const v = await t.data();
      const negative = v.filter((x) => x < 0).length;
      // Binomial(20000, ½): 5 standard deviations is ±354.
      expect(Math.abs(negative - 10000)).toBeLessThan(354);
      t.dispose();
      // A span of 3·2³⁰ does not divide 2³²: a 32-bit draw taken modulo it would
      // give the first third half of all draws instead of a third.
      const u = tm.randint(-(2 ** 31), 2 ** 31 - 2 ** 30, [20000], { seed: 6 });
      const firstThird = (await u.data()).filter((x) => x < -(2 ** 31) + 2 ** 30).length;
      expect(Math.abs(firstThird - 20000 / 3)).toBeLessThan(5 * Math.sqrt((20000 * 2) / 9));
      u.dispose();
    });

    it('gives the same values for the same seed on every backend, and others for another seed', async () => {
      const want = await onJs(async () => {
        const r = tm.randint(0, 1000, [5, 13], { seed: 42 });
        const v = await r.data();
        r.dispose();
        return Array.from(v);
      });
      const [a, b] = [tm.randint(0, 1000, [5, 13], { seed: 42 }), tm.randint(0, 1000, [5, 13], { seed: 43 })];
      expect(Array.from(await a.data())).toEqual(want);
      expect(Array.from(await b.data())).not.toEqual(want);
      a.dispose();
      b.dispose();
    });

    it('draws into other dtypes that hold the range exactly', async () => {
      for (const [dtype, low, high] of [['i8', -128, 128], ['f32', 0, 2 ** 24 + 1], ['f16', -2048, 2049]] as const) {
        const t = tm.randint(low, high, [1000], { seed: 3, dtype });
        expect(t.dtype).toBe(dtype);
        const v = await t.data();
        for (const x of v) {
          expect(Number.isInteger(x)).toBe(true);
          expect(x >= low && x < high, `${x} in [${low}, ${high})`).toBe(true);
        }
        t.dispose();
      }
    });

    it('refuses empty ranges, fractions and ranges the dtype cannot hold', () => {
      expect(() => tm.randint(3, 3, [2])).toThrow('randint: low 3 must be less than high 3');
      expect(() => tm.randint(0, 2.5, [2])).toThrow('randint: high must be an integer, got 2.5');
      expect(() => tm.randint(0, 200, [2], { dtype: 'i8' })).toThrow('randint: values in [0, 200) do not all fit i8, which holds integers -128 … 127 exactly');
      expect(() => tm.randint(0, 5000, [2], { dtype: 'f16' })).toThrow('do not all fit f16');
      expect(() => tm.randint(0, 2, [-1])).toThrow(/shape/);
      expect(() => tm.randint(0, 2, [2], { seed: -1 })).toThrow('randint: seed must be an integer in [0, 2^32), got -1');
    });
  });

  describe('randperm', () => {
    it('is a permutation of 0 … n−1, at odd sizes and the empty one', async () => {
      for (const n of [0, 1, 7, 129, 1000]) {
        const t = tm.randperm(n, { seed: n });
        expect(t.shape).toEqual([n]);
        expect(t.dtype).toBe('i32');
        expect(Array.from(await t.data()).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        t.dispose();
      }
    });

    it('makes each of the six orders of three equally often', async () => {
      const counts = new Float64Array(6);
      const names = ['012', '021', '102', '120', '201', '210'];
      for (let seed = 0; seed < 6000; seed++) {
        const t = tm.randperm(3, { seed });
        counts[names.indexOf(Array.from(await t.data()).join(''))]++;
        t.dispose();
      }
      expect(chiSquare(counts, new Array(6).fill(1 / 6))).toBeLessThan(chiSquareLimit(5));
    });

    it('refuses n it cannot hold', () => {
      expect(() => tm.randperm(-1)).toThrow('randperm: n must be a non-negative integer, got -1');
      expect(() => tm.randperm(3000, { dtype: 'f16' })).toThrow('randperm: f16 cannot hold 2999 exactly (n = 3000)');
    });
  });

  describe('bernoulli', () => {
    it('draws 1 with probability p for a number p', async () => {
      for (const p of [0, 0.03, 0.5, 0.97, 1]) {
        const n = 40000;
        const t = tm.bernoulli(p, { shape: [200, 200], seed: 9 });
        expect(t.dtype).toBe('f32');
        const v = await t.data();
        expect(v.every((x) => x === 0 || x === 1)).toBe(true);
        const ones = Array.from(v).reduce((a, b) => a + b, 0);
        expect(Math.abs(ones - n * p)).toBeLessThanOrEqual(5 * Math.sqrt(n * p * (1 - p)));
        t.dispose();
      }
    });

    it('draws each entry with its own probability, in p’s dtype, the same on every backend', async () => {
      const row = [0, 0.1, 0.5, 0.9, 1, 0.3, 0.77];
      const rows = 10000;
      for (const dtype of ['f32', 'f16'] as const) {
        const p = tm.tensor(new Float32Array(rows * row.length).map((_, i) => row[i % row.length]), [rows, row.length], { dtype });
        const t = tm.bernoulli(p, { seed: 21 });
        expect(t.dtype).toBe(dtype);
        expect(t.shape).toEqual([rows, row.length]);
        const v = await t.data();
        row.forEach((q, c) => {
          const stored = dtype === 'f16' ? Math.round(q * 2048) / 2048 : q; // the f16 probability is q to 11 bits
          let ones = 0;
          for (let r = 0; r < rows; r++) ones += v[r * row.length + c];
          expect(Math.abs(ones - rows * stored), `column ${c}, p ${q}`).toBeLessThanOrEqual(5 * Math.sqrt(rows * stored * (1 - stored)) + 1);
        });
        const want = await onJs(async () => {
          const pj = tm.tensor(await p.data(), p.shape, { dtype });
          const tj = tm.bernoulli(pj, { seed: 21 });
          const out = Array.from(await tj.data());
          pj.dispose();
          tj.dispose();
          return out;
        });
        expect(Array.from(v)).toEqual(want);
        p.dispose();
        t.dispose();
      }
    });

    it('refuses probabilities outside [0, 1], int tensors and options that do not apply', () => {
      const p = tm.tensor([0.5]);
      const ints = tm.tensor([1], [1], { dtype: 'i32' });
      expect(() => tm.bernoulli(1.5)).toThrow('bernoulli: p must be a probability in [0, 1], got 1.5');
      expect(() => tm.bernoulli(NaN)).toThrow('got NaN');
      expect(() => tm.bernoulli(p, { shape: [3] })).toThrow('bernoulli: shape is for a number p');
      expect(() => tm.bernoulli(p, { dtype: 'f16' })).toThrow("bernoulli: the draws take p's dtype (f32)");
      expect(() => tm.bernoulli(ints)).toThrow('bernoulli: p must be a float tensor of probabilities, got i32');
      p.dispose();
      ints.dispose();
    });
  });

  describe('multinomial', () => {
    const weights = [2, 0, 1, 5, 0.5, 1.5]; // sum 10; category 1 never comes

    it('with replacement, draws each category in proportion to its weight, never a zero-weight one', async () => {
      const w = tm.tensor(weights);
      const t = await tm.multinomial(w, 30000, { replacement: true, seed: 4 });
      expect(t.dtype).toBe('i32');
      expect(t.shape).toEqual([30000]);
      const counts = countsOf(await t.data(), weights.length);
      expect(counts[1]).toBe(0);
      expect(chiSquare(counts, weights.map((x) => x / 10))).toBeLessThan(chiSquareLimit(4));
      w.dispose();
      t.dispose();
    });

    it('without replacement, draws distinct categories, the first and second as drawing one at a time', async () => {
      const probabilities = [0.6, 0.3, 0.1];
      const w = tm.tensor(Array.from({ length: 6000 }, () => probabilities), [6000, 3]);
      const t = await tm.multinomial(w, 2, { seed: 8 });
      expect(t.shape).toEqual([6000, 2]);
      const v = await t.data();
      const [first, second] = [new Float64Array(3), new Float64Array(3)];
      for (let r = 0; r < 6000; r++) {
        expect(v[2 * r]).not.toBe(v[2 * r + 1]);
        first[v[2 * r]]++;
        second[v[2 * r + 1]]++;
      }
      // P(second = j) = Σ_{i≠j} p_i · p_j / (1 − p_i).
      const secondWant = probabilities.map((pj, j) => probabilities.reduce((s, pi, i) => (i === j ? s : s + (pi * pj) / (1 - pi)), 0));
      expect(chiSquare(first, probabilities)).toBeLessThan(chiSquareLimit(2));
      expect(chiSquare(second, secondWant)).toBeLessThan(chiSquareLimit(2));
      w.dispose();
      t.dispose();
    });

    it('drawing every non-zero category without replacement gives each once; rows draw independently', async () => {
      const w = tm.tensor([weights, [0, 0, 0, 0, 1, 0]]);
      const t = await tm.multinomial(w, 1, { seed: 2 });
      expect(Array.from(await t.data())[1]).toBe(4);
      const all = await tm.multinomial(tm.tensor(weights), 5, { seed: 3 });
      expect(Array.from(await all.data()).sort()).toEqual([0, 2, 3, 4, 5]);
      w.dispose();
      t.dispose();
      all.dispose();
    });

    it('gives the same draws for the same seed on every backend, and f16 weights work', async () => {
      const want = await onJs(async () => {
        const w = tm.tensor(weights);
        const t = await tm.multinomial(w, 50, { replacement: true, seed: 77 });
        const out = Array.from(await t.data());
        w.dispose();
        t.dispose();
        return out;
      });
      const w = tm.tensor(weights, [6], { dtype: 'f16' });
      const t = await tm.multinomial(w, 50, { replacement: true, seed: 77 });
      expect(Array.from(await t.data())).toEqual(want);
      w.dispose();
      t.dispose();
    });

    it('refuses negative, NaN and all-zero rows, too many draws and other shapes, naming the row', async () => {
      const bad = async (w: number[] | number[][], n: number, msg: string, replacement = false) => {
        const t = tm.tensor(w);
        await expect(tm.multinomial(t, n, { replacement })).rejects.toThrow(msg);
        t.dispose();
      };
      await bad([1, -0.5], 1, 'multinomial: weights must be finite and non-negative, got -0.5 at category 1');
      await bad([[1, 1], [NaN, 1]], 1, 'got NaN at category 0 in row 1');
      await bad([[1, 1], [0, 0]], 1, 'multinomial: weights in row 1 are all zero: nothing to draw', true);
      await bad([1, 0, 2], 3, 'multinomial: cannot draw 3 samples without replacement: only 2 categories have non-zero weight');
      await bad([1, 2], 3, 'multinomial: cannot draw 3 samples without replacement from 2 categories');
      await bad([[[1]]] as unknown as number[][], 1, 'multinomial: weights must be [categories] or [rows, categories], got [1,1,1]');
      await bad([1, 2], 1.5, 'multinomial: numSamples must be a non-negative integer, got 1.5');
      const ints = tm.tensor([1, 2], [2], { dtype: 'i32' });
      await expect(tm.multinomial(ints, 1)).rejects.toThrow('multinomial: weights must be a float tensor, got i32');
      ints.dispose();
    });
  });

  it('leaves no tensors behind', async () => {
    const before = await collected();
    const p = tm.rand([4, 5], { seed: 1 });
    for (const t of [tm.randint(0, 9, [3]), tm.randperm(5), tm.bernoulli(0.5, { shape: [3] }), tm.bernoulli(p), await tm.multinomial(p, 2)]) t.dispose();
    p.dispose();
    expect(await collected()).toBe(before);
  });
});
