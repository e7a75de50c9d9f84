// scaledDotProductAttention against PyTorch's definition worked here in
// float64 (softmax(q·kᵀ·scale + mask)·v per batch and head), on fresh random
// data at odd lengths: no mask, causal (L ≠ S too), int and float masks
// broadcast, rows masked whole (0, not NaN), grouped-query heads, a given
// scale, f16; gradients to q, k and v against central differences;
// dropout's share and scaling; errors by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, randomInts, uniform } from '../helpers/data.js';
import { centralDifferences, size } from '../helpers/float64.js';

interface Case { batch: number[]; L: number; S: number; E: number; Ev: number }

/**
 * Attention in float64: q [...batch, L, E], k [...batch, S, E], v [...batch,
 * S, Ev]; `mask(l, s)` additive (−∞ to hide), a query with nothing to see 0.
 */
function sdpaRef(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, { batch, L, S, E, Ev }: Case, scale: number, mask: (b: number, l: number, s: number) => number = () => 0, kvHeadsEvery = 1): Float64Array {
  const out = new Float64Array(size(batch) * L * Ev);
  for (let b = 0; b < size(batch); b++) {
    // Grouped heads: query head b reads key and value head ⌊b / kvHeadsEvery⌋ (the batch's last axis holds the heads).
    const kb = Math.floor(b / kvHeadsEvery);
    for (let l = 0; l < L; l++) {
      const scores = Array.from({ length: S }, (_, s) => {
        let dot = 0;
        for (let e = 0; e < E; e++) dot += q[(b * L + l) * E + e] * k[(kb * S + s) * E + e];
        return dot * scale + mask(b, l, s);
      });
      const top = Math.max(...scores);
      if (top === -Infinity) continue;
      const weights = scores.map((x) => Math.exp(x - top));
      const total = weights.reduce((a, w) => a + w, 0);
      for (let e = 0; e < Ev; e++) out[(b * L + l) * Ev + e] = weights.reduce((a, w, s) => a + (w / total) * v[(kb * S + s) * Ev + e], 0);
    }
  }
  return out;
}

const draw = (n: number) => asF32(uniform(n, -1, 1));

describe.each(BACKENDS)('scaledDotProductAttention on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { batch: [2, 3], L: 7, S: 5, E: 4, Ev: 6 },
    { batch: [1], L: 1, S: 13, E: 8, Ev: 3 },
    { batch: [], L: 33, S: 33, E: 16, Ev: 16 },
  ])('batch $batch, L $L, S $S, E $E, Ev $Ev: softmax(q·kᵀ/√E)·v, and its gradients', async (c) => {
    const [q, k, v] = [draw(size(c.batch) * c.L * c.E), draw(size(c.batch) * c.S * c.E), draw(size(c.batch) * c.S * c.Ev)];
    const [qt, kt, vt] = [tm.tensor(q, [...c.batch, c.L, c.E]), tm.tensor(k, [...c.batch, c.S, c.E]), tm.tensor(v, [...c.batch, c.S, c.Ev])];
    qt.requiresGrad = kt.requiresGrad = vt.requiresGrad = true;
    const y = tm.nn.scaledDotProductAttention(qt, kt, vt);
    expect(y.shape).toEqual([...c.batch, c.L, c.Ev]);
    expectClose(await y.data(), sdpaRef(q, k, v, c, 1 / Math.sqrt(c.E)), tol, 'output');
    if (c.L > 20) return;
    const r = draw(y.size);
    y.mul(tm.tensor(r, y.shape)).sum().backward();
    const loss = () => sdpaRef(q, k, v, c, 1 / Math.sqrt(c.E)).reduce((s, o, i) => s + o * r[i], 0);
    expectClose(await qt.grad!.data(), centralDifferences(q, loss), 1e-4, 'dq');
    expectClose(await kt.grad!.data(), centralDifferences(k, loss), 1e-4, 'dk');
    expectClose(await vt.grad!.data(), centralDifferences(v, loss), 1e-4, 'dv');
  });

  it('isCausal hides the keys after each query\'s own position, from the top left when L ≠ S, as PyTorch', async () => {
    for (const c of [{ batch: [2], L: 5, S: 5, E: 3, Ev: 2 }, { batch: [2], L: 3, S: 6, E: 3, Ev: 2 }, { batch: [2], L: 6, S: 3, E: 3, Ev: 2 }]) {
      const [q, k, v] = [draw(2 * c.L * 3), draw(2 * c.S * 3), draw(2 * c.S * 2)];
      const y = tm.nn.scaledDotProductAttention(tm.tensor(q, [2, c.L, 3]), tm.tensor(k, [2, c.S, 3]), tm.tensor(v, [2, c.S, 2]), { isCausal: true });
      expectClose(await y.data(), sdpaRef(q, k, v, c, 1 / Math.sqrt(3), (_b, l, s) => (s > l ? -Infinity : 0)), tol, `causal L ${c.L} S ${c.S}`);
    }
  });

  it('takes an int mask (non-zero to attend) or a float one (added), broadcast, a scale, and gives 0 where a query sees nothing', async () => {
    const c = { batch: [2, 2], L: 4, S: 6, E: 3, Ev: 5 };
    const [q, k, v] = [draw(4 * 4 * 3), draw(4 * 6 * 3), draw(4 * 6 * 5)];
    const [qt, kt, vt] = [tm.tensor(q, [2, 2, 4, 3]), tm.tensor(k, [2, 2, 6, 3]), tm.tensor(v, [2, 2, 6, 5])];
    // [2, 1, 4, 6]: one mask per batch entry, shared by its heads; query 3 of batch 0 sees nothing.
    const allowed = randomInts(48, 0, 1);
    for (let s = 0; s < 6; s++) allowed[3 * 6 + s] = 0;
    const intMask = tm.tensor(Int32Array.from(allowed), [2, 1, 4, 6]);
    const want = sdpaRef(q, k, v, c, 0.7, (b, l, s) => (allowed[(Math.floor(b / 2) * 4 + l) * 6 + s] ? 0 : -Infinity));
    const y = tm.nn.scaledDotProductAttention(qt, kt, vt, { attnMask: intMask, scale: 0.7 });
    expectClose(await y.data(), want, tol, 'int mask');
    expect(Array.from((await y.data()).slice(3 * 5, 4 * 5))).toEqual([0, 0, 0, 0, 0]);
    const bias = draw(24);
    const floatMask = tm.tensor(bias, [4, 6]);
    expectClose(await tm.nn.scaledDotProductAttention(qt, kt, vt, { attnMask: floatMask }).data(), sdpaRef(q, k, v, c, 1 / Math.sqrt(3), (_b, l, s) => bias[l * 6 + s]), tol, 'float mask');
  });

  it('shares each key and value head among a group of query heads with enableGqa', async () => {
    // 6 query heads over 2 key/value heads: heads 0–2 read kv head 0, 3–5 kv head 1.
    const c = { batch: [6], L: 3, S: 4, E: 5, Ev: 2 };
    const [q, k, v] = [draw(6 * 3 * 5), draw(2 * 4 * 5), draw(2 * 4 * 2)];
    const y = tm.nn.scaledDotProductAttention(tm.tensor(q, [1, 6, 3, 5]), tm.tensor(k, [1, 2, 4, 5]), tm.tensor(v, [1, 2, 4, 2]), { enableGqa: true });
    expect(y.shape).toEqual([1, 6, 3, 2]);
    expectClose(await y.data(), sdpaRef(q, k, v, c, 1 / Math.sqrt(5), undefined, 3), tol, 'gqa');
  });

  it('works f16 in f16', async () => {
    const c = { batch: [2], L: 5, S: 7, E: 4, Ev: 3 };
    const [q, k, v] = [asF16(uniform(40, -1, 1)), asF16(uniform(56, -1, 1)), asF16(uniform(42, -1, 1))];
    const y = tm.nn.scaledDotProductAttention(tm.tensor(q, [2, 5, 4], { dtype: 'f16' }), tm.tensor(k, [2, 7, 4], { dtype: 'f16' }), tm.tensor(v, [2, 7, 3], { dtype: 'f16' }), { isCausal: true });
    expect(y.dtype).toBe('f16');
    expectClose(await y.data(), sdpaRef(q, k, v, c, 0.5, (_b, l, s) => (s > l ? -Infinity : 0)), 1e-2);
  });

  it('drops weights at dropoutP, scaling the rest, reproducibly for a seed', async () => {
    const ones = tm.ones([1, 64, 8]);
    const v = tm.tensor(asF32(uniform(64 * 16, 0.5, 1.5)), [1, 64, 16]);
    // Equal scores: every weight 1/64 before dropout, so each output is (1/64)·Σ kept v / (1 − p).
    const y = tm.nn.scaledDotProductAttention(ones, ones, v, { dropoutP: 0.25, seed: 7 });
    const again = tm.nn.scaledDotProductAttention(ones, ones, v, { dropoutP: 0.25, seed: 7 });
    expect(Array.from(await y.data())).toEqual(Array.from(await again.data()));
    const plain = await tm.nn.scaledDotProductAttention(ones, ones, v).data();
    const got = await y.data();
    const meanOf = (values: ArrayLike<number>) => Array.from(values).reduce((s, x) => s + x, 0) / values.length;
    const [mean, plainMean] = [meanOf(got), meanOf(plain)];
    // 64·64 draws: the mean of kept/(1 − p) stays within a few percent of the undropped one.
    expect(Math.abs(mean / plainMean - 1)).toBeLessThan(0.06);
  });
});

describe('scaledDotProductAttention', () => {
  it('refuses shapes that do not fit, a mask with isCausal, a bad rate, scale or grouping, and int inputs, by name', () => {
    const [q, k] = [tm.zeros([2, 3, 4]), tm.zeros([2, 5, 4])];
    const sdpa = tm.nn.scaledDotProductAttention;
    expect(() => sdpa(q, tm.zeros([2, 5, 3]), k)).toThrow(new tm.ShapeError('scaledDotProductAttention: query [2,3,4], key [2,5,3] and value [2,5,4] must be [..., L, E], [..., S, E] and [..., S, Ev]'));
    expect(() => sdpa(q, k, k, { attnMask: tm.ones([3, 5]), isCausal: true })).toThrow(new tm.ValueError('scaledDotProductAttention: give attnMask or isCausal, not both'));
    expect(() => sdpa(q, k, k, { dropoutP: 1 })).toThrow(new tm.ValueError('scaledDotProductAttention: dropoutP must be a number in [0, 1), got 1'));
    expect(() => sdpa(q, k, k, { scale: NaN })).toThrow(new tm.ValueError('scaledDotProductAttention: scale must be a finite number, got NaN'));
    expect(() => sdpa(tm.zeros([1, 3, 2, 4]), tm.zeros([1, 2, 5, 4]), tm.zeros([1, 2, 5, 4]), { enableGqa: true })).toThrow(/with enableGqa, query \[\.\.\., Hq, L, E\] needs key and value/);
    expect(() => sdpa(q.cast('i32'), k, k)).toThrow(new tm.DTypeError('scaledDotProductAttention: query must be f32 or f16, got i32'));
    expect(() => sdpa(q, k, k, { mask: tm.ones([3, 5]) } as unknown as tm.nn.ScaledDotProductAttentionOptions)).toThrow(/unknown option "mask"/);
  });
});
