// Cast between strings and numbers, as onnxruntime's CPU Cast does it (the
// C library's conversions): a number to a string by printf's "%.8g" (NaN,
// INF and -INF by name; integers and bools in decimal), a string to a float
// by strtod (leading blanks, a sign, decimal or hexadecimal digits, an
// exponent, INF and NaN in any case; what follows the number is ignored),
// to an integer by strtoll (decimal digits only: "3.14" is 3, "0x10" is 0),
// to bool by whether that integer is non-zero. A string with no number at
// its start, or one out of the type's range, is refused, as onnxruntime
// refuses it. A value exactly halfway between two 8-digit decimals (such as
// 1234567.25) goes to the even one, as printf's does, where JavaScript's
// toPrecision and toFixed go up.
import { f16Bits, f16Value } from '../../f16.js';
import type { NodeCall } from '../node_call.js';
import { StringTensor } from '../string_tensor.js';
import { Constant, isIntegerType, type ElementType } from '../value.js';

/** printf's "%g" at `precision` significant digits: fixed or scientific (two-digit exponent at least), trailing zeros dropped. */
function formatG(v: number, precision: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v < 0 ? '-INF' : 'INF';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const { digits, exponent } = roundedDigits(Math.abs(v), precision);
  const sign = v < 0 ? '-' : '';
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exponent < -4 || exponent >= precision) {
    return `${sign}${trim(`${digits[0]}.${digits.slice(1)}`)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = exponent >= 0 ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}` : `0.${'0'.repeat(-exponent - 1)}${digits}`;
  return sign + trim(fixed);
}

/** Positive finite `v` to `precision` significant digits, rounded to nearest with ties to even: the digits and the decimal exponent of the first. */
function roundedDigits(v: number, precision: number): { digits: string; exponent: number } {
  const [mantissa, e] = v.toExponential(precision - 1).split('e');
  const rounded = { digits: mantissa.replace('.', ''), exponent: Number(e) };
  // toExponential rounds a tie up. Only a value whose next digit is a 5 can be one (a tie is exact in one more digit).
  const [next, nextExponent] = v.toExponential(precision).split('e');
  if (!next.endsWith('5')) return rounded;
  const exact = exactDigits(v);
  if (!/^50*$/.test(exact.slice(precision)) || Number(exact[precision - 1]) % 2 !== 0) return rounded;
  // A tie after an even digit: down, to the digits as they are (the exponent stays: truncating never carries).
  return { digits: exact.slice(0, precision).padEnd(precision, '0'), exponent: Number(nextExponent) };
}

/** Every significant decimal digit of positive finite `v`'s exact binary value, trailing zeros dropped: m·2^e is m·5^−e / 10^−e. */
function exactDigits(v: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const m = (bits & ((1n << 52n) - 1n)) | (biased ? 1n << 52n : 0n);
  const e = (biased || 1) - 1075;
  return (e >= 0 ? m << BigInt(e) : m * 5n ** BigInt(-e)).toString().replace(/0+$/, '');
}

/** A number of ONNX type `type` as Cast writes it. */
export function numberToString(v: number, type: ElementType): string {
  return isIntegerType(type) || type === 'bool' ? String(v) : formatG(v, 8);
}

const FLOAT_PREFIX = /^[ \t\n\v\f\r]*([+-]?)(?:(inf(?:inity)?)|(nan)|0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?|((?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))/i;

/** strtod's reading of s (the number at its start), or undefined where s starts with none. */
function strtod(s: string): number | undefined {
  const m = FLOAT_PREFIX.exec(s);
  if (!m) return undefined;
  const [, sign, inf, nan, hexInt, hexFraction, hexExponent, decimal] = m;
  const negative = sign === '-' ? -1 : 1;
  if (inf) return negative * Infinity;
  if (nan) return NaN;
  if (decimal !== undefined) return negative * Number(decimal);
  // Hexadecimal: "0x" alone reads as 0 (then "x…" follows).
  const fraction = hexFraction ?? '';
  if (!hexInt && !fraction) return negative * 0;
  const mantissa = parseInt(`${hexInt || '0'}${fraction}`, 16) / 16 ** fraction.length;
  return negative * mantissa * 2 ** Number(hexExponent ?? 0);
}

/** strtoll's reading of s, base 10, or undefined where s starts with no digits. */
function strtoll(s: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? BigInt(m[1]) : undefined;
}

const INT_RANGES: Partial<Record<ElementType, [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/** The strings of x as numbers of type `to`, each refused by name where onnxruntime's conversion fails. */
export function stringsToNumbers(call: NodeCall, x: StringTensor, to: ElementType): Constant {
  if (!(isIntegerType(to) || ['bool', 'float', 'double', 'float16'].includes(to)) || to === 'int4' || to === 'uint4') {
    throw call.error(`casts strings to ${to}; tmnn casts strings to float, double, float16, the 8- to 64-bit integers and bool`);
  }
  const data = Float64Array.from(x.values, (s, k) => {
    const refuse = (why: string) => call.error(`element ${k} of its input, ${JSON.stringify(s)}, ${why} (casting strings to ${to})`);
    if (isIntegerType(to) || to === 'bool') {
      const n = strtoll(s);
      if (n === undefined) throw refuse('starts with no integer');
      // Past int64 strtoll fails; a narrower type keeps the low bits, as a C cast does.
      const [lo, hi] = INT_RANGES[to === 'uint64' ? 'uint64' : 'int64']!;
      if (n < lo || n > hi) throw refuse(`is out of the range of ${to === 'uint64' ? 'uint64' : 'int64'}`);
      if (to === 'bool') return n !== 0n ? 1 : 0;
      const bits = { int32: 32, uint32: 32, int16: 16, uint16: 16, int8: 8, uint8: 8 }[to as string];
      if (bits === undefined) return Number(n);
      return Number(to.startsWith('u') ? BigInt.asUintN(bits, n) : BigInt.asIntN(bits, n));
    }
    const v = strtod(s);
    if (v === undefined) throw refuse('starts with no number');
    if (!Number.isFinite(v) && !/inf|nan/i.test(s)) throw refuse('is out of the range of double');
    return to === 'float' ? Math.fround(v) : to === 'float16' ? f16Value(f16Bits(v)) : v;
  });
  return new Constant(to, x.shape, data);
}
