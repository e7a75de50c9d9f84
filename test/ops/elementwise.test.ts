// Elementwise ops on every backend against float64 references, at odd sizes,
// broadcasting corner cases (size-1 axes, scalars, empty shapes), special
// values, and in every dtype (ints wrap like C).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { TOL, asF16, asF32, expectClose, expectExact, intsOf, randomInts, uniform } from '../helpers/data.js';
import { broadcast2, erfRef, f64, map, roundF16, size, whereRef, wrapInt } from '../helpers/float64.js';

type Unary = [name: string, ref: (x: number) => number, op: (t: tm.Tensor) => tm.Tensor, lo: number, hi: number];
const UNARY: Unary[] = [
  ['neg', (x) => -x, (t) => t.neg(), -3, 3],
  ['abs', Math.abs, (t) => t.abs(), -3, 3],
  ['sign', (x) => Math.sign(x), (t) => t.sign(), -3, 3],
  ['exp', Math.exp, (t) => t.exp(), -5, 5],
  ['log', Math.log, (t) => t.log(), 0.01, 50],
  ['sqrt', Math.sqrt, (t) => t.sqrt(), 0, 50],
  ['relu', (x) => (Number.isNaN(x) ? NaN : Math.max(x, 0)), (t) => t.relu(), -3, 3],
  ['sigmoid', (x) => 1 / (1 + Math.exp(-x)), (t) => t.sigmoid(), -8, 8],
  ['tanh', Math.tanh, (t) => t.tanh(), -4, 4],
  ['square', (x) => x * x, (t) => t.square(), -3, 3],
  ['floor', Math.floor, (t) => t.floor(), -3, 3],
  ['ceil', Math.ceil, (t) => t.ceil(), -3, 3],
  // Halves to even, as NumPy and PyTorch (Math.round takes them up).
  ['round', (x) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x)), (t) => t.round(), -3, 3],
  ['sin', Math.sin, (t) => t.sin(), -10, 10],
  ['cos', Math.cos, (t) => t.cos(), -10, 10],
  ['erf', erfRef, (t) => t.erf(), -5, 5],
  ['log1p', Math.log1p, (t) => t.log1p(), -0.9, 10],
  ['expm1', Math.expm1, (t) => t.expm1(), -5, 5],
  ['tan', Math.tan, (t) => t.tan(), -1.4, 1.4],
  ['asin', Math.asin, (t) => t.asin(), -1, 1],
  ['acos', Math.acos, (t) => t.acos(), -1, 1],
  ['atan', Math.atan, (t) => t.atan(), -10, 10],
  ['sinh', Math.sinh, (t) => t.sinh(), -5, 5],
  ['cosh', Math.cosh, (t) => t.cosh(), -5, 5],
  ['asinh', Math.asinh, (t) => t.asinh(), -10, 10],
  ['acosh', Math.acosh, (t) => t.acosh(), 1, 10],
  ['atanh', Math.atanh, (t) => t.atanh(), -0.99, 0.99],
  ['trunc', Math.trunc, (t) => t.trunc(), -3, 3],
  ['log2', Math.log2, tm.log2, 0.01, 50],
  ['log10', Math.log10, tm.log10, 0.01, 50],
  ['exp2', (x) => 2 ** x, tm.exp2, -8, 8],
  ['reciprocal', (x) => 1 / x, tm.reciprocal, -3, 3],
  ['rsqrt', (x) => 1 / Math.sqrt(x), tm.rsqrt, 0.01, 50],
  ['deg2rad', (x) => (x * Math.PI) / 180, tm.deg2rad, -720, 720],
  ['rad2deg', (x) => (x * 180) / Math.PI, tm.rad2deg, -7, 7],
  ['frac', (x) => x - Math.trunc(x), tm.frac, -5, 5],
];
/** The float-only unary ops: ints are cast to f32 first. */
const FLOAT_ONLY = [
  'exp', 'log', 'sqrt', 'sigmoid', 'tanh', 'sin', 'cos', 'erf', 'log1p', 'expm1', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh',
  'log2', 'log10', 'exp2', 'reciprocal', 'rsqrt', 'deg2rad', 'rad2deg',
];

type Binary = [name: string, ref: (a: number, b: number) => number, op: (a: tm.TensorLike, b: tm.TensorLike) => tm.Tensor];
const ARITHMETIC: Binary[] = [
  ['add', (a, b) => a + b, tm.add],
  ['sub', (a, b) => a - b, tm.sub],
  ['mul', (a, b) => a * b, tm.mul],
  ['div', (a, b) => a / b, tm.div],
  ['maximum', Math.max, tm.maximum],
  ['minimum', Math.min, tm.minimum],
  ['atan2', Math.atan2, tm.atan2],
  ['remainder', remainderRef, tm.remainder],
  ['floorDivide', floorDivideRef, tm.floorDivide],
  // C's fmod is JavaScript's %.
  ['fmod', (a, b) => a % b, tm.fmod],
];
const COMPARISONS: Binary[] = [
  ['equal', (a, b) => +(a === b), tm.equal],
  ['notEqual', (a, b) => +(a !== b), tm.notEqual],
  ['less', (a, b) => +(a < b), tm.less],
  ['lessEqual', (a, b) => +(a <= b), tm.lessEqual],
  ['greater', (a, b) => +(a > b), tm.greater],
  ['greaterEqual', (a, b) => +(a >= b), tm.greaterEqual],
];
const BINARY = [...ARITHMETIC, ...COMPARISONS];

/**
 * NumPy's mod (Python's %, PyTorch's remainder): C's fmod (JavaScript's %,
 * exact) moved to b's side, a zero signed as b, and a finite a mod ±∞ is a
 * when their signs agree, else ±∞ (fmod gives a, then a + b).
 */
function remainderRef(a: number, b: number): number {
  const r = a % b;
  if (r === 0) return b < 0 ? -0 : 0;
  return r < 0 !== b < 0 ? r + b : r;
}

/**
 * Python's float // (NumPy's floor_divide, PyTorch's): a/b where b is 0;
 * else the quotient of a − fmod(a, b), a whole multiple of b, to the nearest
 * integer, one less where fmod's sign is not b's, and a zero signed as a/b.
 */
function floorDivideRef(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let q = (a - mod) / b;
  if (mod !== 0 && mod < 0 !== b < 0) q -= 1;
  if (q === 0) return Math.sign(a / b) === -1 || Object.is(a / b, -0) ? -0 : 0;
  return Math.round(q);
}

/** IEEE 754 / C / NumPy pow: pow(1, y) = 1 for every y, NaN included, and pow(-1, ±Infinity) = 1 (Math.pow gives NaN there). */
const powRef = (a: number, b: number) => (a === 1 || (a === -1 && Math.abs(b) === Infinity) ? 1 : Math.pow(a, b));

/** Shape pairs that broadcast: equal, row vector, size-1 axes both ways, scalars, rank mismatch, empty. */
const PAIRS: [number[], number[]][] = [
  [[1], [1]], [[7], [7]], [[13, 31], [31]], [[127, 129], [127, 1]], [[5, 1, 3], [4, 3]], [[7, 1], [1, 13]],
  [[], []], [[], [3, 4]], [[3, 4], []], [[1, 1, 1], []], [[2, 1, 4, 1], [3, 1, 5]], [[0, 3], [3]], [[3, 0], [1]],
  [[1, 129], [127, 1]],
];

const UNARY_SHAPES: number[][] = [[], [1], [7], [13, 31], [3, 1, 7], [127, 129], [0, 5]];

/** Special values: NaN, ±Infinity, ±0, and ordinary ones around them. */
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2.5, -2.5, 3, -3, 0.5, 1e-30, -1e30];

const tensorOf = (values: Float64Array, shape: number[], dtype: tm.DType = 'f32') => tm.tensor(values, shape, { dtype });

/** n points from lo to hi spaced evenly in log scale. */
const logSpace = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
const SUBNORMALS = [1.4e-45, 1e-42, 3e-40, 1.1e-38];
const symmetric = (xs: number[]) => xs.flatMap((v) => [v, -v]);
const F32_MAX = 3.4028234663852886e38;
/** ±(1 − d) for d from 1e-7 to ½. */
const NEAR_ONE = symmetric(logSpace(1e-7, 0.5, 97).map((d) => 1 - d));
/** Relative tolerances a few f32 ulps wide; exp's WGSL error grows with |x| (3 + 2|x| ulp), and sigmoid's with it. */
const RELATIVE: [name: string, tol: number, ref: (x: number) => number, op: (t: tm.Tensor) => tm.Tensor, xs: number[]][] = [
  ['log', 4e-7, Math.log, (t) => t.log(), [
    ...logSpace(1e-7, 0.5, 97).flatMap((d) => [1 + d, 1 - d]), ...logSpace(1e-30, 1e30, 61), ...SUBNORMALS, 0.5, 2, 0.75, 1.5, 3.4e38,
  ]],
  ['tanh', 4e-7, Math.tanh, (t) => t.tanh(), [...logSpace(1e-30, 9, 151).flatMap((v) => [v, -v]), ...SUBNORMALS, 0.5, -0.5]],
  ['sqrt', 4e-7, Math.sqrt, (t) => t.sqrt(), [...logSpace(1e-30, 1e30, 97), ...SUBNORMALS]],
  ['exp', 1e-5, Math.exp, (t) => t.exp(), Array.from({ length: 175 }, (_, i) => -87 + i)],
  ['sigmoid', 1e-5, (x) => 1 / (1 + Math.exp(-x)), (t) => t.sigmoid(), Array.from({ length: 175 }, (_, i) => -87 + i)],
  // Near their zeros (f32 multiples of π and π/2, up to ±1000π), where WGSL's builtins keep no digit, and out to f32's largest.
  ...(['sin', 'cos'] as const).map((op) => [op, 1e-6, Math[op], (t: tm.Tensor) => t[op](), [
    ...Array.from({ length: 401 }, (_, k) => Math.fround(((k - 200) * 5 * Math.PI) / 2)), ...logSpace(1e-30, 3.4e38, 301).flatMap((v) => [v, -v]), ...SUBNORMALS,
  ]] as (typeof RELATIVE)[number]),
  // Near 0 (erf x ≈ 2x/√π) and through both of its forms and the seam between them (2), out to where it is ±1.
  ['erf', 1e-6, erfRef, (t) => t.erf(), [...logSpace(1e-30, 4.5, 201).flatMap((v) => [v, -v]), 1.9999, 2, 2.0001, 3.9999, 4]],
  // Where 1 + x and eˣ − 1 would lose x's digits (near 0), near −1, and out to f32's largest.
  ['log1p', 4e-7, Math.log1p, (t) => t.log1p(), [...logSpace(1e-30, 3e38, 201), ...logSpace(1e-30, 1 - 1e-7, 201).map((v) => -v), ...SUBNORMALS]],
  ['expm1', 4e-7, Math.expm1, (t) => t.expm1(), [...symmetric(logSpace(1e-30, 0.5, 201)), ...SUBNORMALS, -20, -88]],
  // Past ½, eˣ − 1 carries exp's error (growing with x, as exp's row above).
  ['expm1', 1e-5, Math.expm1, (t) => t.expm1(), logSpace(0.5, 88, 101)],
  // Near its zeros and poles (f32 multiples of π/2 up to ±500π), and out to f32's largest.
  ['tan', 1e-6, Math.tan, (t) => t.tan(), [...Array.from({ length: 401 }, (_, k) => Math.fround(((k - 200) * 5 * Math.PI) / 2)), ...symmetric(logSpace(1e-30, 3.4e38, 301)), ...SUBNORMALS]],
  // Near 0, through the seams of their reductions (½; tan π/8 and tan 3π/8 for atan) and near ±1, where acos → 0 and atanh → ±∞.
  ['asin', 4e-7, Math.asin, (t) => t.asin(), [...symmetric(logSpace(1e-30, 1, 301)), ...NEAR_ONE, ...SUBNORMALS, 0.5, 0.50001]],
  ['acos', 4e-7, Math.acos, (t) => t.acos(), [...symmetric(logSpace(1e-30, 1, 301)), ...NEAR_ONE, ...SUBNORMALS, 0.5, -0.5]],
  ['atan', 4e-7, Math.atan, (t) => t.atan(), [...symmetric(logSpace(1e-30, 3.4e38, 601)), ...SUBNORMALS, 0.41421356, 0.41421357, 2.4142135, 2.4142136]],
  ['atanh', 4e-7, Math.atanh, (t) => t.atanh(), [...symmetric(logSpace(1e-30, 1, 301)), ...NEAR_ONE, ...SUBNORMALS]],
  // Near 0, where eˣ − e⁻ˣ cancels, to 10; beyond, exp's own error (as exp's row).
  ['sinh', 4e-7, Math.sinh, (t) => t.sinh(), [...symmetric(logSpace(1e-30, 10, 301)), ...SUBNORMALS, 0.99999, 1]],
  // To the last f32 whose sinh and cosh are finite (89.41598511) and the first past it (89.41599274, ∞).
  ['sinh', 1e-5, Math.sinh, (t) => t.sinh(), [...symmetric(logSpace(10, 89.4, 101)), 88, 89, ...symmetric([89.41598510742188, 89.41599273681641])]],
  ['cosh', 4e-7, Math.cosh, (t) => t.cosh(), [...symmetric(logSpace(1e-30, 10, 301)), ...SUBNORMALS]],
  ['cosh', 1e-5, Math.cosh, (t) => t.cosh(), [...symmetric(logSpace(10, 89.4, 101)), 88, 89, ...symmetric([89.41598510742188, 89.41599273681641])]],
  // Near 0, where log(x + √(x² + 1)) cancels, and past 2^28, where x² would overflow.
  ['asinh', 4e-7, Math.asinh, (t) => t.asinh(), [...symmetric(logSpace(1e-30, 3.4e38, 601)), ...SUBNORMALS]],
  // Near 1, where acosh → 0, and out to f32's largest.
  ['acosh', 4e-7, Math.acosh, (t) => t.acosh(), [1, ...logSpace(1e-7, 3.4e38, 601).map((d) => 1 + d)]],
  // Near 1, where the result → 0, from the smallest subnormal to f32's largest, and either side of each power of two.
  ...(['log2', 'log10'] as const).map((op) => [op, 4e-7, Math[op], tm[op], [
    ...logSpace(1e-7, 0.5, 97).flatMap((d) => [1 + d, 1 - d]), ...logSpace(1e-30, 3.4e38, 201), ...SUBNORMALS, 3.4e38,
    ...Array.from({ length: 60 }, (_, k) => 2 ** (k - 30)).flatMap((p) => [p * (1 + 2 ** -23), p * (1 - 2 ** -24)]),
  ]] as (typeof RELATIVE)[number]),
  // Near 0, where 2ˣ → 1, and out to where it leaves f32 (the normal range: a device may flush subnormal results).
  ['exp2', 4e-7, (x) => 2 ** x, tm.exp2, [...symmetric(logSpace(1e-30, 1, 101)), ...Array.from({ length: 253 }, (_, i) => -126 + i + 0.37), 127.99, -125.99]],
  ['rsqrt', 4e-7, (x) => 1 / Math.sqrt(x), tm.rsqrt, [...logSpace(1e-30, 3.4e38, 201), ...SUBNORMALS]],
];

describe.each(BACKENDS)('elementwise ops on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe.each(UNARY)('%s', (name, ref, op, lo, hi) => {
    it.each(UNARY_SHAPES.map((s) => [s]))('f32 at shape %j', async (shape) => {
      const x = asF32(uniform(size(shape), lo, hi));
      const y = op(tensorOf(x, shape));
      expect(y.shape).toEqual(shape);
      expect(y.dtype).toBe('f32');
      expectClose(await y.data(), map(f64(shape, x), ref).v, TOL.f32, name);
    });

    it('f16 stores f16: the float64 result rounded to f16, within a few f16 ulps', async () => {
      const x = asF16(uniform(13 * 31, lo, Math.min(hi, 10)));
      const y = op(tensorOf(x, [13, 31], 'f16'));
      expect(y.dtype).toBe('f16');
      const got = await y.data();
      expect(Array.from(got)).toEqual(Array.from(got, roundF16)); // stored as f16
      expectClose(got, map(f64([13, 31], x), (v) => roundF16(ref(v))).v, TOL.f16, name);
    });

    it('NaN, ±Infinity and ±0 behave as in IEEE arithmetic', async () => {
      const x = asF32(Float64Array.from(SPECIAL));
      expectClose(await op(tensorOf(x, [x.length])).data(), x.map((v) => Math.fround(ref(v))), TOL.f32, name);
    });
  });

  // expectClose's tolerance is relative to |want| + 1, so a result near 0 is
  // held only to an absolute 1e-5. WGSL promises log only an absolute error
  // on [0.5, 2] and tanh inherits one from sinh / cosh, so these are checked
  // against the float64 result relative to itself, in the regimes where that
  // differs: log near 1, tanh near 0, results and inputs near f32's edges.
  it.each(RELATIVE)('%s is within %s of the float64 result, relative to it, where results are small', async (name, tol, ref, op, xs) => {
    const x = asF32(Float64Array.from(xs));
    const got = await op(tensorOf(x, [x.length])).data();
    x.forEach((v, i) => {
      const want = ref(v);
      // At f32's largest, a result within tol of want may round to ∞ (as want itself does past it).
      const mayOverflow = got[i] === Math.sign(want) * Infinity && Math.abs(want) * (1 + tol) > F32_MAX;
      if (!(got[i] === want || mayOverflow || Math.abs(got[i] - want) <= tol * Math.abs(want))) expect.fail(`${name}(${v}): got ${got[i]}, want ${want} (relative tolerance ${tol})`);
    });
  });

  it('log2 of a power of two, log10 of a power of ten and 2 to a whole power are exact, as NumPy gives them', async () => {
    const twos = Array.from({ length: 277 }, (_, k) => 2 ** (k - 149));
    expectExact(await tm.log2(tm.tensor(twos)).data(), twos.map((_, k) => k - 149), 'log2');
    const tens = Array.from({ length: 39 }, (_, k) => Math.fround(10 ** k));
    expectExact(await tm.log10(tm.tensor(tens)).data(), tens.map((_, k) => k), 'log10');
    const powers = Array.from({ length: 254 }, (_, k) => k - 126);
    expectExact(await tm.exp2(tm.tensor(powers)).data(), powers.map((k) => 2 ** k), 'exp2');
  });

  it.each(['i8', 'i32'] as const)('neg, abs, sign, relu and square keep %s and wrap like C (-(-128) is -128 in i8); floor, ceil, round and trunc keep it as it is', async (dtype) => {
    const x = intsOf(dtype, 257);
    const t = tensorOf(x, [257], dtype);
    const cases: [tm.Tensor, (v: number) => bigint | number][] = [
      [t.floor(), (v) => v],
      [t.ceil(), (v) => v],
      [t.round(), (v) => v],
      [t.trunc(), (v) => v],
      [t.neg(), (v) => -BigInt(v)],
      [t.abs(), (v) => BigInt(Math.abs(v))],
      [t.sign(), (v) => Math.sign(v) + 0],
      [t.relu(), (v) => Math.max(v, 0)],
      [t.square(), (v) => BigInt(v) * BigInt(v)],
    ];
    for (const [y, ref] of cases) {
      expect(y.dtype).toBe(dtype);
      expectExact(await y.data(), x.map((v) => wrapInt(ref(v), dtype)));
    }
  });

  it.each(['i8', 'i32'] as const)('exp, log, the trigonometric and hyperbolic functions and the rest of the float-only ops of %s compute in f32', async (dtype) => {
    const x = randomInts(129, -20, 20);
    const t = tensorOf(x, [129], dtype);
    for (const [name, ref, op] of UNARY.filter(([n]) => FLOAT_ONLY.includes(n))) {
      const y = op(t);
      expect(y.dtype).toBe('f32');
      expectClose(await y.data(), x.map((v) => Math.fround(ref(v))), TOL.f32, `${name} ${dtype}`);
    }
  });

  describe.each(BINARY)('%s', (name, ref, op) => {
    it.each(PAIRS)('f32 broadcasting %j with %j', async (sa, sb) => {
      // Small integers make ties (equal, maximum) common as well as ordinary values.
      const a = asF32(uniform(size(sa), -3, 3).map((v, i) => (i % 3 === 0 ? Math.round(v) : v)));
      const b = asF32(uniform(size(sb), -3, 3).map((v, i) => (i % 2 === 0 ? Math.round(v) : v)));
      const want = broadcast2(f64(sa, a), f64(sb, b), (x, y) => Math.fround(ref(x, y)));
      const y = op(tensorOf(a, sa), tensorOf(b, sb));
      expect(y.shape).toEqual(want.shape);
      expect(y.dtype).toBe('f32');
      expectClose(await y.data(), want.v, TOL.f32, name);
    });

    it('f16 with broadcasting at odd sizes stores f16', async () => {
      const a = asF16(uniform(7 * 13, -3, 3));
      const b = asF16(uniform(13, 0.5, 3));
      const y = op(tensorOf(a, [7, 13], 'f16'), tensorOf(b, [13], 'f16'));
      expect(y.dtype).toBe('f16');
      expectClose(await y.data(), broadcast2(f64([7, 13], a), f64([13], b), (x, z) => roundF16(ref(x, z))).v, TOL.f16, name);
    });

    it('a plain number on either side acts as a scalar', async () => {
      const a = asF32(uniform(31, -3, 3));
      const t = tensorOf(a, [31]);
      expectClose(await op(t, 1.5).data(), a.map((v) => Math.fround(ref(v, 1.5))), TOL.f32);
      expectClose(await op(-2, t).data(), a.map((v) => Math.fround(ref(-2, v))), TOL.f32);
    });

    it.each(['f32', 'f16'] as const)('NaN, ±Infinity and ±0 in %s against every other special value', async (dtype) => {
      const s = Float64Array.from(SPECIAL).map((v) => (dtype === 'f16' ? roundF16(v) : Math.fround(v)));
      const round = dtype === 'f16' ? roundF16 : Math.fround;
      const y = op(tensorOf(s, [s.length, 1], dtype), tensorOf(s, [s.length], dtype));
      expectClose(await y.data(), broadcast2(f64([s.length, 1], s), f64([s.length], s), (x, z) => round(ref(x, z))).v, TOL[dtype], name);
    });
  });

  describe.each(['i8', 'i32'] as const)('%s arithmetic', (dtype) => {
    const INT_OPS: [string, (a: number, b: number) => bigint | number, (a: tm.Tensor, b: tm.Tensor) => tm.Tensor][] = [
      ['add', (a, b) => BigInt(a) + BigInt(b), (a, b) => a.add(b)],
      ['sub', (a, b) => BigInt(a) - BigInt(b), (a, b) => a.sub(b)],
      ['mul', (a, b) => BigInt(a) * BigInt(b), (a, b) => a.mul(b)],
      ['maximum', Math.max, (a, b) => a.maximum(b)],
      ['minimum', Math.min, (a, b) => a.minimum(b)],
      // Exact: b's sign, and x rem 0 is 0 as x ÷ 0 is.
      ['remainder', (a, b) => (b === 0 ? 0 : remainderRef(a, b)), (a, b) => a.remainder(b)],
      // ⌊a/b⌋ exactly (BigInt division truncates; one less where the signs differ and it is inexact); x ÷ 0 is 0.
      ['floorDivide', (a, b) => (b === 0 ? 0 : BigInt(a) / BigInt(b) - (BigInt(a) % BigInt(b) !== 0n && a < 0 !== b < 0 ? 1n : 0n)), (a, b) => a.floorDivide(b)],
      ['div rounding toward zero', (a, b) => (b === 0 ? 0 : BigInt(a) / BigInt(b)), (a, b) => a.div(b, { roundingMode: 'trunc' })],
      // C's %: a's sign (BigInt's % is C's); x fmod 0 is 0.
      ['fmod', (a, b) => (b === 0 ? 0 : BigInt(a) % BigInt(b)), tm.fmod],
      ...COMPARISONS.map(([n, r, o]) => [n, r, o] as [string, (a: number, b: number) => number, (a: tm.Tensor, b: tm.Tensor) => tm.Tensor]),
    ];

    it.each([[[13, 31], [31]], [[7, 1], [1, 13]], [[129], []]])('wraps like C and stays exact, broadcasting %j with %j', async (sa, sb) => {
      const a = intsOf(dtype, size(sa));
      const b = intsOf(dtype, size(sb)).map((v, i) => (i % 4 === 0 && a.length ? a[i % a.length] : v)); // some ties
      for (const [name, ref, op] of INT_OPS) {
        const y = op(tensorOf(a, sa, dtype), tensorOf(b, sb, dtype));
        expect(y.dtype, name).toBe(dtype);
        expectExact(await y.data(), broadcast2(f64(sa, a), f64(sb, b), (x, z) => wrapInt(ref(x, z), dtype)).v, `${dtype} ${name}`);
      }
    });

    it('pow with non-negative integer exponents wraps like repeated multiplication', async () => {
      const base = randomInts(64, -9, 9);
      const expo = randomInts(64, 0, 12);
      const y = tensorOf(base, [64], dtype).pow(tensorOf(expo, [64], dtype));
      expect(y.dtype).toBe(dtype);
      expectExact(await y.data(), base.map((x, i) => wrapInt(BigInt(x) ** BigInt(expo[i]), dtype)));
    });
  });

  it('remainder is exact for floats of any magnitudes, with the divisor\'s sign, zeros signed as the divisor', async () => {
    // Magnitudes 1e-30 … 1e30 both ways (quotients up to 2^200, which a − b·⌊a/b⌋ in floats would lose); results stay normal.
    const n = 2001;
    const magnitude = () => 10 ** (uniform(1, -30, 30)[0]) * (uniform(1, 0, 1)[0] < 0.5 ? -1 : 1);
    const a = asF32(Float64Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 0 : magnitude())));
    const b = asF32(Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? a[i] * 3 : magnitude())));
    const got = await tm.remainder(tensorOf(a, [n]), tensorOf(b, [n])).data();
    a.forEach((x, i) => {
      const want = Math.fround(remainderRef(x, b[i]));
      if (!Object.is(got[i], want)) expect.fail(`remainder(${x}, ${b[i]}): got ${got[i]}, want ${want}`);
    });
    expect(Array.from(await tm.tensor([5, -5, 5, -5, 6, -6, 7.5]).remainder(tm.tensor([3, 3, -3, -3, -3, 3, 2])).data())).toEqual([2, 1, -1, -2, -0, 0, 1.5]);
  });

  it('fmod is exact for floats of any magnitudes, with the dividend\'s sign, zeros signed as the dividend, a over ±∞ a', async () => {
    const n = 2001;
    const magnitude = () => 10 ** (uniform(1, -30, 30)[0]) * (uniform(1, 0, 1)[0] < 0.5 ? -1 : 1);
    const a = asF32(Float64Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 0 : magnitude())));
    const b = asF32(Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? a[i] * 3 : i % 11 === 0 ? -Infinity : magnitude())));
    const got = await tm.fmod(tensorOf(a, [n]), tensorOf(b, [n])).data();
    a.forEach((x, i) => {
      const want = Math.fround(x % b[i]);
      if (!Object.is(got[i], want)) expect.fail(`fmod(${x}, ${b[i]}): got ${got[i]}, want ${want}`);
    });
    expect(Array.from(await tm.fmod(tm.tensor([5, -5, 5, -5, 6, -6, 7.5, Infinity, 3]), tm.tensor([3, 3, -3, -3, -3, 3, 2, 2, 0])).data())).toEqual([2, -2, 2, -2, 0, -0, 1.5, NaN, NaN]);
  });

  it("floorDivide and div's rounding modes are exact for ints past 2^24, where f32 would round the quotient", async () => {
    const a = tm.tensor(new Int32Array([2147483647, -2147483648, 16777217, -16777217, 7, -7, 7, -7, 5, -2147483648, 9]), [11]);
    const b = tm.tensor(new Int32Array([1, 3, 1, 2, 2, 2, -2, -2, 0, -1, 3]), [11]);
    const floor = a.floorDivide(b), trunc = a.div(b, { roundingMode: 'trunc' }), viaDiv = a.div(b, { roundingMode: 'floor' });
    expect([floor.dtype, trunc.dtype, viaDiv.dtype]).toEqual(['i32', 'i32', 'i32']);
    // INT_MIN ÷ −1 wraps to INT_MIN, as C's ints on every backend; x ÷ 0 is 0.
    expect(Array.from(await floor.data())).toEqual([2147483647, -715827883, 16777217, -8388609, 3, -4, -4, 3, 0, -2147483648, 3]);
    expect(Array.from(await trunc.data())).toEqual([2147483647, -715827882, 16777217, -8388608, 3, -3, -3, 3, 0, -2147483648, 3]);
    expect(Array.from(await viaDiv.data())).toEqual(Array.from(await floor.data()));
    const i8 = tm.tensor(new Int8Array([-128, 127, -7]), [3]).floorDivide(tm.tensor(new Int8Array([-1, -2, 2]), [3]));
    expect([i8.dtype, Array.from(await i8.data())]).toEqual(['i8', [-128, -64, -4]]);
  });

  it('floorDivide of floats agrees with remainder (a = b·⌊a/b⌋ + a mod b) and needs no exact quotient', async () => {
    // 0.3 · 7 and the like: a/b rounds to just under a whole number, which floor alone would take one too low.
    const a = asF32(Float64Array.from([2.1, -2.1, 0.7, 1, -1, 6, 1e-3, 3e7, -5.5, 0, -0]));
    const b = asF32(Float64Array.from([0.7, 0.7, 0.1, 0.1, 0.1, 0.2, 3, 0.3, 2, 3, 3]));
    const q = await tm.floorDivide(tensorOf(a, [11]), tensorOf(b, [11])).data();
    const r = await tm.remainder(tensorOf(a, [11]), tensorOf(b, [11])).data();
    a.forEach((x, i) => {
      const want = Math.fround(floorDivideRef(x, b[i]));
      if (!Object.is(q[i], want)) expect.fail(`floorDivide(${x}, ${b[i]}): got ${q[i]}, want ${want}`);
      expect(Math.abs(x - (b[i] * q[i] + r[i]))).toBeLessThanOrEqual(Math.abs(x) * 2e-7 + 1e-12);
    });
    // PyTorch's values: 7 // 2, -7 // 2, 7 // -2, 2.5 // 0.5, 1 // 0, -1 // 0, 0 // 0.
    expect(Array.from(await tm.tensor([7, -7, 7, 2.5, 1, -1, 0]).floorDivide(tm.tensor([2, 2, -2, 0.5, 0, 0, 0])).data())).toEqual([3, -4, -4, 5, Infinity, -Infinity, NaN]);
  });

  it("div's rounding modes on floats: trunc toward zero, floor down; no gradient through either", async () => {
    const a = tm.tensor([7.5, -7.5, 7.5, -7.5, 1, -0.5]);
    const b = tm.tensor([2, 2, -2, -2, 3, 4]);
    expect(Array.from(await a.div(b, { roundingMode: 'trunc' }).data())).toEqual([3, -3, -3, 3, 0, -0]);
    expect(Array.from(await a.div(b, { roundingMode: 'floor' }).data())).toEqual([3, -4, -4, 3, 0, -1]);
    const x = tm.tensor([1.5, -2.5, 3.25]);
    x.requiresGrad = true;
    tm.tidy(() => x.div(2, { roundingMode: 'floor' }).add(x.div(2, { roundingMode: 'trunc' })).sum()).backward();
    expect(Array.from(await x.grad!.data())).toEqual([0, 0, 0]);
    x.dispose();
    expect(() => a.div(b, { roundingMode: 'round' as 'floor' })).toThrow(/div: roundingMode must be 'trunc' or 'floor', got .round./);
    expect(() => a.div(b, { rounding: 'floor' } as never)).toThrow(/rounding/);
  });

  it('the odd functions keep the sign of zero; atan2 takes its quadrant from the signs of zeros too', async () => {
    const zeros = tm.tensor([0, -0]);
    for (const name of ['log1p', 'expm1', 'tan', 'asin', 'atan', 'sinh', 'asinh', 'atanh', 'trunc'] as const) {
      const [plus, minus] = await zeros[name]().data();
      expect(Object.is(plus, 0) && Object.is(minus, -0), `${name}(±0) = ${plus}, ${minus}`).toBe(true);
    }
    const y = tm.tensor([0, -0, 0, -0, 1, -1, 0, -0]);
    const x = tm.tensor([0, 0, -0, -0, 0, -0, 5, -5]);
    const got = Array.from(await tm.atan2(y, x).data());
    const want = [0, -0, Math.PI, -Math.PI, Math.PI / 2, -Math.PI / 2, 0, -Math.PI].map(Math.fround);
    got.forEach((g, i) => expect(Object.is(g, want[i]), `atan2(${y.toString()}, …)[${i}] = ${g}, want ${want[i]}`).toBe(true));
    expect(Array.from(await tm.tensor([-2.7, 2.7, -0.5, 1e30]).trunc().data())).toEqual([-2, 2, -0, 1e30].map(Math.fround));
  });

  it("asinh's gradient 1/√(x² + 1) holds past 1.8e19, where x² overflows f32", async () => {
    const values = [0, 1, -3, 1e19, -1e20, 3e38];
    const x = tm.tensor(values);
    x.requiresGrad = true;
    tm.tidy(() => x.asinh().sum()).backward();
    expectClose(await x.grad!.data(), values.map((v) => 1 / Math.sqrt(Math.fround(v) ** 2 + 1)), TOL.f32);
    x.dispose();
    // At ±∞ it is 0, as PyTorch's (x/max(|x|, 1) was ∞/∞ there, a NaN gradient).
    const ends = tm.tensor([Infinity, -Infinity, 2], [3], { dtype: 'f16' });
    ends.requiresGrad = true;
    tm.tidy(() => ends.asinh().sum()).backward();
    expectClose(await ends.grad!.data(), [0, 0, 1 / Math.sqrt(5)], TOL.f16);
    ends.dispose();
  });

  it('atan2 of ints computes in f32; remainder of ints stays int, at the edges of the range too', async () => {
    const y = tm.tensor(new Int32Array([1, -1, 0, 3]), [4]);
    const x = tm.tensor(new Int32Array([1, 1, -1, 0]), [4]);
    const angle = tm.atan2(y, x);
    expect(angle.dtype).toBe('f32');
    expectClose(await angle.data(), [Math.PI / 4, -Math.PI / 4, Math.PI, Math.PI / 2].map(Math.fround), TOL.f32);
    const a = tm.tensor(new Int32Array([-2147483648, -2147483648, 2147483647, -7, 7, -7, 5]), [7]);
    const b = tm.tensor(new Int32Array([-1, 3, -2, 2, -2, 0, 5]), [7]);
    const r = a.remainder(b);
    expect(r.dtype).toBe('i32');
    expect(Array.from(await r.data())).toEqual([0, 1, -1, 1, -1, 0, 0]);
    const i8 = tm.tensor(new Int8Array([-128, 127, -3]), [3]).remainder(tm.tensor(new Int8Array([7, -128, 127]), [3]));
    expect(i8.dtype).toBe('i8');
    expect(Array.from(await i8.data())).toEqual([5, -1, 124]);
  });

  it('integer arithmetic at the edges of the range', async () => {
    const big = tm.tensor(new Int32Array([2147483647, -2147483648, 123456789, 46341]), [4]);
    expect(Array.from(await big.add(1).data())).toEqual([-2147483648, -2147483647, 123456790, 46342]);
    expect(Array.from(await big.sub(1).data())).toEqual([2147483646, 2147483647, 123456788, 46340]);
    expect(Array.from(await big.mul(big).data())).toEqual([1, 0, wrapInt(123456789n * 123456789n, 'i32'), wrapInt(46341n * 46341n, 'i32')]);
    const i8 = tm.tensor(new Int8Array([127, -128, 100]), [3]);
    expect(Array.from(await i8.add(1).data())).toEqual([-128, -127, 101]);
    expect(Array.from(await i8.mul(2).data())).toEqual([-2, 0, -56]);
    expect(i8.add(1).dtype).toBe('i8');
  });

  it('pow matches the float64 power for positive bases and any exponent, at odd sizes and broadcasting', async () => {
    const a = asF32(uniform(13 * 31, 0.1, 4));
    const b = asF32(uniform(31, -3, 3));
    const y = tensorOf(a, [13, 31]).pow(tensorOf(b, [31]));
    expectClose(await y.data(), broadcast2(f64([13, 31], a), f64([31], b), powRef).v, TOL.f32);
    expectClose(await tensorOf(a, [13, 31]).pow(2).data(), a.map((v) => v * v), TOL.f32);
    expectClose(await tm.pow(2, tensorOf(b, [31])).data(), b.map((v) => 2 ** v), TOL.f32);
  });

  it('pow is within ~1e-6 of the float64 power, relative to it, for bases near 1 with large exponents and for subnormal bases', async () => {
    // exp2(y · log2(x)) with WGSL's log2, whose error is absolute on [0.5, 2], gave pow(0.9999, -20000) 7e-4 off.
    const cases: [number, number][] = [[1.0001, 10000], [0.999, 1000], [0.9999, -20000], [1.00001, 1e5], [1.01, 1000], [0.5001, 100], [1.9, -90], [1e-40, 0.5], [3e-39, -0.25], [1.5, 100]];
    const [base, exponent] = [0, 1].map((k) => asF32(Float64Array.from(cases, (c) => c[k])));
    const got = await tm.pow(tensorOf(base, [cases.length]), tensorOf(exponent, [cases.length])).data();
    base.forEach((b, i) => {
      const want = Math.pow(b, exponent[i]);
      // Any f32 exp2(t) carries t's rounding, an ulp of |t| = |y · log2(x)|, into the result's relative error.
      const tol = 1e-6 + 2 ** -23 * Math.abs(exponent[i] * Math.log2(b));
      if (!(Math.abs(got[i] - want) <= tol * want)) expect.fail(`pow(${b}, ${exponent[i]}): got ${got[i]}, want ${want} (relative tolerance ${tol})`);
    });
  });

  it('pow is exact where the power is: squares, cubes, fourth powers, reciprocals and square roots of small numbers, by a scalar or a tensor', async () => {
    const bases = [1, 2, 3, 5, 7, 9, 11, -3, -5, 0.5, 1.5, 100];
    for (const e of [2, 3, 4, -1, -2]) {
      const want = bases.map((v) => v ** e);
      expect(Array.from(await tm.tensor(bases).pow(e).data()), `x ** ${e}`).toEqual(want.map(Math.fround));
      expect(Array.from(await tm.tensor(bases).pow(tm.fill([bases.length], e)).data()), `x ** tensor ${e}`).toEqual(want.map(Math.fround));
    }
    expect(Array.from(await tm.tensor([4, 9, 25, 2.25, 1e6, 0.25]).pow(0.5).data())).toEqual([2, 3, 5, 1.5, 1000, 0.5]);
    // Past the shortcuts, the same as before: -0's square root is 0, a subnormal's reciprocal finite.
    const [root, reciprocal] = await tm.tensor([-0, 5e-39]).pow(tm.tensor([0.5, -1])).data();
    expect(Object.is(root, 0)).toBe(true);
    expect(Math.abs(reciprocal / (1 / Math.fround(5e-39)) - 1)).toBeLessThan(1e-5);
  });

  it('pow of a negative base: integer exponents keep the sign, fractional ones give NaN', async () => {
    const y = tm.tensor([-2, -2, -8, -2, -0.5]).pow(tm.tensor([3, 2, 1 / 3, 0.5, -1]));
    expectClose(await y.data(), [-8, 4, NaN, NaN, -2], TOL.f32);
  });

  it('pow follows IEEE 754, C and NumPy at 1 and -1: pow(1, y) = 1 for any y (NaN too), pow(-1, ±Infinity) = 1', async () => {
    // Math.pow gives NaN for these; C's powf, WGSL and NumPy give 1, so every backend must agree on 1.
    const base = Float64Array.from([1, 1, 1, -1, -1, NaN, 2]);
    const expo = Float64Array.from([NaN, Infinity, -Infinity, Infinity, -Infinity, 0, NaN]);
    for (const dtype of ['f32', 'f16'] as const) {
      const y = tensorOf(base, [7], dtype).pow(tensorOf(expo, [7], dtype));
      expectClose(await y.data(), [1, 1, 1, 1, 1, 1, NaN], 0, dtype);
    }
  });

  it('NaN propagates through maximum and minimum and compares unequal to everything, itself included', async () => {
    const a = tm.tensor([NaN, 1, 2, NaN]);
    const b = tm.tensor([0, NaN, 2, NaN]);
    expectClose(await a.maximum(b).data(), [NaN, NaN, 2, NaN]);
    expectClose(await a.minimum(b).data(), [NaN, NaN, 2, NaN]);
    expect(Array.from(await a.equal(b).data())).toEqual([0, 0, 1, 0]);
    expect(Array.from(await a.notEqual(b).data())).toEqual([1, 1, 0, 1]);
    expect(Array.from(await a.lessEqual(b).data())).toEqual([0, 0, 1, 0]);
    expect(Array.from(await a.greaterEqual(b).data())).toEqual([0, 0, 1, 0]);
  });

  it('comparisons give 1 and 0 in the inputs\' common dtype', async () => {
    for (const dtype of tm.DTYPES) {
      const a = tm.tensor([1, 2, 3], { dtype });
      const y = a.greater(2);
      expect(y.dtype).toBe(dtype);
      expect(Array.from(await y.data())).toEqual([0, 0, 1]);
      expect(Array.from(await a.equal(a).data())).toEqual([1, 1, 1]);
    }
    expect(tm.tensor([1], { dtype: 'i8' }).less(tm.tensor([2], { dtype: 'f16' })).dtype).toBe('f16');
    expect(tm.tensor([1], { dtype: 'i32' }).less(tm.tensor([2])).dtype).toBe('f32');
  });

  describe('where', () => {
    it.each([
      [[7], [7], [7]], [[13, 31], [31], [13, 1]], [[1], [3, 1], [1, 5]], [[], [2, 3], []], [[4, 1, 1], [1, 6, 1], [1, 1, 5]], [[0, 3], [3], []],
    ])('picks a where cond is non-zero, else b, broadcasting cond %j, a %j and b %j', async (sc, sa, sb) => {
      const c = randomInts(size(sc), 0, 1).map((v, i) => (i % 5 === 4 ? NaN : v)); // NaN is non-zero: true
      const a = asF32(uniform(size(sa)));
      const b = asF32(uniform(size(sb)));
      const y = tm.where(tensorOf(c, sc), tensorOf(a, sa), tensorOf(b, sb));
      const want = whereRef(f64(sc, c), f64(sa, a), f64(sb, b));
      expect(y.shape).toEqual(want.shape);
      expectExact(await y.data(), want.v);
    });

    it('takes numbers for either branch, any dtype of condition, and promotes the branches', async () => {
      const cond = tm.tensor(new Int8Array([1, 0, -3]), [3]);
      expect(Array.from(await tm.where(cond, 5, -1).data())).toEqual([5, -1, 5]);
      const i = tm.tensor(new Int32Array([10, 20, 30]), [3]);
      const h = tm.tensor([0.5, 1.5, 2.5], { dtype: 'f16' });
      const y = tm.where(cond, i, h);
      expect(y.dtype).toBe('f32');
      expect(Array.from(await y.data())).toEqual([10, 1.5, 30]);
      const z = tm.where(tm.tensor([[1], [0]]), tm.tensor([[1, 2, 3], [4, 5, 6]]), -1);
      expect(await z.array()).toEqual([[1, 2, 3], [-1, -1, -1]]);
      expect(tm.where(cond, tm.tensor(new Int8Array([1, 2, 3]), [3]), 2).dtype).toBe('i8');
    });
  });

  describe('clip', () => {
    it.each([[[1]], [[13, 31]], [[0, 4]], [[]]])('limits to [min, max] in f32 at shape %j', async (shape) => {
      const x = asF32(uniform(size(shape), -3, 3));
      const y = tensorOf(x, shape).clip(-1, 1.5);
      expect(y.shape).toEqual(shape);
      expectExact(await y.data(), x.map((v) => Math.min(Math.max(v, -1), 1.5)));
    });

    it('keeps the dtype for integer bounds, passes NaN through, and allows min = max', async () => {
      const i = tm.tensor(intsOf('i32', 64), [64], { dtype: 'i32' });
      const ci = i.clip(-1000, 1000);
      expect(ci.dtype).toBe('i32');
      expectExact(await ci.data(), Array.from(await i.data(), (v) => Math.min(Math.max(v, -1000), 1000)));
      const h = tm.tensor([0.1, 3, -3, NaN], { dtype: 'f16' }).clip(-1, 1);
      expect(h.dtype).toBe('f16');
      expectClose(await h.data(), [roundF16(0.1), 1, -1, NaN], 0);
      expect(Array.from(await tm.tensor([-5, 0, 5]).clip(2, 2).data())).toEqual([2, 2, 2]);
      expect(Array.from(await tm.tensor(new Int8Array([-100, 100]), [2]).clip(-0.5, 0.5).data())).toEqual([-0.5, 0.5]);
    });

    it('takes tensor bounds broadcast against x (max where they cross, as torch.clamp) and null for none, an int x staying int', async () => {
      const x = asF32(uniform(13 * 7, -3, 3));
      const [lo, hi] = [asF32(uniform(7, -2, 0.5)), asF32(uniform(13, -0.5, 2))];
      const y = tm.clip(tensorOf(x, [13, 7]), tensorOf(lo, [7]), tensorOf(hi, [13, 1]));
      expect(y.shape).toEqual([13, 7]);
      expectExact(await y.data(), x.map((v, i) => Math.min(Math.max(v, lo[i % 7]), hi[Math.floor(i / 7)])));
      expectExact(await tm.clip(tensorOf(x, [13, 7]), null, 0.5).data(), x.map((v) => Math.min(v, 0.5)));
      const ints = tm.clip(tm.tensor(new Int32Array([-7, 0, 9]), [3]), tm.tensor(new Int32Array([-1, 1, 1]), [3]), null);
      expect([ints.dtype, await ints.array()]).toEqual(['i32', [-1, 1, 9]]);
      expect(() => tm.clip(tm.zeros([2]), null, null)).toThrow(new tm.ValueError('clip: min and max must be numbers, tensors or null (not both), got null and null'));
    });

    it('passes dy to x within its bounds, and to a tensor bound where it is the result', async () => {
      const x = tm.tensor([-3, 0.5, 4, 1, 2]);
      const [lo, hi] = [tm.tensor([-1, -1, -1, 3, 0]), tm.tensor([2, 2, 2, 2, 2])];
      for (const t of [x, lo, hi]) t.requiresGrad = true;
      // The last two: min 3 above max 2 gives max; x = 2 on max itself is x's.
      const y = tm.clip(x, lo, hi);
      expect(await y.array()).toEqual([-1, 0.5, 2, 2, 2]);
      y.mul(tm.tensor([1, 2, 3, 4, 5])).sum().backward();
      expect([await x.grad!.array(), await lo.grad!.array(), await hi.grad!.array()]).toEqual([[0, 2, 0, 0, 5], [1, 0, 0, 0, 0], [0, 0, 3, 4, 0]]);
    });
  });

  it('property: any pair of broadcastable shapes goes through any binary op like the reference', async () => {
    const dim = fc.integer({ min: 1, max: 5 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(dim, fc.boolean(), fc.boolean()), { maxLength: 4 }),
        fc.nat(4),
        fc.constantFrom(...BINARY),
        fc.boolean(),
        async (axes, drop, [name, ref, op], swap) => {
          const sa = axes.map(([d, one]) => (one ? 1 : d)).slice(Math.min(drop, axes.length));
          const sb = axes.map(([d, , one]) => (one ? 1 : d));
          const [s1, s2] = swap ? [sb, sa] : [sa, sb];
          const a = asF32(uniform(size(s1), -3, 3).map(Math.round));
          const b = asF32(uniform(size(s2), -3, 3));
          const y = op(tensorOf(a, s1), tensorOf(b, s2));
          const want = broadcast2(f64(s1, a), f64(s2, b), (x, z) => Math.fround(ref(x, z)));
          expect(y.shape).toEqual(want.shape);
          expect(want.shape.length).toBe(axes.length);
          expectClose(await y.data(), want.v, TOL.f32, `${name} ${JSON.stringify(s1)} ${JSON.stringify(s2)}`);
          y.dispose();
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe.each(BACKENDS)('heaviside on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('is np.heaviside: 0 below 0, 1 above, `values` at 0 (broadcast), NaN at NaN; ints too', async () => {
    const x = f64([13, 31], randomInts(13 * 31, -3, 3));
    x.v[5] = NaN;
    const values = f64([31], asF32(uniform(31)));
    const want = Float64Array.from(x.v, (v, i) => (Number.isNaN(v) ? NaN : v < 0 ? 0 : v > 0 ? 1 : values.v[i % 31]));
    expectExact(await tm.heaviside(tm.tensor(x.v, [13, 31]), tm.tensor(values.v, [31])).data(), want, 'heaviside');
    expect(await tm.heaviside(tm.tensor(new Int32Array([-4, 0, 9]), [3]), 7).array()).toEqual([0, 7, 1]);
    expect(await tm.heaviside(tm.tensor([-0, 0.5], [2], { dtype: 'f16' }), 0.5).array()).toEqual([0.5, 1]);
  });
});

describe.each(BACKENDS)('signbit, logaddexp2 and ldexp on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('signbit is set for negative numbers, −0 and −∞, not for +0, +∞ or positive ones; for ints, below 0', async () => {
    const values = [-2.5, -0, 0, 3, -Infinity, Infinity, -1e-40, 1e-40];
    const want = values.map((v) => (v < 0 || Object.is(v, -0) || (v === 0 && 1 / v < 0) ? 1 : 0));
    // −1e-40 is an f32 subnormal: a backend that flushes it to −0 keeps its sign bit either way.
    expect(Array.from(await tm.signbit(tm.tensor(values)).data())).toEqual(want);
    expect(Array.from(await tm.signbit(tm.tensor(new Int32Array([-3, 0, 4]), [3])).data())).toEqual([1, 0, 0]);
  });

  it('logaddexp2 is log₂(2ᵃ + 2ᵇ) in float64, past where 2ᵃ overflows f32; its gradients are the two shares', async () => {
    const [a, b] = [asF32(uniform(13 * 31, -200, 200)), asF32(uniform(31, -200, 200))];
    const want = Float64Array.from(a, (v, i) => {
      const w = b[i % 31];
      const m = Math.max(v, w);
      return m + Math.log2(2 ** (v - m) + 2 ** (w - m));
    });
    expectClose(await tm.logaddexp2(tm.tensor(a, [13, 31]), tm.tensor(b, [31])).data(), want, 1e-6, 'logaddexp2', want.map((v) => Math.abs(v) + 1));
    const x = tm.tensor([1, 3]);
    x.requiresGrad = true;
    tm.logaddexp2(x, 2).sum().backward();
    expectClose(await x.grad!.data(), [2 / (2 + 4), 8 / (8 + 4)], 1e-6, 'd/da');
  });

  it('ldexp is x·2ᵉ, exact for normal results, ints giving f32', async () => {
    const x = asF32(uniform(64, -4, 4));
    const e = randomInts(64, -60, 60);
    expectExact(await tm.ldexp(tm.tensor(x), tm.tensor(e, [64], { dtype: 'i32' })).data(), x.map((v, i) => v * 2 ** e[i]));
    const y = tm.ldexp(tm.tensor(new Int32Array([3, -5]), [2]), 2);
    expect([y.dtype, Array.from(await y.data())]).toEqual(['f32', [12, -20]]);
  });
});
