// src/f16.ts: IEEE 754 binary16 encoding (round to nearest, ties to even) and
// decoding, checked exhaustively and against an independent reference
// (test/helpers/float64.ts: a binary search over all finite patterns).
import { describe, expect, it } from 'vitest';
import { decodeF16, encodeF16, f16Bits, f16Value } from '../src/f16.js';
import { SEED, uniform } from './helpers/data.js';
import { f16RefBits, f16RefValue } from './helpers/float64.js';

const hex = (b: number) => `0x${b.toString(16).padStart(4, '0')}`;

/** The float64 neighbours of x (x itself is never a neighbour). */
function nextAfter(x: number, up: boolean): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const larger = (x >= 0) === up; // the magnitude grows
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  view.setBigUint64(0, larger ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

describe('f16 conversion', () => {
  it('decodes every one of the 65536 bit patterns as the binary16 layout says, -0 and NaNs included', () => {
    for (let b = 0; b < 65536; b++) {
      const got = f16Value(b);
      const want = f16RefValue(b);
      if (!Object.is(got, want)) expect.fail(`pattern ${hex(b)}: got ${got}, want ${want}`);
    }
    expect(Array.from(decodeF16(Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7bff, 0xfc00, 0x8000)))).toEqual([1, -2, 2 ** -24, 65504, -Infinity, -0]);
  });

  it('round-trips every one of the 65536 bit patterns except NaN payloads, which all encode to the canonical NaN', () => {
    for (let b = 0; b < 65536; b++) {
      const v = f16Value(b);
      if (Number.isNaN(v)) {
        expect((b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0, hex(b)).toBe(true);
        expect(f16Bits(v)).toBe(0x7e00);
      } else if (f16Bits(v) !== b) {
        expect.fail(`pattern ${hex(b)} (${v}) came back as ${hex(f16Bits(v))}`);
      }
    }
  });

  it('rounds every halfway point between neighbouring f16 values to the even one, and the float64 values either side of it to the nearer', () => {
    let ties = 0;
    for (let b = 0; b < 0x7c00; b++) {
      // Between b and b+1 (0x7bff's upper neighbour is the overflow threshold 65520 → Infinity).
      const lo = f16Value(b);
      const hi = b === 0x7bff ? 65536 : f16Value(b + 1);
      const mid = (lo + hi) / 2; // exact in float64
      for (const sign of [1, -1]) {
        for (const x of [sign * mid, nextAfter(sign * mid, true), nextAfter(sign * mid, false)]) {
          const want = f16RefBits(x);
          if (f16Bits(x) !== want) expect.fail(`f16Bits(${x}) = ${hex(f16Bits(x))}, want ${hex(want)}`);
        }
        const tie = f16Bits(sign * mid) & 0x7fff;
        if (tie !== 0x7c00 && tie % 2 !== 0) expect.fail(`tie ${sign * mid} went to the odd pattern ${hex(tie)}`);
        ties++;
      }
    }
    expect(ties).toBe(2 * 0x7c00);
  });

  it('agrees with the reference on random float64 values across every binade, subnormals and overflow included', () => {
    const exps = uniform(20000, -27, 17);
    const mant = uniform(20000, 1, 2);
    for (let i = 0; i < exps.length; i++) {
      const x = (i % 2 ? -1 : 1) * mant[i] * 2 ** Math.floor(exps[i]);
      if (f16Bits(x) !== f16RefBits(x)) expect.fail(`f16Bits(${x}) = ${hex(f16Bits(x))}, want ${hex(f16RefBits(x))} (test seed ${SEED})`);
    }
  });

  it('rounds ties to even in the normal range', () => {
    // 2049 lies halfway between 2048 and 2050 (f16 spacing 2 there): the even mantissa wins, 2048.
    expect(f16Value(f16Bits(2049))).toBe(2048);
    expect(f16Value(f16Bits(2051))).toBe(2052);
    expect(f16Value(f16Bits(1 + 2 ** -11))).toBe(1);
    expect(f16Value(f16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    // Just above a tie rounds up; going through f32 first would lose this (2049.0001 is 2049 in f32).
    expect(f16Value(f16Bits(2049.0001))).toBe(2050);
    expect(f16Value(f16Bits(1 + 2 ** -11 + 2 ** -40))).toBe(1 + 2 ** -10);
  });

  it('handles subnormals, the smallest normal, overflow to Infinity at 65520, signed zero and NaN', () => {
    expect(f16Bits(2 ** -24)).toBe(0x0001);
    expect(f16Value(f16Bits(2 ** -25))).toBe(0); // a tie between 0 and 2^-24: even (0) wins
    expect(f16Value(f16Bits(2 ** -25 + 2 ** -40))).toBe(2 ** -24);
    expect(f16Value(f16Bits(1.5 * 2 ** -24))).toBe(2 ** -23); // a tie: 2^-23 (pattern 2) is even
    expect(f16Value(f16Bits(2.5 * 2 ** -24))).toBe(2 ** -23);
    expect(f16Bits(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(f16Bits(1023.5 * 2 ** -24)).toBe(0x0400); // rounds up into the smallest normal, 2^-14
    expect(f16Bits(2 ** -14)).toBe(0x0400);
    expect(Object.is(f16Value(f16Bits(-(2 ** -26))), -0)).toBe(true); // underflow keeps the sign
    expect(f16Value(f16Bits(65504))).toBe(65504);
    expect(f16Value(f16Bits(65519.99))).toBe(65504);
    expect(f16Value(f16Bits(65520))).toBe(Infinity);
    expect(f16Value(f16Bits(-65520))).toBe(-Infinity);
    expect(f16Value(f16Bits(1e300))).toBe(Infinity);
    expect(f16Value(f16Bits(-1e9))).toBe(-Infinity);
    expect(f16Bits(Infinity)).toBe(0x7c00);
    expect(f16Bits(-Infinity)).toBe(0xfc00);
    expect(f16Bits(-0)).toBe(0x8000);
    expect(f16Bits(0)).toBe(0x0000);
    expect(Object.is(f16Value(f16Bits(-0)), -0)).toBe(true);
    expect(f16Bits(NaN)).toBe(0x7e00);
    expect(f16Bits(Number.MIN_VALUE)).toBe(0);
  });

  it('encodes and decodes arrays', () => {
    const values = [0, 1, -2.5, 0.1, 1e5, -0, NaN];
    const bits = encodeF16(values);
    expect(bits).toBeInstanceOf(Uint16Array);
    expect(Array.from(bits)).toEqual(values.map(f16RefBits));
    const back = decodeF16(bits);
    expect(back).toBeInstanceOf(Float32Array);
    expect(Array.from(back)).toEqual(values.map((v) => f16Value(f16Bits(v))));
  });
});
