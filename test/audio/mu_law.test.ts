// tm.audio's μ-law companding against torchaudio 0.13's mu_law_encoding
// (samples in and beyond [−1, 1]) and mu_law_decoding of every class.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { torchaudio } from '../helpers/torchaudio.js';

describe.each(BACKENDS)('tm.audio μ-law on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('torchaudio\'s classes for 256 channels; decoding every class; decode(encode(x)) within a class\'s width', async () => {
    const t = torchaudio();
    const encoded = tm.audio.muLawEncoding(t.mu_samples, 256);
    expect(encoded.dtype).toBe('i32');
    const got = await encoded.data();
    const want = await t.mu_encoded.data();
    // A sample right at a class boundary may round either way in f32: allow a neighbour, rarely.
    const off = Array.from(got).filter((v, i) => v !== want[i]);
    expect(off.length).toBeLessThanOrEqual(2);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1);
    expectClose(await tm.audio.muLawDecoding(tm.arange(256), 256).data(), await t.mu_decoded.data(), 1e-6, 'decoded');
    const inRange = tm.clip(t.mu_samples, -1, 1);
    const back = await tm.audio.muLawDecoding(tm.audio.muLawEncoding(inRange, 256), 256).data();
    const x = await inRange.data();
    for (let i = 0; i < x.length; i++) expect(Math.abs(back[i] - x[i])).toBeLessThanOrEqual(0.04 * Math.max(Math.abs(x[i]), 0.01) + 0.002);
  });

  it('refuses fewer than 2 channels', () => {
    expect(() => tm.audio.muLawEncoding(tm.zeros([3]), 1)).toThrow(/quantizationChannels must be an integer ≥ 2, got 1/);
    expect(() => tm.audio.muLawDecoding(tm.zeros([3]), 2.5)).toThrow(/integer ≥ 2, got 2.5/);
  });
});
