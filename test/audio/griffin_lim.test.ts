// tm.audio.griffinLim against torchaudio 0.13's GriffinLim from phases of 1
// (fast, with momentum, and plain on a magnitude spectrogram), and from
// random phases: the spectrogram of what it returns approaches the one given.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { expectNormwise } from '../helpers/linalg.js';
import { torchaudio } from '../helpers/torchaudio.js';

describe.each(BACKENDS)('tm.audio.griffinLim on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('torchaudio\'s from phases of 1: 8 fast iterations on a power spectrogram, 5 plain ones on a magnitude one', async () => {
    const t = torchaudio();
    const fast = tm.audio.griffinLim(t.griffin_spec, { nFft: 128, nIter: 8, randInit: false, length: 1001 });
    expect(fast.shape).toEqual([2, 2, 1001]);
    expectNormwise(await fast.data(), await t.griffin_lim.data(), 1e-4, 'fast');
    const plain = tm.audio.griffinLim(tm.sqrt(t.griffin_spec), { nFft: 128, nIter: 5, momentum: 0, power: 1, randInit: false, hopLength: 40 });
    expect(plain.shape).toEqual(t.griffin_lim_plain.shape);
    expectNormwise(await plain.data(), await t.griffin_lim_plain.data(), 1e-4, 'plain');
  });

  it('from seeded random phases the spectrogram\'s error falls as it iterates; memory is flat', async () => {
    const t = torchaudio();
    const spec = t.griffin_spec;
    const before = await collected();
    const error = async (nIter: number) => {
      tm.setSeed(3);
      const y = tm.audio.griffinLim(spec, { nFft: 128, nIter });
      const again = tm.audio.spectrogram(y, { nFft: 128 });
      const e = tm.tidy(() => again.sqrt().sub(spec.sqrt()).square().sum().div(spec.sum()));
      const v = (await e.data())[0];
      for (const x of [y, again, e]) x.dispose();
      return v;
    };
    const [e1, e16] = [await error(1), await error(16)];
    expect(e16).toBeLessThan(e1 * 0.5);
    expect(await collected()).toBe(before);
  });

  it('refuses momentum outside [0, 1), a negative nIter, a spectrogram without a time axis', () => {
    const s = tm.ones([65, 10]);
    expect(() => tm.audio.griffinLim(s, { nFft: 128, momentum: 1 })).toThrow(/momentum must be in \[0, 1\), got 1/);
    expect(() => tm.audio.griffinLim(s, { nFft: 128, nIter: -1 })).toThrow(/nIter must be a non-negative integer, got -1/);
    expect(() => tm.audio.griffinLim(tm.ones([65]), { nFft: 128 })).toThrow(/specgram \[65\] must be \[\.\.\., freq, time\]/);
  });
});
