// tm.audio.detectPitchFrequency against torchaudio 0.13's
// detect_pitch_frequency on fixed voiced signals (harmonic tones with
// vibrato, scripts/make-audio-feature-fixtures.py) at its defaults and at
// other settings; its NCCF against torchaudio's and against a float64 loop
// of the definition on fresh noise at odd lengths; the choice of lag and the
// median smoothing against a transcription of torchaudio's steps applied to
// the NCCF tmnn computed (so a near tie cannot go one way in f32 and another
// in float64); and what it refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { nccf } from '../../src/audio/pitch.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, expectNormwise, uniform } from '../helpers/data.js';

const FIXTURES = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'audio', 'features.npz')));

/** torchaudio's NCCF of one row in float64: entry [f, k] for lag k + 1. */
function nccfRef(row: ArrayLike<number>, frameSize: number, lags: number): Float64Array {
  const frames = Math.ceil(row.length / frameSize);
  const w = (i: number) => (i < row.length ? row[i] : 0);
  const out = new Float64Array(frames * lags);
  for (let f = 0; f < frames; f++) {
    const start = f * frameSize;
    let e1 = 0;
    for (let n = 0; n < frameSize; n++) e1 += w(start + n) ** 2;
    for (let k = 0; k < lags; k++) {
      let dot = 0;
      let e2 = 0;
      for (let n = 0; n < frameSize; n++) {
        dot += w(start + n) * w(start + n + k + 1);
        e2 += w(start + n + k + 1) ** 2;
      }
      out[f * lags + k] = dot / (1e-9 + Math.sqrt(e1)) ** 2 / (1e-9 + Math.sqrt(e2)) ** 2;
    }
  }
  return out;
}

/** torchaudio's steps after the NCCF [frames, lags] of one row: best lag (first-half preference), left-padded lower median, hertz. */
function pitchFromNccf(scores: ArrayLike<number>, frames: number, lags: number, sampleRate: number, freqHigh: number, winLength: number): number[] {
  const shortest = Math.ceil(sampleRate / freqHigh);
  const half = Math.floor(lags / 2);
  const best = (f: number, end: number) => {
    let at = shortest;
    for (let k = shortest; k < end; k++) if (scores[f * lags + k] > scores[f * lags + at]) at = k;
    return at;
  };
  const lag = Array.from({ length: frames }, (_, f) => {
    const [all, first] = [best(f, lags), best(f, half)];
    // f32(0.99) times an f32 score, rounded once: the comparison as f32 makes it.
    return (scores[f * lags + first] > Math.fround(Math.fround(0.99) * scores[f * lags + all]) ? first : all) + 1;
  });
  const lead = (winLength - 1) >> 1;
  const padded = [...new Array<number>(lead).fill(lag[0]), ...lag];
  return Array.from({ length: padded.length - winLength + 1 }, (_, w) => {
    const window = padded.slice(w, w + winLength).sort((a, b) => a - b);
    return sampleRate / window[(winLength - 1) >> 1];
  });
}

describe.each(BACKENDS)('tm.audio.detectPitchFrequency on %s', (backend) => {
  let t: Record<string, tm.Tensor>;
  beforeAll(async () => {
    await tm.init({ backend });
    t = tm.fromNpz(FIXTURES);
  });

  it("gives torchaudio's pitches for voiced signals [2, 1, 8000] at 16 kHz: its defaults, and 20 ms frames, a median of 7, 60–1000 Hz", async () => {
    const byDefault = tm.audio.detectPitchFrequency(t.pitch_wave, 16000);
    expect(byDefault.shape).toEqual(t.pitch_default.shape);
    expectClose(await byDefault.data(), await t.pitch_default.data(), 1e-6, 'defaults');
    const tuned = tm.audio.detectPitchFrequency(t.pitch_wave, 16000, { frameTime: 0.02, winLength: 7, freqLow: 60, freqHigh: 1000 });
    expect(tuned.shape).toEqual(t.pitch_tuned.shape);
    expectClose(await tuned.data(), await t.pitch_tuned.data(), 1e-6, 'tuned');
  });

  it("gives torchaudio's at 8 kHz with a part-filled last frame and an even median window; f16 stays f16", async () => {
    const got = tm.audio.detectPitchFrequency(t.pitch_wave8, 8000, { winLength: 4, freqHigh: 2000 });
    expect(got.shape).toEqual(t.pitch_8k.shape);
    expectClose(await got.data(), await t.pitch_8k.data(), 1e-6, '8 kHz');
    const half = tm.audio.detectPitchFrequency(t.pitch_wave8.cast('f16'), 8000, { winLength: 4, freqHigh: 2000 });
    expect(half.dtype).toBe('f16');
    expect(half.shape).toEqual(t.pitch_8k.shape);
  });

  it("computes torchaudio's NCCF, and the definition's in float64 on fresh noise at odd lengths", async () => {
    expectNormwise(await nccf(t.nccf_wave, 40, 13, 40).data(), await t.nccf.data(), 1e-5, 'torchaudio');
    for (const [rows, length, frameSize, lags] of [[1, 1, 7, 3], [3, 517, 40, 40], [2, 1001, 33, 61]]) {
      const wave = asF32(uniform(rows * length, -1, 1));
      const got = await nccf(tm.tensor(wave, [rows, length]), frameSize, Math.ceil(length / frameSize), lags).data();
      const want = Array.from({ length: rows }, (_, r) => Array.from(nccfRef(wave.subarray(r * length, (r + 1) * length), frameSize, lags))).flat();
      expectNormwise(got, want, 1e-5, `${rows} × ${length} in frames of ${frameSize}, ${lags} lags`);
    }
  });

  it('chooses each frame\'s lag and smooths the lags as torchaudio does, on fresh noise', async () => {
    const [sampleRate, length, winLength] = [4000, 2003, 5];
    const [frameSize, lags] = [Math.ceil(sampleRate * 0.01), Math.ceil(sampleRate / 85)];
    const frames = Math.ceil(length / frameSize);
    const wave = asF32(uniform(2 * length, -1, 1));
    const x = tm.tensor(wave, [2, length]);
    const scores = await nccf(x, frameSize, frames, lags).data();
    const got = await tm.audio.detectPitchFrequency(x, sampleRate, { winLength, freqHigh: 1500 }).data();
    const want = [0, 1].flatMap((r) => pitchFromNccf(scores.subarray(r * frames * lags, (r + 1) * frames * lags), frames, lags, sampleRate, 1500, winLength));
    expectClose(got, want, 1e-6, 'pitch');
  });

  it('refuses settings that leave nothing to search or to smooth, naming them', () => {
    const x = tm.zeros([2, 1600]);
    expect(() => tm.audio.detectPitchFrequency(x, 16000, { freqHigh: 100 })).toThrow('detectPitchFrequency: freqHigh 100 and freqLow 85 leave no lags to search: the shortest lag ⌈sampleRate/freqHigh⌉ = 160 must be below half the longest, ⌊⌈sampleRate/freqLow⌉/2⌋ = 94');
    expect(() => tm.audio.detectPitchFrequency(x, 16000)).toThrow('detectPitchFrequency: waveform [2,1600] makes 10 frames of 160 samples, too few for a median over winLength 30 (at least 16)');
    expect(() => tm.audio.detectPitchFrequency(x, 0)).toThrow('detectPitchFrequency: sampleRate must be a positive number, got 0');
    expect(() => tm.audio.detectPitchFrequency(x, 16000, { winLength: 2.5 })).toThrow('detectPitchFrequency: winLength must be a positive integer (frames), got 2.5');
    expect(() => tm.audio.detectPitchFrequency(tm.zeros([4], { dtype: 'i32' }), 16000)).toThrow('detectPitchFrequency');
  });

  it('works where the waveform lives: made before a later tm.init(), the same result', async () => {
    const x = tm.tensor(asF32(uniform(2 * 1200, -1, 1)), [2, 1200]);
    const before = await tm.audio.detectPitchFrequency(x, 4000, { winLength: 3 }).data();
    await tm.init({ backend });
    expect(await tm.audio.detectPitchFrequency(x, 4000, { winLength: 3 }).data()).toEqual(before);
  });
});
