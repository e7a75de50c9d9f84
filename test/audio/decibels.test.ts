// tm.audio.amplitudeToDB and dbToAmplitude against torchaudio 0.13's
// AmplitudeToDB (power, magnitude, top_db over a batch of channels and over
// one spectrogram) and DB_to_amplitude, and against the formula.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { torchaudio } from '../helpers/torchaudio.js';

describe.each(BACKENDS)('tm.audio decibels on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('torchaudio\'s AmplitudeToDB, with top_db per item over its channels, and DB_to_amplitude', async () => {
    const t = torchaudio();
    const mel = t.mel_default;
    expectClose(await tm.audio.amplitudeToDB(mel).data(), await t.db_power.data(), 2e-5, 'power');
    expectClose(await tm.audio.amplitudeToDB(mel, { topDb: 40 }).data(), await t.db_top_4d.data(), 2e-5, 'top 40, [2, 2, 128, 6]');
    const one = tm.slice(mel, [0, 1, 0, 0], [1, 1, 128, 6]).reshape([128, 6]);
    expectClose(await tm.audio.amplitudeToDB(one, { stype: 'magnitude', topDb: 30 }).data(), await t.db_top_2d.data(), 2e-5, 'magnitude, top 30, [128, 6]');
    expectClose(await tm.audio.dbToAmplitude(tm.audio.amplitudeToDB(mel), 1, 1).data(), await t.db_to_amp.data(), 1e-5, 'back');
  });

  it('the formula: m·log10(max(x, amin)) − m·log10(max(amin, ref)); 0 reads as amin; topDb floors at the maximum less it', async () => {
    const x = [0, 1e-12, 1e-3, 0.5, 2, 100];
    const got = await tm.audio.amplitudeToDB(tm.tensor(x), { amin: 1e-8, ref: 2 }).data();
    expectClose(got, x.map((v) => 10 * Math.log10(Math.max(v, 1e-8)) - 10 * Math.log10(2)), 1e-5, 'power, amin, ref');
    const floored = await tm.audio.amplitudeToDB(tm.tensor([x, x.map((v) => v / 100)]), { stype: 'magnitude', topDb: 50 }).data();
    expectClose(floored, [...x, ...x.map((v) => v / 100)].map((v) => Math.max(20 * Math.log10(Math.max(v, 1e-10)), 40 - 50)), 1e-5, 'magnitude, top 50 over the whole [2, 6]');
    expectClose(await tm.audio.dbToAmplitude(tm.tensor([-20, 0, 10]), 3, 0.5).data(), [0.3, 3, 3 * Math.sqrt(10)], 1e-6, 'dbToAmplitude');
  });

  it('an f16 spectrogram is converted in f32: silence is −100 dB (amin is 0 in f16), and topDb floors finite values', async () => {
    const x = tm.tensor([0, 1e-12, 1e-3, 1, 300, 60000], [2, 3]).cast('f16');
    const db = tm.audio.amplitudeToDB(x);
    expect(db.dtype).toBe('f16');
    const want = [-100, -100, -30, 0, 24.771, 47.782];
    expectClose(await db.data(), want, 2e-3, 'f16');
    expectClose(await tm.audio.amplitudeToDB(x, { topDb: 60 }).data(), want.map((v) => Math.max(v, 47.782 - 60)), 2e-3, 'f16, topDb 60');
  });

  it('refuses unknown stypes, non-positive amin or ref, a negative topDb, topDb on a vector', () => {
    const x = tm.ones([4, 4]);
    expect(() => tm.audio.amplitudeToDB(x, { stype: 'energy' as never })).toThrow(/stype must be 'power' or 'magnitude', got "energy"/);
    expect(() => tm.audio.amplitudeToDB(x, { amin: 0 })).toThrow(/amin must be a positive number, got 0/);
    expect(() => tm.audio.amplitudeToDB(x, { ref: -1 })).toThrow(/ref must be a positive number, got -1/);
    expect(() => tm.audio.amplitudeToDB(x, { topDb: -5 })).toThrow(/topDb must be a number ≥ 0 or null, got -5/);
    expect(() => tm.audio.amplitudeToDB(tm.ones([4]), { topDb: 80 })).toThrow(/x \[4\] must be \[\.\.\., freq, time\] to floor it at topDb below its maximum/);
  });
});
