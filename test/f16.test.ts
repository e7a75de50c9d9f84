import { describe, expect, it } from 'vitest';
import { decodeF16, encodeF16, f16Bits, f16Value } from '../src/f16.js';

describe('f16 conversion', () => {
  it('round-trips every one of the 65536 bit patterns (NaNs stay NaN)', () => {
    for (let b = 0; b < 65536; b++) {
      const v = f16Value(b);
      if (Number.isNaN(v)) {
        expect((b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0).toBe(true);
        expect(Number.isNaN(f16Value(f16Bits(v)))).toBe(true);
      } else if (f16Bits(v) !== b) {
        expect.fail(`pattern ${b.toString(16)} (${v}) came back as ${f16Bits(v).toString(16)}`);
      }
    }
  });

  it('rounds ties to even', () => {
    // 2049 lies halfway between 2048 and 2050 (f16 spacing 2 there): even mantissa wins, 2048.
    expect(f16Value(f16Bits(2049))).toBe(2048);
    expect(f16Value(f16Bits(2051))).toBe(2052);
    expect(f16Value(f16Bits(1 + 2 ** -11))).toBe(1);
    expect(f16Value(f16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    // Just above a tie rounds up.
    expect(f16Value(f16Bits(2049.0001))).toBe(2050);
  });

  it('handles subnormals, overflow at 65520, signed zero and NaN', () => {
    expect(f16Value(f16Bits(2 ** -24))).toBe(2 ** -24);
    expect(f16Value(f16Bits(2 ** -25))).toBe(0); // a tie with 0: even wins
    expect(f16Value(f16Bits(1.5 * 2 ** -24))).toBe(2 ** -23);
    expect(f16Value(f16Bits(65504))).toBe(65504);
    expect(f16Value(f16Bits(65519.99))).toBe(65504);
    expect(f16Value(f16Bits(65520))).toBe(Infinity);
    expect(f16Value(f16Bits(-1e9))).toBe(-Infinity);
    expect(Object.is(f16Value(f16Bits(-0)), -0)).toBe(true);
    expect(f16Bits(NaN)).toBe(0x7e00);
  });

  it('encodes and decodes arrays', () => {
    const values = [0, 1, -2.5, 0.1, 1e5];
    const bits = encodeF16(values);
    expect(bits).toBeInstanceOf(Uint16Array);
    expect(Array.from(decodeF16(bits))).toEqual(values.map((v) => f16Value(f16Bits(v))));
  });
});
