// CosineAnnealingWarmRestarts epoch by epoch against PyTorch's recurrence
// (T_cur += 1, and at the cycle's end T_cur −= T_i, T_i ·= T_mult), and
// values worked by hand; its settings checked.
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

/** PyTorch's step-by-step CosineAnnealingWarmRestarts: the rates at epochs 0 … epochs. */
function pytorchRates(base: number, t0: number, tMult: number, minLr: number, epochs: number): number[] {
  const out = [base];
  let [tCur, tI] = [0, t0];
  for (let e = 1; e <= epochs; e++) {
    tCur += 1;
    if (tCur >= tI) {
      tCur -= tI;
      tI *= tMult;
    }
    out.push(minLr + ((base - minLr) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2);
  }
  return out;
}

describe('CosineAnnealingWarmRestarts', () => {
  it.each([
    [3, 1, 0],
    [2, 2, 0.01],
    [1, 3, 0.05],
    [5, 1, 0.1],
  ])('anneals over cycles of t0 = %i epochs, each tMult = %i times the last, to minLr = %f, and restarts', (t0, tMult, minLr) => {
    const opt = optimizer(0.5);
    const schedule = new tm.optim.CosineAnnealingWarmRestarts(opt, { t0, tMult, minLr });
    const got = [opt.lr, ...Array.from({ length: 40 }, () => (schedule.step(), opt.lr))];
    const want = pytorchRates(0.5, t0, tMult, minLr, 40);
    got.forEach((lr, e) => expect(lr, `epoch ${e}`).toBeCloseTo(want[e], 14));
  });

  it('restarts at epochs 2, 6 and 14 with t0 = 2 and tMult = 2 (by hand)', () => {
    const schedule = new tm.optim.CosineAnnealingWarmRestarts(optimizer(1), { t0: 2, tMult: 2 });
    const want = [1, 0.5, 1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2, 1];
    want.forEach((lr, e) => expect(schedule.rateAt(e), `epoch ${e}`).toBeCloseTo(lr, 15));
    expect(schedule.rateAt(14)).toBe(1);
    expect(schedule.rateAt(13)).toBeCloseTo((1 + Math.cos((7 * Math.PI) / 8)) / 2, 15);
    expect(schedule.rateAt(2 + 4 + 8 + 16 + 32 + 64)).toBe(1);
  });

  it('refuses bad settings, naming them', () => {
    const opt = optimizer(0.1);
    const loose = <T>(v: unknown) => v as T;
    const cases: [() => unknown, string][] = [
      [() => new tm.optim.CosineAnnealingWarmRestarts(opt, { t0: 0 }), 'CosineAnnealingWarmRestarts: t0 must be a positive integer, got 0'],
      [() => new tm.optim.CosineAnnealingWarmRestarts(opt, { t0: 2, tMult: 1.5 }), 'CosineAnnealingWarmRestarts: tMult must be a positive integer, got 1.5'],
      [() => new tm.optim.CosineAnnealingWarmRestarts(opt, { t0: 2, minLr: 0.2 }), 'CosineAnnealingWarmRestarts: minLr must be a finite number in [0, 0.1], got 0.2'],
      [() => new tm.optim.CosineAnnealingWarmRestarts(opt, loose({ T_0: 2 })), 'CosineAnnealingWarmRestarts: unknown option "T_0"'],
    ];
    for (const [make, message] of cases) expect(make).toThrow(message);
  });
});
