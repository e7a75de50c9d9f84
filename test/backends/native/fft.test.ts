// The native backend's FFT kernels (fallback/src/fft.cc, KissFFT) against
// the defining sums in float64: complex transforms both ways at lengths of
// every radix KissFFT has (4, 2, 3, 5, and its generic butterfly for 7, 11
// and 13), real rows to half spectra and back, batches split among threads
// equal row by row to the same rows alone; the lengths tm.fft hands them;
// that tm.fft on native goes through them; and bad calls refused. CI
// installs KissFFT (libkissfft-dev), so its absence fails here.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type Addon } from '../../../src/backends/native/addon.js';
import { createNativeBackend, type NativeBackend } from '../../../src/backends/native/index.js';
import { LARGEST_PRIME, MATRIX_UP_TO, nativeFft } from '../../../src/backends/native/fft.js';
import * as tm from '../../../src/index.js';
import { SEED, asF32, expectClose, uniform } from '../../helpers/data.js';

let addon: Required<Addon>;
let native: NativeBackend;

beforeAll(async () => {
  addon = (await loadAddon()) as Required<Addon>;
  native = await createNativeBackend();
});

/** scale · Σ_j x[j]·e^(sign·2πi·jk/n) for each row of complex x [rows, n, 2], in float64. */
function dft(x: ArrayLike<number>, rows: number, n: number, sign: 1 | -1, scale: number): Float64Array {
  const out = new Float64Array(2 * rows * n);
  const cos = Float64Array.from({ length: n }, (_, t) => Math.cos((2 * Math.PI * t) / n));
  const sin = Float64Array.from({ length: n }, (_, t) => sign * Math.sin((2 * Math.PI * t) / n));
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < n; k++) {
      let [re, im] = [0, 0];
      for (let j = 0; j < n; j++) {
        const t = (j * k) % n;
        const [a, b] = [x[2 * (r * n + j)], x[2 * (r * n + j) + 1]];
        re += a * cos[t] - b * sin[t];
        im += a * sin[t] + b * cos[t];
      }
      [out[2 * (r * n + k)], out[2 * (r * n + k) + 1]] = [scale * re, scale * im];
    }
  }
  return out;
}

/** got against want within tol times want's largest magnitude (a DFT spreads its error over its outputs). */
function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  const largest = Array.from(want).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expectClose(got, want, tol, `${what} (seed ${SEED})`, new Float64Array(want.length).fill(largest));
}

const tolFor = (n: number) => 1e-6 * Math.max(1, Math.log2(n));

describe('the native FFT kernels', () => {
  it('the addon was built with KissFFT: it has the complex and real transforms, and the backend its kernels', () => {
    for (const name of ['fftComplex', 'fftRealForward', 'fftRealInverse'] as const) expect(typeof addon[name], name).toBe('function');
    expect(nativeFft(native)).not.toBeNull();
  });

  it('the capability report says native transforms with KissFFT', async () => {
    const f32 = (await tm.capabilities()).dtypes.find((d) => d.backend === 'native' && d.dtype === 'f32');
    expect(f32?.how).toMatch(/^OpenBLAS sgemm; KissFFT transforms;/);
  });

  it.each([1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 60, 97, 128, 210, 250, 1000, 4096])('complex transforms of length %i, both signs, scaled: the float64 sums', (n) => {
    const rows = 3;
    const x = Float32Array.from(asF32(uniform(2 * rows * n, -1, 1)));
    for (const [inverse, scale] of [[false, 1], [true, 1 / n], [false, 0.5]] as const) {
      const y = new Float32Array(2 * rows * n);
      addon.fftComplex(x, rows, n, inverse, scale, y);
      expectNear(y, dft(x, rows, n, inverse ? 1 : -1, scale), tolFor(n), `n ${n} inverse ${inverse} scale ${scale}`);
    }
  });

  it.each([2, 4, 6, 12, 26, 250, 400, 512, 1000])('a real row of even length %i to its half spectrum and back, the imaginary parts of bins 0 and n/2 ignored', (n) => {
    const rows = 2;
    const h = n / 2;
    const x = Float32Array.from(asF32(uniform(rows * n, -1, 1)));
    const spectrum = new Float32Array(2 * rows * (h + 1));
    addon.fftRealForward(x, rows, n, 2, spectrum);
    const whole = dft(Float64Array.from({ length: 2 * rows * n }, (_, i) => (i % 2 ? 0 : x[i / 2])), rows, n, -1, 2);
    const half = Float64Array.from({ length: 2 * rows * (h + 1) }, (_, i) => whole[2 * Math.floor(i / (2 * (h + 1))) * n + (i % (2 * (h + 1)))]);
    expectNear(spectrum, half, tolFor(n), `rfft ${n}`);
    // x[j] = scale · Σ over the Hermitian spectrum: bin 0 and n/2 once, their imaginary parts ignored, the others twice.
    const X = Float32Array.from(asF32(uniform(2 * rows * (h + 1), -1, 1)));
    const back = new Float32Array(rows * n);
    addon.fftRealInverse(X, rows, n, 1 / n, back);
    const want = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let k = 0; k <= h; k++) {
          const [re, im] = [X[2 * (r * (h + 1) + k)], X[2 * (r * (h + 1) + k) + 1]];
          const angle = (2 * Math.PI * ((j * k) % n)) / n;
          sum += k === 0 || k === h ? re * Math.cos(angle) : 2 * (re * Math.cos(angle) - im * Math.sin(angle));
        }
        want[r * n + j] = sum / n;
      }
    }
    expectNear(back, want, tolFor(n), `irfft ${n}`);
  });

  it('a batch split among threads gives each row what the row gives alone, bit for bit', () => {
    const [rows, n] = [300, 512];
    const x = Float32Array.from(uniform(2 * rows * n, -1, 1));
    const all = new Float32Array(2 * rows * n);
    addon.fftComplex(x, rows, n, false, 1, all);
    const real = new Float32Array(rows * (n + 2));
    addon.fftRealForward(x.subarray(0, rows * n), rows, n, 1, real);
    for (const r of [0, 1, 149, 150, 299]) {
      const one = new Float32Array(2 * n);
      addon.fftComplex(x.subarray(2 * n * r, 2 * n * (r + 1)), 1, n, false, 1, one);
      expect(Array.from(all.subarray(2 * n * r, 2 * n * (r + 1))), `complex row ${r}`).toEqual(Array.from(one));
      const half = new Float32Array(n + 2);
      addon.fftRealForward(x.subarray(n * r, n * (r + 1)), 1, n, 1, half);
      expect(Array.from(real.subarray((n + 2) * r, (n + 2) * (r + 1))), `real row ${r}`).toEqual(Array.from(half));
    }
  });

  it('plans kept between calls: a length again, then 40 lengths in turn (past the 32 (length, direction) pairs kept), each still its sums', () => {
    for (const n of [24, 24, ...Array.from({ length: 40 }, (_, i) => 2 * (i + 1)), 24]) {
      const x = Float32Array.from(asF32(uniform(2 * n, -1, 1)));
      const [y, half] = [new Float32Array(2 * n), new Float32Array(n + 2)];
      addon.fftComplex(x, 1, n, true, 1, y);
      expectNear(y, dft(x, 1, n, 1, 1), tolFor(n), `complex ${n}`);
      addon.fftRealForward(x.subarray(0, n), 1, n, 1, half);
      const whole = dft(Float64Array.from({ length: 2 * n }, (_, i) => (i % 2 ? 0 : x[i / 2])), 1, n, -1, 1);
      expectNear(half, whole.subarray(0, n + 2), tolFor(n), `real ${n}`);
    }
  });

  it('take the lengths they are faster at: past the matrix sizes, prime factors up to 13, even for the real ones', () => {
    const kernels = nativeFft(native)!;
    expect([LARGEST_PRIME, MATRIX_UP_TO]).toEqual([13, { complex: 64, real: 256 }]);
    for (const n of [65 * 1, 66, 72, 128, 2 * 3 * 5 * 7 * 11 * 13, 2 ** 20]) expect(kernels.takes(n, false), `complex ${n}`).toBe(true);
    for (const n of [1, 2, 64, 67, 17 * 8, 2 * 131, 1031, 2 ** 31]) expect(kernels.takes(n, false), `complex ${n}`).toBe(false);
    for (const n of [260, 400, 512, 1000, 2 * 3 * 5 * 7 * 11 * 13]) expect(kernels.takes(n, true), `real ${n}`).toBe(true);
    for (const n of [128, 256, 257, 401, 2 * 131, 2 * 1009]) expect(kernels.takes(n, true), `real ${n}`).toBe(false);
  });

  it('tm.fft on native calls them: a smooth length directly, a prime through Bluestein\'s powers of two', async () => {
    await tm.init({ backend: 'native' });
    const calls: string[] = [];
    const target = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
    const originals = new Map<string, (...args: unknown[]) => unknown>();
    for (const name of ['fftComplex', 'fftRealForward', 'fftRealInverse']) {
      const original = target[name];
      originals.set(name, original);
      target[name] = (...args: unknown[]) => {
        calls.push(`${name} ${args[2]}`);
        return original(...args);
      };
    }
    try {
      const z = tm.randn([2, 1000, 2]);
      const x = tm.randn([3, 400]);
      const p = tm.randn([131, 2]);
      const half = tm.fft.rfft(x);
      const ys = [tm.fft.fft(z), half, tm.fft.irfft(half, { n: 400 }), tm.fft.fft(p)];
      await Promise.all(ys.map((y) => y.data()));
      // 131 is prime: Bluestein's chirped convolution is a forward and an inverse transform of 512 (≥ 2·131 − 1).
      expect(calls).toEqual(['fftRealForward 400', 'fftComplex 1000', 'fftRealInverse 400', 'fftComplex 512', 'fftComplex 512']);
      for (const t of [z, x, p, ...ys]) t.dispose();
    } finally {
      for (const [name, original] of originals) target[name] = original;
    }
  });

  it('refuse arrays of the wrong type or length, odd real lengths and outputs over their inputs', () => {
    const x = new Float32Array(16);
    expect(() => addon.fftComplex(x, 2, 4, false, 1, new Float32Array(15))).toThrow(/shorter than rows transforms/);
    expect(() => addon.fftComplex(new Int32Array(16) as never, 2, 4, false, 1, new Float32Array(16))).toThrow(/Float32Arrays/);
    expect(() => addon.fftComplex(x, 2, 0, false, 1, new Float32Array(16))).toThrow(/n must be an integer ≥ 1/);
    expect(() => addon.fftComplex(x, 2, 4, false, '1' as never, new Float32Array(16))).toThrow(/scale must be a number/);
    expect(() => addon.fftComplex(x, 0, 4, 1 as never, 1, new Float32Array(16))).toThrow(/inverse must be a boolean/);
    expect(() => addon.fftRealForward(x, 1, 5, 1, new Float32Array(6))).toThrow(/real transform's n must be even/);
    expect(() => addon.fftRealInverse(x, 1, 8, 1, new Float32Array(7))).toThrow(/shorter than rows transforms/);
    const shared = new Float32Array(24);
    expect(() => addon.fftComplex(shared.subarray(0, 16), 2, 4, false, 1, shared.subarray(8, 24))).toThrow(/must not share memory/);
    // Nothing written where a call was refused.
    expect(shared.every((v) => v === 0)).toBe(true);
  });
});
