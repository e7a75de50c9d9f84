// tm.audio's biquad filters and effects against torchaudio 0.13's (run in
// float64 by scripts/make-audio-filtering-fixtures.py, on one random
// waveform [2, 3, 1001] in ±0.5, or 4 times it): every function at a couple
// of settings, odd ones among them, some that clamp to [−1, 1], and the
// gradients of Σ out·w for some of them (equalizer's through the clamp,
// overdrive's through its recursion, dcshift's through its limiter). The
// fixture keeps every 10th sample of each row; the test compares those.
// f32 within 1e-5 normwise, on every backend, but for the filters whose
// poles crowd z = 1, where f32's direct-form recursion loses digits to the
// state's cancellations whatever runs it: bass at its default 100 Hz at
// 44.1 kHz (poles 0.9943 ± 0.0056i; an f32 loop in numpy is 3.6e-5 off the
// float64 run, torchaudio's own float32 run 2.7e-4) and RIAA at 96 kHz
// (a pole at 0.9967). An f16 waveform stays f16, within 2e-3 (a few of
// f16's units); and what the functions refuse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectNormwise } from '../helpers/data.js';

const FIXTURES = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'audio', 'filtering.npz')));
const STRIDE = 10;
const A = tm.audio;

/** The script's cases, in tmnn's terms: each function of the waveform (4·x where loud). */
const CASES: Record<string, { f: (x: tm.Tensor) => tm.Tensor; loud?: boolean }> = {
  biquad: { f: (x) => A.biquad(x, 0.4, 0.2, -0.1, 1.2, -0.5, 0.3) },
  biquad_loud: { f: (x) => A.biquad(x, 2.5, 1.0, 0.3, 1.0, -0.3, 0.1) },
  lowpass: { f: (x) => A.lowpassBiquad(x, 44100, 3000) },
  lowpass_nyquist: { f: (x) => A.lowpassBiquad(x, 8000, 3500, { Q: 0.3 }) },
  highpass: { f: (x) => A.highpassBiquad(x, 44100, 2000) },
  highpass_q: { f: (x) => A.highpassBiquad(x, 16000, 150, { Q: 2.5 }) },
  bandpass: { f: (x) => A.bandpassBiquad(x, 44100, 1000) },
  bandpass_skirt: { f: (x) => A.bandpassBiquad(x, 8000, 2500, { Q: 4, constSkirtGain: true }) },
  bandreject: { f: (x) => A.bandrejectBiquad(x, 44100, 5000) },
  bandreject_wide: { f: (x) => A.bandrejectBiquad(x, 22050, 10000, { Q: 0.2 }) },
  allpass: { f: (x) => A.allpassBiquad(x, 44100, 3000) },
  allpass_q: { f: (x) => A.allpassBiquad(x, 8000, 700, { Q: 5 }) },
  band: { f: (x) => A.bandBiquad(x, 44100, 2000) },
  band_noise: { f: (x) => A.bandBiquad(x, 8000, 1200, { Q: 3, noise: true }) },
  bass: { f: (x) => A.bassBiquad(x, 44100, 20) },
  bass_cut: { f: (x) => A.bassBiquad(x, 8000, -12, { centralFreq: 300, Q: 1.2 }) },
  treble: { f: (x) => A.trebleBiquad(x, 44100, 6) },
  treble_cut: { f: (x) => A.trebleBiquad(x, 16000, -15, { centralFreq: 5000, Q: 0.5 }) },
  equalizer: { f: (x) => A.equalizerBiquad(x, 44100, 1000, 18) },
  equalizer_cut: { f: (x) => A.equalizerBiquad(x, 8000, 3000, -20, { Q: 3 }) },
  deemph_44100: { f: (x) => A.deemphBiquad(x, 44100) },
  deemph_48000: { f: (x) => A.deemphBiquad(x, 48000) },
  riaa_44100: { f: (x) => A.riaaBiquad(x, 44100) },
  riaa_96000: { f: (x) => A.riaaBiquad(x, 96000) },
  gain: { f: (x) => A.gain(x) },
  gain_cut: { f: (x) => A.gain(x, { gainDb: -20 }) },
  dcshift: { f: (x) => A.dcshift(x, 0.3) },
  dcshift_clamped: { f: (x) => A.dcshift(x, -0.7) },
  dcshift_limiter: { f: (x) => A.dcshift(x, 0.6, { limiterGain: 0.05 }) },
  dcshift_limiter_down: { f: (x) => A.dcshift(x, -0.8, { limiterGain: 0.1 }) },
  dcshift_limiter_loud: { f: (x) => A.dcshift(x, 0.02, { limiterGain: 0.05 }), loud: true },
  dcshift_limiter_loud_down: { f: (x) => A.dcshift(x, -0.03, { limiterGain: 0.05 }), loud: true },
  contrast: { f: (x) => A.contrast(x) },
  contrast_0: { f: (x) => A.contrast(x, { enhancementAmount: 0 }) },
  contrast_loud: { f: (x) => A.contrast(x, { enhancementAmount: 100 }), loud: true },
  overdrive: { f: (x) => A.overdrive(x) },
  overdrive_colour: { f: (x) => A.overdrive(x, { gain: 5, colour: 60 }) },
  overdrive_soft: { f: (x) => A.overdrive(x, { gain: -3, colour: 0 }) },
};
const GRADIENTS = ['lowpass', 'bass', 'equalizer', 'band_noise', 'dcshift_limiter_loud', 'contrast', 'overdrive'];

/** Normwise tolerances, 1e-5 but where poles near z = 1 cost f32 digits (see the head of this file): the largest error seen on any backend, with some room. */
const TOLERANCE: Record<string, number> = { bass: 5e-5, bass_grad: 1.5e-4, riaa_96000: 3e-5 };
const tolerance = (name: string) => TOLERANCE[name] ?? 1e-5;

/** Every STRIDE-th sample of each row of values [rows, n], as the fixture keeps them. */
function kept(values: ArrayLike<number>, n: number): Float64Array {
  const each = Math.ceil(n / STRIDE);
  const rows = values.length / n;
  return Float64Array.from({ length: rows * each }, (_, i) => values[Math.floor(i / each) * n + (i % each) * STRIDE]);
}

describe.each(BACKENDS)('tm.audio filtering on %s', (backend) => {
  let t: Record<string, tm.Tensor>;
  beforeAll(async () => {
    await tm.init({ backend });
    t = tm.fromNpz(FIXTURES);
  });

  const input = (loud = false) => (loud ? t.x.mul(4) : t.x);

  it('every function at each setting matches torchaudio\'s, clamped where it should be', async () => {
    for (const [name, { f, loud }] of Object.entries(CASES)) {
      const y = f(input(loud));
      expect(y.shape, name).toEqual([2, 3, 1001]);
      expect(y.dtype, name).toBe('f32');
      expectNormwise(kept(await y.data(), 1001), await t[name].data(), tolerance(name), name);
      y.dispose();
    }
    // The clamp engages: a loud biquad reaches ±1 exactly, as torchaudio's lfilter clamps it.
    const loud = await A.biquad(t.x, 2.5, 1.0, 0.3, 1.0, -0.3, 0.1).data();
    expect(Math.max(...loud)).toBe(1);
    expect(Math.min(...loud)).toBe(-1);
  });

  it('the gradients of Σ out·w match torchaudio\'s (0 where clamped)', async () => {
    for (const name of GRADIENTS) {
      const { f, loud } = CASES[name];
      const x = input(loud);
      const leaf = tm.tensor(await x.data(), x.shape);
      leaf.requiresGrad = true;
      f(leaf).mul(t.w).sum().backward();
      expectNormwise(kept(await leaf.grad!.data(), 1001), await t[`${name}_grad`].data(), tolerance(`${name}_grad`), `${name} gradient`);
    }
  });

  it('an f16 waveform is filtered in f32 and comes back f16', async () => {
    for (const [name, { f, loud }] of Object.entries(CASES)) {
      const y = f(input(loud).cast('f16'));
      expect(y.dtype, name).toBe('f16');
      expectNormwise(kept(await y.data(), 1001), await t[name].data(), 2e-3, `${name} f16`);
      y.dispose();
    }
  });

  it('filters a single signal [time] as each row of a batch, and an empty one to an empty one', async () => {
    const row = tm.tensor((await t.x.data()).slice(1001, 2002), [1001]);
    const alone = await A.bassBiquad(row, 8000, -12, { centralFreq: 300, Q: 1.2 }).data();
    expectNormwise(kept(alone, 1001), (await t.bass_cut.data()).slice(101, 202), 1e-5, 'one row');
    for (const f of [(x: tm.Tensor) => A.lowpassBiquad(x, 8000, 1000), (x: tm.Tensor) => A.overdrive(x)]) expect(f(tm.zeros([2, 0])).shape).toEqual([2, 0]);
  });

  it('dcshift with |shift| = limiterGain: the threshold is 1 and the limited samples torchaudio\'s ±1 (its gradient there 0, not NaN)', async () => {
    const x = tm.tensor([0.5, 0.97, 1.2, -1.5, -0.99]);
    x.requiresGrad = true;
    const up = A.dcshift(x, 0.05, { limiterGain: 0.05 });
    expectNormwise(await up.data(), [0.55, 1, 1, -1, -0.94], 1e-7, 'up');
    expectNormwise(await A.dcshift(x, -0.05, { limiterGain: 0.05 }).data(), [0.45, 0.92, 1, -1, -1], 1e-7, 'down');
    up.sum().backward();
    expect(Array.from(await x.grad!.data())).toEqual([1, 0, 0, 0, 1]);
  });

  it('refuses what is meaningless, naming the function and the problem', () => {
    const x = tm.zeros([2, 10]);
    expect(() => A.lowpassBiquad(x, 0, 100)).toThrow('lowpassBiquad: sampleRate must be a positive number of samples per second, got 0');
    expect(() => A.highpassBiquad(x, 8000, 4000)).toThrow('highpassBiquad: cutoffFreq must be in (0, sampleRate/2) = (0, 4000) Hz, got 4000');
    expect(() => A.bandpassBiquad(x, 8000, -5)).toThrow('bandpassBiquad: centralFreq must be in (0, sampleRate/2) = (0, 4000) Hz, got -5');
    expect(() => A.trebleBiquad(x, 6000, 3)).toThrow('trebleBiquad: centralFreq must be in (0, sampleRate/2) = (0, 3000) Hz, got 3000');
    expect(() => A.allpassBiquad(x, 8000, 100, { Q: 0 })).toThrow('allpassBiquad: Q must be a positive number, got 0');
    expect(() => A.bandBiquad(x, 8000, 100, { Q: -1 })).toThrow('bandBiquad: Q must be a positive number, got -1');
    expect(() => A.equalizerBiquad(x, 8000, 100, NaN)).toThrow('equalizerBiquad: gain must be a finite number, got NaN');
    expect(() => A.lowpassBiquad(x, 8000, 100, { q: 1 } as never)).toThrow(/lowpassBiquad: unknown option "q" \(did you mean Q\?\)/);
    expect(() => A.bandBiquad(x, 8000, 100, { noise: 1 } as never)).toThrow('bandBiquad: noise must be true or false, got 1');
    expect(() => A.deemphBiquad(x, 22050)).toThrow('deemphBiquad: sampleRate must be 44100 (CD) or 48000 (DAT), got 22050');
    expect(() => A.riaaBiquad(x, 22050)).toThrow('riaaBiquad: sampleRate must be 44100, 48000, 88200 or 96000, got 22050');
    expect(() => A.biquad(x, 1, 0, 0, 0, 0.5, 0)).toThrow('biquad: a0 must not be 0 (it normalizes the filter)');
    expect(() => A.biquad(x, 1, Infinity, 0, 1, 0, 0)).toThrow(/biquad: the filter's coefficients must be finite numbers/);
    expect(() => A.lowpassBiquad(tm.zeros([2, 10], { dtype: 'i32' }), 8000, 100)).toThrow('lowpassBiquad: waveform must be a float tensor (f32 or f16), got i32');
    expect(() => A.lowpassBiquad(tm.tensor(0.5), 8000, 100)).toThrow('lowpassBiquad: waveform [] must be [..., time]');
    expect(() => A.overdrive(tm.tensor(0.5))).toThrow('overdrive: waveform [] must be [..., time]');
    expect(() => A.contrast(x, { enhancementAmount: 101 })).toThrow('contrast: enhancementAmount must be in [0, 100], got 101');
    expect(() => A.gain(x, { gainDb: Infinity })).toThrow('gain: gainDb must be a finite number, got Infinity');
    expect(() => A.dcshift(x, NaN)).toThrow('dcshift: shift must be a finite number, got NaN');
    expect(() => A.dcshift(x, 0.5, { limiterGain: NaN })).toThrow('dcshift: limiterGain must be a finite number, got NaN');
    expect(() => A.overdrive(x, { colour: NaN })).toThrow('overdrive: colour must be a finite number, got NaN');
  });
});
