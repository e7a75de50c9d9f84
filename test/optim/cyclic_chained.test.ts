// CyclicLR, MultiplicativeLR and ChainedScheduler step by step against
// PyTorch 1.13's (torch.optim.lr_scheduler, the rates of an SGD's param group
// after each step, CyclicLR with cycle_momentum=False), state that round-trips
// through stateDict, and what each refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

function optimizer(lr: number): tm.optim.SGD {
  const p = tm.tensor([0]);
  p.requiresGrad = true;
  return new tm.optim.SGD([p], { lr, momentum: 0.9 });
}

function run(opt: tm.optim.Optimizer, schedule: tm.optim.Scheduler, steps: number): number[] {
  return [opt.lr, ...Array.from({ length: steps }, () => (schedule.step(), opt.lr))];
}

const expectRates = (got: number[], want: number[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((lr, i) => expect(lr, `step ${i}`).toBeCloseTo(want[i], 12));
};

describe('CyclicLR', () => {
  it('triangular, 3 steps up and 2 down, from baseLr when made', () => {
    const opt = optimizer(0.5);
    const cyclic = new tm.optim.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, stepSizeDown: 2 });
    expectRates(run(opt, cyclic, 12), [0.01, 0.04, 0.07, 0.1, 0.055, 0.01, 0.04, 0.07, 0.1, 0.055, 0.01, 0.04, 0.07]);
  });

  it('triangular2 halves the swing each cycle; exp_range shrinks it by gamma each step', () => {
    const opt = optimizer(0.5);
    expectRates(run(opt, new tm.optim.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: 'triangular2' }), 12), [0.01, 0.055, 0.1, 0.055, 0.01, 0.0325, 0.055, 0.0325, 0.01, 0.02125, 0.0325, 0.02125, 0.01]);
    const other = optimizer(0.5);
    expectRates(run(other, new tm.optim.CyclicLR(other, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: 'exp_range', gamma: 0.9 }), 10), [0.01, 0.0505, 0.0829, 0.042805, 0.01, 0.03657205, 0.05782969, 0.0315233605, 0.01, 0.027433922005, 0.041381059609]);
  });

  it('a scale of one\'s own, of the step', () => {
    const opt = optimizer(0.5);
    const cyclic = new tm.optim.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, scaleFn: (x) => 1 / (x + 1), scaleMode: 'iterations' });
    expectRates(run(opt, cyclic, 8), [0.01, 0.0325, 0.04, 0.02125, 0.01, 0.0175, 0.022857142857, 0.015625, 0.01]);
  });

  it('round-trips its count through stateDict, and refuses bad options by name', () => {
    const opt = optimizer(0.5);
    const cyclic = new tm.optim.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, stepSizeDown: 2 });
    run(opt, cyclic, 3);
    const state = cyclic.stateDict();
    const again = new tm.optim.CyclicLR(optimizer(0.5), { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, stepSizeDown: 2 });
    again.loadStateDict(state);
    again.step();
    expect(again.optimizer.lr).toBeCloseTo(0.055, 12);
    expect(() => new tm.optim.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, mode: 'sawtooth' as never })).toThrow("CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range', got \"sawtooth\"");
    expect(() => new tm.optim.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 0 })).toThrow('CyclicLR: stepSizeUp must be a positive integer, got 0');
    expect(() => new tm.optim.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, scaleFn: () => NaN }).step()).toThrow('CyclicLR: scaleFn(1) must give a finite number, got NaN');
  });
});

describe('MultiplicativeLR', () => {
  it('multiplies the rate by lrLambda(e) at each epoch e ≥ 1', () => {
    const opt = optimizer(0.1);
    expectRates(run(opt, new tm.optim.MultiplicativeLR(opt, { lrLambda: (e) => (e % 2 ? 0.95 : 0.5) }), 6), [0.1, 0.095, 0.0475, 0.045125, 0.0225625, 0.021434375, 0.0107171875]);
    expect(() => new tm.optim.MultiplicativeLR(opt, { lrLambda: () => -1 }).step()).toThrow('MultiplicativeLR: lrLambda(1) must give a finite number ≥ 0, got -1');
  });
});

describe('ChainedScheduler', () => {
  it('a ConstantLR factor on top of an ExponentialLR decay, as PyTorch chains them', () => {
    const opt = optimizer(0.1);
    const warm = new tm.optim.ConstantLR(opt, { factor: 0.1, totalIters: 2 });
    const decay = new tm.optim.ExponentialLR(opt, { gamma: 0.9 });
    const chained = new tm.optim.ChainedScheduler(opt, { schedulers: [warm, decay] });
    expectRates(run(opt, chained, 5), [0.01, 0.009, 0.081, 0.0729, 0.06561, 0.059049]);
    const state = chained.stateDict();
    expect(state.schedulers?.map((s) => s.scheduler)).toEqual(['ConstantLR', 'ExponentialLR']);
  });

  it('refuses schedules that set the rate outright, watch a value, or belong to another optimizer', () => {
    const opt = optimizer(0.1);
    const cyclic = new tm.optim.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1 });
    expect(() => new tm.optim.ChainedScheduler(opt, { schedulers: [cyclic] })).toThrow('ChainedScheduler: schedulers[0] is a CyclicLR, which sets the rate outright rather than scaling it; it cannot be chained');
    expect(() => new tm.optim.ChainedScheduler(opt, { schedulers: [new tm.optim.ReduceLROnPlateau(opt)] as never })).toThrow(/ChainedScheduler: schedulers\[0\] is a ReduceLROnPlateau/);
    expect(() => new tm.optim.ChainedScheduler(opt, { schedulers: [new tm.optim.StepLR(optimizer(1), { stepSize: 2 })] })).toThrow('ChainedScheduler: schedulers[0] (a StepLR) schedules another optimizer than this ChainedScheduler\'s');
    expect(() => new tm.optim.ChainedScheduler(opt, { schedulers: [] })).toThrow('ChainedScheduler: schedulers must be a non-empty array of schedules, got []');
  });
});
