// tm.signal.butter, lfilterZi, lfilter, filtfilt, sosfilt, sosfiltZi and
// sosfiltfilt against SciPy 1.10's (test/fixtures/signal/scipy_filters.npz
// from scripts/make-filter-fixtures.py, the same cases in the same order):
// Butterworth designs of each band type, as (b, a) and as sections (which
// may pair poles and zeros otherwise than SciPy's, so they are checked by
// what they do to a signal), steady-state initial conditions, IIR filtering
// along either axis with and without initial conditions (FIR only, one pole
// near the unit circle, more zeros than poles), the gradient in x, b and a
// against PyTorch's autograd of the recursion written out, and zero-phase
// filtering with each padding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectNormwise, uniform } from '../helpers/data.js';

/** scripts/make-filter-fixtures.py's DESIGNS. */
const DESIGNS: [number, number | [number, number], tm.signal.FilterType, number | undefined][] = [
  [4, 0.2, 'lowpass', undefined],
  [1, 0.5, 'lowpass', undefined],
  [3, 30, 'highpass', 200],
  [2, [0.1, 0.4], 'bandpass', undefined],
  [3, [50, 120], 'bandstop', 400],
  [5, 0.05, 'lowpass', undefined],
];

/** Its lfilter cases: x's shape, the axis, whether zi is given. */
const LFILTER: [number[], number, boolean][] = [
  [[3, 200], -1, false],
  [[150, 2], 0, true],
  [[2, 2, 97], -1, true],
  [[5, 33], -1, false],
  [[1000], -1, true],
  [[4, 9], -1, true],
];

/** Its sosfilt cases (SciPy's sections of a design): the design, x's shape, the axis, whether zi is given. */
const SOSFILT: [number, number[], number, boolean][] = [
  [5, [2, 500], -1, false],
  [4, [300, 2], 0, true],
  [0, [3, 2, 64], -1, true],
];

/** Its sosfiltfilt cases. */
const SOSFILTFILT: [number, number[], tm.signal.FiltfiltOptions][] = [
  [5, [2, 400], {}],
  [3, [200, 2], { axis: 0, padtype: 'even' }],
  [2, [100], { padtype: null }],
];

/** Its filtfilt cases: the design, x's shape, options. */
const FILTFILT: [number, number[], tm.signal.FiltfiltOptions][] = [
  [0, [2, 300], {}],
  [3, [200], { padtype: 'even' }],
  [2, [250, 3], { axis: 0, padtype: 'constant', padlen: 20 }],
  [4, [120], { padtype: null }],
  [1, [50], { padlen: 0 }],
];

/** lfilter's y for each row of x [rows, n] by the direct form in float64 (b and a normalized by a[0]), the reference for denominators that float64 holds well. */
function lfilter64(b: readonly number[], a: readonly number[], x: ArrayLike<number>, rows: number): Float64Array {
  const n = x.length / rows;
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < b.length && k <= i; k++) s += b[k] * x[r * n + i - k];
      for (let k = 1; k < a.length && k <= i; k++) s -= a[k] * y[r * n + i - k];
      y[r * n + i] = s / a[0];
    }
  }
  return y;
}

/** np.poly: the coefficients of Π(z − rᵢ), highest power first, for roots given as (re, im) pairs in conjugate pairs. */
function polyOf(roots: readonly [number, number][]): number[] {
  let c: [number, number][] = [[1, 0]];
  for (const [re, im] of roots) c = [...c, [0, 0]].map(([cr, ci], i) => (i === 0 ? [cr, ci] : [cr - (re * c[i - 1][0] - im * c[i - 1][1]), ci - (re * c[i - 1][1] + im * c[i - 1][0])]));
  return c.map(([re]) => re);
}

const fixtures = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'signal', 'scipy_filters.npz')));

/** Each value within tol of want's, relative to the largest |want| (a filtered signal's scale). */
function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  const scale = Math.max(...Array.from(want, Math.abs));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * scale)) expect.fail(`${what} index ${i}: got ${got[i]}, want ${want[i]} (tolerance ${tol} of ${scale})`);
  }
}

describe('butter and lfilterZi (host designs)', () => {
  let scipy: Record<string, tm.Tensor>;

  beforeAll(async () => {
    await tm.init({ backend: 'js' });
    scipy = tm.fromNpz(fixtures);
  });

  it.each(DESIGNS.map((d, k) => [k, ...d]))('design %i: butter(%i, %j, %s, fs %s) gives SciPy\'s b and a, and lfilterZi its zi', async (k) => {
    const [order, wn, btype, fs] = DESIGNS[k];
    const { b, a } = tm.signal.butter(order, wn, { btype, ...(fs === undefined ? {} : { fs }) });
    expectNear(b, await scipy[`butter_b_${k}`].data(), 1e-6, 'b');
    expectNear(a, await scipy[`butter_a_${k}`].data(), 1e-6, 'a');
    expectNear(tm.signal.lfilterZi(b, a), await scipy[`zi_${k}`].data(), 1e-6, 'zi');
    const sos = tm.signal.butter(order, wn, { btype, output: 'sos', ...(fs === undefined ? {} : { fs }) });
    expect(sos.length).toBe(scipy[`butter_sos_${k}`].shape[0]);
    expectNear(await tm.signal.sosfilt(sos, scipy.butter_x).data(), await scipy[`butter_y_${k}`].data(), 1e-5, 'filtered by the sections');
    const scipySections = (await scipy[`butter_sos_${k}`].array()) as number[][];
    expectNear(tm.signal.sosfiltZi(scipySections).flat(), await scipy[`sos_zi_${k}`].data(), 1e-5, 'sosfiltZi');
  });

  it('refuse orders, edges and types that make no filter', () => {
    expect(() => tm.signal.butter(0, 0.2)).toThrow(new tm.ValueError('butter: the order must be an integer ≥ 1, got 0'));
    expect(() => tm.signal.butter(2, 1)).toThrow('butter: a lowpass filter\'s Wn must be a frequency in (0, fs/2 = 1), got 1');
    expect(() => tm.signal.butter(2, 60, { fs: 100 })).toThrow('butter: a lowpass filter\'s Wn must be a frequency in (0, fs/2 = 50), got 60');
    expect(() => tm.signal.butter(2, [0.4, 0.1], { btype: 'bandpass' })).toThrow('butter: a bandpass filter\'s Wn must be [low, high] with 0 < low < high < fs/2 = 1, got [0.4, 0.1]');
    expect(() => tm.signal.butter(2, 0.3, { btype: 'notch' as 'lowpass' })).toThrow("butter: btype must be 'lowpass', 'highpass', 'bandpass' or 'bandstop', got \"notch\"");
    expect(() => tm.signal.lfilterZi([1], [1, -1])).toThrow('lfilterZi: the filter has a pole at z = 1, so a step has no steady state');
    expect(() => tm.signal.lfilterZi([], [1])).toThrow('lfilterZi: b must be a non-empty list of finite numbers, got []');
  });
});

describe.each(BACKENDS)('lfilter and filtfilt on %s', (backend) => {
  let scipy: Record<string, tm.Tensor>;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
    scipy = tm.fromNpz(fixtures);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(LFILTER.map(([shape, axis, zi], k) => [k, JSON.stringify(shape), axis, zi]))('lfilter case %i: x %s along axis %i (zi: %s) gives SciPy\'s y', async (k) => {
    const [, axis, withZi] = LFILTER[k];
    const b = scipy[`lfilter_b_${k}`];
    const a = scipy[`lfilter_a_${k}`];
    const x = scipy[`lfilter_x_${k}`];
    const y = tm.signal.lfilter(b, a, x, { axis, ...(withZi ? { zi: scipy[`lfilter_zi_${k}`] } : {}) });
    expect(y.shape).toEqual(x.shape);
    // Tensor coefficients run one recursion of a's whole order (differentiable in a), which loses digits in f32 at case 1's order 6
    // (1e-4 of the scale; SciPy's own f32 lfilter 4e-6); as numbers, a is factored into quadratics first, to f32's accuracy.
    expectNear(await y.data(), await scipy[`lfilter_y_${k}`].data(), k === 1 ? 3e-4 : 1e-5, `case ${k}`);
    const numbers = tm.signal.lfilter(Array.from(await b.data()), Array.from(await a.data()), x, { axis, ...(withZi ? { zi: scipy[`lfilter_zi_${k}`] } : {}) });
    expectNear(await numbers.data(), await scipy[`lfilter_y_${k}`].data(), 1e-5, `case ${k} with numbers`);
  });

  it('lfilter\'s gradients in x, b and a are PyTorch\'s autograd of the recursion', async () => {
    const x = scipy.grad_x_input.clone();
    const b = scipy.lfilter_b_2.clone();
    const a = scipy.lfilter_a_2.clone();
    for (const t of [x, b, a]) t.requiresGrad = true;
    const y = tm.signal.lfilter(b, a, x);
    tm.tidy(() => y.mul(scipy.grad_w).sum()).backward();
    expectNear(await x.grad!.data(), await scipy.grad_x.data(), 1e-5, 'x');
    expectNear(await b.grad!.data(), await scipy.grad_b.data(), 1e-4, 'b');
    expectNear(await a.grad!.data(), await scipy.grad_a.data(), 1e-4, 'a');
  });

  it.each(FILTFILT.map(([design, shape, options], k) => [k, design, JSON.stringify(shape), JSON.stringify(options)]))('filtfilt case %i: design %i of x %s with %s gives SciPy\'s y', async (k) => {
    const [design, , options] = FILTFILT[k];
    const b = Array.from(await scipy[`butter_b_${design}`].data());
    const a = Array.from(await scipy[`butter_a_${design}`].data());
    const x = scipy[`filtfilt_x_${k}`];
    const y = tm.signal.filtfilt(b, a, x, options);
    expect(y.shape).toEqual(x.shape);
    expectNear(await y.data(), await scipy[`filtfilt_y_${k}`].data(), 1e-4, `case ${k}`);
  });

  it.each(SOSFILT.map(([design, shape, axis, zi], k) => [k, design, JSON.stringify(shape), axis, zi]))('sosfilt case %i: design %i\'s sections over x %s along axis %i (zi: %s) give SciPy\'s y', async (k) => {
    const [design, , axis, withZi] = SOSFILT[k];
    const sos = (await scipy[`butter_sos_${design}`].array()) as number[][];
    const x = scipy[`sosfilt_x_${k}`];
    const y = tm.signal.sosfilt(sos, x, { axis, ...(withZi ? { zi: scipy[`sosfilt_zi_${k}`] } : {}) });
    expect(y.shape).toEqual(x.shape);
    expectNear(await y.data(), await scipy[`sosfilt_y_${k}`].data(), 1e-5, `case ${k}`);
  });

  it.each(SOSFILTFILT.map(([design, shape, options], k) => [k, design, JSON.stringify(shape), JSON.stringify(options)]))('sosfiltfilt case %i: design %i of x %s with %s gives SciPy\'s y', async (k) => {
    const [design, , options] = SOSFILTFILT[k];
    const sos = (await scipy[`butter_sos_${design}`].array()) as number[][];
    const x = scipy[`sosfiltfilt_x_${k}`];
    const y = tm.signal.sosfiltfilt(sos, x, options);
    expect(y.shape).toEqual(x.shape);
    expectNear(await y.data(), await scipy[`sosfiltfilt_y_${k}`].data(), 1e-5, `case ${k}`);
  });

  it('filtfilt is differentiable in x, and keeps a constant signal (a lowpass\'s steady state)', async () => {
    const { b, a } = tm.signal.butter(3, 0.3);
    const x = tm.full([2, 60], 1.5);
    x.requiresGrad = true;
    const y = tm.signal.filtfilt(b, a, x);
    expectNear(await y.data(), new Float32Array(120).fill(1.5), 1e-5, 'constant');
    y.sum().backward();
    expect(x.grad!.shape).toEqual([2, 60]);
    expect(Array.from(await x.grad!.data()).every(Number.isFinite)).toBe(true);
  });

  it('lfilter with a numeric denominator of repeated or clustered roots keeps f32\'s accuracy (its factors multiply back to a)', async () => {
    // Durand–Kerner stalled on such clusters and paired roots that were not conjugates: (1 − 0.5z⁻¹)⁶ came out 1e-2 off, worse
    // than the direct form in f32; butter(10, 0.05) 3e-5.
    const denominators: [string, number[]][] = [
      ['(1 − 0.5z⁻¹)⁶', polyOf(Array(6).fill([0.5, 0]))],
      ['(1 − 0.9z⁻¹)⁴', polyOf(Array(4).fill([0.9, 0]))],
      ['(0.6 ± 0.6i)³', polyOf(Array(3).fill([[0.6, 0.6], [0.6, -0.6]]).flat())],
      ['three roots at 0.8 and a pair', polyOf([[0.8, 0], [0.8, 0], [0.8, 0], [0.3, 0.6], [0.3, -0.6]])],
      ['roots at 0', [2, -1, 0, 0, 0]],
      ['butter(10, 0.05)', tm.signal.butter(10, 0.05).a],
    ];
    const x = tm.randn([2, 300], { seed: 12 });
    const values = await x.data();
    for (const [name, a] of denominators) {
      const b = name.startsWith('butter') ? tm.signal.butter(10, 0.05).b : [1, 0.5];
      const y = tm.signal.lfilter(b, a, x);
      expectNear(await y.data(), lfilter64(b, a, values, 2), 2e-5, name);
    }
  });

  it('refuses a[0] of 0 given as numbers, which it reads on the host', () => {
    const x = tm.zeros([2, 50]);
    expect(() => tm.signal.lfilter([1], [0, 1], x)).toThrow(new tm.ValueError('lfilter: a[0] must not be 0 (it normalizes the filter)'));
    expect(() => tm.signal.lfilter([1], new Float64Array([0, 1, 0.5, 0.25]), x)).toThrow('lfilter: a[0] must not be 0 (it normalizes the filter)');
  });

  it('leave no tensors behind but their results', async () => {
    const x = tm.randn([2, 100], { seed: 1 });
    const { b, a } = tm.signal.butter(4, 0.25);
    const before = tm.memory().numTensors;
    tm.signal.lfilter(b, a, x, { zi: tm.zeros([2, 4]) }).dispose();
    tm.signal.filtfilt(b, a, x).dispose();
    expect(tm.memory().numTensors).toBe(before + 1); // the zeros given as zi
  });
});

/** The transposed direct form II in float64, as scipy's lfilter runs it: y and the final state zf. */
function directForm(b: readonly number[], a: readonly number[], x: ArrayLike<number>, zi: readonly number[]): { y: number[]; zf: number[] } {
  const order = Math.max(b.length, a.length) - 1;
  const [bn, an] = [b, a].map((c) => Array.from({ length: order + 1 }, (_, i) => (c[i] ?? 0) / a[0]));
  const z = [...zi, 0];
  const y = Array.from(x, (v) => {
    const out = bn[0] * v + z[0];
    for (let i = 0; i < order; i++) z[i] = bn[i + 1] * v - an[i + 1] * out + z[i + 1];
    return out;
  });
  return { y, zf: z.slice(0, order) };
}

/** A stable denominator of this many poles: (1 − r·z⁻¹) products of roots inside the unit circle. */
function stableDenominator(poles: number): number[] {
  let a = [1];
  for (let k = 0; k < poles; k++) {
    const r = uniform(1, -0.9, 0.9)[0];
    a = [...a, 0].map((c, i) => c - r * (a[i - 1] ?? 0));
  }
  return a.map((c) => Math.fround(c));
}

describe.each(BACKENDS)('lfilterWithState and sosfiltWithState on %s', (backend) => {
  const tol = backend === 'webgpu' ? 2e-4 : 5e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([[1, 3, 7], [3, 1, 50], [2, 4, 2], [4, 4, 1], [3, 3, 3]])('give scipy\'s y and final state zf for %i numerator and %i denominator coefficients over %i samples (fewer than the state too), from a random zi', async (nb, na, n) => {
    const b = Array.from(uniform(nb), (v) => Math.fround(v));
    const a = stableDenominator(na - 1).map((c, i) => (i === 0 ? 2 : c * 2)); // a[0] ≠ 1: normalized
    const order = Math.max(nb, na) - 1;
    const rows = 3;
    const x = Float32Array.from(uniform(rows * n));
    const zi = Float32Array.from(uniform(rows * order));
    const want = Array.from({ length: rows }, (_, r) => directForm(b, a, x.subarray(r * n, (r + 1) * n), Array.from(zi.subarray(r * order, (r + 1) * order))));
    for (const coefficients of ['numbers', 'tensors'] as const) {
      const [bc, ac] = coefficients === 'numbers' ? [b, a] : [tm.tensor(b), tm.tensor(a)];
      const { y, zf } = tm.signal.lfilterWithState(bc, ac, tm.tensor(x, [rows, n]), { zi: tm.tensor(zi, [rows, order]) });
      expect(zf.shape).toEqual([rows, order]);
      expectNormwise(await y.data(), want.flatMap((w) => w.y), tol, `y (${coefficients})`);
      expectNormwise(await zf.data(), want.flatMap((w) => w.zf), tol, `zf (${coefficients})`);
    }
  });

  it('filter a stream block by block, each zf the next zi, as the whole at once: values and the gradient in x, along axis 0 too', async () => {
    const { b, a } = tm.signal.butter(4, 0.2);
    const x = tm.tensor(Float32Array.from(uniform(120 * 2)), [120, 2]);
    x.requiresGrad = true;
    const w = tm.tensor(Float32Array.from(uniform(120 * 2)), [120, 2]);
    const whole = tm.signal.lfilter(b, a, x, { axis: 0 });
    tm.tidy(() => whole.mul(w).sum()).backward();
    const wholeGrad = await x.grad!.data();
    x.grad = null;
    let state = tm.zeros([4, 2]);
    const blocks = [[0, 37], [37, 40], [40, 120]].map(([from, to]) => {
      const { y, zf } = tm.signal.lfilterWithState(b, a, tm.slice(x, [from, 0], [to - from, 2]), { axis: 0, zi: state });
      state = zf;
      return y;
    });
    const streamed = tm.concat(blocks, 0);
    expectNormwise(await streamed.data(), await whole.data(), 1e-5, 'blocks');
    tm.tidy(() => streamed.mul(w).sum()).backward();
    expectNormwise(await x.grad!.data(), wholeGrad, 1e-5, 'gradient through the states');
  });

  it('a signal of no samples gives no samples, and its zi back as zf (zeros without one), as SciPy\'s', async () => {
    expect(tm.signal.lfilter([1, 0.5], [1, -0.3], tm.zeros([2, 0])).shape).toEqual([2, 0]);
    // Three states (four taps) down axis 0 of three columns: zi [3, 3].
    const zi = tm.tensor(Float32Array.from(uniform(9)), [3, 3]);
    const { y, zf } = tm.signal.lfilterWithState(tm.tensor([1, 0.5, 0.2, 0.1]), [1, -0.3], tm.zeros([0, 3]), { axis: 0, zi });
    expect(y.shape).toEqual([0, 3]);
    expect(await zf.data()).toEqual(await zi.data());
    expect(await tm.signal.lfilterWithState([1, 0.5], [1, -0.3], tm.zeros([4, 0])).zf.data()).toEqual(new Float32Array(4));
  });

  it('sosfiltWithState gives each section\'s state [sections, …, 2]: a stream in blocks is the whole at once', async () => {
    const sos = tm.signal.butter(6, [0.1, 0.3], { btype: 'bandpass', output: 'sos' });
    const x = tm.tensor(Float32Array.from(uniform(3 * 200)), [3, 200]);
    const whole = tm.signal.sosfilt(sos, x);
    const first = tm.signal.sosfiltWithState(sos, tm.slice(x, [0, 0], [3, 90]));
    expect(first.zf.shape).toEqual([sos.length, 3, 2]);
    const second = tm.signal.sosfiltWithState(sos, tm.slice(x, [0, 90], [3, 110]), { zi: first.zf });
    expectNormwise(await tm.concat([first.y, second.y], 1).data(), await whole.data(), 1e-5, 'sections in blocks');
  });
});

describe('lfilter and filtfilt refuse', () => {
  it('bad coefficients, initial conditions and signals, naming the function', async () => {
    await tm.init({ backend: 'js' });
    const x = tm.zeros([2, 50]);
    expect(() => tm.signal.lfilter([1], [0, 1], x)).toThrow(new tm.ValueError('lfilter: a[0] must not be 0 (it normalizes the filter)'));
    expect(() => tm.signal.lfilter([], [1], x)).toThrow('lfilter: b must be a non-empty list of finite numbers, got []');
    expect(() => tm.signal.lfilter(tm.zeros([2, 2]), [1], x)).toThrow('lfilter: b must be a non-empty float vector, got f32 [2,2]');
    expect(() => tm.signal.lfilter([1, 2], [1, 0.5], x, { zi: tm.zeros([2, 3]) })).toThrow('lfilter: zi [2,3] must be [2,1] (x\'s shape with the signal\'s axis replaced by max(len(a), len(b)) − 1 = 1 states; 1 to broadcast), or [1]');
    expect(() => tm.signal.lfilter([1], [1], tm.zeros([3], { dtype: 'i32' }))).toThrow("lfilter: x must be f32 or f16, got i32 (cast it: x.cast('f32'))");
    expect(() => tm.signal.lfilter([1, 2], [1, 0.5], x, { zi: tm.zeros([2, 1], { dtype: 'i32' }) })).toThrow(new tm.DTypeError("lfilter: zi must be f32 or f16, got i32 (cast it: zi.cast('f32'))"));
    expect(() => tm.signal.filtfilt([1, 2], [1, 0.5], tm.zeros([6]))).toThrow('filtfilt: x [6] has 6 samples along axis -1; the padding needs more than padlen = 6');
    expect(() => tm.signal.filtfilt([1], [1], x, { padtype: 'wrap' as 'odd' })).toThrow("filtfilt: padtype must be 'odd', 'even', 'constant' or null, got \"wrap\"");
    expect(() => tm.signal.sosfilt([[1, 0, 0, 2, 0, 0]], x)).toThrow("sosfilt: section 0's denominator must start with 1 (sos[0][3]), got 2");
    expect(() => tm.signal.sosfilt([[1, 0, 0, 1, 0]], x)).toThrow('sosfilt: section 0 must be six finite numbers [b0, b1, b2, 1, a1, a2], got [1, 0, 0, 1, 0]');
    expect(() => tm.signal.sosfilt([[1, 0, 0, 1, 0, 0]], x, { zi: tm.zeros([2, 2, 2]) })).toThrow("sosfilt: zi [2,2,2] must be [sections = 1, ...x's shape with the signal's axis replaced by 2], for x [2,50]");
    expect(() => tm.signal.sosfiltfilt([[1, 0, 0, 1, 0, 0]], tm.zeros([6]))).toThrow('sosfiltfilt: x [6] has 6 samples along axis -1; the padding needs more than padlen = 6');
    expect(() => tm.signal.butter(2, 0.3, { output: 'zpk' as 'sos' })).toThrow("butter: output must be 'ba' or 'sos', got \"zpk\"");
  });
});
