// Bitwise ops of ints (tm.bitwiseAnd, Or, Xor, Not, LeftShift, RightShift) on
// every backend against BigInt references, on fresh random ints over the
// whole i32 and i8 ranges (extremes included), at odd shapes and
// broadcasting; shift amounts negative, within the width and past it
// (PyTorch's CPU rule: 0 to the left, the sign's fill to the right); mixed
// dtypes and plain numbers; chains (on webgpu one fused launch, i8 packed
// four to a word, its intermediates wrapped to 8 bits); floats refused.
// Ints cannot require gradients, so none is defined.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { activeBackend } from '../../src/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectExact, intsOf, randomInts, SEED } from '../helpers/data.js';
import { broadcast2, f64, size, wrapInt } from '../helpers/float64.js';
import { launches } from '../helpers/webgpu.js';

type IntDType = 'i8' | 'i32';
const BITS: Record<IntDType, number> = { i8: 8, i32: 32 };

/** PyTorch's shifts (its CPU kernels): by a negative amount or the width or more, 0 to the left and the sign's fill to the right. */
function leftShiftRef(a: number, s: number, dtype: IntDType): number {
  return s < 0 || s >= BITS[dtype] ? 0 : wrapInt(BigInt(a) << BigInt(s), dtype);
}
function rightShiftRef(a: number, s: number, dtype: IntDType): number {
  // BigInt's >> is arithmetic (floors), as a shift of two's complement is.
  return Number(BigInt(a) >> BigInt(s < 0 || s >= BITS[dtype] ? BITS[dtype] - 1 : s));
}

type Binary = [name: string, ref: (a: number, b: number, dtype: IntDType) => number, op: (a: tm.Tensor, b: tm.Tensor) => tm.Tensor];
const LOGIC: Binary[] = [
  ['bitwiseAnd', (a, b, d) => wrapInt(BigInt(a) & BigInt(b), d), (a, b) => a.bitwiseAnd(b)],
  ['bitwiseOr', (a, b, d) => wrapInt(BigInt(a) | BigInt(b), d), (a, b) => a.bitwiseOr(b)],
  ['bitwiseXor', (a, b, d) => wrapInt(BigInt(a) ^ BigInt(b), d), (a, b) => tm.bitwiseXor(a, b)],
];
const SHIFTS: Binary[] = [
  ['bitwiseLeftShift', leftShiftRef, (a, b) => a.bitwiseLeftShift(b)],
  ['bitwiseRightShift', rightShiftRef, (a, b) => tm.bitwiseRightShift(a, b)],
];

/** Shift amounts: every one in [−3, width + 3], the edges 0, width − 1, width, 31, 32 and −1 among them, then any of the dtype's range. */
function shiftAmounts(dtype: IntDType, n: number): Float64Array {
  const bits = BITS[dtype];
  const out = intsOf(dtype, n);
  const edges = [0, bits - 1, bits, 31, 32, -1, 1];
  for (let i = 0; i < n; i++) {
    if (i < edges.length) out[i] = edges[i];
    else if (i % 3 !== 0) out[i] = randomInts(1, -3, bits + 3)[0];
  }
  return out;
}

const tensorOf = (values: ArrayLike<number>, shape: number[], dtype: IntDType) => tm.tensor(Array.from(values), shape, { dtype });

describe.each(BACKENDS)('bitwise ops on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  describe.each(['i8', 'i32'] as const)('%s', (dtype) => {
    const SHAPES: [number[], number[]][] = [[[13, 31], [31]], [[7, 1], [1, 13]], [[129], []], [[3, 1, 5], [4, 5]], [[0, 3], [3]]];

    it.each(SHAPES)('and, or, xor are exact over the whole range, broadcasting %j with %j', async (sa, sb) => {
      const a = intsOf(dtype, size(sa)), b = intsOf(dtype, size(sb));
      for (const [name, ref, op] of LOGIC) {
        const y = op(tensorOf(a, sa, dtype), tensorOf(b, sb, dtype));
        expect(y.dtype, name).toBe(dtype);
        const want = broadcast2(f64(sa, a), f64(sb, b), (x, z) => ref(x, z, dtype));
        expect(y.shape, name).toEqual(want.shape);
        expectExact(await y.data(), want.v, `${dtype} ${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)} (seed ${SEED})`);
      }
    });

    it.each(SHAPES)('shifts are exact, by amounts negative, within the width and past it, broadcasting %j with %j', async (sa, sb) => {
      const a = intsOf(dtype, size(sa)), s = shiftAmounts(dtype, size(sb));
      for (const [name, ref, op] of SHIFTS) {
        const y = op(tensorOf(a, sa, dtype), tensorOf(s, sb, dtype));
        expect(y.dtype, name).toBe(dtype);
        expectExact(await y.data(), broadcast2(f64(sa, a), f64(sb, s), (x, z) => ref(x, z, dtype)).v, `${dtype} ${name} (seed ${SEED})`);
      }
    });

    it('not flips every bit: −1 − x, the extremes to each other', async () => {
      const x = intsOf(dtype, 37);
      const y = tensorOf(x, [37], dtype).bitwiseNot();
      expect(y.dtype).toBe(dtype);
      expectExact(await y.data(), Array.from(x, (v) => Number(~BigInt(v))), `${dtype} bitwiseNot (seed ${SEED})`);
      const [lo, hi] = dtype === 'i8' ? [-128, 127] : [-(2 ** 31), 2 ** 31 - 1];
      expectExact(await tm.bitwiseNot(tensorOf([lo, hi, 0, -1], [4], dtype)).data(), [hi, lo, -1, 0], `${dtype} bitwiseNot of the extremes`);
    });

    it('takes plain numbers, which keep the tensor\'s dtype where they fit', async () => {
      const x = intsOf(dtype, 21);
      const t = tensorOf(x, [21], dtype);
      const masked = t.bitwiseAnd(0x0f), set = tm.bitwiseOr(-128, t), high = t.bitwiseRightShift(4), low = t.bitwiseLeftShift(3);
      const [fill, gone] = [t.bitwiseRightShift(100), t.bitwiseLeftShift(-1)];
      for (const y of [masked, set, high, low, fill, gone]) expect(y.dtype).toBe(dtype);
      expectExact(await masked.data(), Array.from(x, (v) => v & 0x0f), 'x & 0x0f');
      expectExact(await set.data(), Array.from(x, (v) => wrapInt(BigInt(v) | -128n, dtype)), '-128 | x');
      expectExact(await high.data(), Array.from(x, (v) => rightShiftRef(v, 4, dtype)), 'x >> 4');
      expectExact(await low.data(), Array.from(x, (v) => leftShiftRef(v, 3, dtype)), 'x << 3');
      expectExact(await fill.data(), Array.from(x, (v) => (v < 0 ? -1 : 0)), 'x >> 100: the sign\'s fill');
      expectExact(await gone.data(), Array.from(x, () => 0), 'x << −1: 0');
    });

    it.each([64, 63, 5])('runs in a chain with other ops, intermediates wrapped to %s\'s width (%i elements)', async (n) => {
      const a = intsOf(dtype, n), b = intsOf(dtype, n), s = randomInts(n, 0, BITS[dtype] - 1);
      const [ta, tb, ts] = [tensorOf(a, [n], dtype), tensorOf(b, [n], dtype), tensorOf(s, [n], dtype)];
      const y = tm.tidy(() => ta.bitwiseAnd(tb).add(1).bitwiseLeftShift(ts).bitwiseRightShift(ts).bitwiseXor(tb.bitwiseNot()).mul(3));
      if (backend === 'webgpu') {
        // One launch, of the kernel for the length (four elements an invocation where it divides by four), i8 packed four to a word.
        const gpu = activeBackend() as WebGpuBackend;
        const { kernels } = await gpu.timeKernels(async () => expect(launches(gpu, y), 'one fused launch').toBe(1));
        const kernel = `elementwise${dtype === 'i8' ? '_packed' : ''}${n % 4 === 0 ? '_vec4' : ''}`;
        expect(kernels.map((k) => k.kernel).filter((k) => k !== 'fill')).toEqual([kernel]);
      }
      const want = Array.from(a, (v, i) => {
        const sum = wrapInt(BigInt(v) & BigInt(b[i]), dtype) + 1;
        const kept = rightShiftRef(leftShiftRef(wrapInt(sum, dtype), s[i], dtype), s[i], dtype);
        return wrapInt(BigInt(wrapInt(BigInt(kept) ^ ~BigInt(b[i]), dtype)) * 3n, dtype);
      });
      expectExact(await y.data(), want, `${dtype} chain of ${n} (seed ${SEED})`);
    });
  });

  it('mixes i8 with i32 in i32, as add does', async () => {
    const a = intsOf('i8', 12), b = intsOf('i32', 12), s = randomInts(12, 0, 31);
    const and = tensorOf(a, [12], 'i8').bitwiseAnd(tensorOf(b, [12], 'i32'));
    const shifted = tensorOf(a, [12], 'i8').bitwiseLeftShift(tensorOf(s, [12], 'i32'));
    expect([and.dtype, shifted.dtype]).toEqual(['i32', 'i32']);
    expectExact(await and.data(), Array.from(a, (v, i) => v & b[i]), 'i8 & i32');
    expectExact(await shifted.data(), Array.from(a, (v, i) => leftShiftRef(v, s[i], 'i32')), 'i8 << i32, in i32');
  });

  it('refuses floats, naming the dtype, as PyTorch does', () => {
    const i = tm.tensor([1, 2], [2], { dtype: 'i32' });
    expect(() => tm.tensor([1, 2]).bitwiseAnd(i)).toThrow(new tm.DTypeError('bitwiseAnd: a must hold integers (i32 or i8), got a f32 tensor'));
    expect(() => i.bitwiseLeftShift(tm.tensor([1, 2], [2], { dtype: 'f16' }))).toThrow(/^bitwiseLeftShift: b must hold integers \(i32 or i8\), got a f16 tensor$/);
    expect(() => i.bitwiseOr(1.5)).toThrow(/^bitwiseOr: b must hold integers \(i32 or i8\), got the number 1\.5$/);
    expect(() => tm.tensor([1, 2]).bitwiseNot()).toThrow(new tm.DTypeError('bitwiseNot: x must hold integers (i32 or i8), got a f32 tensor'));
    i.dispose();
  });
});
