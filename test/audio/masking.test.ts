// tm.audio's SpecAugment masks: a band of consecutive bins or frames, of
// width ⌊u·maskParam⌋ (u uniform) and start ⌊u'·(size − width)⌋, as
// torchaudio draws them (tmnn's generator, not torch's, so not torch's
// draws), set to the value; one band for the batch or one per item;
// seeded; p's bound; gradients.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';

/** The masked columns (axis 'freq') or frames ('time') of one [F, T] spectrogram, checked to be one band with the rest untouched. */
function bandOf(got: ArrayLike<number>, x: ArrayLike<number>, F: number, T: number, axis: 'freq' | 'time', value: number): [number, number] {
  const size = axis === 'freq' ? F : T;
  const hit = Array.from({ length: size }, (_, k) => {
    const cells = Array.from({ length: axis === 'freq' ? T : F }, (_, j) => (axis === 'freq' ? k * T + j : j * T + k));
    const masked = cells.every((c) => got[c] === value);
    if (!masked) for (const c of cells) expect(got[c]).toBe(x[c]);
    return masked;
  });
  const start = hit.indexOf(true);
  const width = hit.filter(Boolean).length;
  if (width) expect(hit.lastIndexOf(true) - start + 1, 'one band').toBe(width);
  return [start, width];
}

describe.each(BACKENDS)('tm.audio masking on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('frequencyMasking and timeMasking: one band narrower than maskParam, the same for the whole batch; the rest untouched', async () => {
    const [F, T] = [20, 31];
    const x = Float32Array.from(uniform(3 * F * T, 1, 2));
    const X = tm.tensor(x, [3, F, T]);
    const widths: number[] = [];
    for (let seed = 0; seed < 60; seed++) {
      for (const axis of ['freq', 'time'] as const) {
        const y = axis === 'freq' ? tm.audio.frequencyMasking(X, 8, { seed, maskValue: -1 }) : tm.audio.timeMasking(X, 8, { seed, maskValue: -1 });
        const got = await y.data();
        const bands = [0, 1, 2].map((b) => bandOf(got.subarray(b * F * T, (b + 1) * F * T), x.subarray(b * F * T, (b + 1) * F * T), F, T, axis, -1));
        expect(bands[1]).toEqual(bands[0]);
        expect(bands[2]).toEqual(bands[0]);
        expect(bands[0][1]).toBeLessThan(8);
        widths.push(bands[0][1]);
        y.dispose();
      }
    }
    // ⌊u·8⌋ is uniform on 0…7: mean 3.5.
    expect(Math.abs(widths.reduce((a, b) => a + b, 0) / widths.length - 3.5)).toBeLessThan(0.6);
  });

  it('iidMasks: a band per item of [batch, channel]; a seed repeats the draw; p bounds a time band', async () => {
    const [F, T] = [16, 40];
    const x = Float32Array.from(uniform(2 * 3 * F * T, 1, 2));
    const X = tm.tensor(x, [2, 3, F, T]);
    const draw = async (seed: number) => {
      const got = await tm.audio.timeMasking(X, 30, { iidMasks: true, seed, p: 0.25 }).data();
      return Array.from({ length: 6 }, (_, b) => bandOf(got.subarray(b * F * T, (b + 1) * F * T), x.subarray(b * F * T, (b + 1) * F * T), F, T, 'time', 0));
    };
    const bands = await draw(11);
    expect(new Set(bands.map((b) => b.join())).size).toBeGreaterThan(1);
    for (const [, width] of bands) expect(width).toBeLessThan(10); // min(30, ⌊40·0.25⌋) = 10
    expect(await draw(11)).toEqual(bands);
  });

  it('a maskParam past the axis: a band drawn wider than it starts before it and is cut to it, item by item', async () => {
    const [C, F, T] = [3, 10, 2];
    const x = Float32Array.from(uniform(C * F * T, 1, 2));
    const X = tm.tensor(x, [C, F, T]);
    for (let seed = 0; seed < 20; seed++) {
      const got = await tm.audio.frequencyMasking(X, 25, { seed, iidMasks: true, maskValue: -1 }).data();
      // bandOf checks each item alone: a band that spilled into the next item would fail its untouched-rest check.
      for (let b = 0; b < C; b++) {
        const [start, width] = bandOf(got.subarray(b * F * T, (b + 1) * F * T), x.subarray(b * F * T, (b + 1) * F * T), F, T, 'freq', -1);
        // start < 0 was cut to 0: any band that is not at the top ends at the bottom or is inside.
        if (width) expect(start).toBeGreaterThanOrEqual(0);
      }
    }
    // With every draw of a wide band starting before 0, the whole axis is masked in most draws.
    let whole = 0;
    for (let seed = 0; seed < 40; seed++) {
      const got = await tm.audio.frequencyMasking(tm.ones([F, T]), 1000, { seed }).data();
      if (Array.from(got).every((v) => v === 0)) whole++;
    }
    expect(whole).toBeGreaterThan(30);
  });

  it('no gradient reaches the band; maskParam 0 leaves a copy', async () => {
    const X = tm.tensor(Float32Array.from(uniform(10 * 12, 1, 2)), [10, 12]);
    X.requiresGrad = true;
    const y = tm.audio.frequencyMasking(X, 10, { seed: 5 });
    y.sum().backward();
    const [got, g] = [await y.data(), await X.grad!.data()];
    for (let i = 0; i < got.length; i++) expect(g[i]).toBe(got[i] === 0 ? 0 : 1);
    const same = tm.audio.timeMasking(X, 0);
    expect(same).not.toBe(X);
    expect(Array.from(await same.data())).toEqual(Array.from(await X.data()));
  });

  it('refuses a negative maskParam, p outside [0, 1], a vector', () => {
    expect(() => tm.audio.timeMasking(tm.ones([4, 4]), -1)).toThrow(/maskParam must be a non-negative integer, got -1/);
    expect(() => tm.audio.timeMasking(tm.ones([4, 4]), 2, { p: 2 })).toThrow(/p must be in \[0, 1\], got 2/);
    expect(() => tm.audio.frequencyMasking(tm.ones([4, 4]), 2, { p: 0.5 } as never)).toThrow(/unknown option "p"/);
    expect(() => tm.audio.frequencyMasking(tm.ones([4]), 2)).toThrow(/specgram \[4\] must be \[\.\.\., freq, time\]/);
  });
});
