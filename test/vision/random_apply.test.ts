// RandomApply, RandomChoice and RandomOrder: each sample goes through what
// its draw says (checked with fixed transforms, so the expected image is
// the functions applied to that sample alone); draws repeat by seed, keep
// their rates, and gradients reach the images through the picks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, SEED } from '../helpers/data.js';
import { images } from './images.js';

const v = tm.vision;

function sample(x: tm.Tensor, n: number): tm.Tensor {
  return tm.slice(x, [n, 0, 0, 0], [1, ...x.shape.slice(1)]);
}

async function expectEach(x: tm.Tensor, y: tm.Tensor, want: (xn: tm.Tensor, n: number) => tm.Tensor, what: string) {
  expect(y.shape).toEqual(x.shape);
  for (let n = 0; n < x.shape[0]; n++) expectClose(await sample(y, n).data(), await want(sample(x, n), n).data(), 1e-6, `${what}, sample ${n}`);
}

// Three ops no two of which commute on most pixels.
const darken = (x: tm.Tensor) => v.adjustBrightness(x, 0.5);
const ops = [v.hflip, darken, v.invert];

describe.each(BACKENDS)('vision RandomApply, RandomChoice, RandomOrder on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
    tm.setSeed(SEED);
  });

  it('RandomApply runs the transforms in order on the samples it draws; p = 0 and 1; the seed repeats it', async () => {
    const { t } = images([9, 3, 7, 13]);
    const apply = new v.RandomApply([v.hflip, new v.Compose([darken])], 0.5);
    tm.setSeed(5);
    const y = apply.forward(t);
    const drawn = apply.last!;
    await expectEach(t, y, (xn, n) => (drawn[n].applied ? darken(v.hflip(xn)) : xn), 'RandomApply');
    expect(drawn.some((q) => q.applied) && drawn.some((q) => !q.applied), 'both kinds among 9 (seed 5)').toBe(true);
    tm.setSeed(5);
    apply.forward(t);
    expect(apply.last).toEqual(drawn);
    expect(new v.RandomApply([v.hflip], 0).forward(t)).toBe(t);
    expectClose(await new v.RandomApply([v.hflip, darken], 1).forward(t).data(), await darken(v.hflip(t)).data(), 0);
  });

  it('RandomChoice takes one transform per sample by the weights, never one of weight 0, at their rates', async () => {
    const { t } = images([9, 3, 7, 13]);
    const choice = new v.RandomChoice(ops, [1, 2, 0]);
    const y = choice.forward(t);
    await expectEach(t, y, (xn, n) => ops[choice.last![n].index](xn), 'RandomChoice');
    const n = 3000;
    const many = new v.RandomChoice([(x: tm.Tensor) => x, (x: tm.Tensor) => tm.add(x, 1), (x: tm.Tensor) => tm.add(x, 2)], [1, 2, 0]);
    const picks = Array.from(await many.forward(tm.zeros([n, 1, 1, 1])).data());
    expect(picks).toEqual(many.last!.map((q) => q.index));
    const ones = picks.filter((p) => p === 1).length;
    expect(picks.includes(2)).toBe(false);
    expect(Math.abs(ones - (2 * n) / 3), `${ones} of ${n} took weight 2 of 3 (test seed ${SEED})`).toBeLessThan(5 * Math.sqrt((n * 2) / 9));
    // Equal weights by default: each of three within its bound.
    const even = new v.RandomChoice([(x: tm.Tensor) => x, (x: tm.Tensor) => tm.add(x, 1), (x: tm.Tensor) => tm.add(x, 2)]);
    const counts = [0, 0, 0];
    for (const p of await even.forward(tm.zeros([n, 1, 1, 1])).data()) counts[p]++;
    for (const c of counts) expect(Math.abs(c - n / 3), `counts ${counts}`).toBeLessThan(5 * Math.sqrt((n * 2) / 9));
  });

  it('RandomOrder runs every transform, in each sample\'s drawn order, and draws every order', async () => {
    const { t } = images([12, 3, 7, 13]);
    const order = new v.RandomOrder(ops);
    const y = order.forward(t);
    const drawn = order.last!;
    for (const q of drawn) expect([...q.order].sort()).toEqual([0, 1, 2]);
    await expectEach(t, y, (xn, n) => drawn[n].order.reduce((x, k) => ops[k](x), xn), 'RandomOrder');
    // 3! orders over 600 draws: each about 100 times.
    const perms = new Map<string, number>();
    order.draw(tm.zeros([600, 1, 1, 1])).forEach((q) => perms.set(q.order.join(), (perms.get(q.order.join()) ?? 0) + 1));
    expect(perms.size).toBe(6);
    for (const c of perms.values()) expect(Math.abs(c - 100), `orders ${JSON.stringify([...perms])}`).toBeLessThan(5 * Math.sqrt(600 * (1 / 6) * (5 / 6)));
  });

  it('gradients reach each sample through the transform it took', async () => {
    const { t } = images([6, 1, 3, 5]);
    const choice = new v.RandomChoice([(x: tm.Tensor) => tm.mul(x, 2), (x: tm.Tensor) => tm.mul(x, 3)]);
    const x = t.clone();
    x.requiresGrad = true;
    choice.forward(x).sum().backward();
    const want = choice.last!.flatMap((q) => new Array<number>(15).fill(q.index === 0 ? 2 : 3));
    expectClose(await x.grad!.data(), want, 0);
  });

  it('refuses picks that would put images of different shapes in one batch, and bad lists and weights', () => {
    const { t } = images([2, 3, 7, 13]);
    const choice = new v.RandomChoice([(x: tm.Tensor) => v.crop(x, 0, 0, 2, 2), (x: tm.Tensor) => x]);
    expect(() => choice.apply(t, [{ index: 0 }, { index: 1 }])).toThrow('RandomChoice: samples took transforms that give images of different shapes, [2,3,2,2] and [2,3,7,13], which cannot share a batch');
    expect(choice.apply(t, [{ index: 0 }, { index: 0 }]).shape).toEqual([2, 3, 2, 2]);
    expect(() => new v.RandomApply([v.hflip, 3 as never])).toThrow('RandomApply: transform 1 must be a function of the images or have forward(images), got 3');
    expect(() => new v.RandomApply([v.hflip], 2)).toThrow('RandomApply: p must be a probability in [0, 1], got 2');
    expect(() => new v.RandomChoice([])).toThrow('RandomChoice: transforms must hold at least one transform to choose');
    expect(() => new v.RandomChoice(ops, [1, 1])).toThrow('RandomChoice: p must be 3 weights ≥ 0 (one per transform), not all 0, got [1, 1]');
    expect(() => new v.RandomChoice(ops, [0, 0, 0])).toThrow('RandomChoice: p must be 3 weights ≥ 0 (one per transform), not all 0, got [0, 0, 0]');
    expect(() => new v.RandomOrder('hflip' as never)).toThrow('RandomOrder: transforms must be a list, got "hflip"');
  });
});
