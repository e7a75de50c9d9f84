// SequentialLR: schedules taking turns at milestones, each from its own epoch
// 0 and the optimizer's first rate, epoch by epoch against the closed forms
// written out here (PyTorch's, a warm-up then a cosine among them); and what it refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

function optimizer(lr: number): tm.optim.SGD {
  const p = tm.tensor([0]);
  p.requiresGrad = true;
  return new tm.optim.SGD([p], { lr });
}

function run(opt: tm.optim.Optimizer, schedule: tm.optim.Scheduler, epochs: number): number[] {
  return [opt.lr, ...Array.from({ length: epochs }, () => (schedule.step(), opt.lr))];
}

describe('SequentialLR', () => {
  it('a LinearLR warm-up over 5 epochs, then a cosine over 20 from the full rate', () => {
    const opt = optimizer(0.4);
    const warm = new tm.optim.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
    const cosine = new tm.optim.CosineAnnealingLR(opt, { tMax: 20, minLr: 0.01 });
    const got = run(opt, new tm.optim.SequentialLR(opt, { schedulers: [warm, cosine], milestones: [5] }), 30);
    const want = (e: number) => (e < 5 ? 0.4 * (0.1 + (0.9 * e) / 5) : 0.01 + (0.39 * (1 + Math.cos((Math.PI * Math.min(e - 5, 20)) / 20))) / 2);
    got.forEach((lr, e) => expect(lr, `epoch ${e}`).toBeCloseTo(want(e), 15));
    // By hand: 0.04 rising by 0.072 an epoch to 0.4; then 0.01 + 0.39·(1 + cos(π/20))/2.
    expect(got.slice(0, 7).map((lr) => +lr.toFixed(12))).toEqual([0.04, 0.112, 0.184, 0.256, 0.328, 0.4, 0.397599226416]);
  });

  it('three schedules in turn, each restarting at its own epoch 0; and one inside another', () => {
    const opt = optimizer(1);
    const schedulers = [
      new tm.optim.ConstantLR(opt, { factor: 0.5, totalIters: 10 }),
      new tm.optim.ExponentialLR(opt, { gamma: 0.8 }),
      new tm.optim.StepLR(opt, { stepSize: 4, gamma: 0.5 }),
    ];
    const sequence = new tm.optim.SequentialLR(opt, { schedulers, milestones: [3, 10] });
    const want = (e: number) => (e < 3 ? 0.5 : e < 10 ? 0.8 ** (e - 3) : 0.5 ** Math.floor((e - 10) / 4));
    run(opt, sequence, 24).forEach((lr, e) => expect(lr, `epoch ${e}`).toBeCloseTo(want(e), 15));
    // The schedules it holds were read, not stepped.
    expect(schedulers.map((s) => s.lastEpoch)).toEqual([0, 0, 0]);
    const opt2 = optimizer(1);
    const inner = new tm.optim.SequentialLR(opt2, { schedulers: [new tm.optim.ConstantLR(opt2, { factor: 0.5, totalIters: 10 }), new tm.optim.ExponentialLR(opt2, { gamma: 0.8 })], milestones: [3] });
    const outer = new tm.optim.SequentialLR(opt2, { schedulers: [inner, new tm.optim.StepLR(opt2, { stepSize: 4, gamma: 0.5 })], milestones: [10] });
    run(opt2, outer, 24).forEach((lr, e) => expect(lr, `nested, epoch ${e}`).toBeCloseTo(want(e), 15));
  });

  it('of one schedule is that schedule', () => {
    const opt = optimizer(0.3);
    const sequence = new tm.optim.SequentialLR(opt, { schedulers: [new tm.optim.PolynomialLR(opt, { totalIters: 20, power: 2 })], milestones: [] });
    run(opt, sequence, 22).forEach((lr, e) => expect(lr, `epoch ${e}`).toBeCloseTo(0.3 * (1 - Math.min(e, 20) / 20) ** 2, 15));
  });

  it('refuses what cannot take turns, naming it', () => {
    const opt = optimizer(0.1);
    const other = optimizer(0.1);
    const step = new tm.optim.StepLR(opt, { stepSize: 2 });
    const loose = <T>(v: unknown) => v as T;
    const cases: [() => unknown, string][] = [
      [() => new tm.optim.SequentialLR(opt, { schedulers: [], milestones: [] }), 'SequentialLR: schedulers must be a non-empty array of schedules, got []'],
      // The types refuse it too (its step takes a value); JavaScript callers get this.
      [() => new tm.optim.SequentialLR(opt, { schedulers: [step, loose(new tm.optim.ReduceLROnPlateau(opt))], milestones: [3] }),
        'SequentialLR: schedulers[1] is a ReduceLROnPlateau, which follows a watched value, not the epochs; it cannot take turns'],
      [() => new tm.optim.SequentialLR(opt, { schedulers: [step, { step() {} }], milestones: [3] }), 'SequentialLR: schedulers[1] must be an epoch schedule (tm.optim.LinearLR, CosineAnnealingLR, …), got {}'],
      [() => new tm.optim.SequentialLR(opt, { schedulers: [new tm.optim.StepLR(other, { stepSize: 2 })], milestones: [] }), "SequentialLR: schedulers[0] (a StepLR) schedules another optimizer than this SequentialLR's"],
      [() => new tm.optim.SequentialLR(opt, { schedulers: [step, step], milestones: [] }), 'SequentialLR: milestones must be one fewer than the schedules, 1, got 0: []'],
      [() => new tm.optim.SequentialLR(opt, { schedulers: [step, step, step], milestones: [4, 4] }), 'SequentialLR: milestones must be an array of increasing positive integers (epochs), got [4, 4]'],
      [() => new tm.optim.SequentialLR(opt, loose({ schedulers: [step] })), 'SequentialLR: milestones must be an array of increasing positive integers (epochs), got undefined'],
    ];
    for (const [make, message] of cases) expect(make).toThrow(message);
  });
});
