// tm.audio.resample against torchaudio 0.13's resample (down, up, other
// widths and roll-offs, Kaiser windows), against a float64 transcription
// of the windowed-sinc sum at odd lengths, and its behaviour on tones.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { expectNormwise } from '../helpers/linalg.js';
import { torchaudio } from '../helpers/torchaudio.js';

/** y[j] = Σ_i x[i]·sinc(base·(i/orig − j/new))·hann window·base/orig over |t| ≤ width zero crossings (rates reduced by their gcd). */
function resample64(x: Float64Array, orig: number, next: number, zeros = 6, rolloff = 0.99): Float64Array {
  const base = Math.min(orig, next) * rolloff;
  const out = new Float64Array(Math.ceil((next * x.length) / orig));
  for (let j = 0; j < out.length; j++) {
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const t = (i / orig - j / next) * base;
      if (Math.abs(t) > zeros) continue;
      const w = Math.cos((t * Math.PI) / zeros / 2) ** 2;
      s += x[i] * (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t)) * w * (base / orig);
    }
    out[j] = s;
  }
  return out;
}

describe.each(BACKENDS)('tm.audio.resample on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([
    [44100, 16000, {}, 'resample_44100_16000'],
    [16000, 44100, {}, 'resample_16000_44100'],
    [8000, 12000, { lowpassFilterWidth: 10, rolloff: 0.9 }, 'resample_8000_12000_lowpass_filter_width10_rolloff0.9'],
    [3, 2, { resamplingMethod: 'kaiserWindow' }, 'resample_3_2_resampling_methodkaiser_window'],
    [5, 7, { resamplingMethod: 'kaiserWindow', beta: 8, lowpassFilterWidth: 4 }, 'resample_5_7_resampling_methodkaiser_window_beta8.0_lowpass_filter_width4'],
  ] as const)('%i → %i %o: torchaudio\'s', async (orig, next, options, name) => {
    const t = torchaudio();
    const got = tm.audio.resample(t.wave, orig, next, options as tm.audio.ResampleOptions);
    expect(got.shape).toEqual(t[name].shape);
    expectNormwise(await got.data(), await t[name].data(), 1e-5, name);
  });

  it('at odd lengths and rates, the float64 sum it stands for', async () => {
    for (const [orig, next, length] of [[7, 3, 101], [2, 5, 37], [11, 10, 64]]) {
      const x = asF32(uniform(length, -1, 1));
      expectNormwise(await tm.audio.resample(tm.tensor(Float32Array.from(x)), orig, next).data(), resample64(x, orig, next), 1e-5, `${orig} → ${next}`);
    }
  });

  it('at rates sharing little (a pitch shift\'s 10079 → 8000; primes 7919 → 10007), whose filters it gathers tap by tap, the float64 sum', async () => {
    for (const [orig, next, length] of [[10079, 8000, 301], [7919, 10007, 157]]) {
      const x = asF32(uniform(2 * length, -1, 1));
      const got = await tm.audio.resample(tm.tensor(Float32Array.from(x), [2, length]), orig, next).data();
      const want = [0, 1].flatMap((r) => Array.from(resample64(x.subarray(r * length, (r + 1) * length), orig, next)));
      expectNormwise(got, want, 1e-5, `${orig} → ${next}`);
    }
  });

  it('keeps a tone below both Nyquist frequencies, removes one above the new one, and passes gradients', async () => {
    const at = (hz: number, rate: number, n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
    const tone = await tm.audio.resample(tm.tensor(at(440, 48000, 4800)), 48000, 16000).data();
    const want = at(440, 16000, 1600);
    for (let i = 200; i < 1400; i++) expect(Math.abs(tone[i] - want[i])).toBeLessThan(2e-3);
    const high = await tm.audio.resample(tm.tensor(at(12000, 48000, 4800)), 48000, 16000).data();
    const rms = Math.sqrt(Array.from(high.slice(200, 1400)).reduce((s, v) => s + v * v, 0) / 1200);
    // A tone's rms is 0.71: the filter of 6 zero crossings each side stops it by ~55 dB (torchaudio's does the same).
    expect(rms).toBeLessThan(3e-3);
    const x = tm.tensor(Float32Array.from(uniform(50, -1, 1)));
    x.requiresGrad = true;
    tm.audio.resample(x, 5, 3).sum().backward();
    expect((await x.grad!.data()).some((v) => v !== 0)).toBe(true);
  });

  it('the same rate gives a copy; bad rates and options are refused', async () => {
    const x = tm.tensor([1, 2, 3]);
    const same = tm.audio.resample(x, 100, 100);
    expect(same).not.toBe(x);
    expect(Array.from(await same.data())).toEqual([1, 2, 3]);
    expect(() => tm.audio.resample(x, 44100, 5512.5)).toThrow(/newFreq must be a positive integer \(scale both to integers of the same ratio/);
    expect(() => tm.audio.resample(x, 0, 10)).toThrow(/origFreq must be a positive integer/);
    expect(() => tm.audio.resample(x, 2, 1, { rolloff: 0 })).toThrow(/rolloff must be in \(0, 1\], got 0/);
    expect(() => tm.audio.resample(x, 2, 1, { resamplingMethod: 'sinc_interpolation' as never })).toThrow(/resamplingMethod must be 'sincInterpolation' or 'kaiserWindow'/);
    expect(() => tm.audio.resample(x, 2, 1, { lowpassFilterWidth: 0 })).toThrow(/lowpassFilterWidth must be a positive integer/);
  });
});
