// tm.signal's windows against PyTorch 1.13's (computed in float64 there and
// written as f32 by scripts/make-signal-fixtures.py), periodic and
// symmetric, at lengths 0, 1 and odd ones; f16; the options checked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF16, expectClose } from '../helpers/data.js';

const torchFile = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'signal', 'torch_windows.npz')));
const LENGTHS = [0, 1, 2, 7, 16, 33];

type Make = (n: number, periodic: boolean) => tm.Tensor;
const WINDOWS: [string, Make][] = [
  ['hann', (n, periodic) => tm.signal.hannWindow(n, { periodic })],
  ['hamming', (n, periodic) => tm.signal.hammingWindow(n, { periodic })],
  ['hamming_0.6_0.3', (n, periodic) => tm.signal.hammingWindow(n, { periodic, alpha: 0.6, beta: 0.3 })],
  ['blackman', (n, periodic) => tm.signal.blackmanWindow(n, { periodic })],
  ['bartlett', (n, periodic) => tm.signal.bartlettWindow(n, { periodic })],
  ['kaiser', (n, periodic) => tm.signal.kaiserWindow(n, { periodic })],
  ['kaiser_5', (n, periodic) => tm.signal.kaiserWindow(n, { periodic, beta: 5 })],
];

describe.each(BACKENDS)('tm.signal windows on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(WINDOWS)('%s, periodic and symmetric, lengths 0 to 33: PyTorch\'s values', async (name, make) => {
    const torch = tm.fromNpz(torchFile);
    for (const n of LENGTHS) {
      for (const periodic of [true, false]) {
        const w = make(n, periodic);
        const want = torch[`${name}_${n}_${periodic ? 'periodic' : 'symmetric'}`];
        expect(w.shape).toEqual([n]);
        expect(w.dtype).toBe('f32');
        expectClose(await w.data(), await want.data(), 2e-7, `${name} ${n} periodic ${periodic}`);
        w.dispose();
      }
    }
  });

  it('a periodic window is the symmetric window one longer, less its last value; hann\'s copies at hop n/2 sum to 1', async () => {
    const periodic = await tm.signal.hannWindow(40).data();
    const symmetric = await tm.signal.hannWindow(41, { periodic: false }).data();
    expectClose(periodic, symmetric.slice(0, 40), 1e-7, 'periodic = symmetric of n + 1, cut');
    for (let k = 0; k < 20; k++) expect(periodic[k] + periodic[k + 20]).toBeCloseTo(1, 6);
  });

  it('dtype f16 rounds the same values to f16', async () => {
    const w = tm.signal.kaiserWindow(25, { dtype: 'f16', beta: 8 });
    expect(w.dtype).toBe('f16');
    const f32 = Float64Array.from(await tm.signal.kaiserWindow(25, { beta: 8 }).data());
    expectClose(await w.data(), asF16(f32), 1e-3, 'f16 kaiser');
  });

  it('a huge beta (I₀ past float64\'s range) still gives the ratio: 1 at the centre, tiny but finite near the ends', async () => {
    const w = await tm.signal.kaiserWindow(9, { beta: 2000, periodic: false }).data();
    expect(w[4]).toBe(1);
    for (const v of w) expect(Number.isFinite(v) && v >= 0 && v <= 1).toBe(true);
    expect(w[3]).toBeGreaterThan(0);
    // I₀(β·√(1 − r²))/I₀(β) ≈ e^(β(√(1 − r²) − 1)) for large β: at r = 1/4 that is e^(−63.5).
    expect(Math.log(w[5]) / (2000 * (Math.sqrt(1 - 1 / 16) - 1))).toBeCloseTo(1, 2);
  });

  it('refuses a negative or fractional length, an unknown option, a negative beta, a non-float dtype', () => {
    expect(() => tm.signal.hannWindow(-1)).toThrow(/length must be a non-negative integer, got -1/);
    expect(() => tm.signal.hannWindow(2.5)).toThrow(/non-negative integer, got 2.5/);
    expect(() => tm.signal.hannWindow(8, { symmetric: true } as never)).toThrow(/unknown option "symmetric".*periodic/);
    expect(() => tm.signal.kaiserWindow(8, { beta: -1 })).toThrow(/beta must be a finite number ≥ 0, got -1/);
    expect(() => tm.signal.blackmanWindow(8, { dtype: 'i32' as never })).toThrow(/dtype must be 'f32' or 'f16', got "i32"/);
    expect(() => tm.signal.hammingWindow(8, { alpha: Number.NaN })).toThrow(/alpha must be a finite number/);
    expect(() => tm.signal.bartlettWindow(8, { periodic: 'no' as never })).toThrow(/periodic must be true or false/);
  });
});

/** The symmetric window of m by SciPy's formula for it, and the periodic one as the first m of the symmetric m + 1 (SciPy's sym=False). */
function scipyWindow(m: number, periodic: boolean, symmetric: (k: number, size: number) => number): number[] {
  const size = periodic ? m + 1 : m;
  if (m === 1) return [1];
  return Array.from({ length: m }, (_, k) => symmetric(k, size));
}

const GENERAL: [string, (n: number, periodic: boolean) => tm.Tensor, (k: number, size: number) => number][] = [
  ['cosine', (n, periodic) => tm.signal.cosineWindow(n, { periodic }), (k, M) => Math.sin((Math.PI * (k + 0.5)) / M)],
  ['gaussian, std 2.5', (n, periodic) => tm.signal.gaussianWindow(n, { periodic, std: 2.5 }), (k, M) => Math.exp(-0.5 * ((k - (M - 1) / 2) / 2.5) ** 2)],
  ['exponential, tau 3', (n, periodic) => tm.signal.exponentialWindow(n, { periodic, tau: 3 }), (k, M) => Math.exp(-Math.abs(k - (M - 1) / 2) / 3)],
  ['general cosine [0.5, 0.3, 0.2]', (n, periodic) => tm.signal.generalCosineWindow(n, { periodic, a: [0.5, 0.3, 0.2] }), (k, M) => 0.5 - 0.3 * Math.cos((2 * Math.PI * k) / (M - 1)) + 0.2 * Math.cos((4 * Math.PI * k) / (M - 1))],
  ['general Hamming 0.6', (n, periodic) => tm.signal.generalHammingWindow(n, { periodic, alpha: 0.6 }), (k, M) => 0.6 - 0.4 * Math.cos((2 * Math.PI * k) / (M - 1))],
  ['Nuttall', (n, periodic) => tm.signal.nuttallWindow(n, { periodic }), (k, M) => [0.3635819, -0.4891775, 0.1365995, -0.0106411].reduce((s, a, j) => s + a * Math.cos((2 * Math.PI * j * k) / (M - 1)), 0)],
];

describe.each(BACKENDS)('the rest of torch.signal.windows on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(GENERAL)('%s, periodic and symmetric, lengths 0 to 33: SciPy\'s formulas', async (name, make, formula) => {
    for (const n of LENGTHS) {
      for (const periodic of [true, false]) {
        const w = make(n, periodic);
        expect(w.shape).toEqual([n]);
        expectClose(await w.data(), scipyWindow(n, periodic, formula), 2e-7, `${name} ${n} periodic ${periodic}`);
      }
    }
  });

  it('SciPy\'s values at length 5 (symmetric), worked by hand; torch.signal.windows\' options refused by name', async () => {
    const at5 = async (w: tm.Tensor) => Array.from(await w.data());
    expectClose(await at5(tm.signal.nuttallWindow(5, { periodic: false })), [0.0003628, 0.2269824, 1, 0.2269824, 0.0003628], 1e-7, 'nuttall');
    expectClose(await at5(tm.signal.gaussianWindow(5, { periodic: false })), [Math.exp(-2), Math.exp(-0.5), 1, Math.exp(-0.5), Math.exp(-2)], 1e-7, 'gaussian');
    expectClose(await at5(tm.signal.exponentialWindow(5, { periodic: false, center: 0 })), [1, Math.exp(-1), Math.exp(-2), Math.exp(-3), Math.exp(-4)], 1e-7, 'exponential from 0');
    expect(() => tm.signal.gaussianWindow(5, { std: 0 })).toThrow('gaussianWindow: std must be a positive number, got 0');
    expect(() => tm.signal.generalCosineWindow(5, { a: [] })).toThrow('generalCosineWindow: a must be a non-empty array of finite numbers, got []');
    expect(() => tm.signal.exponentialWindow(5, { tau: -1 })).toThrow('exponentialWindow: tau must be a positive number, got -1');
  });
});
