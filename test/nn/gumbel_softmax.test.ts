// tm.nn.gumbelSoftmax, PyTorch's F.gumbel_softmax: samples that sum to 1
// along the axis, whose argmax is distributed as softmax(logits) (the
// Gumbel-max trick, checked by frequency over many draws), nearer one-hot at
// lower tau; hard samples one-hot with the soft sample's gradient; a seed
// repeats a draw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';

describe.each(BACKENDS)('tm.nn.gumbelSoftmax on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('draws samples along the axis that sum to 1, whose argmax falls on each category as often as softmax(logits) says', async () => {
    const logits = [1, 0, -1, 2, 0.5];
    const draws = 20000;
    const batch = tm.tensor(logits).reshape([5, 1]).broadcastTo([5, draws]);
    const y = tm.nn.gumbelSoftmax(batch, { axis: 0, seed: 11 });
    expect(y.shape).toEqual([5, draws]);
    expectClose(await y.sum(0).data(), new Float64Array(draws).fill(1), 1e-5, 'sums');
    const picks = await y.argmax(0).data();
    const z = logits.reduce((sum, l) => sum + Math.exp(l), 0);
    for (let k = 0; k < 5; k++) {
      const p = Math.exp(logits[k]) / z;
      const seen = picks.filter((v) => v === k).length / draws;
      // Four standard deviations of a frequency over 20,000 draws.
      expect(Math.abs(seen - p), `category ${k}: ${seen} against ${p}`).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / draws));
    }
  });

  it('repeats a draw for a seed; at a low tau each sample is all but one-hot', async () => {
    const logits = tm.randn([64, 6], { seed: 2 });
    const a = await tm.nn.gumbelSoftmax(logits, { seed: 5, tau: 0.05 }).data();
    expect(await tm.nn.gumbelSoftmax(logits, { seed: 5, tau: 0.05 }).data()).toEqual(a);
    expect(await tm.nn.gumbelSoftmax(logits, { seed: 6, tau: 0.05 }).data()).not.toEqual(a);
    const largest = Array.from({ length: 64 }, (_, r) => Math.max(...a.subarray(r * 6, r * 6 + 6)));
    expect(largest.filter((v) => v > 0.9).length).toBeGreaterThan(56);
  });

  it('with hard gives the one-hot vector of the soft sample\'s largest entry, and the soft sample\'s gradient', async () => {
    const logits = tm.randn([7, 4, 3], { seed: 4 });
    logits.requiresGrad = true;
    const r = tm.randn([7, 4, 3], { seed: 8 });
    const hard = tm.nn.gumbelSoftmax(logits, { hard: true, axis: 1, tau: 0.7, seed: 9 });
    const soft = tm.nn.gumbelSoftmax(logits, { axis: 1, tau: 0.7, seed: 9 });
    const values = await hard.data();
    expect(values.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Array.from(await hard.sum(1).data())).toEqual(new Array(21).fill(1));
    expect(await hard.argmax(1).data()).toEqual(await soft.argmax(1).data());
    const [dHard] = tm.grad(hard.mul(r).sum(), [logits]);
    const [dSoft] = tm.grad(soft.mul(r).sum(), [logits]);
    expectClose(await dHard.data(), await dSoft.data(), 1e-6);
  });
});

describe('tm.nn.gumbelSoftmax', () => {
  it('samples f16 logits in f16, and refuses int logits, a bad tau and an axis outside, naming them', async () => {
    expect(tm.nn.gumbelSoftmax(tm.zeros([2, 3], { dtype: 'f16' }), { seed: 1 }).dtype).toBe('f16');
    expect(() => tm.nn.gumbelSoftmax(tm.zeros([3], { dtype: 'i32' }))).toThrow(new tm.DTypeError('gumbelSoftmax: logits must be f32 or f16, got i32'));
    expect(() => tm.nn.gumbelSoftmax(tm.zeros([3]), { tau: 0 })).toThrow(new tm.ValueError('gumbelSoftmax: tau must be a finite number > 0, got 0'));
    expect(() => tm.nn.gumbelSoftmax(tm.zeros([3]), { axis: 1 })).toThrow(/gumbelSoftmax: axis 1/);
  });
});
