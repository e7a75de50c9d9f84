// tm.audio.loudness against torchaudio 0.13's loudness (ITU-R BS.1770-4) on
// tones made here as scripts/make-audio-feature-fixtures.py makes them:
// stereo, five channels with the surrounds weighed 1.41, blocks below the
// absolute gate (silence) and below the relative one (a quiet start), 44.1
// kHz; a waveform twice as loud reads 20·log10 2 dB louder; and what it
// refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';

const FIXTURES = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'audio', 'features.npz')));

/** Channel c a tone of 200 + 150c Hz, phase 0.3c, amplitude 0.3/(c + 1); `quiet` times that before sample quietUntil. */
function tones(channels: number, length: number, sampleRate: number, quietUntil = 0, quiet = 0): tm.Tensor {
  const x = new Float32Array(channels * length);
  for (let c = 0; c < channels; c++) {
    for (let n = 0; n < length; n++) x[c * length + n] = (n < quietUntil ? quiet : 1) * (0.3 / (c + 1)) * Math.sin((2 * Math.PI * (200 + 150 * c) * n) / sampleRate + 0.3 * c);
  }
  return tm.tensor(x, [channels, length]);
}

const CASES: [string, number, number, number, number, number][] = [
  ['stereo', 2, 6000, 8000, 0, 0],
  ['five', 5, 4000, 8000, 0, 0],
  ['silence_first', 2, 8000, 8000, 3000, 0],
  ['quiet_first', 2, 8000, 8000, 4000, 0.002],
  ['mono_44100', 1, 20000, 44100, 0, 0],
];

describe.each(BACKENDS)('tm.audio.loudness on %s', (backend) => {
  let t: Record<string, tm.Tensor>;
  beforeAll(async () => {
    await tm.init({ backend });
    t = tm.fromNpz(FIXTURES);
  });

  it.each(CASES)("gives torchaudio's LKFS: %s (%i channels × %i at %i Hz)", async (name, channels, length, sampleRate, quietUntil, quiet) => {
    const got = tm.audio.loudness(tones(channels, length, sampleRate, quietUntil, quiet), sampleRate);
    expect(got.shape).toEqual([]);
    expectClose(await got.data(), await t[`loudness_${name}`].data(), 1e-5, name);
  });

  it('takes a batch [..., channels, time]; twice the amplitude reads 20·log10 2 dB louder; f16 stays f16', async () => {
    const x = tones(2, 6000, 8000);
    const batch = tm.stack([x, x.mul(2)]);
    const [once, twice] = await tm.audio.loudness(batch, 8000).data();
    expectClose([once], await t.loudness_stereo.data(), 1e-5, 'batch');
    expect(twice - once).toBeCloseTo(20 * Math.log10(2), 4);
    expect(tm.audio.loudness(x.cast('f16'), 8000).dtype).toBe('f16');
  });

  it('refuses more than five channels, or less than a block, naming them', () => {
    expect(() => tm.audio.loudness(tm.zeros([6, 8000]), 8000)).toThrow('loudness: waveform [6,8000] has 6 channels; BS.1770 weighs up to 5');
    expect(() => tm.audio.loudness(tm.zeros([2, 3000]), 8000)).toThrow('loudness: waveform [2,3000] is shorter than one 400 ms block (3200 samples at 8000 Hz)');
    expect(() => tm.audio.loudness(tm.zeros([3000]), 8000)).toThrow('loudness: waveform [3000] must be [..., channels, time]');
  });
});
