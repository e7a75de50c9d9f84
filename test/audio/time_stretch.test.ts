// tm.audio.timeStretch and phaseVocoder against torchaudio 0.13's
// TimeStretch (faster and slower, another hop), and against the phase
// vocoder's defining property on a pure tone: stretched, its istft is the
// same tone, longer.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { expectNormwise } from '../helpers/linalg.js';
import { torchaudio } from '../helpers/torchaudio.js';

describe.each(BACKENDS)('tm.audio time stretching on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('torchaudio\'s TimeStretch at rates 1.3 and 0.7 (hop 20)', async () => {
    const t = torchaudio();
    const fast = tm.audio.timeStretch(t.stretch_spec, 1.3);
    expect(fast.shape).toEqual([2, 2, 65, 13, 2]);
    expectNormwise(await fast.data(), await t['stretch_1.3'].data(), 1e-4, 'rate 1.3');
    const slow = tm.audio.timeStretch(t.stretch_spec, 0.7, { hopLength: 20 });
    expect(slow.shape).toEqual([2, 2, 65, 23, 2]);
    expectNormwise(await slow.data(), await t['stretch_0.7_hop20'].data(), 1e-4, 'rate 0.7, hop 20');
  });

  it('a tone stretched to twice its length is the same tone, twice as long', async () => {
    const [nFft, hop, hz, rate] = [256, 64, 1000, 16000];
    const tone = tm.tensor(Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate)));
    const window = tm.signal.hannWindow(nFft);
    const z = tm.signal.stft(tone, nFft, { hopLength: hop, window });
    const stretched = tm.audio.timeStretch(z, 0.5, { hopLength: hop });
    const y = await tm.signal.istft(stretched, nFft, { hopLength: hop, window }).data();
    expect(y.length).toBeGreaterThan(15000);
    // Its level: the bins beside the tone's are advanced by their own expected phase, not the tone's, and
    // their sum with it peaks at 2/3 — torchaudio's result for this tone peaks at 0.6669 too.
    const inner = Array.from(y.slice(2000, 14000));
    expect(Math.max(...inner.map(Math.abs))).toBeCloseTo(0.667, 2);
    // Zero crossings: the pitch is the tone's, 2·hz a second.
    let crossings = 0;
    for (let i = 1; i < inner.length; i++) if (inner[i - 1] < 0 !== inner[i] < 0) crossings++;
    expect(crossings / (inner.length / rate)).toBeCloseTo(2 * hz, -2);
  });

  it('rate 1 is a copy; polar(abs, angle) rebuilds z', async () => {
    const z = tm.tensor(Float32Array.from({ length: 5 * 4 * 2 }, (_, i) => Math.sin(i * 1.7) + 0.1), [5, 4, 2]);
    const same = tm.audio.phaseVocoder(z, 1, tm.zeros([5, 1]));
    expect(same).not.toBe(z);
    expectClose(await same.data(), await z.data(), 0, 'rate 1');
    expectClose(await tm.fft.polar(tm.fft.abs(z), tm.fft.angle(z)).data(), await z.data(), 1e-6, 'polar');
  });

  it('f16 in, f16 out, computed in f32', async () => {
    const t = torchaudio();
    const half = tm.audio.timeStretch(t.stretch_spec.cast('f16'), 1.3);
    expect(half.dtype).toBe('f16');
    const full = tm.audio.timeStretch(t.stretch_spec.cast('f16').cast('f32'), 1.3);
    expectNormwise(await half.data(), await full.data(), 1e-3, 'f16 against f32 on the same values');
  });

  it('refuses a non-positive rate, a phaseAdvance of the wrong shape, a real spectrogram', () => {
    const z = tm.zeros([5, 4, 2]);
    expect(() => tm.audio.phaseVocoder(z, 0, tm.zeros([5, 1]))).toThrow(/rate must be a positive number, got 0/);
    expect(() => tm.audio.phaseVocoder(z, 2, tm.zeros([4, 1]))).toThrow(/phaseAdvance \[4,1\] must be \[freq, 1\] = \[5, 1\]/);
    expect(() => tm.audio.timeStretch(tm.zeros([5, 4]), 2)).toThrow(/z must be complex/);
    expect(() => tm.fft.polar(tm.ones([3]), tm.ones([4]))).toThrow(/polar: abs \[3\] and angle \[4\] must have the same shape/);
    expect(() => tm.fft.polar(tm.ones([3]), tm.ones([3]).cast('f16'))).toThrow(/polar: abs \(f32\) and angle \(f16\) must have the same dtype/);
  });
});
