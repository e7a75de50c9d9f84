// OneCycleLR step by step against PyTorch's phases written out here (their
// fractional ends, cos and linear annealing, two and three phases), values
// worked by hand, the error one step past the cycle, and its settings.
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

/** PyTorch's OneCycleLR.get_lr at step s, for the settings' defaults filled in. */
function pytorchRate(o: Required<tm.optim.OneCycleLROptions>, s: number): number {
  const initial = o.maxLr / o.divFactor;
  const min = initial / o.finalDivFactor;
  const phases = o.threePhase
    ? [[o.pctStart * o.totalSteps - 1, initial, o.maxLr], [2 * o.pctStart * o.totalSteps - 2, o.maxLr, initial], [o.totalSteps - 1, initial, min]]
    : [[o.pctStart * o.totalSteps - 1, initial, o.maxLr], [o.totalSteps - 1, o.maxLr, min]];
  let start = 0;
  for (let i = 0; i < phases.length; i++) {
    const [end, a, b] = phases[i];
    if (s <= end || i === phases.length - 1) {
      const pct = (s - start) / (end - start);
      return o.annealStrategy === 'cos' ? b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1) : (b - a) * pct + a;
    }
    start = end;
  }
  throw new Error('no phase');
}

const DEFAULTS = { pctStart: 0.3, annealStrategy: 'cos', divFactor: 25, finalDivFactor: 1e4, threePhase: false } as const;

describe('OneCycleLR', () => {
  it.each<tm.optim.OneCycleLROptions>([
    { maxLr: 0.1, totalSteps: 30 },
    { maxLr: 1, totalSteps: 23, pctStart: 0.25, annealStrategy: 'linear' },
    { maxLr: 0.5, totalSteps: 40, threePhase: true, divFactor: 10, finalDivFactor: 100 },
    { maxLr: 0.2, totalSteps: 27, pctStart: 0.4, threePhase: true, annealStrategy: 'linear' },
  ])('climbs to maxLr and anneals below its start, step by step as PyTorch: %o', (options) => {
    const opt = optimizer(123); // the optimizer's own rate is replaced
    const schedule = new tm.optim.OneCycleLR(opt, options);
    const settings = { ...DEFAULTS, ...options };
    const got = [opt.lr, ...Array.from({ length: options.totalSteps }, () => (schedule.step(), opt.lr))];
    got.slice(0, -1).forEach((lr, s) => expect(Math.abs(lr - pytorchRate(settings, s)), `step ${s}: ${lr}`).toBeLessThanOrEqual(1e-15));
    // The step after the last batch holds the final rate, where PyTorch's formula runs on past it.
    expect(got[options.totalSteps]).toBe(got[options.totalSteps - 1]);
    expect(got[options.totalSteps]).toBeCloseTo(options.maxLr / settings.divFactor / settings.finalDivFactor, 15);
    // The peak, at step pctStart·totalSteps − 1, falls between steps where that is fractional.
    expect(Math.max(...got)).toBeLessThanOrEqual(options.maxLr);
  });

  it('by hand: 0.04 → 1 over steps 0–2, then down a half cosine to 4e-6 at step 9', () => {
    const opt = optimizer(1);
    const schedule = new tm.optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 10 });
    expect(opt.lr).toBeCloseTo(0.04, 15);
    const want = [0.04, 0.52, 1, ...[1, 2, 3, 4, 5, 6, 7].map((k) => 4e-6 + ((1 - 4e-6) * (1 + Math.cos((Math.PI * k) / 7))) / 2)];
    want.forEach((lr, s) => expect(schedule.rateAt(s), `step ${s}`).toBeCloseTo(lr, 14));
    expect(want[9]).toBeCloseTo(4e-6, 15);
  });

  it('steps totalSteps times, as PyTorch, and refuses one more, leaving the rate and count as they were', () => {
    const opt = optimizer(1);
    const schedule = new tm.optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 4 });
    for (let i = 0; i < 4; i++) schedule.step();
    const last = opt.lr;
    expect(() => schedule.step()).toThrow("OneCycleLR: stepped 5 times, past the cycle's totalSteps 4 (stepped once a batch, it is epochs × batches per epoch)");
    expect([opt.lr, schedule.lastEpoch]).toEqual([last, 4]);
  });

  it('takes a climb of a single step (pctStart·totalSteps = 1) as starting at its peak, where PyTorch divides 0 by 0', () => {
    const schedule = new tm.optim.OneCycleLR(optimizer(1), { maxLr: 1, totalSteps: 10, pctStart: 0.1 });
    expect(schedule.rateAt(0)).toBe(1);
    expect(schedule.rateAt(9)).toBeCloseTo(4e-6, 15);
  });

  it('refuses bad settings, naming them', () => {
    const opt = optimizer(0.1);
    const loose = <T>(v: unknown) => v as T;
    const cases: [() => unknown, string][] = [
      [() => new tm.optim.OneCycleLR(opt, { maxLr: 0, totalSteps: 10 }), 'OneCycleLR: maxLr must be a finite number in (0, ∞), got 0'],
      [() => new tm.optim.OneCycleLR(opt, loose({ totalSteps: 10 })), 'OneCycleLR: maxLr must be a finite number in (0, ∞), got undefined'],
      [() => new tm.optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 0 }), 'OneCycleLR: totalSteps must be a positive integer, got 0'],
      [() => new tm.optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 10, pctStart: 1 }), 'OneCycleLR: pctStart must be a finite number in [0, 1), got 1'],
      [() => new tm.optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 10, pctStart: 0.5, threePhase: true }), 'OneCycleLR: pctStart must be a finite number in [0, 0.5), got 0.5'],
      [() => new tm.optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 10, annealStrategy: loose('cosine') }), 'OneCycleLR: annealStrategy must be \'cos\' or \'linear\', got "cosine"'],
      [() => new tm.optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 10, divFactor: 0 }), 'OneCycleLR: divFactor must be a finite number in (0, ∞), got 0'],
      [() => new tm.optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 10, finalDivFactor: -1 }), 'OneCycleLR: finalDivFactor must be a finite number in (0, ∞), got -1'],
      [() => new tm.optim.OneCycleLR(opt, loose({ maxLr: 1, totalSteps: 10, cycleMomentum: true })), 'OneCycleLR: unknown option "cycleMomentum"'],
    ];
    for (const [make, message] of cases) expect(make).toThrow(message);
    expect(opt.lr).toBe(0.1); // no refused schedule set the rate
  });
});
