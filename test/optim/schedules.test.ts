// The epoch schedules' formulas, epoch by epoch, against PyTorch's closed
// forms written out here and values worked by hand; the starting rate they
// share; and their settings checked.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

/** An optimizer at learning rate `lr` over one parameter: the schedules only read and set its rate. */
function optimizer(lr: number): tm.optim.SGD {
  const p = tm.tensor([0]);
  p.requiresGrad = true;
  return new tm.optim.SGD([p], { lr });
}

/** The optimizer's rate as `make` leaves it (epoch 0), then after each of `epochs` steps. */
function rates(lr: number, make: (opt: tm.optim.Optimizer) => tm.optim.Scheduler, epochs = 25): number[] {
  const opt = optimizer(lr);
  const schedule = make(opt);
  return [opt.lr, ...Array.from({ length: epochs }, () => (schedule.step(), opt.lr))];
}

/** `got` within 1e-12 relative of `closedForm` at epochs 0, 1, … */
function expectRates(got: number[], closedForm: (epoch: number) => number): void {
  got.forEach((lr, epoch) => expect(Math.abs(lr - closedForm(epoch)), `epoch ${epoch}: ${lr}, want ${closedForm(epoch)}`).toBeLessThanOrEqual(1e-12 * Math.abs(closedForm(epoch))));
}

describe('epoch schedules', () => {
  it('StepLR and CosineAnnealingLR set the learning rate per epoch', () => {
    const opt = optimizer(1);
    const step = new tm.optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const lrs = [1, 2, 3, 4].map(() => (step.step(), opt.lr));
    expect(lrs).toEqual([1, 0.5, 0.5, 0.25]);
    const opt2 = optimizer(1);
    const cos = new tm.optim.CosineAnnealingLR(opt2, { tMax: 4, minLr: 0 });
    const c = [1, 2, 3, 4].map(() => (cos.step(), opt2.lr));
    c.forEach((lr, i) => expect(lr).toBeCloseTo((1 + Math.cos((Math.PI * (i + 1)) / 4)) / 2, 10));
  });

  it('ExponentialLR multiplies by gamma each epoch; LinearLR warms up from startFactor·lr to endFactor·lr over totalIters, from the start', () => {
    const opt = optimizer(2);
    const exp = new tm.optim.ExponentialLR(opt, { gamma: 0.5 });
    expect([1, 2, 3].map(() => (exp.step(), opt.lr))).toEqual([1, 0.5, 0.25]);
    const opt2 = optimizer(0.3);
    const warm = new tm.optim.LinearLR(opt2, { startFactor: 0.1, totalIters: 3 });
    expect(opt2.lr).toBeCloseTo(0.03, 12);
    [0.12, 0.21, 0.3, 0.3].forEach((want) => {
      warm.step();
      expect(opt2.lr).toBeCloseTo(want, 12);
    });
    expect(() => new tm.optim.LinearLR(opt2, { startFactor: 0 })).toThrow('LinearLR: startFactor must be a finite number in (0, 1], got 0');
    expect(() => new tm.optim.ExponentialLR(opt2, { gamma: -1 })).toThrow('ExponentialLR: gamma must be a finite number in (0, ∞), got -1');
  });

  it("MultiStepLR multiplies by gamma at each milestone (PyTorch's lr·γ^bisect_right(milestones, epoch))", () => {
    const milestones = [3, 7, 8, 20];
    const got = rates(0.5, (opt) => new tm.optim.MultiStepLR(opt, { milestones, gamma: 0.3 }));
    expectRates(got, (e) => 0.5 * 0.3 ** milestones.filter((m) => m <= e).length);
    // By hand: 0.5 to epoch 2, 0.15 from 3, 0.045 at 7, 0.0135 from 8, 0.00405 from 20.
    [[2, 0.5], [3, 0.15], [6, 0.15], [7, 0.045], [8, 0.0135], [19, 0.0135], [20, 0.00405], [25, 0.00405]].forEach(([e, lr]) => expect(got[e]).toBeCloseTo(lr, 15));
    expect(rates(1, (opt) => new tm.optim.MultiStepLR(opt, { milestones: [2] }), 3)).toEqual([1, 1, 0.1, 0.1]); // gamma 0.1 by default
  });

  it("ConstantLR scales the rate by factor from the start until totalIters, PolynomialLR decays it to 0 over totalIters as (1 − t/T)^power", () => {
    expectRates(rates(0.2, (opt) => new tm.optim.ConstantLR(opt, { factor: 0.25, totalIters: 7 })), (e) => (e < 7 ? 0.05 : 0.2));
    expectRates(rates(0.3, (opt) => new tm.optim.ConstantLR(opt)), (e) => (e < 5 ? 0.1 : 0.3)); // 1/3 for 5 epochs
    expectRates(rates(0.2, (opt) => new tm.optim.PolynomialLR(opt, { totalIters: 13, power: 2.5 })), (e) => 0.2 * (1 - Math.min(e, 13) / 13) ** 2.5);
    rates(1, (opt) => new tm.optim.PolynomialLR(opt), 6).forEach((lr, e) => expect(lr).toBeCloseTo([1, 0.8, 0.6, 0.4, 0.2, 0, 0][e], 15)); // linear over 5
  });

  it('LambdaLR sets lr·lrLambda(epoch), lrLambda(0) from the start, and names an epoch whose factor is no rate', () => {
    const seen: number[] = [];
    const got = rates(0.1, (opt) => new tm.optim.LambdaLR(opt, { lrLambda: (e) => (seen.push(e), 0.95 ** e * (1 + (e % 3))) }));
    expectRates(got, (e) => 0.1 * 0.95 ** e * (1 + (e % 3)));
    expect(seen).toEqual(Array.from({ length: 26 }, (_, e) => e));
    const opt = optimizer(0.1);
    const bad = new tm.optim.LambdaLR(opt, { lrLambda: (e) => (e < 2 ? 1 : e === 2 ? NaN : -1) });
    bad.step();
    expect(() => bad.step()).toThrow('LambdaLR: lrLambda(2) must give a finite number ≥ 0, got NaN');
    expect([opt.lr, bad.lastEpoch]).toEqual([0.1, 1]); // the refused step changed nothing
    expect(() => bad.rateAt(3)).toThrow('LambdaLR: lrLambda(3) must give a finite number ≥ 0, got -1');
    expect(() => new tm.optim.LambdaLR(opt, { lrLambda: (() => '1') as unknown as (e: number) => number })).toThrow('LambdaLR: lrLambda(0) must give a finite number ≥ 0, got "1"');
  });

  it('rateAt reads the rate at any epoch without stepping; lastEpoch counts the steps', () => {
    const opt = optimizer(1);
    const step = new tm.optim.StepLR(opt, { stepSize: 3, gamma: 0.5 });
    expect([0, 2, 3, 9, 100].map((e) => step.rateAt(e))).toEqual([1, 1, 0.5, 0.125, 0.5 ** 33]);
    expect([opt.lr, step.lastEpoch]).toEqual([1, 0]);
    step.step();
    expect(step.lastEpoch).toBe(1);
    expect(() => step.rateAt(-1)).toThrow('StepLR.rateAt: epoch must be an integer ≥ 0, got -1');
    expect(() => step.rateAt(1.5)).toThrow('StepLR.rateAt: epoch must be an integer ≥ 0, got 1.5');
  });

  it("start from the optimizer's rate before any schedule changed it (PyTorch's initial_lr): a second schedule made after a warm-up set the rate does not start from the warm-up's", () => {
    const opt = optimizer(0.6);
    const warm = new tm.optim.LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    expect(opt.lr).toBe(0.3);
    const decay = new tm.optim.ExponentialLR(opt, { gamma: 0.5 });
    expect([warm.rateAt(2), decay.rateAt(0), decay.rateAt(2)]).toEqual([0.6, 0.6, 0.15]);
    // A rate set by hand since is a fresh start.
    opt.lr = 0.2;
    expect(new tm.optim.ExponentialLR(opt, { gamma: 0.5 }).rateAt(1)).toBe(0.1);
  });
});

describe('epoch schedule settings', () => {
  it('are refused when bad, naming them', () => {
    const opt = optimizer(0.1);
    const loose = <T>(v: unknown) => v as T;
    const cases: [() => unknown, string][] = [
      [() => new tm.optim.StepLR(opt, { stepSize: 0 }), 'StepLR: stepSize must be a positive integer, got 0'],
      [() => new tm.optim.MultiStepLR(opt, { milestones: [3, 2] }), 'MultiStepLR: milestones must be an array of increasing positive integers (epochs), got [3, 2]'],
      [() => new tm.optim.MultiStepLR(opt, { milestones: [0, 2] }), 'MultiStepLR: milestones must be an array of increasing positive integers (epochs), got [0, 2]'],
      [() => new tm.optim.MultiStepLR(opt, { milestones: [2, 2.5] }), 'MultiStepLR: milestones must be an array of increasing positive integers (epochs), got [2, 2.5]'],
      [() => new tm.optim.MultiStepLR(opt, { milestones: loose(5) }), 'MultiStepLR: milestones must be an array of increasing positive integers (epochs), got 5'],
      [() => new tm.optim.MultiStepLR(opt, { milestones: [5], gamma: 0 }), 'MultiStepLR: gamma must be a finite number in (0, ∞), got 0'],
      [() => new tm.optim.ConstantLR(opt, { factor: 1.5 }), 'ConstantLR: factor must be a finite number in [0, 1], got 1.5'],
      [() => new tm.optim.ConstantLR(opt, { totalIters: 0 }), 'ConstantLR: totalIters must be a positive integer, got 0'],
      [() => new tm.optim.PolynomialLR(opt, { power: -1 }), 'PolynomialLR: power must be a finite number in [0, ∞), got -1'],
      [() => new tm.optim.PolynomialLR(opt, { totalIters: 2.5 }), 'PolynomialLR: totalIters must be a positive integer, got 2.5'],
      [() => new tm.optim.LambdaLR(opt, { lrLambda: loose(0.5) }), 'LambdaLR: lrLambda must be a function of the epoch giving a factor, got 0.5'],
      [() => new tm.optim.LambdaLR(opt, loose({ lr_lambda: () => 1 })), 'LambdaLR: unknown option "lr_lambda" (did you mean lrLambda?)'],
    ];
    for (const [make, message] of cases) expect(make).toThrow(message);
  });
});
