// tm.signal.fftconvolve against the direct n-D convolution sum in float64
// (every mode, SciPy's centring for 'same', 2-D and along chosen axes with
// the others broadcast), and tm.signal.hilbert against the DFT-defined
// analytic signal written here; gradients; bad input by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';

/** The full 2-D convolution of a [n0, n1] and b [m0, m1] in float64. */
function full2d(a: ArrayLike<number>, [n0, n1]: number[], b: ArrayLike<number>, [m0, m1]: number[]): Float64Array {
  const [f0, f1] = [n0 + m0 - 1, n1 + m1 - 1];
  const out = new Float64Array(f0 * f1);
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) for (let k = 0; k < m0; k++) for (let l = 0; l < m1; l++) out[(i + k) * f1 + j + l] += a[i * n1 + j] * b[k * m1 + l];
  return out;
}

/** rows [r0, r0 + c0) and columns [r1, r1 + c1) of x [_, w]. */
function crop(x: Float64Array, w: number, [r0, r1]: number[], [c0, c1]: number[]): Float64Array {
  return Float64Array.from({ length: c0 * c1 }, (_, e) => x[(r0 + Math.floor(e / c1)) * w + r1 + (e % c1)]);
}

describe.each(BACKENDS)('tm.signal.fftconvolve and hilbert on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it.each([[[9, 7], [4, 3]], [[5, 6], [5, 8]], [[17, 1], [3, 1]]])('%j ∗ %j: full, same (in1\'s size, SciPy\'s centring) and valid, against the direct float64 sum', async (sa, sb) => {
    const [a, b] = [asF32(uniform(sa[0] * sa[1])), asF32(uniform(sb[0] * sb[1]))];
    const [A, B] = [tm.tensor(a, sa), tm.tensor(b, sb)];
    const full = full2d(a, sa, b, sb);
    const f1 = sa[1] + sb[1] - 1;
    const fullShape = [sa[0] + sb[0] - 1, f1];
    expectClose(await tm.signal.fftconvolve(A, B).data(), full, 2e-5, 'full');
    const same = crop(full, f1, [(fullShape[0] - sa[0]) >> 1, (fullShape[1] - sa[1]) >> 1], sa);
    expectClose(await tm.signal.fftconvolve(A, B, { mode: 'same' }).data(), same, 2e-5, 'same');
    const covers = sa.every((d, i) => d >= sb[i]) || sb.every((d, i) => d >= sa[i]);
    if (covers) {
      const size = sa.map((d, i) => Math.abs(d - sb[i]) + 1);
      const valid = crop(full, f1, sa.map((d, i) => Math.min(d, sb[i]) - 1), size);
      const got = tm.signal.fftconvolve(A, B, { mode: 'valid' });
      expect(got.shape).toEqual(size);
      expectClose(await got.data(), valid, 2e-5, 'valid');
    } else {
      expect(() => tm.signal.fftconvolve(A, B, { mode: 'valid' })).toThrow(/fftconvolve: for mode 'valid' one of in1 .* must be at least as large as the other along every convolved axis/);
    }
  });

  it('along one axis of a batch, the other axis broadcast (a filter applied to each row); differentiable', async () => {
    const rows = asF32(uniform(3 * 20));
    const filter = asF32(uniform(5));
    const X = tm.tensor(rows, [3, 20]);
    X.requiresGrad = true;
    const y = tm.signal.fftconvolve(X, tm.tensor(filter, [1, 5]), { axes: [1] });
    expect(y.shape).toEqual([3, 24]);
    const want = Float64Array.from({ length: 3 * 24 }, (_, e) => {
      const [r, k] = [Math.floor(e / 24), e % 24];
      let s = 0;
      for (let j = 0; j < 5; j++) if (k - j >= 0 && k - j < 20) s += rows[r * 20 + k - j] * filter[j];
      return s;
    });
    expectClose(await y.data(), want, 2e-5, 'rows');
    tm.sum(y).backward();
    // d(Σ y)/dx[r, i] = Σⱼ filter[j].
    const total = filter.reduce((s, v) => s + v, 0);
    expectClose(await X.grad!.data(), new Float64Array(60).fill(total), 2e-5, 'dX');
  });

  it.each([7, 8, 1])('hilbert of %i samples: the analytic signal from the DFT, x as its real part', async (n) => {
    const x = asF32(uniform(2 * n));
    const z = tm.signal.hilbert(tm.tensor(x, [2, n]));
    expect(z.shape).toEqual([2, n, 2]);
    const want = new Float64Array(4 * n);
    for (let r = 0; r < 2; r++) {
      // X[k] = Σ x[t]·e^(−2πikt/n); z[t] = (1/n)·Σ h[k]·X[k]·e^(2πikt/n), h 1 at 0 and n/2, 2 between, 0 past.
      for (let t = 0; t < n; t++) {
        let [re, im] = [0, 0];
        for (let k = 0; k < n; k++) {
          const h = k === 0 || 2 * k === n ? 1 : 2 * k < n ? 2 : 0;
          let [xr, xi] = [0, 0];
          for (let s = 0; s < n; s++) {
            xr += x[r * n + s] * Math.cos((2 * Math.PI * k * s) / n);
            xi -= x[r * n + s] * Math.sin((2 * Math.PI * k * s) / n);
          }
          const angle = (2 * Math.PI * k * t) / n;
          re += h * (xr * Math.cos(angle) - xi * Math.sin(angle));
          im += h * (xr * Math.sin(angle) + xi * Math.cos(angle));
        }
        want[2 * (r * n + t)] = re / n;
        want[2 * (r * n + t) + 1] = im / n;
      }
    }
    expectClose(await z.data(), want, 2e-5, `hilbert ${n}`);
    expectClose(await tm.fft.real(z).data(), x, 2e-5, 'real part');
  });

  it('refuses ranks, shapes and modes that do not fit, by name', () => {
    expect(() => tm.signal.fftconvolve(tm.ones([3]), tm.ones([2, 2]))).toThrow('fftconvolve: in1 [3] and in2 [2,2] must have one rank, at least 1');
    expect(() => tm.signal.fftconvolve(tm.ones([3, 4]), tm.ones([2, 5]), { axes: [0] })).toThrow('fftconvolve: in1 [3,4] and in2 [2,5] do not broadcast along axis 1, which is not convolved (4 against 5)');
    expect(() => tm.signal.fftconvolve(tm.ones([3]), tm.ones([2]), { mode: 'circular' as never })).toThrow("fftconvolve: mode must be 'full', 'same' or 'valid', got \"circular\"");
    expect(() => tm.signal.hilbert(tm.ones([4]), { n: 0 })).toThrow('hilbert: n must be a positive integer, got 0');
  });
});
