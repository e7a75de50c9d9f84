// ReduceLROnPlateau's bookkeeping (best, bad epochs, cooldown, the smallest
// cut) as PyTorch keeps it, on sequences worked by hand.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

/** An optimizer at learning rate `lr` over one parameter: the schedule only reads and sets its rate. */
function optimizer(lr: number): tm.optim.SGD {
  const p = tm.tensor([0]);
  p.requiresGrad = true;
  return new tm.optim.SGD([p], { lr });
}

describe('ReduceLROnPlateau', () => {
  /** Steps `plateau` through `metrics`: what each step leaves (the rate, best, bad epochs, cooldown left). */
  function run(opt: tm.optim.Optimizer, plateau: tm.optim.ReduceLROnPlateau, metrics: number[]) {
    return metrics.map((m) => {
      plateau.step(m);
      return { lr: opt.lr, best: plateau.best, bad: plateau.numBadEpochs, cooldown: plateau.cooldownCounter };
    });
  }

  it("cuts the rate by factor once more than patience epochs in a row fail to beat best by the threshold ('min', 'rel': below best·(1 − threshold))", () => {
    const opt = optimizer(1);
    const plateau = new tm.optim.ReduceLROnPlateau(opt, { patience: 2, factor: 0.5, threshold: 0.1 });
    expect([plateau.best, plateau.numBadEpochs]).toEqual([Infinity, 0]);
    const steps = run(opt, plateau, [10, 9.5, 9.2, 9.1, 9.5, 8, 8, 8, 8]);
    // 9.5, 9.2 and 9.1 are lower, but not below 10·0.9: three bad epochs, more than 2, and a cut; then best 8, and again.
    expect(steps.map((s) => s.lr)).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25]);
    expect(steps.map((s) => s.best)).toEqual([10, 10, 10, 10, 10, 8, 8, 8, 8]);
    expect(steps.map((s) => s.bad)).toEqual([0, 1, 2, 0, 1, 0, 1, 2, 0]);
  });

  it("waits cooldown epochs after a cut, counting none of them bad; patience 0 cuts on the first epoch without improvement", () => {
    const opt = optimizer(1);
    const steps = run(opt, new tm.optim.ReduceLROnPlateau(opt, { patience: 0, cooldown: 2 }), [5, 5, 5, 5, 5, 5, 5, 5]);
    expect(steps.map((s) => s.cooldown)).toEqual([0, 2, 1, 0, 2, 1, 0, 2]);
    expect(steps.map((s) => s.bad)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const want = [1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001];
    steps.forEach((s, i) => expect(s.lr, `step ${i + 1}`).toBeCloseTo(want[i], 15));
  });

  it("'max' mode for a value that should rise; 'abs' thresholds add to best rather than scale it", () => {
    const opt = optimizer(1);
    const steps = run(opt, new tm.optim.ReduceLROnPlateau(opt, { mode: 'max', thresholdMode: 'abs', threshold: 0.5, patience: 1, factor: 0.5 }), [0.5, 0.9, 1.3, 1.5, 1.7]);
    // 0.9 is not above 0.5 + 0.5; 1.3 is; 1.5 and 1.7 are not above 1.8.
    expect(steps.map((s) => s.best)).toEqual([0.5, 0.5, 1.3, 1.3, 1.3]);
    expect(steps.map((s) => s.lr)).toEqual([1, 1, 1, 1, 0.5]);
    const rel = optimizer(1);
    const relative = run(rel, new tm.optim.ReduceLROnPlateau(rel, { mode: 'max', threshold: 0.1 }), [2, 2.1, 2.3]);
    expect(relative.map((s) => s.best)).toEqual([2, 2, 2.3]); // 2.1 is not above 2·1.1
  });

  it('never cuts below minLr, nor by less than epsilon', () => {
    const opt = optimizer(1);
    const steps = run(opt, new tm.optim.ReduceLROnPlateau(opt, { patience: 0, minLr: 0.05 }), [3, 3, 3, 3]);
    expect(steps.map((s) => s.lr)).toEqual([1, 0.1, 0.05, 0.05]);
    const tiny = optimizer(1e-7);
    run(tiny, new tm.optim.ReduceLROnPlateau(tiny, { patience: 0, factor: 0.5, epsilon: 1e-7 }), [3, 3]);
    expect(tiny.lr).toBe(1e-7); // the cut, 5e-8, is not more than epsilon
    run(tiny, new tm.optim.ReduceLROnPlateau(tiny, { patience: 0, factor: 0.5 }), [3, 3]);
    expect(tiny.lr).toBe(5e-8); // the default epsilon, 1e-8, lets it through
  });

  it("keeps PyTorch's comparisons to the letter: a NaN never improves; in 'rel' mode past a negative best, a slightly worse value does", () => {
    const opt = optimizer(1);
    const plateau = new tm.optim.ReduceLROnPlateau(opt);
    expect(run(opt, plateau, [NaN, 1]).map((s) => [s.best, s.bad])).toEqual([[Infinity, 1], [1, 0]]);
    const negative = new tm.optim.ReduceLROnPlateau(opt);
    run(opt, negative, [-10, -9.9995]);
    expect(negative.best).toBe(-9.9995); // below -10·(1 − 1e-4) = -9.999
  });

  it('refuses bad settings and a step without a number, naming them', () => {
    const opt = optimizer(0.1);
    const loose = <T>(v: unknown) => v as T;
    const cases: [() => unknown, string][] = [
      [() => new tm.optim.ReduceLROnPlateau(opt, { factor: 1 }), 'ReduceLROnPlateau: factor must be a finite number in [0, 1), got 1'],
      [() => new tm.optim.ReduceLROnPlateau(opt, { patience: -1 }), 'ReduceLROnPlateau: patience must be an integer ≥ 0, got -1'],
      [() => new tm.optim.ReduceLROnPlateau(opt, { cooldown: 1.5 }), 'ReduceLROnPlateau: cooldown must be an integer ≥ 0, got 1.5'],
      [() => new tm.optim.ReduceLROnPlateau(opt, { mode: loose('minimum') }), 'ReduceLROnPlateau: mode must be \'min\' or \'max\', got "minimum"'],
      [() => new tm.optim.ReduceLROnPlateau(opt, { thresholdMode: loose('relative') }), 'ReduceLROnPlateau: thresholdMode must be \'rel\' or \'abs\', got "relative"'],
      [() => new tm.optim.ReduceLROnPlateau(opt, { threshold: -1 }), 'ReduceLROnPlateau: threshold must be a finite number in [0, ∞), got -1'],
      [() => new tm.optim.ReduceLROnPlateau(opt, { minLr: NaN }), 'ReduceLROnPlateau: minLr must be a finite number in [0, ∞), got NaN'],
      [() => new tm.optim.ReduceLROnPlateau(opt, loose({ min_lr: 0.1 })), 'ReduceLROnPlateau: unknown option "min_lr" (did you mean minLr?)'],
      [() => new tm.optim.ReduceLROnPlateau(opt).step(loose('0.5')), 'ReduceLROnPlateau.step: takes the epoch\'s value of what it watches (a validation loss, say), got "0.5"'],
    ];
    for (const [make, message] of cases) expect(make).toThrow(message);
    // Stepped with a value, it is no Scheduler of the epochs' count alone: the types say so.
    // @ts-expect-error step(metric) needs the value
    const asEpochSchedule: tm.optim.Scheduler = new tm.optim.ReduceLROnPlateau(opt);
    expect(asEpochSchedule).toBeInstanceOf(tm.optim.ReduceLROnPlateau);
  });
});
