// tm.audio.slidingWindowCmn against torchaudio 0.13's sliding_window_cmn
// run in float64 (its float32 run is up to 7e-5 off that: its running sums
// of squares cancel; scripts/make-audio-feature-fixtures.py: windows to the left and
// centred, with and without the variance, one utterance shorter than the
// least window, and the gradient torchaudio can take, without the
// variance), and against a float64 transcription of torchaudio's loop on
// fresh features at odd sizes, with its gradient by central differences of
// that loop; and what it refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { SEED, asF32, expectNormwise, uniform } from '../helpers/data.js';
import { jacobian64 } from '../helpers/jacobian.js';

const FIXTURES = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'audio', 'features.npz')));

interface Cmn {
  cmnWindow?: number;
  minCmnWindow?: number;
  center?: boolean;
  normVars?: boolean;
}

/**
 * torchaudio's loop, transcribed in float64: the window's running sums moved
 * on a frame at a time, for x [frames, feats]. With normVars, `cancel` is
 * how much f32 may lose in each window's variance as a mean square less a
 * squared mean about a centre near the window (slidingWindowCmn centres a
 * few windows' worth of frames on their mean): 1 + 2·(the mean square about
 * the window's mean of the frames within two windows of it) / the variance.
 */
function cmnRef(x: readonly number[], frames: number, feats: number, { cmnWindow = 600, minCmnWindow = 100, center = false, normVars = false }: Cmn): { y: number[]; cancel: number[] } {
  const out = new Array<number>(frames * feats).fill(0);
  const cancel = new Array<number>(frames * feats).fill(1);
  const sum = new Array<number>(feats).fill(0);
  const sumsq = new Array<number>(feats).fill(0);
  let [lastStart, lastEnd] = [-1, -1];
  for (let t = 0; t < frames; t++) {
    let start = center ? t - Math.floor(cmnWindow / 2) : t - cmnWindow;
    let end = center ? start + cmnWindow : t + 1;
    if (start < 0) {
      end -= start;
      start = 0;
    }
    if (!center && end > t) end = Math.max(t + 1, minCmnWindow);
    if (end > frames) {
      start -= end - frames;
      end = frames;
      if (start < 0) start = 0;
    }
    for (let f = 0; f < feats; f++) {
      if (lastStart === -1) {
        for (let s = start; s < end - start; s++) {
          sum[f] += x[s * feats + f];
          sumsq[f] += x[s * feats + f] ** 2;
        }
      } else {
        if (start > lastStart) {
          sum[f] -= x[lastStart * feats + f];
          sumsq[f] -= x[lastStart * feats + f] ** 2;
        }
        if (end > lastEnd) {
          sum[f] += x[lastEnd * feats + f];
          sumsq[f] += x[lastEnd * feats + f] ** 2;
        }
      }
      const n = end - start;
      let v = x[t * feats + f] - sum[f] / n;
      if (normVars && n > 1) {
        const variance = sumsq[f] / n - sum[f] ** 2 / n ** 2;
        const reach = 2 * Math.max(n, center ? cmnWindow : cmnWindow + 1);
        const [from, to] = [Math.max(0, start - reach), Math.min(frames, end + reach)];
        let square = 0;
        for (let s = from; s < to; s++) square += (x[s * feats + f] - sum[f] / n) ** 2;
        cancel[t * feats + f] = 1 + (2 * square) / (to - from) / variance;
      }
      if (normVars) v = n === 1 ? 0 : v * (sumsq[f] / n - sum[f] ** 2 / n ** 2) ** -0.5;
      out[t * feats + f] = v;
    }
    [lastStart, lastEnd] = [start, end];
  }
  return { y: out, cancel };
}

/**
 * Within tol of the largest value, and more where f32 loses digits to the
 * variance's cancellation: an error in a variance of relative size
 * cancel·ε moves y by ½·cancel·ε·|y|, and the mean's own error moves it by
 * ~√cancel·ε (16 ε of each allowed). A window whose variance is below
 * 1e-5 of the spread around it is past what any f32 mean square less a
 * squared mean resolves (two nearly equal frames): left out, and such
 * windows must be rare.
 */
function expectCmn(got: ArrayLike<number>, want: ArrayLike<number>, cancel: ArrayLike<number>, tol: number, what: string): void {
  const scale = Array.from(want).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let unresolved = 0;
  for (let i = 0; i < want.length; i++) {
    if (cancel[i] > 1e5) {
      unresolved++;
      continue;
    }
    const allowed = tol * scale + 16 * 2 ** -23 * (cancel[i] * Math.abs(want[i]) + Math.sqrt(cancel[i]));
    if (!(Math.abs(got[i] - want[i]) <= allowed)) expect.fail(`${what} index ${i}: got ${got[i]}, want ${want[i]} (allowed ${allowed.toExponential(2)}, cancellation ${cancel[i].toFixed(1)}, test seed ${SEED})`);
  }
  expect(unresolved, `${what}: windows too narrow for f32 (test seed ${SEED})`).toBeLessThanOrEqual(want.length / 100);
}

const CASES: [string, Cmn][] = [
  ['default', {}],
  ['left', { cmnWindow: 50, minCmnWindow: 20 }],
  ['left_vars', { cmnWindow: 50, minCmnWindow: 20, normVars: true }],
  ['center', { cmnWindow: 31, center: true }],
  ['center_vars', { cmnWindow: 31, center: true, normVars: true }],
  ['short_min', { cmnWindow: 7, minCmnWindow: 3, normVars: true }],
];

describe.each(BACKENDS)('tm.audio.slidingWindowCmn on %s', (backend) => {
  let t: Record<string, tm.Tensor>;
  beforeAll(async () => {
    await tm.init({ backend });
    t = tm.fromNpz(FIXTURES);
  });

  it.each(CASES)("gives torchaudio's results on drifting features [2, 120, 7]: %s %o", async (name, options) => {
    const got = tm.audio.slidingWindowCmn(t.cmn_feats, options);
    expect(got.shape).toEqual([2, 120, 7]);
    const feats = Array.from(await t.cmn_feats.data());
    const cancel = [0, 1].flatMap((b) => cmnRef(feats.slice(b * 840, (b + 1) * 840), 120, 7, options).cancel);
    expectCmn(await got.data(), await t[`cmn_${name}`].data(), cancel, 1e-5, name);
  });

  it("gives torchaudio's for one utterance [40, 7] shorter than the least window, and its gradient without the variance", async () => {
    const single = tm.audio.slidingWindowCmn(tm.slice(t.cmn_feats, [0, 0, 0], [1, 40, 7]).reshape([40, 7]), { cmnWindow: 60, minCmnWindow: 50 });
    expectNormwise(await single.data(), await t.cmn_single.data(), 1e-5, 'single');
    const x = t.cmn_feats.clone();
    x.requiresGrad = true;
    tm.tidy(() => tm.audio.slidingWindowCmn(x, { cmnWindow: 50, minCmnWindow: 20 }).mul(t.cmn_grad_weight).sum()).backward();
    expectNormwise(await x.grad!.data(), await t.cmn_grad.data(), 1e-5, 'gradient');
  });

  it.each([[1, 1], [3, 5], [17, 3], [64, 2]])('matches the float64 loop on fresh features of %i frames × %i, every setting; f16 stays f16', async (frames, feats) => {
    const x = asF32(uniform(2 * frames * feats, -3, 3));
    for (const [name, options] of CASES) {
      const got = await tm.audio.slidingWindowCmn(tm.tensor(x, [2, frames, feats]), options).data();
      const refs = [0, 1].map((b) => cmnRef(Array.from(x.subarray(b * frames * feats, (b + 1) * frames * feats)), frames, feats, options));
      expectCmn(got, refs.flatMap((r) => r.y), refs.flatMap((r) => r.cancel), 1e-5, `${name}`);
    }
    const half = tm.audio.slidingWindowCmn(tm.tensor(x, [2, frames, feats]).cast('f16'), { cmnWindow: 5, minCmnWindow: 2 });
    expect(half.dtype).toBe('f16');
  });

  it('matches the float64 loop where the features drift far from their mean over the utterance, windows of 3 to 51 frames', async () => {
    const [frames, feats] = [300, 3];
    // A level climbing 40 standard deviations over the utterance: centring on the utterance's mean would cancel 1e3 times more.
    const x = asF32(Float64Array.from(uniform(2 * frames * feats, -1, 1), (v, i) => v + (40 * (Math.floor(i / feats) % frames)) / frames));
    for (const options of [{ cmnWindow: 3, center: true, normVars: true }, { cmnWindow: 50, minCmnWindow: 20, normVars: true }, { cmnWindow: 9, minCmnWindow: 3, normVars: true }]) {
      const got = await tm.audio.slidingWindowCmn(tm.tensor(x, [2, frames, feats]), options).data();
      const refs = [0, 1].map((b) => cmnRef(Array.from(x.subarray(b * frames * feats, (b + 1) * frames * feats)), frames, feats, options));
      expectCmn(got, refs.flatMap((r) => r.y), refs.flatMap((r) => r.cancel), 1e-5, JSON.stringify(options));
    }
  });

  it('with the variance, its gradient is the float64 loop\'s by central differences, windows of one frame included', async () => {
    const [frames, feats] = [11, 2];
    const options = { cmnWindow: 4, minCmnWindow: 1, normVars: true };
    // Frames that alternate about ±2: no window of two frames is nearly flat, where the variance's gradient would blow up.
    const x = asF32(Float64Array.from(uniform(frames * feats, -0.5, 0.5), (v, i) => v + (Math.floor(i / feats) % 2 ? 2 : -2)));
    const w = asF32(uniform(frames * feats));
    const xt = tm.tensor(x, [frames, feats]);
    xt.requiresGrad = true;
    tm.tidy(() => tm.audio.slidingWindowCmn(xt, options).mul(tm.tensor(w, [frames, feats])).sum()).backward();
    const objective = (v: readonly number[]) => [cmnRef(v, frames, feats, options).y.reduce((s, y, i) => s + y * w[i], 0)];
    expectNormwise(await xt.grad!.data(), jacobian64(objective, Array.from(x)), 1e-4, 'gradient');
  });

  it('refuses bad windows and inputs, naming them', () => {
    expect(() => tm.audio.slidingWindowCmn(tm.zeros([5, 3]), { cmnWindow: 0 })).toThrow('slidingWindowCmn: cmnWindow must be a positive integer (frames), got 0');
    expect(() => tm.audio.slidingWindowCmn(tm.zeros([5]))).toThrow('slidingWindowCmn: specgram [5] must be [..., time, freq]');
    expect(() => tm.audio.slidingWindowCmn(tm.zeros([0, 3]))).toThrow('slidingWindowCmn: specgram [0,3] has no frames');
    expect(() => tm.audio.slidingWindowCmn(tm.zeros([5, 3]), { normVar: true } as Cmn)).toThrow('slidingWindowCmn: unknown option "normVar"');
  });

  it('works where the features live: made before a later tm.init(), the same result', async () => {
    const x = tm.tensor(asF32(uniform(2 * 30 * 3, -2, 2)), [2, 30, 3]);
    const options = { cmnWindow: 5, minCmnWindow: 2, normVars: true };
    const before = await tm.audio.slidingWindowCmn(x, options).data();
    await tm.init({ backend });
    expect(await tm.audio.slidingWindowCmn(x, options).data()).toEqual(before);
  });
});
