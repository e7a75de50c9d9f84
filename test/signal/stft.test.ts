// tm.signal.stft and istft against float64 transcriptions of torch.stft and
// torch.istft written here (pad, frame, window, the defining DFT sum; the
// inverse by the half-spectrum sum, overlap-add and the squared window's
// envelope) on fresh random signals at odd sizes, every pad mode, centred or
// not, windows shorter than the frame, one- and two-sided spectra, leading
// axes; round trips; PyTorch 1.13's own results; gradients against central
// differences; the errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, asF32, expectClose, uniform } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';
import { expectGradients, expectNormwise } from '../helpers/linalg.js';
import { paddedAt, type PadMode } from '../helpers/padding.js';

const torchFile = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'signal', 'torch_stft.npz')));

interface Setting {
  nFft: number;
  hop: number;
  win: Float64Array; // winLength values
  center: boolean;
  padMode: PadMode;
  normalized: boolean;
  onesided: boolean;
}

/** The window centred in nFft with zeros either side, torch's way. */
function centred(win: Float64Array, nFft: number): Float64Array {
  const out = new Float64Array(nFft);
  out.set(win, Math.floor((nFft - win.length) / 2));
  return out;
}

/** torch.stft of `count` signals of length L, as [count, bins, frames, 2]. */
function stftRef(x: Float64Array, count: number, L: number, s: Setting): { out: Float64Array; bins: number; frames: number } {
  const half = s.center ? Math.floor(s.nFft / 2) : 0;
  const frames = 1 + Math.floor((L + 2 * half - s.nFft) / s.hop);
  const bins = s.onesided ? Math.floor(s.nFft / 2) + 1 : s.nFft;
  const w = centred(s.win, s.nFft);
  const scale = s.normalized ? 1 / Math.sqrt(s.nFft) : 1;
  const out = new Float64Array(count * bins * frames * 2);
  for (let b = 0; b < count; b++) {
    const signal = x.subarray(b * L, (b + 1) * L);
    for (let t = 0; t < frames; t++) {
      for (let f = 0; f < bins; f++) {
        let [re, im] = [0, 0];
        for (let j = 0; j < s.nFft; j++) {
          const v = w[j] * paddedAt(signal, t * s.hop + j - half, s.padMode);
          const angle = (-2 * Math.PI * ((f * j) % s.nFft)) / s.nFft;
          re += v * Math.cos(angle);
          im += v * Math.sin(angle);
        }
        const at = 2 * ((b * bins + f) * frames + t);
        [out[at], out[at + 1]] = [scale * re, scale * im];
      }
    }
  }
  return { out, bins, frames };
}

/**
 * torch.istft (real output) of z [count, bins, frames, 2] to `length`
 * samples (default: what the frames give); undefined where the squared
 * window's overlap-add is 0 inside the signal, which torch refuses.
 */
function istftRef(z: Float64Array, count: number, bins: number, frames: number, s: Omit<Setting, 'padMode' | 'onesided'>, length?: number): Float64Array | undefined {
  const n = s.nFft;
  const h = Math.floor(n / 2);
  const w = centred(s.win, n);
  const scale = s.normalized ? 1 / Math.sqrt(n) : 1 / n;
  const whole = n + s.hop * (frames - 1);
  const start = s.center ? h : 0;
  const end = length !== undefined ? start + length : s.center ? whole - h : whole;
  const out = new Float64Array(count * (end - start));
  for (let b = 0; b < count; b++) {
    const y = new Float64Array(whole);
    const envelope = new Float64Array(whole);
    for (let t = 0; t < frames; t++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let k = 0; k <= h; k++) {
          const at = 2 * ((b * bins + k) * frames + t);
          const angle = (2 * Math.PI * ((j * k) % n)) / n;
          const term = z[at] * Math.cos(angle) - z[at + 1] * Math.sin(angle);
          sum += k === 0 ? z[at] : 2 * k === n ? z[at] * (j % 2 ? -1 : 1) : 2 * term;
        }
        y[t * s.hop + j] += scale * sum * w[j];
        envelope[t * s.hop + j] += w[j] * w[j];
      }
    }
    for (let i = start; i < end; i++) {
      if (i < whole && envelope[i] < 1e-11) return undefined;
      out[b * (end - start) + i - start] = i < whole ? y[i] / envelope[i] : 0;
    }
  }
  return out;
}

const hann = (n: number) => Float64Array.from({ length: n }, (_, k) => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / n));
const ones = (n: number) => new Float64Array(n).fill(1);

describe.each(BACKENDS)('tm.signal.stft and istft on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  const CASES: [string, number[], Partial<Setting> & { nFft: number }][] = [
    ['hann 64, hop 16, reflect', [2, 301], { nFft: 64, hop: 16, win: hann(64) }],
    ['odd nFft 45, hop 11, constant', [3, 217], { nFft: 45, hop: 11, win: hann(45), padMode: 'constant' }],
    ['window of 33 in a frame of 60, replicate', [190], { nFft: 60, hop: 13, win: asF32(uniform(33, 0.2, 1)), padMode: 'replicate' }],
    ['circular, normalized, two-sided', [2, 2, 97], { nFft: 24, hop: 7, win: hann(24), padMode: 'circular', normalized: true, onesided: false }],
    ['not centred, rectangular, a hop longer than a quarter', [2, 150], { nFft: 32, hop: 20, win: ones(32), center: false }],
    ['nFft 1', [2, 9], { nFft: 1, hop: 1, win: ones(1), center: false }],
  ];

  it.each(CASES)('stft, %s: the float64 definition', async (_, shape, given) => {
    const before = await collected();
    const s: Setting = { hop: Math.floor(given.nFft / 4), win: ones(given.nFft), center: true, padMode: 'reflect', normalized: false, onesided: true, ...given };
    const L = shape[shape.length - 1];
    const count = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const x = asF32(uniform(count * L, -1, 1));
    const X = tm.tensor(Float32Array.from(x), shape);
    const window = tm.tensor(Float32Array.from(s.win));
    const y = tm.signal.stft(X, s.nFft, { hopLength: s.hop, winLength: s.win.length, window, center: s.center, padMode: s.padMode, normalized: s.normalized, onesided: s.onesided });
    const { out, bins, frames } = stftRef(x, count, L, s);
    expect(y.shape).toEqual([...shape.slice(0, -1), bins, frames, 2]);
    expectNormwise(await y.data(), out, 1e-5 * Math.max(1, Math.log2(s.nFft)), 'stft');
    for (const t of [X, window, y]) t.dispose();
    expect(await collected()).toBe(before);
  });

  it.each(CASES)('istft of a random spectrum, %s: the float64 definition', async (_, shape, given) => {
    const s: Setting = { hop: Math.floor(given.nFft / 4), win: ones(given.nFft), center: true, padMode: 'reflect', normalized: false, onesided: true, ...given };
    if (s.win.length < s.nFft && !s.center) return; // the envelope is 0 at the frame's padded edges: refused (below)
    const L = shape[shape.length - 1];
    const lead = shape.slice(0, -1);
    const count = lead.reduce((a, b) => a * b, 1);
    const { bins, frames } = stftRef(new Float64Array(count * L), count, L, s);
    const z = asF32(uniform(count * bins * frames * 2, -1, 1));
    const Z = tm.tensor(Float32Array.from(z), [...lead, bins, frames, 2]);
    const window = tm.tensor(Float32Array.from(s.win));
    const options = { hopLength: s.hop, winLength: s.win.length, window, center: s.center, normalized: s.normalized, onesided: s.onesided };
    for (const length of [undefined, L, L + 9]) {
      const want = istftRef(z, count, bins, frames, s, length);
      if (!want) {
        // The third case's window covers only part of its frame: past the last frame's window nothing is recovered.
        expect(() => tm.signal.istft(Z, s.nFft, { ...options, length })).toThrow(/nonzero-overlap-add condition/);
        continue;
      }
      const y = tm.signal.istft(Z, s.nFft, { ...options, length });
      expect(y.shape).toEqual([...lead, want.length / count]);
      expectNormwise(await y.data(), want, 1e-5 * Math.max(1, Math.log2(s.nFft)), `istft length ${length}`);
    }
  });

  it('istft(stft(x)) = x, with the length given, for overlapping windows at odd lengths', async () => {
    for (const [nFft, hop, L, win] of [[64, 16, 1001, hann(64)], [51, 17, 333, hann(51)], [40, 40, 203, ones(40)], [30, 9, 95, asF32(uniform(22, 0.5, 1))]] as const) {
      const x = asF32(uniform(2 * L, -1, 1));
      const X = tm.tensor(Float32Array.from(x), [2, L]);
      const window = tm.tensor(Float32Array.from(win));
      const options = { hopLength: hop, winLength: win.length, window };
      const back = tm.signal.istft(tm.signal.stft(X, nFft, options), nFft, { ...options, length: L });
      expectClose(await back.data(), x, 1e-5, `round trip nFft ${nFft} hop ${hop}`);
    }
  });

  it.each(['default_hann', 'odd_nfft_hop', 'short_window', 'rect_no_center', 'constant_pad_normalized', 'two_sided', 'replicate_kaiser'])('PyTorch 1.13\'s stft and istft: %s', async (name) => {
    const settings: Record<string, [number, tm.signal.StftOptions & { window?: tm.Tensor }]> = {
      default_hann: [64, { window: tm.signal.hannWindow(64) }],
      odd_nfft_hop: [45, { hopLength: 11, window: tm.signal.hannWindow(45) }],
      short_window: [60, { hopLength: 13, winLength: 33, window: tm.signal.hammingWindow(33) }],
      rect_no_center: [32, { hopLength: 8, center: false }],
      constant_pad_normalized: [50, { hopLength: 10, window: tm.signal.blackmanWindow(50), padMode: 'constant', normalized: true }],
      two_sided: [24, { hopLength: 6, window: tm.signal.hannWindow(24), onesided: false }],
      replicate_kaiser: [30, { hopLength: 7, window: tm.signal.kaiserWindow(30), padMode: 'replicate' }],
    };
    const [nFft, options] = settings[name];
    const torch = tm.fromNpz(torchFile);
    const x = torch[`${name}_x`];
    const spectrum = tm.signal.stft(x, nFft, options);
    const want = torch[`${name}_stft`];
    expect(spectrum.shape).toEqual(want.shape);
    expectNormwise(await spectrum.data(), await want.data(), 5e-6 * Math.log2(nFft), `${name} stft`);
    const { padMode: _, ...inverse } = options;
    const back = tm.signal.istft(spectrum, nFft, { ...inverse, length: x.shape[x.rank - 1] });
    expectNormwise(await back.data(), await torch[`${name}_istft`].data(), 1e-5, `${name} istft`);
    const noise = tm.signal.istft(torch[`${name}_noise`], nFft, inverse);
    expect(noise.shape).toEqual(torch[`${name}_noise_istft`].shape);
    expectNormwise(await noise.data(), await torch[`${name}_noise_istft`].data(), 1e-5, `${name} istft of noise`);
  });

  it('gradients: stft in x and the window, istft in z and the window, against central differences', async () => {
    const s: Setting = { nFft: 8, hop: 3, win: hann(8), center: true, padMode: 'reflect', normalized: false, onesided: true };
    const L = 13;
    await expectGradients(
      [[2, L], [8]], [uniform(2 * L, -1, 1), asF32(uniform(8, 0.3, 1))],
      (x, w) => [tm.signal.stft(x, 8, { hopLength: 3, window: w })],
      (x, w) => stftRef(x, 2, L, { ...s, win: w }).out,
    );
    const { bins, frames } = stftRef(new Float64Array(2 * L), 2, L, s);
    await expectGradients(
      [[2, bins, frames, 2], [6]], [uniform(2 * bins * frames * 2, -1, 1), asF32(uniform(6, 0.5, 1))],
      (z, w) => [tm.signal.istft(z, 8, { hopLength: 3, winLength: 6, window: w, length: L })],
      (z, w) => istftRef(z, 2, bins, frames, { ...s, win: w }, L)!,
    );
  });

  it('f16 in, f16 out, computed in f32; the window may be f16 too', async () => {
    const x = uniform(200, -1, 1);
    const X = tm.tensor(Float32Array.from(x), [200]).cast('f16');
    const window = tm.signal.hannWindow(32, { dtype: 'f16' });
    const y = tm.signal.stft(X, 32, { window });
    expect(y.dtype).toBe('f16');
    const want = stftRef(asF16(x), 1, 200, { nFft: 32, hop: 8, win: asF16(hann(32)), center: true, padMode: 'reflect', normalized: false, onesided: true }).out;
    expectNormwise(await y.data(), want, 4e-3, 'f16 stft');
    const back = tm.signal.istft(y, 32, { window, length: 200 });
    expect(back.dtype).toBe('f16');
    expectClose(await back.data(), asF16(x), 2e-2, 'f16 round trip');
  });

  it('refuses what torch refuses, naming the problem', () => {
    const x = tm.zeros([2, 100]);
    expect(() => tm.signal.stft(x, 0)).toThrow(/stft: nFft must be a positive integer, got 0/);
    expect(() => tm.signal.stft(x, 2)).toThrow(/hopLength must be a positive integer, got 0 \(its default; give hopLength\)/);
    expect(() => tm.signal.stft(x, 16, { winLength: 20 })).toThrow(/winLength 20 is longer than nFft 16/);
    expect(() => tm.signal.stft(x, 16, { window: tm.ones([15]) })).toThrow(/window \[15\] must be a vector of winLength = 16 values/);
    expect(() => tm.signal.stft(x, 16, { window: tm.ones([16], { dtype: 'i32' }) })).toThrow(/window must be a float tensor/);
    expect(() => tm.signal.stft(x, 300, { center: false })).toThrow(/nFft 300 is longer than the signal x \[2,100\]/);
    expect(() => tm.signal.stft(x, 300)).toThrow(/center pads 150 samples at each end by reflection, which needs a signal longer than 150; x \[2,100\] has 100/);
    expect(tm.signal.stft(x, 300, { padMode: 'constant' }).shape).toEqual([2, 151, 2, 2]);
    expect(() => tm.signal.stft(x, 16, { padMode: 'zeros' as never })).toThrow(/unknown padMode "zeros"; expected reflect, constant, replicate, circular/);
    expect(() => tm.signal.stft(tm.zeros([100], { dtype: 'i32' }), 16)).toThrow(/x must be a float tensor/);
    expect(() => tm.signal.stft(x, 16, { hop: 4 } as never)).toThrow(/unknown option "hop"/);
    const z = tm.zeros([2, 9, 20, 2]);
    expect(() => tm.signal.istft(z, 20)).toThrow(/z \[2,9,20,2\] holds 9 frequency bins; a one-sided spectrum of nFft = 20 holds 11/);
    expect(() => tm.signal.istft(z, 16, { onesided: false })).toThrow(/a full spectrum of nFft = 16 holds 16/);
    expect(() => tm.signal.istft(tm.zeros([9, 20]), 16)).toThrow(/z must be complex, a float tensor \[\.\.\., n, 2\]/);
    expect(() => tm.signal.istft(z, 16, { hopLength: 10, winLength: 8 })).toThrow(/hopLength 10 is longer than winLength 8/);
    expect(() => tm.signal.istft(z, 16, { length: -1 })).toThrow(/length must be a non-negative integer, got -1/);
    expect(() => tm.signal.istft(tm.zeros([9, 0, 2]), 16)).toThrow(/holds no frames/);
    // The window is checked before its values are read.
    const spectrum = tm.zeros([33, 5, 2]);
    expect(() => tm.signal.istft(spectrum, 64, { window: new Array(64).fill(1) as never })).toThrow(/istft: window must be a Tensor/);
    expect(() => tm.signal.istft(spectrum, 64, { window: tm.zeros([64], { dtype: 'i32' }) })).toThrow(/window must be a float tensor/);
    expect(() => tm.signal.istft(spectrum, 64, { winLength: 32, hopLength: 16, window: tm.zeros([64]) })).toThrow(/window \[64\] must be a vector of winLength = 32 values/);
  });

  it('istft refuses a window whose squares overlap-add to 0 inside the signal', async () => {
    const z = tm.zeros([9, 20, 2]);
    // A window of 8 in a frame of 16, not centred: the first 4 samples were seen by no window.
    expect(() => tm.signal.istft(z, 16, { winLength: 8, hopLength: 4, center: false })).toThrow(/overlap-added at hop 4, is 0 at sample 0 of the signal/);
    expect(tm.signal.istft(z, 16, { winLength: 8, hopLength: 4, center: false, length: 0 }).shape).toEqual([0]);
    // A periodic Hann window at hop nFft: w[0] = 0, so every frame's first sample is lost. A GPU's window is not
    // read back to check: those samples come out NaN there, the rest as on the CPU.
    const x = tm.tensor(Float32Array.from(uniform(300, -1, 1)));
    const hann = tm.signal.hannWindow(64);
    const spectrum = tm.signal.stft(x, 64, { window: hann, center: false });
    if (backend !== 'webgpu') {
      expect(() => tm.signal.istft(z, 16, { hopLength: 16, window: tm.signal.hannWindow(16) })).toThrow(/is 0 at sample 8 of the signal/);
      expect(() => tm.signal.istft(spectrum, 64, { window: hann, center: false })).toThrow(/is 0 at sample 0 of the signal/);
      return;
    }
    const y = await tm.signal.istft(spectrum, 64, { window: hann, center: false }).data();
    expect(y[0]).toBeNaN();
    expectClose(y.slice(1, 280), (await x.data()).slice(1, 280), 1e-4, 'the samples some window saw');
  });
});
