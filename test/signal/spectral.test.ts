// tm.signal.welch, csd, periodogram and detrend against SciPy 1.10's
// (test/fixtures/signal/scipy_spectral.npz from
// scripts/make-spectral-fixtures.py, the same cases in the same order):
// frequencies and estimates for windows by name and as tensors, overlaps,
// zero-padding, linear detrending, both scalings, one- and two-sided, the
// median average, another axis, a segment longer than the signal; welch's
// gradient against PyTorch's autograd of the same estimate; Parseval's
// theorem as a property; and the refusals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';

type Case = ['welch' | 'csd' | 'periodogram', number[], tm.signal.SpectralOptions] | ['detrend', number[], tm.signal.DetrendOptions];

/** scripts/make-spectral-fixtures.py's CASES in tmnn's names; a window of 'array' is the fixture's window_K. */
const CASES: Case[] = [
  ['welch', [3, 1000], { fs: 100 }],
  ['welch', [1000], { nperseg: 100, noverlap: 30, nfft: 128, detrend: 'linear', scaling: 'spectrum' }],
  ['welch', [300, 4], { nperseg: 64, axis: 0, average: 'median' }],
  ['welch', [200], { nperseg: 50, window: 'hamming', returnOnesided: false, fs: 8 }],
  ['welch', [100], { window: 'blackman' }],
  ['welch', [257], { nperseg: 64, nfft: 65, window: 'bartlett', detrend: false }],
  ['welch', [2, 3, 90], { nperseg: 30, noverlap: 0, average: 'median' }],
  ['csd', [2, 500], { nperseg: 128, fs: 10 }],
  ['csd', [400], { nperseg: 64, average: 'median', returnOnesided: false, detrend: 'linear' }],
  ['periodogram', [2, 333], {}],
  ['periodogram', [333], { nfft: 200, window: 'hann' }],
  ['periodogram', [333], { nfft: 500, scaling: 'spectrum', fs: 2 }],
  ['detrend', [4, 50], { type: 'linear' }],
  ['detrend', [50, 3], { type: 'constant', axis: 0 }],
  ['detrend', [7], {}],
];

/** Each value within tol of want's, relative to the larger of |want| and `floor` (a density's bins span decades; expectClose's tolerance has an absolute 1). */
function expectRelative(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, floor: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * Math.max(Math.abs(want[i]), floor))) expect.fail(`${what} index ${i}: got ${got[i]}, want ${want[i]} (tolerance ${tol} of ${Math.max(Math.abs(want[i]), floor)})`);
  }
}

/** The largest |value|. */
const largest = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

const fixtures = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'signal', 'scipy_spectral.npz')));

describe.each(BACKENDS)('spectral estimates on %s', (backend) => {
  let scipy: Record<string, tm.Tensor>;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
    scipy = tm.fromNpz(fixtures);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES.map(([fn, shape, options], k) => [k, fn, JSON.stringify(shape), JSON.stringify(options)]))('case %i: %s of %s with %s gives SciPy\'s values', async (k) => {
    const [fn, shape, options] = CASES[k];
    const x = scipy[`x_${k}`];
    expect(x.shape).toEqual(shape);
    const want = scipy[`density_${k}`];
    if (fn === 'detrend') {
      const got = tm.signal.detrend(x, options);
      expect(got.shape).toEqual(want.shape);
      // Residuals of a signal of values up to about 5: f32's rounding of the sums, relative to the signal rather than to the small residuals.
      expectRelative(await got.data(), await want.data(), 1e-5, largest(await x.data()), `case ${k}`);
      return;
    }
    const window = scipy[`window_${k}`];
    const opts = window ? { ...options, window } : options;
    const { freqs, density } =
      fn === 'welch' ? tm.signal.welch(x, opts) : fn === 'csd' ? tm.signal.csd(x, scipy[`y_${k}`], opts) : tm.signal.periodogram(x, opts);
    expect(density.shape).toEqual(want.shape);
    expectClose(await freqs.data(), await scipy[`freqs_${k}`].data(), 1e-6, `case ${k} frequencies`);
    // Each bin to 1e-4 of itself, or of 1e-3 of the largest bin where it is far smaller (f32 sums of a whole segment's products).
    const wanted = await want.data();
    expectRelative(await density.data(), wanted, 1e-4, 1e-3 * largest(wanted), `case ${k} estimate`);
  });

  it('welch\'s gradient is PyTorch\'s autograd of the same estimate', async () => {
    const x = scipy.x_0.clone();
    x.requiresGrad = true;
    const { density } = tm.signal.welch(x, { fs: 100 });
    tm.tidy(() => density.mul(scipy.gradient_w_0).sum()).backward();
    const want = await scipy.gradient_0.data();
    expectRelative(await x.grad!.data(), want, 1e-4, 1e-2 * largest(want), 'gradient');
  });

  it('keeps Parseval\'s theorem: a periodogram\'s bins (density scaling) sum, times the bin width, to the mean square', async () => {
    const x = tm.randn([3, 64], { seed: 4 });
    for (const nfft of [64, 101]) {
      const { freqs, density } = tm.signal.periodogram(x, { detrend: false, nfft, fs: 5 });
      const binWidth = (await freqs.data())[1];
      const got = await density.sum(-1).mul(binWidth).data();
      const want = await x.square().mean(-1).data();
      expectClose(got, want, 1e-5, `nfft ${nfft}`);
    }
  });

  it('csd of a signal with itself is welch\'s estimate with no imaginary part; f16 signals are estimated in f32', async () => {
    const x = tm.randn([2, 300], { seed: 6 });
    const cross = tm.signal.csd(x, x, { nperseg: 50 }).density;
    const power = tm.signal.welch(x, { nperseg: 50 }).density;
    expectClose(await tm.fft.real(cross).data(), await power.data(), 1e-5, 'real part');
    expect(largest(await tm.fft.imag(cross).data())).toBe(0);
    const half = tm.signal.welch(x.cast('f16'), { nperseg: 50 }).density;
    expect(half.dtype).toBe('f32');
    expectClose(await half.data(), await tm.signal.welch(x.cast('f16').cast('f32'), { nperseg: 50 }).density.data(), 1e-5, 'f16');
  });

  it('detrends an f16 signal in f32, rounded once: a drift\'s slope sum Σ(t − t̄)·x outgrew f16 (Infinity from 400 samples)', async () => {
    for (const n of [50, 400, 3000]) {
      const drift = tm.tensor(Float32Array.from({ length: n }, (_, i) => 0.05 * i + Math.sin(i)), [1, n]).cast('f16');
      const got = tm.signal.detrend(drift);
      expect(got.dtype).toBe('f16');
      const want = await tm.signal.detrend(drift.cast('f32')).cast('f16').cast('f32').data();
      // f16's half-ulp of residuals up to ~1.5 is 2^-11; the f32 sums round a little apart on each backend.
      expectRelative(await got.cast('f32').data(), want, 2e-3, 1, `n ${n}`);
    }
  });

  it('leaves no tensors behind but its results', async () => {
    const x = tm.randn([2, 200], { seed: 1 });
    const before = tm.memory().numTensors;
    const { freqs, density } = tm.signal.welch(x, { nperseg: 64, average: 'median', detrend: 'linear' });
    expect(tm.memory().numTensors).toBe(before + 2);
    freqs.dispose();
    density.dispose();
    tm.signal.periodogram(x, { nfft: 100 }).density.dispose();
    expect(tm.memory().numTensors).toBe(before + 1);
  });
});

describe('spectral estimates refuse', () => {
  it('bad segments, windows, scalings and signals, naming the function', async () => {
    await tm.init({ backend: 'js' });
    const x = tm.zeros([2, 100]);
    expect(() => tm.signal.welch(x, { nperseg: 50, noverlap: 50 })).toThrow(new tm.ValueError('welch: noverlap 50 must be below nperseg 50'));
    expect(() => tm.signal.welch(x, { nperseg: 50, nfft: 40 })).toThrow('welch: nfft 40 is below nperseg 50; a segment is zero-padded to nfft, never cut');
    expect(() => tm.signal.welch(x, { window: 'kaiser' as 'hann' })).toThrow("welch: window must be one of 'hann', 'hamming', 'blackman', 'bartlett', 'boxcar' or a tensor, got \"kaiser\"");
    expect(() => tm.signal.welch(x, { window: tm.ones([20]), nperseg: 30 })).toThrow('welch: window [20] must have nperseg = 30 values');
    expect(() => tm.signal.welch(x, { window: tm.ones([120]) })).toThrow("welch: the window's 120 values are more than the signal's 100 samples");
    expect(() => tm.signal.welch(x, { scaling: 'power' as 'density' })).toThrow("welch: scaling must be 'density' or 'spectrum', got \"power\"");
    expect(() => tm.signal.welch(x, { average: 'max' as 'mean' })).toThrow("welch: average must be 'mean' or 'median', got \"max\"");
    expect(() => tm.signal.welch(x, { detrend: 'quadratic' as 'linear' })).toThrow("welch: detrend must be 'constant' or 'linear', got \"quadratic\"");
    expect(() => tm.signal.welch(x, { fs: 0 })).toThrow('welch: fs must be a finite number > 0, got 0');
    expect(() => tm.signal.welch(tm.zeros([2, 0]))).toThrow('welch: x [2,0] has no samples along axis -1');
    expect(() => tm.signal.welch(tm.zeros([4], { dtype: 'i32' }))).toThrow("welch: x must be f32 or f16, got i32 (cast it: x.cast('f32'))");
    expect(() => tm.signal.csd(x, tm.zeros([2, 99]))).toThrow('csd: x [2,100] and y [2,99] must have one shape');
    expect(() => tm.signal.periodogram(x, { nperseg: 10 } as never)).toThrow('periodogram: unknown option "nperseg"');
    expect(() => tm.signal.periodogram(x, { nfft: 0 })).toThrow('periodogram: nfft must be an integer ≥ 1, got 0');
    expect(() => tm.signal.detrend(x, { type: 'cubic' as 'linear' })).toThrow("detrend: detrend must be 'constant' or 'linear', got \"cubic\"");
  });
});
