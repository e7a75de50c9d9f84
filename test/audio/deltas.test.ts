// tm.audio.computeDeltas against torchaudio 0.13's compute_deltas (windows
// of 5 and 9, replicate padding) and against the regression formula with
// every pad mode at an odd length.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { paddedAt } from '../helpers/padding.js';
import { torchaudio } from '../helpers/torchaudio.js';

describe.each(BACKENDS)('tm.audio.computeDeltas on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('torchaudio\'s, windows of 5 and 9', async () => {
    const t = torchaudio();
    const mel = tm.slice(t.mel_default, [0, 0, 0, 0], [1, 2, 128, 6]).reshape([2, 128, 6]);
    expectClose(await tm.audio.computeDeltas(mel).data(), await t.deltas_5.data(), 2e-5, 'window 5');
    expectClose(await tm.audio.computeDeltas(mel, { winLength: 9 }).data(), await t.deltas_9.data(), 2e-5, 'window 9');
  });

  it.each(['replicate', 'constant', 'reflect', 'circular'] as const)('the regression formula with %s padding, an even window read as one less', async (mode) => {
    const T = 23;
    const c = asF32(uniform(3 * T, -1, 1));
    const got = await tm.audio.computeDeltas(tm.tensor(Float32Array.from(c), [3, T]), { winLength: 8, mode }).data();
    const n = 3;
    const want = Float64Array.from({ length: 3 * T }, (_, i) => {
      const row = c.subarray(Math.floor(i / T) * T, Math.floor(i / T) * T + T);
      let s = 0;
      for (let k = 1; k <= n; k++) s += k * (paddedAt(row, (i % T) + k, mode) - paddedAt(row, (i % T) - k, mode));
      return s / 28;
    });
    expectClose(got, want, 1e-5, mode);
  });

  it('refuses a window under 3', () => {
    expect(() => tm.audio.computeDeltas(tm.zeros([4, 10]), { winLength: 2 })).toThrow(/winLength must be an integer ≥ 3, got 2/);
  });
});
