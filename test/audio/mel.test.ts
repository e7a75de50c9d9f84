// tm.audio's mel scale and filter banks against torchaudio 0.13's
// melscale_fbanks (both scales, both norms) and linear_fbanks, against a
// float64 transcription of librosa's triangles at odd sizes, and melScale
// as the bank's product.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { expectNormwise } from '../helpers/linalg.js';
import { torchaudio } from '../helpers/torchaudio.js';

const htk = (f: number) => 2595 * Math.log10(1 + f / 700);

/** A bank by the definition: filter m is max(0, min((f − c[m])/(c[m+1] − c[m]), (c[m+2] − f)/(c[m+2] − c[m+1]))). */
function bank64(nFreqs: number, sampleRate: number, corners: number[]): Float64Array {
  const filters = corners.length - 2;
  const out = new Float64Array(nFreqs * filters);
  for (let i = 0; i < nFreqs; i++) {
    const f = (Math.floor(sampleRate / 2) * i) / (nFreqs - 1);
    for (let m = 0; m < filters; m++) {
      const rise = (f - corners[m]) / (corners[m + 1] - corners[m]);
      const fall = (corners[m + 2] - f) / (corners[m + 2] - corners[m + 1]);
      out[i * filters + m] = Math.max(0, Math.min(rise, fall));
    }
  }
  return out;
}

describe.each(BACKENDS)('tm.audio mel scale on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('melscaleFbanks: torchaudio\'s for the htk and slaney scales, with and without slaney\'s norm; linearFbanks too', async () => {
    const t = torchaudio();
    for (const melScale of ['htk', 'slaney'] as const) {
      for (const norm of [null, 'slaney'] as const) {
        const got = tm.audio.melscaleFbanks(201, 30, 7000, 40, 16000, { norm, melScale });
        expect(got.shape).toEqual([201, 40]);
        expectNormwise(await got.data(), await t[`fbanks_${melScale}_${norm === null ? 'None' : 'slaney'}`].data(), 1e-5, `${melScale} ${norm}`);
      }
    }
    expectNormwise(await tm.audio.linearFbanks(65, 100, 3000, 12, 8000).data(), await t.linear_fbanks.data(), 1e-5, 'linear');
  });

  it('at odd sizes, the float64 definition over htk corners', async () => {
    for (const [nFreqs, nMels, rate, lo, hi] of [[17, 5, 8000, 0, 4000], [129, 31, 22050, 20, 11025], [2, 1, 1000, 100, 400]]) {
      const corners = Array.from({ length: nMels + 2 }, (_, i) => {
        const mel = htk(lo) + ((htk(hi) - htk(lo)) * i) / (nMels + 1);
        return 700 * (10 ** (mel / 2595) - 1);
      });
      expectClose(await tm.audio.melscaleFbanks(nFreqs, lo, hi, nMels, rate).data(), asF32(bank64(nFreqs, rate, corners)), 1e-6, `${nFreqs} × ${nMels}`);
    }
  });

  it('hzToMel and melToHz invert each other on both scales; slaney is linear below 1 kHz', () => {
    for (const hz of [0, 50, 999, 1000, 1001, 8000, 20000]) {
      for (const scale of ['htk', 'slaney'] as const) expect(tm.audio.melToHz(tm.audio.hzToMel(hz, scale), scale)).toBeCloseTo(hz, 8);
    }
    expect(tm.audio.hzToMel(500, 'slaney')).toBeCloseTo(7.5, 12);
    expect(tm.audio.hzToMel(1000)).toBeCloseTo(999.9855, 3);
  });

  it('melScale is the bank\'s transpose times the spectrogram, batched, and differentiable', async () => {
    const spec = asF32(uniform(2 * 33 * 7, 0, 3));
    const S = tm.tensor(Float32Array.from(spec), [2, 33, 7]);
    const bank = await tm.audio.melscaleFbanks(33, 0, 4000, 10, 8000).data();
    const want = new Float64Array(2 * 10 * 7);
    for (let b = 0; b < 2; b++) for (let m = 0; m < 10; m++) for (let t = 0; t < 7; t++) {
      for (let f = 0; f < 33; f++) want[(b * 10 + m) * 7 + t] += bank[f * 10 + m] * spec[(b * 33 + f) * 7 + t];
    }
    S.requiresGrad = true;
    const mel = tm.audio.melScale(S, { nMels: 10, sampleRate: 8000 });
    expectClose(await mel.data(), want, 1e-5, 'melScale');
    mel.sum().backward();
    const rows = Float64Array.from({ length: 33 }, (_, f) => Array.from(bank.slice(f * 10, f * 10 + 10)).reduce((a, b) => a + b, 0));
    expectClose(await S.grad!.data(), Float64Array.from({ length: 2 * 33 * 7 }, (_, i) => rows[Math.floor(i / 7) % 33]), 1e-5, 'gradient: each bin\'s filters summed');
  });

  it('refuses a band outside 0 ≤ fMin ≤ fMax, bad counts, unknown scales and norms', () => {
    expect(() => tm.audio.melscaleFbanks(201, 5000, 100, 40, 16000)).toThrow(/0 ≤ fMin ≤ fMax, got fMin 5000 and fMax 100/);
    expect(() => tm.audio.melscaleFbanks(0, 0, 100, 40, 16000)).toThrow(/nFreqs must be a positive integer, got 0/);
    expect(() => tm.audio.melscaleFbanks(201, 0, 100, 40, 16000, { melScale: 'mel' as never })).toThrow(/melScale must be 'htk' or 'slaney', got "mel"/);
    expect(() => tm.audio.melscaleFbanks(201, 0, 100, 40, 16000, { norm: 'area' as never })).toThrow(/norm must be 'slaney' or null, got "area"/);
    expect(() => tm.audio.linearFbanks(65, 0, 100, 0, 8000)).toThrow(/nFilters must be a positive integer/);
    expect(() => tm.audio.melScale(tm.zeros([5]))).toThrow(/spec \[5\] must be \[\.\.\., freq, time\]/);
  });
});
