// tm.audio.spectralCentroid against torchaudio 0.13's spectral_centroid
// (scripts/make-audio-feature-fixtures.py) and against a float64 DFT of
// reflect-padded, windowed frames on fresh waveforms at odd sizes, its
// gradient by central differences of that reference; and what it refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectNormwise, uniform } from '../helpers/data.js';
import { jacobian64 } from '../helpers/jacobian.js';

const FIXTURES = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'audio', 'features.npz')));

/** Σ f·|X(f)| / Σ |X(f)| of each centred frame of x, in float64: a periodic Hann window of nFft, hop, reflect padding of nFft/2. */
function centroidRef(x: readonly number[], sampleRate: number, nFft: number, hop: number): number[] {
  const half = Math.floor(nFft / 2);
  const reflect = (i: number) => (i < 0 ? -i : i >= x.length ? 2 * (x.length - 1) - i : i);
  const frames = 1 + Math.floor(x.length / hop);
  const bins = half + 1;
  return Array.from({ length: frames }, (_, f) => {
    let [weighted, total] = [0, 0];
    for (let k = 0; k < bins; k++) {
      let [re, im] = [0, 0];
      for (let n = 0; n < nFft; n++) {
        const v = x[reflect(f * hop + n - half)] * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft));
        re += v * Math.cos((2 * Math.PI * k * n) / nFft);
        im -= v * Math.sin((2 * Math.PI * k * n) / nFft);
      }
      const magnitude = Math.hypot(re, im);
      weighted += ((Math.floor(sampleRate / 2) * k) / (bins - 1)) * magnitude;
      total += magnitude;
    }
    return weighted / total;
  });
}

describe.each(BACKENDS)('tm.audio.spectralCentroid on %s', (backend) => {
  let t: Record<string, tm.Tensor>;
  beforeAll(async () => {
    await tm.init({ backend });
    t = tm.fromNpz(FIXTURES);
  });

  it("gives torchaudio's: nFft 128, a Hann window of 100, hop 40, pad 3 at 16 kHz; and nFft 400, hop 200 at 8 kHz", async () => {
    const got = tm.audio.spectralCentroid(t.centroid_wave, 16000, { nFft: 128, winLength: 100, hopLength: 40, pad: 3, window: tm.signal.hannWindow(100) });
    expect(got.shape).toEqual(t.centroid.shape);
    expectNormwise(await got.data(), await t.centroid.data(), 1e-5, 'nFft 128');
    const byDefault = tm.audio.spectralCentroid(t.centroid_wave, 8000, { hopLength: 200 });
    expect(byDefault.shape).toEqual(t.centroid_default.shape);
    expectNormwise(await byDefault.data(), await t.centroid_default.data(), 1e-5, 'nFft 400');
  });

  it.each([[16, 4, 37], [33, 8, 50], [64, 16, 129]])('matches a float64 DFT on fresh waveforms: nFft %i, hop %i, %i samples; f16 stays f16', async (nFft, hop, length) => {
    const x = asF32(uniform(2 * length, -1, 1));
    const got = await tm.audio.spectralCentroid(tm.tensor(x, [2, length]), 22050, { nFft, hopLength: hop }).data();
    const want = [0, 1].flatMap((r) => centroidRef(Array.from(x.subarray(r * length, (r + 1) * length)), 22050, nFft, hop));
    expectNormwise(got, want, 1e-5, `nFft ${nFft}`);
    expect(tm.audio.spectralCentroid(tm.tensor(x, [2, length]).cast('f16'), 22050, { nFft, hopLength: hop }).dtype).toBe('f16');
  });

  it('is differentiable in the waveform: the float64 reference\'s gradient by central differences', async () => {
    const [nFft, hop, length] = [8, 3, 13];
    const x = asF32(uniform(length, -1, 1));
    const frames = 1 + Math.floor(length / hop);
    const w = asF32(uniform(frames));
    const xt = tm.tensor(x, [length]);
    xt.requiresGrad = true;
    tm.tidy(() => tm.audio.spectralCentroid(xt, 1000, { nFft, hopLength: hop }).mul(tm.tensor(w, [frames])).sum()).backward();
    const objective = (v: readonly number[]) => [centroidRef(v, 1000, nFft, hop).reduce((s, c, i) => s + c * w[i], 0)];
    expectNormwise(await xt.grad!.data(), jacobian64(objective, Array.from(x)), 1e-4, 'gradient');
  });

  it('refuses a bad sample rate or input, naming it', () => {
    expect(() => tm.audio.spectralCentroid(tm.zeros([400]), -1)).toThrow('spectralCentroid: sampleRate must be a positive number, got -1');
    expect(() => tm.audio.spectralCentroid(tm.zeros([400], { dtype: 'i32' }), 16000)).toThrow('spectralCentroid');
    expect(() => tm.audio.spectralCentroid(tm.zeros([400]), 16000, { power: 2 } as tm.audio.SpectralCentroidOptions)).toThrow('spectralCentroid: unknown option "power"');
  });
});
