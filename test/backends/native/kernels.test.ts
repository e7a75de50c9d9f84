// Every kernel of the native backend but matmul (matmul.test.ts), for every
// dtype, on fresh random data at odd sizes, against float64 computations
// written here: f32 within 1e-5, f16 within one ulp of the float64 result
// rounded to f16, ints exact (wrapping like C). Special values (NaN, ±∞, ±0,
// out-of-range) are checked against the js backend bit for bit.
import { beforeAll, describe, expect, it } from 'vitest';
import { createJsBackend } from '../../../src/backends/js/index.js';
import { ARITHMETIC_OPS, COMPARISON_OPS, UNARY_OPS, type Backend, type BinaryOp, type ReduceOp, type UnaryOp } from '../../../src/backends/kernels.js';
import { createNativeBackend } from '../../../src/backends/native/index.js';
import { erfRef } from '../../helpers/float64.js';
import { copysignRef, digammaRef, erfcRef, erfinvRef, hypotRef, i0Ref, i1Ref, lgammaRef, logaddexpRef, logitRef, sincRef, trigammaRef, xlogyRef } from '../../helpers/special.js';
import type { DType, StorageArray } from '../../../src/dtype.js';
import {
  INT_RANGE, ODD, SEED, expectMatches, expectSame, ints, operand, random, randomOperand, roundF16, sizeOf, storageOf, uniform, wrap,
  type Operand,
} from './reference.js';

const DTYPES: readonly DType[] = ['f32', 'f16', 'i8', 'i32'];
const FLOATS: readonly DType[] = ['f32', 'f16'];
const isInt = (d: DType): d is 'i8' | 'i32' => d === 'i8' || d === 'i32';
const BINARY_OPS: readonly BinaryOp[] = [...ARITHMETIC_OPS, ...COMPARISON_OPS];
/** The unary ops the ops layer runs on ints (the rest cast to f32 first). */
const INT_UNARY: readonly UnaryOp[] = ['neg', 'abs', 'sign', 'relu', 'floor', 'ceil', 'round', 'trunc'];

let native: Backend<StorageArray>;
const js = createJsBackend();

beforeAll(async () => {
  native = await createNativeBackend();
});

const UNARY_REF: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: (x) => Math.abs(x),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  relu: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  floor: Math.floor,
  ceil: Math.ceil,
  round: (x) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x)),
  sin: Math.sin,
  cos: Math.cos,
  erf: erfRef,
  log1p: Math.log1p,
  expm1: Math.expm1,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  trunc: Math.trunc,
  erfc: erfcRef,
  lgamma: lgammaRef,
  digamma: digammaRef,
  trigamma: trigammaRef,
  erfinv: erfinvRef,
  sinc: sincRef,
  logit: logitRef,
  i0: i0Ref,
  i1: i1Ref,
  // Through ln, not Math.log2 and friends (the js backend's): within an ulp of double, far inside f32's.
  log2: (x) => Math.log(x) / Math.LN2,
  log10: (x) => Math.log(x) / Math.LN10,
  exp2: (x) => Math.exp(x * Math.LN2),
};

/** The definition, a − b·⌊a/b⌋ (exact for the small quotients these tests make), a zero signed as b. */
const remainderRef = (a: number, b: number) => {
  const r = a - b * Math.floor(a / b);
  return r === 0 ? (b < 0 ? -0 : 0) : r;
};

/** Exact integer results (bigint where products outgrow 2^53), wrapped like C. */
function intBinary(op: BinaryOp, a: number, b: number, dtype: 'i8' | 'i32'): number {
  const A = BigInt(a);
  const B = BigInt(b);
  switch (op) {
    case 'add': return wrap(A + B, dtype);
    case 'sub': return wrap(A - B, dtype);
    case 'mul': return wrap(A * B, dtype);
    case 'div': return b === 0 ? 0 : wrap(A / B, dtype); // bigint division truncates toward zero
    case 'pow':
      if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
      return wrap(A ** B, dtype);
    case 'remainder': return b === 0 ? 0 : remainderRef(a, b) + 0;
    case 'floorDivide': return b === 0 ? 0 : wrap(A / B - (A % B !== 0n && A < 0n !== B < 0n ? 1n : 0n), dtype);
    case 'atan2': return Math.trunc(Math.atan2(a, b)) + 0;
    // Float-valued: truncated and wrapped as JS's ToInt32 (±∞ and NaN → 0), as atan2.
    case 'xlogy': case 'logaddexp': case 'hypot': case 'copysign': {
      const v = floatBinary(op, a, b);
      return Number.isFinite(v) ? wrap(BigInt(Math.trunc(v)), dtype) : 0;
    }
    default: return floatBinary(op, a, b);
  }
}

function floatBinary(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'pow': return a ** b;
    case 'maximum': return Math.max(a, b);
    case 'minimum': return Math.min(a, b);
    case 'atan2': return Math.atan2(a, b);
    case 'remainder': return remainderRef(a, b);
    case 'xlogy': return xlogyRef(a, b);
    case 'logaddexp': return logaddexpRef(a, b);
    case 'hypot': return hypotRef(a, b);
    case 'copysign': return copysignRef(a, b);
    // Random operands: float64's a/b never rounds across an integer here, so the plain floor is the definition.
    case 'floorDivide': return Math.floor(a / b);
    case 'equal': return +(a === b);
    case 'notEqual': return +(a !== b);
    case 'less': return +(a < b);
    case 'lessEqual': return +(a <= b);
    case 'greater': return +(a > b);
    case 'greaterEqual': return +(a >= b);
    default: throw new Error(`${op} takes ints only (test/ops/bitwise.test.ts checks it on every backend)`);
  }
}

/** NumPy broadcasting, index by index. */
function broadcastShape(...shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => shapes.map((s) => s[s.length - rank + i] ?? 1).find((d) => d !== 1) ?? 1);
}

function broadcastIndex(flat: number, out: number[], shape: number[]): number {
  let index = 0;
  let stride = 1;
  for (let d = out.length - 1, rem = flat; d >= 0; d--) {
    const i = rem % out[d];
    rem = Math.floor(rem / out[d]);
    const own = shape[d - (out.length - shape.length)];
    if (own !== undefined) {
      if (own !== 1) index += i * stride;
      stride *= own;
    }
  }
  return index;
}

describe('unary', () => {
  for (const dtype of DTYPES) {
    for (const op of isInt(dtype) ? INT_UNARY : UNARY_OPS) {
      it(`${op} on ${dtype}`, () => {
        for (const n of [...ODD, 1031]) {
          const [lo, hi] = isInt(dtype) ? INT_RANGE[dtype] : op === 'log' || op === 'sqrt' ? [1e-3, 8] : [-6, 6];
          const x = isInt(dtype) ? operand([n], dtype, ints(n, lo, hi)) : randomOperand([n], dtype, lo, hi);
          const want = x.v.map((v) => (isInt(dtype) ? wrap(UNARY_REF[op](v), dtype) : UNARY_REF[op](v)));
          expectMatches(native.unary(op, x.info), dtype, want, `${op}[${n}]`);
        }
      });
    }
  }

  it('f16 results are the js backend\'s bit for bit: computed in double and rounded once', () => {
    for (const op of UNARY_OPS) {
      const x = randomOperand([4099], 'f16', op === 'log' || op === 'sqrt' ? 1e-4 : -11, 11);
      expectSame(native.unary(op, x.info), js.unary(op, x.info), `${op} f16`);
    }
  });

  it('split among threads on large tensors, in parts that do not divide evenly, gives the bits it gives in pieces too small to split, f32 and f16', () => {
    // 2^18 + 5 elements: every float op splits here (from 2^14 elements a part for libm's, 2^17 for exp, log, sigmoid and
    // tanh); in pieces of 8,192 none does. (Against the js backend the libm-based maps may differ by an f32 ulp: erfc did.)
    const n = (1 << 18) + 5, piece = 8192;
    for (const dtype of FLOATS) {
      for (const op of UNARY_OPS) {
        const x = randomOperand([n], dtype, op === 'log' || op === 'sqrt' ? 1e-3 : -11, 11);
        const whole = native.unary(op, x.info);
        const pieces = whole.slice();
        for (let at = 0; at < n; at += piece) {
          const part = operand([Math.min(piece, n - at)], dtype, x.v.slice(at, at + piece));
          pieces.set(native.unary(op, part.info), at);
        }
        expectSame(whole, pieces, `${op} ${dtype} split`);
      }
    }
  });

  it('exp and sigmoid give the js backend\'s f32 bits across the range where they are neither 0, 1 nor ∞ (exp_double.h, not libm)', () => {
    // 2^18 points from −110 to 95, each nudged off the grid, and the edges: where e^x leaves f32's range, and where the kernel's clamp starts.
    const n = 1 << 18;
    const sweep = Array.from({ length: n }, (_, i) => -110 + (205 * i) / n + random() * 1e-3);
    const edges = [88.7228, 88.72284, -87.33655, -103.97, -103.98, -708, -708.5, 709, 709.5, -745, 710, 1e-30, -1e-30, 5e-8];
    const x = operand([n + edges.length], 'f32', [...sweep, ...edges]);
    for (const op of ['exp', 'sigmoid'] as const) expectSame(native.unary(op, x.info), js.unary(op, x.info), `${op} sweep`);
  });

  it('tanh gives the js backend\'s f32 bits from tiny arguments to where it is ±1 (exp_double.h\'s e^x − 1, not libm)', () => {
    // 2^17 points over [−10, 10] and 2^17 of magnitudes 1e-30 … 1, where tanh x ≈ x and e^{2x} − 1 must keep its digits.
    const n = 1 << 17;
    const sweep = Array.from({ length: n }, (_, i) => -10 + (20 * i) / n + random() * 1e-4);
    const tiny = Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * 10 ** (-30 + (30 * i) / n));
    const edges = [9.0109, 9.011, -9.011, 19.99, 20, 20.01, 1e-45, -1e-45, 0.3466, 0.3467];
    const x = operand([2 * n + edges.length], 'f32', [...sweep, ...tiny, ...edges]);
    expectSame(native.unary('tanh', x.info), js.unary('tanh', x.info), 'tanh sweep');
  });

  it('log gives the js backend\'s f32 bits from the smallest subnormal to the largest float, and densely around 1 (log_double.h, not libm)', () => {
    // 2^17 floats spread evenly over the bit patterns of (0, ∞), and 2^17 points within 0.1 of 1, where ln x ≈ x − 1.
    const n = 1 << 17;
    const patterns = new Uint32Array(n).map((_, i) => Math.floor((0x7f800000 / n) * i) + 1 + Math.floor(random() * 1000));
    const nearOne = Array.from({ length: n }, (_, i) => 0.9 + (0.2 * i) / n + random() * 1e-6);
    const edges = [Math.SQRT2, Math.SQRT1_2, 1, 2, 0.5, 1.0000001, 0.99999994, 3.4028234e38, 1.4e-45];
    const x = operand([2 * n + edges.length], 'f32', [...new Float32Array(patterns.buffer), ...nearOne, ...edges]);
    expectSame(native.unary('log', x.info), js.unary('log', x.info), 'log sweep');
  });

  it('special values give what the js backend gives, bit for bit', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 3e38, -3e38, 7e4, -7e4, 6e-8, -88.8, 88.8, 1, -1];
    for (const dtype of FLOATS) {
      const x = operand([specials.length], dtype, specials);
      for (const op of UNARY_OPS) expectSame(native.unary(op, x.info), js.unary(op, x.info), `${op}(specials) ${dtype}`);
    }
    for (const dtype of ['i8', 'i32'] as const) {
      const [lo, hi] = INT_RANGE[dtype];
      const x = operand([8], dtype, [lo, hi, 0, -1, 1, lo + 1, hi - 1, 2]);
      for (const op of UNARY_OPS) expectSame(native.unary(op, x.info), js.unary(op, x.info), `${op}(extremes) ${dtype}`);
    }
  });
});

describe('binary with broadcasting', () => {
  const SHAPES: [number[], number[]][] = [
    [[257], [257]], // same shape
    [[129, 127], [127]], // a row added to each row
    [[127, 1], [1, 129]], // outer
    [[7, 1, 5], [3, 1]],
    [[1], [129, 7]], // scalar a
    [[257, 3], [1]], // scalar b
    [[2, 1, 3, 1], [1, 4, 1, 5]],
    [[0, 3], [3]], // empty
  ];

  function operands(op: BinaryOp, dtype: DType, sa: number[], sb: number[]): [Operand, Operand] {
    if (isInt(dtype)) {
      if (op === 'pow') return [operand(sa, dtype, ints(sizeOf(sa), -5, 5)), operand(sb, dtype, ints(sizeOf(sb), -3, 9))];
      const [lo, hi] = INT_RANGE[dtype];
      // Small ranges too, so equal elements and zero divisors occur.
      const pick = (s: number[]) => operand(s, dtype, random() < 0.5 ? ints(sizeOf(s), lo, hi) : ints(sizeOf(s), -3, 3));
      return [pick(sa), pick(sb)];
    }
    if (op === 'pow') return [randomOperand(sa, dtype, 0.1, 3), randomOperand(sb, dtype, -3, 3)];
    if (COMPARISON_OPS.includes(op as (typeof COMPARISON_OPS)[number]) || op === 'maximum' || op === 'minimum') {
      // Coarse values, so ties happen.
      const coarse = (s: number[]) => operand(s, dtype, ints(sizeOf(s), -4, 4).map((v) => v / 2));
      return [coarse(sa), coarse(sb)];
    }
    const away = (s: number[]) => operand(s, dtype, uniform(sizeOf(s), 0.5, 4).map((v) => (random() < 0.5 ? -v : v)));
    return [randomOperand(sa, dtype), op === 'div' ? away(sb) : randomOperand(sb, dtype)];
  }

  for (const dtype of DTYPES) {
    for (const op of BINARY_OPS) {
      it(`${op} on ${dtype}`, () => {
        for (const [sa, sb] of SHAPES) {
          const [a, b] = operands(op, dtype, sa, sb);
          const out = broadcastShape(sa, sb);
          const want = Array.from({ length: sizeOf(out) }, (_, i) => {
            const x = a.v[broadcastIndex(i, out, sa)];
            const y = b.v[broadcastIndex(i, out, sb)];
            return isInt(dtype) ? intBinary(op, x, y, dtype) : floatBinary(op, x, y);
          });
          expectMatches(native.binary(op, a.info, b.info, out), dtype, want, `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
        }
      });
    }
  }

  it('large float products of the costly ops (pow, atan2, remainder…), split among threads by slabs of rows, are the js backend\'s bit for bit', () => {
    // Past the size where each op is split: the same shape, a row broadcast down, a column along, and one flat axis.
    const SPLIT: [number[], number[]][] = [[[301, 257], [301, 257]], [[301, 257], [257]], [[301, 257], [301, 1]], [[70001], [70001]]];
    for (const dtype of FLOATS) {
      for (const op of BINARY_OPS.filter((o) => ['pow', 'atan2', 'remainder', 'xlogy', 'logaddexp', 'hypot', 'floorDivide'].includes(o))) {
        for (const [sa, sb] of SPLIT) {
          const a = randomOperand(sa, dtype, op === 'pow' ? 0.01 : -100, 100);
          const b = randomOperand(sb, dtype, op === 'pow' ? -4 : -100, op === 'pow' ? 4 : 100);
          const out = broadcastShape(sa, sb);
          expectSame(native.binary(op, a.info, b.info, out), js.binary(op, a.info, b.info, out), `${op} ${dtype} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
        }
      }
    }
  });

  it('f16 results are the js backend\'s bit for bit', () => {
    for (const op of BINARY_OPS) {
      const a = randomOperand([65, 63], 'f16', op === 'pow' ? 0.01 : -100, 100);
      const b = randomOperand([63], 'f16', op === 'pow' ? -4 : -100, op === 'pow' ? 4 : 100);
      expectSame(native.binary(op, a.info, b.info, [65, 63]), js.binary(op, a.info, b.info, [65, 63]), `${op} f16`);
    }
  });

  it('pow with one exponent of 0, ±1, 2, ½, 3, −2 or −½ (not through logarithms) gives the js backend\'s bits for every kind of float', () => {
    // 2^16 bit patterns spread over all floats (both signs, subnormals, ∞, NaNs) and the specials, in f32 and f16, against a lone exponent and against a broadcast x.
    const n = 1 << 16;
    const patterns = new Uint32Array(n).map((_, i) => Math.floor((0xffffffff / n) * i) + Math.floor(random() * 1000));
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1.0002441, 3e38, -3e38, 1e-45, -1e-45];
    const values = [...new Float32Array(patterns.buffer), ...specials];
    for (const dtype of FLOATS) {
      const x = operand([values.length], dtype, values);
      const row = operand([1, 7], dtype, values.slice(n, n + 7));
      for (const y of [0, 1, -1, 2, 0.5, 3, -2, -0.5, 1.5]) {
        const exponent = operand([], dtype, [y]);
        expectSame(native.binary('pow', x.info, exponent.info, [values.length]), js.binary('pow', x.info, exponent.info, [values.length]), `${dtype} x^${y}`);
        expectSame(native.binary('pow', row.info, exponent.info, [3, 7]), js.binary('pow', row.info, exponent.info, [3, 7]), `${dtype} broadcast x^${y}`);
      }
    }
  });

  it('every f16 value through exp, log, tanh, sigmoid and pow to one exponent gives the js backend\'s bits (one rounding to f16)', () => {
    const all = Array.from({ length: 65536 }, (_, h) => {
      const sign = h & 0x8000 ? -1 : 1;
      const [e, m] = [(h >> 10) & 31, h & 1023];
      return e === 31 ? (m ? NaN : sign * Infinity) : sign * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
    });
    const x = operand([all.length], 'f16', all);
    for (const op of ['exp', 'log', 'tanh', 'sigmoid'] as const) expectSame(native.unary(op, x.info), js.unary(op, x.info), `${op} of every f16`);
    for (const y of [-1, 2, 0.5, 3, -2, -0.5, 1.5, -3]) {
      const exponent = operand([], 'f16', [y]);
      expectSame(native.binary('pow', x.info, exponent.info, [all.length]), js.binary('pow', x.info, exponent.info, [all.length]), `every f16 ^ ${y}`);
    }
  });

  it('pow of any other exponent (through e^{y·ln x}, pow_double.h, not libm) gives the js backend\'s bits: every kind of x against exponents odd, even, fractional, huge, ±∞ and NaN', () => {
    // 2^14 bit patterns of x (both signs, subnormals, ∞, NaN) against 26 exponents: 425,984 results, and x near 1 to large powers.
    const n = 1 << 14;
    const patterns = new Uint32Array(n).map((_, i) => Math.floor((0xffffffff / n) * i) + Math.floor(random() * 100));
    const specials = [Infinity, -Infinity, NaN, 0, -0, -1, 1, 1.0000001, 0.99999994, 3e38, -3e38, 1e-45, -1e-45, -2, -0.5, 10];
    const xs = [...specials, ...new Float32Array(patterns.buffer).slice(specials.length)];
    const ys = [1.5, 4, 5, -3, 7, -7, 0.25, -1.5, 1e10, -1e10, 16777215, 16777216, Infinity, -Infinity, NaN, -0, 0.1, -0.1, 33.3, -33.3, 100, -100, 1e-7, 2.5, 1e6, -1e6];
    for (const dtype of FLOATS) {
      const x = operand([n, 1], dtype, xs);
      const y = operand([1, ys.length], dtype, ys);
      expectSame(native.binary('pow', x.info, y.info, [n, ys.length]), js.binary('pow', x.info, y.info, [n, ys.length]), `${dtype} x^y grid`);
      // The other way round, one exponent a row of x (each row's exponent worked out once, the lone-exponent
      // cases among them), and x broadcast along the rows too.
      const column = [...ys, 0, 1, -1, 2, 0.5, 3, -2, -0.5];
      const exponents = operand([column.length, 1], dtype, column);
      const row = operand([1, n], dtype, xs);
      expectSame(native.binary('pow', row.info, exponents.info, [column.length, n]), js.binary('pow', row.info, exponents.info, [column.length, n]), `${dtype} a column of exponents`);
      const lone = operand([column.length, 1], dtype, xs.slice(0, column.length));
      expectSame(native.binary('pow', lone.info, exponents.info, [column.length, 5]), js.binary('pow', lone.info, exponents.info, [column.length, 5]), `${dtype} x and y along rows`);
    }
    const nearOne = operand([4096], 'f32', Array.from({ length: 4096 }, (_, i) => 1 + (i - 2048) * 1.2e-7));
    const large = operand([4096], 'f32', Array.from({ length: 4096 }, (_, i) => (i % 2 ? 1 : -1) * (1e5 + i * 997.3 + random())));
    expectSame(native.binary('pow', nearOne.info, large.info, [4096]), js.binary('pow', nearOne.info, large.info, [4096]), 'x near 1 to large powers');
  });

  it('special values give what the js backend gives, bit for bit', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, 0.5, 1e-40, 3e38, -7e4];
    const n = specials.length;
    for (const dtype of FLOATS) {
      const a = operand([n, 1], dtype, specials);
      const b = operand([1, n], dtype, specials);
      for (const op of BINARY_OPS) expectSame(native.binary(op, a.info, b.info, [n, n]), js.binary(op, a.info, b.info, [n, n]), `${op} ${dtype}`);
    }
    for (const dtype of ['i8', 'i32'] as const) {
      const [lo, hi] = INT_RANGE[dtype];
      const v = [lo, hi, 0, -1, 1, 2, -2, lo + 1, 7];
      const a = operand([v.length, 1], dtype, v);
      const b = operand([1, v.length], dtype, v);
      const shape = [v.length, v.length];
      for (const op of BINARY_OPS) {
        if (op === 'pow' && dtype === 'i32') continue; // js loops |exponent| times: 2^31 is too long a wait here
        expectSame(native.binary(op, a.info, b.info, shape), js.binary(op, a.info, b.info, shape), `${op} ${dtype}`);
      }
    }
  });
});

describe('where', () => {
  it('picks a or b per element with all three broadcast, for every dtype and condition dtype', () => {
    const cases: [number[], number[], number[]][] = [
      [[257], [257], [257]],
      [[127, 1], [1, 129], [127, 129]],
      [[129], [7, 129], [1]],
      [[7, 1, 3], [5, 1], [1, 5, 3]],
    ];
    for (const dtype of DTYPES) {
      for (const condDtype of DTYPES) {
        for (const [sc, sa, sb] of cases) {
          const cv = ints(sizeOf(sc), -1, 1).map((v) => (v === 0 && !isInt(condDtype) && random() < 0.5 ? -0 : v));
          if (!isInt(condDtype) && cv.length > 2) cv[1] = NaN; // NaN is non-zero: picks a
          const cond = operand(sc, condDtype, cv);
          const a = randomOperand(sa, dtype);
          const b = randomOperand(sb, dtype);
          const out = broadcastShape(sc, sa, sb);
          const want = Array.from({ length: sizeOf(out) }, (_, i) => {
            const c = cond.v[broadcastIndex(i, out, sc)];
            return c !== 0 ? a.v[broadcastIndex(i, out, sa)] : b.v[broadcastIndex(i, out, sb)];
          });
          expectSame(native.where(cond.info, a.info, b.info, out), storageOf(want, dtype), `where ${dtype} cond ${condDtype} ${JSON.stringify([sc, sa, sb])}`);
        }
      }
    }
  });
});

describe('reduce (along rows and down columns) and argReduce', () => {
  const SHAPES: [number, number][] = [[1, 1], [7, 127], [129, 257], [257, 7], [3, 0]];

  /** A reduction of each line (a row, or a column) in float64, and the scale its error is judged by (Σ|v|). */
  function reduceRef(op: ReduceOp, dtype: DType, lines: number[][], length: number): { want: number[]; scale: number[] } {
    const want: number[] = [];
    const scale: number[] = [];
    for (const line of lines) {
      const sum = line.reduce((s, v) => s + v, 0);
      scale.push(line.reduce((s, v) => s + Math.abs(v), 0) / (op === 'mean' ? length : 1));
      const extreme = (larger: boolean) => line.reduce((m, v) => (larger ? Math.max(m, v) : Math.min(m, v)), larger ? -Infinity : Infinity);
      const empty = isInt(dtype) && length === 0 ? 0 : undefined; // ±∞ has no int: js writes 0
      want.push(op === 'sum' ? sum : op === 'mean' ? sum / length : empty ?? extreme(op === 'max'));
    }
    return { want, scale };
  }

  // Along rows ([outer, inner] → [outer]), and down the columns of x [rows, cols] read in place (reduceColumns).
  for (const dtype of DTYPES) {
    for (const op of ['sum', 'mean', 'max', 'min'] as const) {
      const outDtype: DType = op === 'mean' && isInt(dtype) ? 'f32' : dtype;
      it(`${op} on ${dtype} → ${outDtype}, along rows and down columns`, () => {
        for (const [outer, inner] of SHAPES) {
          const x = randomOperand([outer, inner], dtype);
          const rows = Array.from({ length: outer }, (_, r) => x.v.slice(r * inner, (r + 1) * inner));
          const byRow = reduceRef(op, dtype, rows, inner);
          expectMatches(native.reduce(op, x.info, outDtype), outDtype, byRow.want, `${op} [${outer},${inner}]`, byRow.scale);
          const columns = Array.from({ length: inner }, (_, c) => rows.map((row) => row[c]));
          const byColumn = reduceRef(op, dtype, columns, outer);
          expectMatches(native.reduceColumns!(op, x.info, outDtype), outDtype, byColumn.want, `${op} columns [${outer},${inner}]`, byColumn.scale);
        }
      });
    }
  }

  it('f32 sums and means down the columns add each column in order in double and round once: the js backend\'s bits', () => {
    const [rows, cols] = [1031, 67];
    const x = randomOperand([rows, cols], 'f32', -1e3, 1e3);
    for (const op of ['sum', 'mean'] as const) {
      const want = Array.from({ length: cols }, (_, c) => {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += x.v[r * cols + c];
        return op === 'mean' ? sum / rows : sum;
      });
      expectSame(native.reduceColumns!(op, x.info, 'f32'), Float32Array.from(want), `${op} columns`);
    }
  });

  it('max and min propagate NaN; a row of ±0 keeps the first zero, like a left-to-right scan', () => {
    for (const dtype of FLOATS) {
      const row = uniform(129, -1, 1);
      const withNaN = [...row.slice(0, 60), NaN, ...row.slice(61)];
      const x = operand([3, 129], dtype, [...withNaN, ...row, ...Array.from({ length: 129 }, (_, i) => (i % 2 ? 0 : -0))]);
      for (const op of ['max', 'min'] as const) expectSame(native.reduce(op, x.info, dtype), js.reduce(op, x.info, dtype), `${op} ${dtype}`);
      for (const op of ['sum', 'mean'] as const) {
        const first = native.reduce(op, x.info, dtype)[0];
        expect(dtype === 'f32' ? Number.isNaN(first) : (first & 0x7fff) > 0x7c00, `${op} of a row with NaN`).toBe(true);
      }
    }
  });

  it('down the columns too: NaN wins, a column of ±0 keeps its first zero, as the js backend gives on the transposed rows', () => {
    const [rows, cols] = [129, 5];
    for (const dtype of FLOATS) {
      const values = uniform(rows * cols, -1, 1);
      for (let r = 0; r < rows; r++) {
        values[r * cols + 1] = r === 77 ? NaN : values[r * cols + 1];
        values[r * cols + 2] = r % 2 ? 0 : -0;
        values[r * cols + 3] = r % 2 ? -0 : 0;
      }
      const x = operand([rows, cols], dtype, values);
      const asRows = operand([cols, rows], dtype, Array.from({ length: rows * cols }, (_, i) => values[(i % rows) * cols + Math.floor(i / rows)]));
      for (const op of ['max', 'min', 'sum', 'mean'] as const) {
        expectSame(native.reduceColumns!(op, x.info, dtype), js.reduce(op, asRows.info, dtype), `${op} columns ${dtype}`);
      }
    }
  });

  it('f16 sums are rounded once: 2048 + 1 + 2^-13 is 2050 (through f32 it would round twice, to 2048)', () => {
    const x = operand([1, 3], 'f16', [2048, 1, 2 ** -13]);
    expectSame(native.reduce('sum', x.info, 'f16'), storageOf([2050], 'f16'), 'sum');
    expectSame(native.reduce('sum', x.info, 'f16'), js.reduce('sum', x.info, 'f16'), 'sum vs js');
  });

  // Products along rows and down columns: floats near 1 (so that hundreds of them stay in range), against
  // the float64 product and, in f32, the js backend's bits (both multiply in order in double, rounded once);
  // ints as exact bigint products, wrapped like C; an empty line's product is 1.
  it.each(DTYPES)('prod on %s, along rows and down columns', (dtype) => {
    for (const [outer, inner] of SHAPES) {
      const values = isInt(dtype) ? ints(outer * inner, INT_RANGE[dtype][0], INT_RANGE[dtype][1]) : uniform(outer * inner, -0.2, 0.2).map((u, i) => (i % 5 === 2 ? -1 : 1) * Math.exp(u));
      const x = operand([outer, inner], dtype, values);
      const product = (line: number[]) => (isInt(dtype) ? wrap(line.reduce((p, v) => p * BigInt(v), 1n), dtype) : line.reduce((p, v) => p * v, 1));
      const rows = Array.from({ length: outer }, (_, r) => x.v.slice(r * inner, (r + 1) * inner));
      const columns = Array.from({ length: inner }, (_, c) => rows.map((row) => row[c]));
      expectMatches(native.reduce('prod', x.info, dtype), dtype, rows.map(product), `prod [${outer},${inner}]`);
      expectMatches(native.reduceColumns!('prod', x.info, dtype), dtype, columns.map(product), `prod columns [${outer},${inner}]`);
      if (dtype === 'f32') expectSame(native.reduce('prod', x.info, dtype), js.reduce('prod', x.info, dtype), `prod [${outer},${inner}] vs js`);
    }
  });

  it('argmax and argmin give the first extreme index; NaN counts as the extreme', () => {
    for (const dtype of DTYPES) {
      for (const [outer, inner] of SHAPES.filter(([, i]) => i > 0)) {
        // A narrow range makes ties common.
        const values = isInt(dtype) ? ints(outer * inner, -3, 3) : ints(outer * inner, -6, 6).map((v) => v / 4);
        if (!isInt(dtype) && inner > 3) for (let r = 0; r < outer; r += 2) values[r * inner + 2] = NaN;
        // NaNs past the first sixteen lanes, the later one first in memory order of the lanes.
        if (!isInt(dtype) && inner > 40) for (let r = 1; r < outer; r += 4) [values[r * inner + 37], values[r * inner + 21]] = [NaN, NaN];
        const x = operand([outer, inner], dtype, values);
        for (const op of ['argmax', 'argmin'] as const) {
          const want = Array.from({ length: outer }, (_, r) => {
            const row = x.v.slice(r * inner, (r + 1) * inner);
            const nan = row.findIndex(Number.isNaN);
            if (nan >= 0) return nan;
            const best = op === 'argmax' ? Math.max(...row) : Math.min(...row);
            return row.indexOf(best);
          });
          expectSame(native.argReduce(op, x.info), Int32Array.from(want), `${op} ${dtype} [${outer},${inner}]`);
        }
      }
    }
  });
  it('argmax and argmin of wide rows of ∓∞, of ±0, and with the extreme in the tail past the lanes', () => {
    const inner = 37;
    const rows = [
      Array(inner).fill(-Infinity),
      Array(inner).fill(Infinity),
      Array.from({ length: inner }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : -1)),
      Array.from({ length: inner }, (_, i) => (i === 35 ? 9 : i === 36 ? -9 : i % 5)),
    ];
    const x = operand([rows.length, inner], 'f32', rows.flat());
    const first = (row: number[], best: number) => row.indexOf(best);
    expectSame(native.argReduce('argmax', x.info), Int32Array.from(rows.map((r) => first(r, Math.max(...r)))), 'argmax special rows');
    expectSame(native.argReduce('argmin', x.info), Int32Array.from(rows.map((r) => first(r, Math.min(...r)))), 'argmin special rows');
  });
});

describe('softmax', () => {
  for (const dtype of FLOATS) {
    for (const log of [false, true]) {
      it(`${log ? 'logSoftmax' : 'softmax'} on ${dtype}`, () => {
        for (const [outer, inner] of [[1, 1], [7, 129], [129, 7], [3, 257]] as const) {
          const x = randomOperand([outer, inner], dtype, -8, 8);
          const want: number[] = [];
          for (let r = 0; r < outer; r++) {
            const row = x.v.slice(r * inner, (r + 1) * inner);
            const max = Math.max(...row);
            const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
            for (const v of row) want.push(log ? v - max - Math.log(sum) : Math.exp(v - max) / sum);
          }
          expectMatches(native.softmax(x.info, log), dtype, want, `[${outer},${inner}]`);
        }
      });
    }
  }

  it('gives the js backend\'s bits, in f32 and f16, on rows wide enough to sum in parts, and on enough of them to split among threads', () => {
    // [257, 515]: ~132K elements, rows split among the threads (from ~32K a part) in uneven shares.
    for (const dtype of FLOATS) {
      for (const shape of [[64, 515], [257, 515]]) {
        const x = randomOperand(shape, dtype, -30, 30);
        for (const log of [false, true]) expectSame(native.softmax(x.info, log), js.softmax(x.info, log), `${dtype} [${shape}] log=${log}`);
      }
    }
  });

  it('is stable for huge logits and gives NaN for rows without a finite max, like the js backend', () => {
    const x = operand([4, 3], 'f32', [3e38, 3e38, -3e38, 1e30, 0, -1e30, -Infinity, -Infinity, -Infinity, NaN, 1, 2]);
    for (const log of [false, true]) {
      const got = native.softmax(x.info, log);
      expect(Array.from(got.slice(0, 6)).every(Number.isFinite)).toBe(!log);
      expectSame(got, js.softmax(x.info, log), `special rows, log=${log}`);
    }
  });

  it('finds the max of a wide row in lanes: NaN, ∞ or the largest value past the first lanes, ±0 as the largest', () => {
    const inner = 37; // two lanes of sixteen and a tail
    const rows = [33, 20, 17, 36].map((at, r) => {
      const row = Array.from({ length: inner }, (_, i) => -1 - i / 8);
      row[at] = [NaN, Infinity, 5, 3e38][r];
      return row;
    });
    rows.push(Array.from({ length: inner }, (_, i) => (i === 19 ? 0 : i === 3 ? -0 : -2 - i)));
    const x = operand([rows.length, inner], 'f32', rows.flat());
    for (const log of [false, true]) expectSame(native.softmax(x.info, log), js.softmax(x.info, log), `wide special rows, log=${log}`);
  });
});

describe('data movement', () => {
  /** out[idx] = x[offset + Σ idx·strides], by the definition. */
  function gatherRef(x: Operand, shape: number[], strides: number[], offset: number): number[] {
    return Array.from({ length: sizeOf(shape) }, (_, i) => {
      let at = offset;
      for (let d = shape.length - 1, rem = i; d >= 0; d--) {
        at += (rem % shape[d]) * strides[d];
        rem = Math.floor(rem / shape[d]);
      }
      return x.v[at];
    });
  }

  it('stridedCopy: transposes, slices, broadcasts and reversals, for every dtype', () => {
    for (const dtype of DTYPES) {
      const x = randomOperand([7, 129, 3], dtype);
      const cases: [string, number[], number[], number][] = [
        ['copy', [7, 129, 3], [387, 3, 1], 0],
        ['transpose (2,1,0)', [3, 129, 7], [1, 3, 387], 0],
        ['transpose last two', [7, 3, 129], [387, 1, 3], 0],
        ['slice rows 2..6, cols 5..132 step 2', [4, 62, 3], [387, 6, 1], 2 * 387 + 15],
        ['broadcast a row', [257, 3], [0, 1], 5],
        ['reverse the middle axis', [7, 129, 3], [387, -3, 1], 128 * 3],
        ['one element', [1, 1, 1], [0, 0, 0], 2708],
        ['empty', [0, 5], [1, 1], 0],
      ];
      for (const [name, shape, strides, offset] of cases) {
        expectSame(native.stridedCopy(x.info, shape, strides, offset), storageOf(gatherRef(x, shape, strides, offset), dtype), `${name} ${dtype}`);
      }
      // Matrix transposes (copied in tiles): one, a batch of them, and a sliced one.
      const y = randomOperand([3, 129, 33], dtype);
      const transposes: [string, number[], number[], number][] = [
        ['transpose a matrix', [33, 129], [1, 33], 0],
        ['transpose a batch', [3, 33, 129], [129 * 33, 1, 33], 0],
        ['transpose a slice of a batch', [2, 31, 100], [129 * 33, 1, 33], 129 * 33 + 2 * 33 + 1],
      ];
      for (const [name, shape, strides, offset] of transposes) {
        expectSame(native.stridedCopy(y.info, shape, strides, offset), storageOf(gatherRef(y, shape, strides, offset), dtype), `${name} ${dtype}`);
      }
      // A last axis of two adjacent elements (tm.fft's pairs; f32 and i32 move them as one 8-byte pair when every
      // pair starts on an even element), and the cases that must not: odd offsets and strides, a reversed pair.
      const z = randomOperand([5, 37, 2], dtype);
      const pairs: [string, number[], number[], number][] = [
        ['swap the axes before the pairs', [37, 5, 2], [2, 74, 1], 0],
        ['a slice of pairs, even offset', [3, 30, 2], [74, 2, 1], 74 + 6],
        ['every other pair, reversed', [5, 18, 2], [74, -4, 1], 72],
        ['a pair broadcast', [4, 9, 2], [0, 0, 1], 10],
        ['odd offset', [5, 36, 2], [74, 2, 1], 1],
        ['odd stride', [5, 24, 2], [74, 3, 1], 0],
        ['pairs reversed', [5, 37, 2], [74, 2, -1], 1],
      ];
      for (const [name, shape, strides, offset] of pairs) {
        expectSame(native.stridedCopy(z.info, shape, strides, offset), storageOf(gatherRef(z, shape, strides, offset), dtype), `${name} ${dtype}`);
      }
    }
  });

  it('concat along every axis, for every dtype', () => {
    for (const dtype of DTYPES) {
      for (let axis = 0; axis < 3; axis++) {
        const sizes = [1, 7, 129];
        const parts = sizes.map((s) => randomOperand([3, 5, 7].map((d, i) => (i === axis ? s : d)), dtype));
        const outShape = [3, 5, 7].map((d, i) => (i === axis ? sizes.reduce((a, b) => a + b) : d));
        const outer = sizeOf(outShape.slice(0, axis));
        const want: number[] = [];
        for (let r = 0; r < outer; r++) {
          for (const p of parts) {
            const chunk = sizeOf(p.info.shape.slice(axis));
            want.push(...p.v.slice(r * chunk, (r + 1) * chunk));
          }
        }
        expectSame(native.concat(parts.map((p) => p.info), axis, outShape), storageOf(want, dtype), `concat axis ${axis} ${dtype}`);
      }
    }
  });

  it("windowMaxGrad: the js backend's bits, ties shared, the padding given nothing, a NaN window NaN to each tap", () => {
    // 3×3 windows at stride 2 over 5×7 planes padded by 1 (index 35: the padding), values from a few so that windows tie.
    const [h, w, oh, ow] = [5, 7, 3, 4];
    const table = operand([oh * ow, 9], 'i32', Array.from({ length: oh * ow * 9 }, (_, i) => {
      const [j, t] = [Math.floor(i / 9), i % 9];
      const [iy, ix] = [2 * Math.floor(j / ow) + Math.floor(t / 3) - 1, 2 * (j % ow) + (t % 3) - 1];
      return iy >= 0 && iy < h && ix >= 0 && ix < w ? iy * w + ix : h * w;
    }));
    const values = ints(3 * h * w, -2, 2);
    values[40] = NaN;
    const x = operand([3, h * w], 'f32', values);
    const y = { storage: js.windowMax(x.info, table.info, 3), shape: [3, oh * ow], dtype: 'f32' as const };
    const dy = operand([3, oh * ow], 'f32', uniform(3 * oh * ow, -1, 1));
    const got = native.windowMaxGrad!(x.info, table.info, y, dy.info);
    expectSame(got, js.windowMaxGrad!(x.info, table.info, y, dy.info), 'windowMaxGrad');
    expect(Number.isNaN(got[40])).toBe(true);
    // Plane 0's window 0 covers rows 0–1, columns 0–1: its dy goes to the taps equal to its max, split evenly.
    const taps = [0, 1, w, w + 1].filter((at) => values[at] === Math.max(values[0], values[1], values[w], values[w + 1]));
    const first = js.windowMaxGrad!(x.info, table.info, y, { ...dy.info, storage: Float32Array.from({ length: 3 * oh * ow }, (_, i) => +(i === 0)) });
    expect(Array.from(first.slice(0, h * w))).toEqual(Array.from({ length: h * w }, (_, at) => (taps.includes(at) ? Math.fround(1 / taps.length) : 0)));
  });

  /**
   * A pooling's index table as src/ops/windows.ts builds it for one plane of
   * h×w: [windows, taps], h·w (or −1, the kernel takes either) for a tap in
   * the padding. `after` pads past the bottom and right (ceilMode's overhang).
   */
  function poolTable(h: number, w: number, kernel: [number, number], stride: [number, number], before: [number, number], after = before, padding = h * w): Operand {
    const [kh, kw] = kernel;
    const [oh, ow] = [0, 1].map((a) => Math.floor(([h, w][a] + before[a] + after[a] - kernel[a]) / stride[a]) + 1);
    const picks: number[] = [];
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const [iy, ix] = [oy * stride[0] + ky - before[0], ox * stride[1] + kx - before[1]];
            picks.push(iy >= 0 && iy < h && ix >= 0 && ix < w ? iy * w + ix : padding);
          }
    return operand([oh * ow, kh * kw], 'i32', picks);
  }

  /** Native windowMax and windowMaxGrad against js's, bit for bit, over `planes` planes of n values. */
  function expectWindowMaxSame(table: Operand, planes: number, n: number, values: number[], what: string): void {
    const x = operand([planes, n], 'f32', values);
    const windows = table.info.shape[0];
    const want = js.windowMax(x.info, table.info, planes);
    expectSame(native.windowMax(x.info, table.info, planes), want, `windowMax ${what}`);
    const y = { storage: want, shape: [planes, windows], dtype: 'f32' as const };
    // dy with −0s (a sum of one −0 share is +0) and a NaN; then dy of magnitudes 2^±40, whose shares' sums round
    // differently in another order.
    const grads = uniform(planes * windows, -1, 1).map((g, i) => (i % 7 === 3 ? -0 : i === 5 ? NaN : g));
    const wide = uniform(planes * windows, -1, 1).map((g) => g * 2 ** Math.round(80 * random() - 40));
    for (const [dy, kind] of [[grads, 'dy'], [wide, 'dy from 2^-40 to 2^40']] as const) {
      const d = operand([planes, windows], 'f32', dy);
      expectSame(native.windowMaxGrad!(x.info, table.info, y, d.info), js.windowMaxGrad!(x.info, table.info, y, d.info), `windowMaxGrad ${what}, ${kind}`);
    }
  }

  /** Values from a few, so that windows tie, with ±0 and a NaN or two. */
  function tiedValues(count: number): number[] {
    return ints(count, -2, 2).map((v, i) => (v === 0 && i % 2 ? -0 : i % 97 === 13 ? NaN : v));
  }

  it.each([
    // [h, w, kernel, stride, padding before, padding after]: runs of windows read as vectors (stride 2 in pairs of
    // taps, stride 1, other strides one window at a time), runs of 14, 20, 25 and 35 windows (a vector of sixteen
    // and the rest), rows and columns no window reads, windows in the padding, ceilMode's overhang, overlapping
    // windows (their gradient summed) and windows one tap wide or tall.
    ['2×2 stride 2, 28×28', 28, 28, [2, 2], [2, 2], [0, 0], [0, 0]],
    ['2×2 stride 2, 27×29 (a row and a column unread)', 27, 29, [2, 2], [2, 2], [0, 0], [0, 0]],
    ['2×2 stride 2, 9×40 (runs of 20)', 9, 40, [2, 2], [2, 2], [0, 0], [0, 0]],
    ['2×2 stride 2, 5×50 (runs of 25)', 5, 50, [2, 2], [2, 2], [0, 0], [0, 0]],
    ['2×2 stride 2, 7×70 (runs of 35)', 7, 70, [2, 2], [2, 2], [0, 0], [0, 0]],
    ['2×2 stride 2 padded by 1, 9×11', 9, 11, [2, 2], [2, 2], [1, 1], [1, 1]],
    ['2×2 stride 2, ceilMode over 7×9', 7, 9, [2, 2], [2, 2], [0, 0], [1, 1]],
    ['3×3 stride 2 padded by 1, 13×37 (overlapping)', 13, 37, [3, 3], [2, 2], [1, 1], [1, 1]],
    ['3×3 stride 1, 11×40 (overlapping, stride 1)', 11, 40, [3, 3], [1, 1], [0, 0], [0, 0]],
    ['2×2 stride 1, 6×33 (overlapping, stride 1)', 6, 33, [2, 2], [1, 1], [0, 0], [0, 0]],
    ['3×3 stride 3, 10×50 (stride 3)', 10, 50, [3, 3], [3, 3], [0, 0], [0, 0]],
    ['4×4 stride 4 padded by 2, 9×41', 9, 41, [4, 4], [4, 4], [2, 2], [2, 2]],
    ['2×1 stride [2, 1], 8×37 (one tap wide, stride 1)', 8, 37, [2, 1], [2, 1], [0, 0], [0, 0]],
    ['1×2 stride [1, 2], 1×75 (a sequence)', 1, 75, [1, 2], [1, 2], [0, 0], [0, 0]],
    ['1×3 stride [1, 3], 1×70 padded by 1 (a sequence)', 1, 70, [1, 3], [1, 3], [0, 1], [0, 1]],
    ['1×1, 5×19', 5, 19, [1, 1], [1, 1], [0, 0], [0, 0]],
  ] as [string, number, number, [number, number], [number, number], [number, number], [number, number]][])(
    "windowMax and windowMaxGrad of a pooling, %s: the js backend's bits (ties, ±0, NaN, padding)",
    (what, h, w, kernel, stride, before, after) => {
      for (const padding of [h * w, -1]) {
        const table = poolTable(h, w, kernel, stride, before, after, padding);
        // Forty planes: enough positions that take shares of three windows or more, so that adding them out of
        // order would show in the rounding.
        expectWindowMaxSame(table, 40, h * w, tiedValues(40 * h * w), `${what}, ties`);
        expectWindowMaxSame(table, 3, h * w, uniform(3 * h * w, -1, 1), `${what}, distinct`);
      }
    },
  );

  it("windowMax and windowMaxGrad of tables with no pattern: the js backend's bits", () => {
    const n = 60;
    // Every position once, shuffled into windows of four (no window overlaps another), and positions anywhere.
    const shuffled = Array.from({ length: n }, (_, i) => i).sort(() => random() - 0.5);
    expectWindowMaxSame(operand([n / 4, 4], 'i32', shuffled), 7, n, tiedValues(7 * n), 'a shuffled partition');
    expectWindowMaxSame(operand([n / 4, 4], 'i32', shuffled), 7, n, uniform(7 * n, -1, 1), 'a shuffled partition');
    const anywhere = operand([23, 5], 'i32', ints(23 * 5, -3, n + 3));
    expectWindowMaxSame(anywhere, 7, n, tiedValues(7 * n), 'positions anywhere');
  });

  it("windowMax and windowMaxGrad over planes enough for two threads (2^22 tap reads and more): the js backend's bits", () => {
    // 2×2 stride 2 over 128 planes of 128×256 (no window overlapping another), and 3×3 stride 2 padded by 1 over
    // 64 planes of 128×128 (overlapping: a position's shares summed).
    expectWindowMaxSame(poolTable(128, 256, [2, 2], [2, 2], [0, 0]), 128, 128 * 256, uniform(128 * 128 * 256, -1, 1), '2×2 stride 2');
    expectWindowMaxSame(poolTable(128, 128, [3, 3], [2, 2], [1, 1]), 64, 128 * 128, tiedValues(64 * 128 * 128), '3×3 stride 2 padded by 1');
  });

  it('oneHot: indices out of range give a zero row', () => {
    for (const idxDtype of ['i8', 'i32'] as const) {
      for (const outDtype of DTYPES) {
        for (const depth of [1, 7, 129]) {
          const idx = operand([5, 7], idxDtype, ints(35, -2, depth + 1));
          const want = idx.v.flatMap((j) => Array.from({ length: depth }, (_, k) => +(k === j)));
          expectSame(native.oneHot(idx.info, depth, outDtype), storageOf(want, outDtype), `oneHot ${idxDtype}→${outDtype} depth ${depth}`);
        }
      }
    }
  });
});

describe('scan', () => {
  /** Running sums or products along the middle axis of [outer, n, inner], in float64 (ints exact, wrapped at each step). */
  function scanRef(op: 'sum' | 'prod', v: ArrayLike<number>, [outer, n, inner]: number[], dtype: DType): number[] {
    const out = new Array<number>(v.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc: number | bigint = isInt(dtype) ? (op === 'sum' ? 0n : 1n) : op === 'sum' ? 0 : 1;
        for (let j = 0; j < n; j++) {
          const at = (o * n + j) * inner + i;
          if (isInt(dtype)) {
            acc = op === 'sum' ? (acc as bigint) + BigInt(v[at]) : (acc as bigint) * BigInt(v[at]);
            out[at] = wrap(acc as bigint, dtype);
            acc = BigInt(out[at]);
          } else {
            acc = op === 'sum' ? (acc as number) + v[at] : (acc as number) * v[at];
            out[at] = acc as number;
          }
        }
      }
    }
    return out;
  }

  for (const dtype of DTYPES) {
    for (const op of ['sum', 'prod'] as const) {
      it(`${op} on ${dtype} against float64 (ints exact), and the js backend's bits`, () => {
        for (const shape of [[1, 7, 1], [3, 129, 5], [2, 1, 13], [4, 0, 3], [1, 257, 31]]) {
          // Products of values near 1 (and some zeros) stay in range; ints small, so products wrap only sometimes.
          const n = sizeOf(shape);
          const values = isInt(dtype)
            ? ints(n, -3, 3)
            : op === 'prod' ? uniform(n, 0.8, 1.25).map((x, i) => (i % 41 === 0 ? 0 : random() < 0.5 ? -x : x)) : uniform(n, -3, 3);
          const x = operand(shape, dtype, values);
          const [outer, , inner] = shape;
          const got = native.scan(op, x.info, outer, inner);
          expectMatches(got, dtype, scanRef(op, x.v, shape, dtype), `${op} ${JSON.stringify(shape)}`);
          expectSame(got, js.scan(op, x.info, outer, inner), `${op} ${dtype} ${JSON.stringify(shape)} vs js`);
        }
      });
    }
  }
});

describe('cast', () => {
  const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, -1.5, 127.9, -128.9, 128, -129, 255.5, 65504, 65520, -70000, 2147483520, 3e9, -3e9, 6e-8, 1e-8];

  function castRef(v: number, to: DType): number {
    if (to === 'f32') return Math.fround(v);
    if (to === 'f16') return roundF16(v);
    if (Number.isNaN(v)) return 0;
    const [lo, hi] = INT_RANGE[to];
    return Math.min(hi, Math.max(lo, Math.trunc(v)));
  }

  for (const from of DTYPES) {
    for (const to of DTYPES) {
      it(`${from} → ${to}`, () => {
        const values = isInt(from) ? ints(1031, INT_RANGE[from][0], INT_RANGE[from][1]) : [...uniform(1031, -300, 300), ...SPECIALS];
        const x = operand([values.length], from, values);
        const got = native.cast(x.info, to);
        expectSame(got, storageOf(x.v.map((v) => castRef(v, to)), to), `cast ${from}→${to} (seed ${SEED})`);
        expectSame(got, js.cast(x.info, to), `cast ${from}→${to} vs js`);
      });
    }
  }
});
