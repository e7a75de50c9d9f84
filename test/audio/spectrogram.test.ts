// tm.audio's spectrograms against torchaudio 0.13's Spectrogram,
// InverseSpectrogram and MelSpectrogram (their defaults and other settings:
// every power, each normalization, pad), round trips, gradients.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { expectNormwise } from '../helpers/linalg.js';
import { torchaudio } from '../helpers/torchaudio.js';

describe.each(BACKENDS)('tm.audio spectrograms on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('spectrogram: torchaudio\'s for power 2, 1 and ½, complex, each normalization, pad', async () => {
    const before = await collected();
    const t = torchaudio();
    const cases: [string, tm.audio.SpectrogramOptions][] = [
      ['spec_power2', { nFft: 128 }],
      ['spec_power1_norm', { nFft: 100, hopLength: 30, power: 1, normalized: true }],
      ['spec_power0.5_frame', { nFft: 64, winLength: 50, power: 0.5, normalized: 'frameLength', pad: 7 }],
      ['spec_complex', { nFft: 96, hopLength: 24, power: null, pad: 5, normalized: 'window' }],
    ];
    for (const [name, options] of cases) {
      const got = tm.audio.spectrogram(t.wave, options);
      expect(got.shape, name).toEqual(t[name].shape);
      expectNormwise(await got.data(), await t[name].data(), 2e-5, name);
      got.dispose();
    }
    const inverse = tm.audio.inverseSpectrogram(t.spec_complex, { nFft: 96, hopLength: 24, pad: 5, normalized: true, length: 1001 });
    expectNormwise(await inverse.data(), await t.inverse.data(), 2e-5, 'inverseSpectrogram, length given');
    const uncut = tm.audio.inverseSpectrogram(t.spec_complex, { nFft: 96, hopLength: 24, pad: 5, normalized: true });
    expect(uncut.shape).toEqual(t.inverse_no_length.shape);
    expectNormwise(await uncut.data(), await t.inverse_no_length.data(), 2e-5, 'inverseSpectrogram, pad kept (torchaudio cuts it only with a length)');
    for (const v of [inverse, uncut, ...Object.values(t)]) v.dispose();
    expect(await collected()).toBe(before);
  });

  it('melSpectrogram: torchaudio\'s at its defaults (16 kHz, nFft 400, 128 mels) and at other settings', async () => {
    const t = torchaudio();
    const got = tm.audio.melSpectrogram(t.wave);
    expect(got.shape).toEqual([2, 2, 128, 6]);
    expectNormwise(await got.data(), await t.mel_default.data(), 2e-5, 'defaults');
    const custom = tm.audio.melSpectrogram(t.wave, { sampleRate: 22050, nFft: 256, hopLength: 64, fMin: 50, fMax: 9000, nMels: 48, power: 1, norm: 'slaney', melScale: 'slaney', padMode: 'constant' });
    expectNormwise(await custom.data(), await t.mel_custom.data(), 2e-5, 'custom');
  });

  it('the power spectrogram is |stft|² of the Hann-windowed frames; inverseSpectrogram undoes the complex one', async () => {
    const x = asF32(uniform(3 * 517, -1, 1));
    const X = tm.tensor(Float32Array.from(x), [3, 517]);
    const z = tm.signal.stft(X, 64, { hopLength: 32, window: tm.signal.hannWindow(64) });
    const power = tm.audio.spectrogram(X, { nFft: 64 });
    const zs = await z.data();
    expectClose(await power.data(), Float64Array.from({ length: zs.length / 2 }, (_, i) => zs[2 * i] ** 2 + zs[2 * i + 1] ** 2), 1e-5, 'power = re² + im²');
    const back = tm.audio.inverseSpectrogram(tm.audio.spectrogram(X, { nFft: 64, power: null, pad: 3 }), { nFft: 64, pad: 3, length: 517 });
    expectClose(await back.data(), x, 2e-5, 'round trip');
  });

  it('gradients reach the waveform: power 2 and 1 agree with autograd through stft, and |z|\'s gradient is 0 at 0', async () => {
    const X = tm.tensor(Float32Array.from(uniform(200, -1, 1)), [200]);
    X.requiresGrad = true;
    const direct = tm.tidy(() => tm.audio.spectrogram(X, { nFft: 32, power: 1 }).sum());
    direct.backward();
    const viaStft = tm.tensor(await X.data(), [200]);
    viaStft.requiresGrad = true;
    const z = tm.signal.stft(viaStft, 32, { hopLength: 16, window: tm.signal.hannWindow(32) });
    tm.fft.abs(z).sum().backward();
    expectClose(await X.grad!.data(), await viaStft.grad!.data(), 1e-5, 'power 1 gradient');
    const silent = tm.zeros([64]);
    silent.requiresGrad = true;
    tm.audio.spectrogram(silent, { nFft: 16, power: 1 }).sum().backward();
    expect(Array.from(await silent.grad!.data()).every((v) => v === 0)).toBe(true);
  });

  it('f16 in, f16 out, computed in f32: mfcc of a loud tone is finite (its power, ~1e6, would overflow f16 on the way)', async () => {
    const v = Float32Array.from({ length: 8192 }, (_, i) => Math.sin((2 * Math.PI * 64 * i) / 2048));
    const half = tm.audio.mfcc(tm.tensor(v).cast('f16'), { nMfcc: 13, melOptions: { nFft: 2048, nMels: 40 } });
    const full = tm.audio.mfcc(tm.tensor(v), { nMfcc: 13, melOptions: { nFft: 2048, nMels: 40 } });
    expect(half.dtype).toBe('f16');
    // The samples rounded to f16 (5e-4) and the coefficients (0.125 at 128) bound the difference.
    expectNormwise(await half.data(), await full.data(), 1e-2, 'f16 mfcc');
    const quiet = tm.tensor(v.slice(0, 1000)).mul(0.01);
    const power = tm.audio.melSpectrogram(quiet.cast('f16'), { nFft: 64, nMels: 8 });
    expect(power.dtype).toBe('f16');
    expectNormwise(await power.data(), await tm.audio.melSpectrogram(quiet, { nFft: 64, nMels: 8 }).data(), 2e-3, 'f16 mel');
  });

  it('refuses bad options, naming them', () => {
    const x = tm.zeros([1000]);
    expect(() => tm.audio.spectrogram(x, { power: 0 })).toThrow(/spectrogram: power must be a positive number or null/);
    expect(() => tm.audio.spectrogram(x, { normalized: 'frame' as never })).toThrow(/normalized must be true, false, 'window' or 'frameLength', got "frame"/);
    expect(() => tm.audio.spectrogram(x, { pad: -1 })).toThrow(/pad must be a non-negative integer, got -1/);
    expect(() => tm.audio.spectrogram(tm.zeros([10], { dtype: 'i32' }))).toThrow(/waveform must be a float tensor/);
    expect(() => tm.audio.melSpectrogram(x, { onesided: false } as never)).toThrow(/unknown option "onesided"/);
    expect(() => tm.audio.melSpectrogram(x, { power: null as never })).toThrow(/power must be a positive number, got null/);
    expect(() => tm.audio.inverseSpectrogram(tm.zeros([201, 3]))).toThrow(/z \[201,3\] must be complex \[\.\.\., freq, time, 2\]/);
    expect(() => tm.audio.inverseSpectrogram(tm.zeros([201, 3, 2]), { length: 1.5 })).toThrow(/length must be a non-negative integer, got 1.5/);
  });
});
