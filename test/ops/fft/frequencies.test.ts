// tm.fft.fftfreq, rfftfreq, fftshift and ifftshift against numpy's
// definitions written here, at odd and even lengths.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { asF32, expectClose, expectExact, uniform } from '../../helpers/data.js';

/** numpy.fft.fftfreq: k/(d·n) for the first (n − 1)//2 + 1 bins, then (k − n)/(d·n). */
const fftfreqRef = (n: number, d: number) => Array.from({ length: n }, (_, k) => (k < Math.floor((n - 1) / 2) + 1 ? k : k - n) / (d * n));

/** Rolls flat v of `shape` by `by` along `axis`. */
function rollRef(v: Float64Array, shape: number[], axis: number, by: number): Float64Array {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const m = shape[axis];
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const k = Math.floor(i / inner) % m;
    out[i + (((k + by) % m + m) % m - k) * inner] = v[i];
  }
  return out;
}

describe.each(BACKENDS)('tm.fft frequencies and shifts on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([1, 2, 7, 8, 13])('fftfreq and rfftfreq of %i bins, spacings 1 and 0.1', async (n) => {
    for (const d of [1, 0.1]) {
      expectClose(await tm.fft.fftfreq(n, d).data(), fftfreqRef(n, d), 1e-6, `fftfreq ${n} ${d}`);
      const half = Array.from({ length: Math.floor(n / 2) + 1 }, (_, k) => k / (d * n));
      expectClose(await tm.fft.rfftfreq(n, d).data(), half, 1e-6, `rfftfreq ${n} ${d}`);
    }
    expect(tm.fft.fftfreq(n).shape).toEqual([n]);
  });

  it('fftshift puts fftfreq in order; ifftshift undoes it, odd lengths included', async () => {
    for (const n of [1, 6, 7]) {
      const shifted = Array.from(await tm.fft.fftshift(tm.fft.fftfreq(n)).data());
      expect(shifted).toEqual([...shifted].sort((a, b) => a - b));
      expectExact(await tm.fft.ifftshift(tm.fft.fftshift(tm.fft.fftfreq(n))).data(), await tm.fft.fftfreq(n).data(), `ifftshift(fftshift) ${n}`);
    }
  });

  it('all axes by default, or the ones named: rolls by ⌊n/2⌋ and −⌊n/2⌋', async () => {
    const shape = [3, 4, 5];
    const v = asF32(uniform(60));
    const x = tm.tensor(Float32Array.from(v), shape);
    const all = [0, 1, 2].reduce((acc, a) => rollRef(acc, shape, a, Math.floor(shape[a] / 2)), v);
    expectExact(await tm.fft.fftshift(x).data(), all, 'fftshift all');
    expectExact(await tm.fft.fftshift(x, [0, -1]).data(), rollRef(rollRef(v, shape, 0, 1), shape, 2, 2), 'fftshift axes 0, -1');
    expectExact(await tm.fft.ifftshift(x, 2).data(), rollRef(v, shape, 2, -2), 'ifftshift axis 2');
  });

  it('refuses bad lengths, spacings and axes', () => {
    expect(() => tm.fft.fftfreq(0)).toThrow('fftfreq: n must be a positive integer, got 0');
    expect(() => tm.fft.rfftfreq(2.5)).toThrow('rfftfreq: n must be a positive integer, got 2.5');
    expect(() => tm.fft.fftfreq(4, 0)).toThrow('fftfreq: the sample spacing d must be a finite nonzero number, got 0');
    expect(() => tm.fft.fftshift(tm.ones([3]), 1)).toThrow('fftshift: axis 1 is out of range for a tensor of rank 1');
    expect(() => tm.fft.ifftshift(tm.ones([3]), 'a' as never)).toThrow('ifftshift: axes must be an integer or an array of integers, got "a"');
  });
});
