// The differentiable ops, each as a tmnn function and a float64 version of
// it written here: the cases test/autograd/gradients.test.ts checks first
// derivatives on and second_order.test.ts second derivatives.
import * as tm from '../../src/index.js';
import { broadcast2, conv2dRef, erfRef, map, matmul2, pool2dRef, reduceAxes, size, softmaxLast, transpose2, type F64 } from './float64.js';
import { digammaRef, erfcRef, erfinvRef, i0Ref, i1Ref, lgammaRef, logitRef, sincRef } from './special.js';

export interface Case {
  name: string;
  shapes: number[][];
  /** Values drawn away from kinks and poles (relu at 0, log at 0…). */
  positive?: boolean;
  /** Flat positions in the first input set to exactly 0 (a product's gradient there is a special case). */
  zeros?: number[];
  tm: (...xs: tm.Tensor[]) => tm.Tensor;
  ref: (...xs: F64[]) => F64;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The running sums along each row of a matrix. */
function cumsumRows(x: F64): F64 {
  const [rows, cols] = x.shape;
  const v = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0, acc = 0; c < cols; c++) v[r * cols + c] = acc += x.v[r * cols + c];
  return { shape: x.shape, v };
}

/** The running products along axis 0 or 1 of a matrix. */
function cumprodAlong(x: F64, axis: 0 | 1): F64 {
  const [rows, cols] = x.shape;
  const v = new Float64Array(rows * cols);
  const at = (line: number, k: number) => (axis === 1 ? line * cols + k : k * cols + line);
  const [lines, n] = axis === 1 ? [rows, cols] : [cols, rows];
  for (let l = 0; l < lines; l++) for (let k = 0, acc = 1; k < n; k++) v[at(l, k)] = acc *= x.v[at(l, k)];
  return { shape: x.shape, v };
}

/** Each row of a matrix normalised to mean 0, variance 1 (population, + 1e-5). */
function layerNormRows(x: F64): F64 {
  const [rows, cols] = x.shape;
  const v = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = x.v.slice(r * cols, (r + 1) * cols);
    const m = row.reduce((s, a) => s + a, 0) / cols;
    const s = Math.sqrt(row.reduce((t, a) => t + (a - m) ** 2, 0) / cols + 1e-5);
    row.forEach((a, i) => (v[r * cols + i] = (a - m) / s));
  }
  return { shape: x.shape, v };
}

/** Each channel (axis 1) of [N, C, H, W] normalised over N, H and W (population variance, + 1e-5): BatchNorm2d in training. */
function batchNormChannels(x: F64): F64 {
  const [n, c, h, w] = x.shape;
  const v = new Float64Array(x.v.length);
  for (let ch = 0; ch < c; ch++) {
    const at: number[] = [];
    for (let b = 0; b < n; b++) for (let i = 0; i < h * w; i++) at.push((b * c + ch) * h * w + i);
    const m = at.reduce((s, i) => s + x.v[i], 0) / at.length;
    const sd = Math.sqrt(at.reduce((s, i) => s + (x.v[i] - m) ** 2, 0) / at.length + 1e-5);
    for (const i of at) v[i] = (x.v[i] - m) / sd;
  }
  return { shape: x.shape, v };
}

/** The variance of each row of a matrix, dividing by (n − correction). */
function varianceRows(x: F64, correction: number): F64 {
  const [rows, cols] = x.shape;
  const v = Float64Array.from({ length: rows }, (_, r) => {
    const row = x.v.slice(r * cols, (r + 1) * cols);
    const m = row.reduce((s, a) => s + a, 0) / cols;
    return row.reduce((s, a) => s + (a - m) ** 2, 0) / (cols - correction);
  });
  return { shape: [rows], v };
}

const TAKE_INDICES = [[0, 3, 3, 1, -1], [2, 2, 2, 0, 1], [1, 0, 3, 3, -4]];
/** Rows of a [3, 4] x that scatterAdd (repeats) and scatter (each once) write along axis 0 from a [2, 4] src; segments indexAdd sums five rows into. */
const SCATTER_ADD_ROWS = [[0, 2, 2, -1], [2, 2, 0, 1]];
const SCATTER_ROWS = [[0, 2, 1, -1], [2, 1, 0, 1]];
const SEGMENTS = [2, 0, 2, -2, 0];

/** x [3, 4] with row `rows[i][c]` of column c given src[i][c] (added, or written). */
function scatterRows(x: F64, src: F64, rows: number[][], add: boolean): F64 {
  const v = Float64Array.from(x.v);
  rows.forEach((row, i) => row.forEach((r, c) => (v[((r + 3) % 3) * 4 + c] = (add ? v[((r + 3) % 3) * 4 + c] : 0) + src.v[i * 4 + c])));
  return { shape: x.shape, v };
}

export const CASES: Case[] = [
  { name: 'neg', shapes: [[3, 4]], tm: (x) => x.neg(), ref: (x) => map(x, (v) => -v) },
  { name: 'abs', shapes: [[5]], tm: (x) => x.abs(), ref: (x) => map(x, Math.abs) },
  { name: 'exp', shapes: [[2, 3]], tm: (x) => x.exp(), ref: (x) => map(x, Math.exp) },
  { name: 'log', shapes: [[7]], positive: true, tm: (x) => x.log(), ref: (x) => map(x, Math.log) },
  { name: 'sqrt', shapes: [[7]], positive: true, tm: (x) => x.sqrt(), ref: (x) => map(x, Math.sqrt) },
  { name: 'relu', shapes: [[9]], tm: (x) => x.relu(), ref: (x) => map(x, (v) => Math.max(v, 0)) },
  { name: 'sigmoid', shapes: [[2, 5]], tm: (x) => x.sigmoid(), ref: (x) => map(x, sigmoid) },
  { name: 'tanh', shapes: [[2, 5]], tm: (x) => x.tanh(), ref: (x) => map(x, Math.tanh) },
  {
    name: 'layerNorm', shapes: [[3, 5]], ref: (x) => layerNormRows(x),
    tm: (x) => {
      const layer = new tm.nn.LayerNorm(5); // weight 1, bias 0; freed at once (backward keeps what it reads)
      const y = layer.forward(x);
      layer.dispose();
      return y;
    },
  },
  {
    name: 'BatchNorm2d (training)', shapes: [[3, 2, 2, 3]], ref: (x) => batchNormChannels(x),
    tm: (x) => {
      const layer = new tm.nn.BatchNorm2d(2);
      const y = layer.forward(x);
      layer.dispose();
      return y;
    },
  },
  { name: 'cumsum', shapes: [[3, 4]], tm: (x) => x.cumsum(1), ref: (x) => cumsumRows(x) },
  { name: 'cumprod', shapes: [[3, 4]], tm: (x) => x.cumprod(1), ref: (x) => cumprodAlong(x, 1) },
  // Rows with a zero first, inside, last, and two: before, at and past a line's first zero.
  { name: 'cumprod, zeros in rows', shapes: [[4, 5]], zeros: [0, 7, 14, 16, 18], tm: (x) => x.cumprod(1), ref: (x) => cumprodAlong(x, 1) },
  { name: 'cumprod along axis 0, zeros', shapes: [[5, 3]], zeros: [3, 4, 10], tm: (x) => x.cumprod(0), ref: (x) => cumprodAlong(x, 0) },
  { name: 'roll', shapes: [[3, 4]], tm: (x) => x.roll([1, -3], [0, 1]), ref: (x) => ({ shape: [3, 4], v: x.v.map((_, i) => x.v[((Math.floor(i / 4) + 2) % 3) * 4 + ((i % 4) + 3) % 4]) }) },
  { name: 'roll flat', shapes: [[2, 3]], tm: (x) => x.roll(2).mul(x), ref: (x) => ({ shape: [2, 3], v: x.v.map((v, i) => v * x.v[(i + 4) % 6]) }) },
  { name: 'chunk (the second of three)', shapes: [[2, 7]], tm: (x) => x.chunk(3, 1)[1], ref: (x) => ({ shape: [2, 3], v: Float64Array.from([3, 4, 5, 10, 11, 12].map((i) => x.v[i])) }) },
  { name: 'unbind (one slice, squared)', shapes: [[3, 4]], tm: (x) => x.unbind(1)[2].square(), ref: (x) => ({ shape: [3], v: Float64Array.from([2, 6, 10].map((i) => x.v[i] ** 2)) }) },
  { name: 'repeatInterleave', shapes: [[2, 3]], tm: (x) => x.repeatInterleave(2, 1), ref: (x) => ({ shape: [2, 6], v: Float64Array.from({ length: 12 }, (_, i) => x.v[Math.floor(i / 6) * 3 + Math.floor((i % 6) / 2)]) }) },
  {
    // Repeated and negative indices: each dy added into the entry it read.
    name: 'takeAlongAxis', shapes: [[3, 4]],
    tm: (x) => x.takeAlongAxis(tm.tensor(new Int32Array(TAKE_INDICES.flat()), [3, 5]), 1).square(),
    ref: (x) => ({ shape: [3, 5], v: Float64Array.from(TAKE_INDICES.flatMap((row, r) => row.map((j) => x.v[r * 4 + ((j + 4) % 4)] ** 2))) }),
  },
  {
    name: 'scatterAdd', shapes: [[3, 4], [2, 4]],
    tm: (x, s) => tm.scatterAdd(x, tm.tensor(new Int32Array(SCATTER_ADD_ROWS.flat()), [2, 4]), s, 0).square(),
    ref: (x, s) => map(scatterRows(x, s, SCATTER_ADD_ROWS, true), (v) => v * v),
  },
  {
    // Each target's product of x's entry and the src entries written there (two in some places).
    name: 'scatterReduce prod', shapes: [[3, 4], [2, 4]],
    tm: (x, s) => tm.scatterReduce(x, tm.tensor(new Int32Array(SCATTER_ADD_ROWS.flat()), [2, 4]), s, 0, 'prod'),
    ref: (x, s) => {
      const v = Float64Array.from(x.v);
      SCATTER_ADD_ROWS.forEach((row, i) => row.forEach((r, c) => (v[((r + 3) % 3) * 4 + c] *= s.v[i * 4 + c])));
      return { shape: x.shape, v };
    },
  },
  {
    name: 'scatterReduce amax', shapes: [[3, 4], [2, 4]],
    tm: (x, s) => tm.scatterReduce(x, tm.tensor(new Int32Array(SCATTER_ADD_ROWS.flat()), [2, 4]), s, 0, 'amax').square(),
    ref: (x, s) => {
      const v = Float64Array.from(x.v);
      SCATTER_ADD_ROWS.forEach((row, i) => row.forEach((r, c) => (v[((r + 3) % 3) * 4 + c] = Math.max(v[((r + 3) % 3) * 4 + c], s.v[i * 4 + c]))));
      return map({ shape: x.shape, v }, (u) => u * u);
    },
  },
  {
    name: 'scatter', shapes: [[3, 4], [2, 4]],
    tm: (x, s) => tm.scatter(x, tm.tensor(new Int32Array(SCATTER_ROWS.flat()), [2, 4]), s, 0).square(),
    ref: (x, s) => map(scatterRows(x, s, SCATTER_ROWS, false), (v) => v * v),
  },
  {
    name: 'indexAdd', shapes: [[3, 4], [5, 4]],
    tm: (x, s) => tm.indexAdd(x, tm.tensor(new Int32Array(SEGMENTS), [5]), s, 0).square(),
    ref: (x, s) => map(scatterRows(x, s, SEGMENTS.map((r) => [r, r, r, r]), true), (v) => v * v),
  },
  {
    // Each row's 0.3 and 0.8 quantiles (positions 0.9 and 2.4 of 4): weights 0.1/0.9 and 0.6/0.4 on the values in order.
    name: 'quantile', shapes: [[3, 4]],
    tm: (x) => tm.quantile(x, [0.3, 0.8], { axis: 1 }).square(),
    ref: (x) => {
      const rows = [0, 1, 2].map((r) => [...x.v.slice(r * 4, r * 4 + 4)].sort((a, b) => a - b));
      const at = (row: number[], i: number) => row[Math.floor(i)] + (row[Math.ceil(i)] - row[Math.floor(i)]) * (i - Math.floor(i));
      return { shape: [2, 3], v: Float64Array.from([0.9, 2.4].flatMap((i) => rows.map((row) => at(row, i) ** 2))) };
    },
  },
  {
    // Three variables of five observations: Σ (xᵢ − x̄)(xⱼ − x̄) / 4.
    name: 'cov', shapes: [[3, 5]],
    tm: (x) => tm.cov(x),
    ref: (x) => {
      const means = [0, 1, 2].map((i) => x.v.slice(i * 5, i * 5 + 5).reduce((s, v) => s + v, 0) / 5);
      const at = (i: number, j: number) => x.v.slice(i * 5, i * 5 + 5).reduce((s, v, k) => s + (v - means[i]) * (x.v[j * 5 + k] - means[j]), 0) / 4;
      return { shape: [3, 3], v: Float64Array.from({ length: 9 }, (_, n) => at(Math.floor(n / 3), n % 3)) };
    },
  },
  {
    // Every row of a against every row of b, by the matmul form √(‖a‖² + ‖b‖² − 2a·b).
    name: 'cdist', shapes: [[4, 3], [5, 3]],
    tm: (a, b) => tm.cdist(a, b, { computeMode: 'matmul' }),
    ref: (a, b) => ({
      shape: [4, 5],
      v: Float64Array.from({ length: 20 }, (_, n) => Math.hypot(...[0, 1, 2].map((k) => a.v[Math.floor(n / 5) * 3 + k] - b.v[(n % 5) * 3 + k]))),
    }),
  },
  { name: 'flip', shapes: [[3, 4]], tm: (x) => x.flip([0, 1]).mul(x), ref: (x) => ({ shape: x.shape, v: x.v.map((v, i) => v * x.v[x.v.length - 1 - i]) }) },
  { name: 'variance', shapes: [[3, 4]], tm: (x) => x.variance(1, { correction: 1 }), ref: (x) => varianceRows(x, 1) },
  { name: 'std', shapes: [[3, 4]], tm: (x) => x.std(0), ref: (x) => map(varianceRows(transpose2(x), 0), Math.sqrt) },
  { name: 'sin', shapes: [[2, 5]], tm: (x) => x.sin(), ref: (x) => map(x, Math.sin) },
  { name: 'cos', shapes: [[2, 5]], tm: (x) => x.cos(), ref: (x) => map(x, Math.cos) },
  { name: 'erf', shapes: [[2, 5]], tm: (x) => x.erf(), ref: (x) => map(x, erfRef) },
  { name: 'log1p', shapes: [[2, 5]], positive: true, tm: (x) => x.log1p(), ref: (x) => map(x, Math.log1p) },
  { name: 'log2', shapes: [[7]], positive: true, tm: (x) => tm.log2(x), ref: (x) => map(x, Math.log2) },
  { name: 'log10', shapes: [[7]], positive: true, tm: (x) => tm.log10(x), ref: (x) => map(x, Math.log10) },
  { name: 'exp2', shapes: [[2, 3]], tm: (x) => tm.exp2(x), ref: (x) => map(x, (v) => 2 ** v) },
  { name: 'rsqrt', shapes: [[7]], positive: true, tm: (x) => tm.rsqrt(x), ref: (x) => map(x, (v) => 1 / Math.sqrt(v)) },
  { name: 'reciprocal', shapes: [[7]], positive: true, tm: (x) => tm.reciprocal(x), ref: (x) => map(x, (v) => 1 / v) },
  { name: 'expm1', shapes: [[2, 5]], tm: (x) => x.expm1(), ref: (x) => map(x, Math.expm1) },
  { name: 'tan', shapes: [[2, 5]], tm: (x) => x.mul(0.8).tan(), ref: (x) => map(x, (v) => Math.tan(0.8 * v)) },
  // Inside (−1, 1), where they are defined.
  { name: 'asin', shapes: [[2, 5]], tm: (x) => x.mul(0.5).asin(), ref: (x) => map(x, (v) => Math.asin(0.5 * v)) },
  { name: 'acos', shapes: [[2, 5]], tm: (x) => x.mul(0.5).acos(), ref: (x) => map(x, (v) => Math.acos(0.5 * v)) },
  { name: 'atanh', shapes: [[2, 5]], tm: (x) => x.mul(0.5).atanh(), ref: (x) => map(x, (v) => Math.atanh(0.5 * v)) },
  { name: 'atan', shapes: [[2, 5]], tm: (x) => x.mul(2).atan(), ref: (x) => map(x, (v) => Math.atan(2 * v)) },
  { name: 'sinh', shapes: [[2, 5]], tm: (x) => x.sinh(), ref: (x) => map(x, Math.sinh) },
  { name: 'cosh', shapes: [[2, 5]], tm: (x) => x.cosh(), ref: (x) => map(x, Math.cosh) },
  { name: 'asinh', shapes: [[2, 5]], tm: (x) => x.mul(3).asinh(), ref: (x) => map(x, (v) => Math.asinh(3 * v)) },
  // Above 1, where it is defined.
  { name: 'acosh', shapes: [[2, 5]], positive: true, tm: (x) => x.add(1).acosh(), ref: (x) => map(x, (v) => Math.acosh(v + 1)) },
  { name: 'trunc', shapes: [[7]], tm: (x) => x.mul(3).trunc().add(x), ref: (x) => map(x, (v) => Math.trunc(3 * v) + v) },
  { name: 'atan2 (broadcast)', shapes: [[3, 4], [4]], tm: (a, b) => tm.atan2(a, b), ref: (a, b) => broadcast2(a, b, Math.atan2) },
  // Between its jumps: 1 for a, −⌊a/b⌋ for b.
  { name: 'remainder', shapes: [[6], [6]], tm: (a, b) => a.mul(4).remainder(b), ref: (a, b) => broadcast2(a, b, (x, y) => 4 * x - y * Math.floor((4 * x) / y)) },
  // A step function: zero between its jumps (so only x's own term reaches a).
  { name: 'fmod', shapes: [[6], [6]], tm: (a, b) => tm.fmod(a.mul(4), b), ref: (a, b) => broadcast2(a, b, (x, y) => 4 * x - y * Math.trunc((4 * x) / y)) },
  {
    // Nine points through four (xp fixed, fp the second input): each x's slope and two weights.
    name: 'interp', shapes: [[9], [4]],
    tm: (x, fp) => tm.interp(x.mul(2), tm.tensor([-1.5, -0.25, 0.5, 1.75]), fp),
    ref: (x, fp) => {
      const xp = [-1.5, -0.25, 0.5, 1.75];
      return map(x, (v) => {
        const u = 2 * v;
        if (u <= xp[0]) return fp.v[0];
        if (u >= xp[3]) return fp.v[3];
        const j = u < xp[1] ? 0 : u < xp[2] ? 1 : 2;
        return fp.v[j] + ((u - xp[j]) * (fp.v[j + 1] - fp.v[j])) / (xp[j + 1] - xp[j]);
      });
    },
  },
  { name: 'floorDivide', shapes: [[6], [6]], tm: (a, b) => a.mul(4).floorDivide(b).add(a), ref: (a, b) => broadcast2(a, b, (x, y) => Math.floor((4 * x) / y) + x) },
  // The special functions, away from their poles: references from test/helpers/special.ts.
  { name: 'lgamma', shapes: [[2, 5]], positive: true, tm: (x) => x.add(0.2).lgamma(), ref: (x) => map(x, (v) => lgammaRef(v + 0.2)) },
  { name: 'digamma', shapes: [[2, 5]], positive: true, tm: (x) => x.add(0.2).digamma(), ref: (x) => map(x, (v) => digammaRef(v + 0.2)) },
  { name: 'erfc', shapes: [[2, 5]], tm: (x) => x.erfc(), ref: (x) => map(x, erfcRef) },
  { name: 'erfinv', shapes: [[2, 5]], tm: (x) => x.mul(0.4).erfinv(), ref: (x) => map(x, (v) => erfinvRef(0.4 * v)) },
  { name: 'sinc', shapes: [[2, 5]], tm: (x) => x.mul(2).sinc(), ref: (x) => map(x, (v) => sincRef(2 * v)) },
  { name: 'logit', shapes: [[2, 5]], tm: (x) => x.mul(0.25).add(0.5).logit(), ref: (x) => map(x, (v) => logitRef(0.25 * v + 0.5)) },
  { name: 'i0', shapes: [[2, 5]], tm: (x) => x.mul(4).i0(), ref: (x) => map(x, (v) => i0Ref(4 * v)) },
  { name: 'i1', shapes: [[2, 5]], tm: (x) => x.mul(4).i1(), ref: (x) => map(x, (v) => i1Ref(4 * v)) },
  { name: 'xlogy (broadcast)', shapes: [[3, 4], [4]], positive: true, tm: (a, b) => a.xlogy(b), ref: (a, b) => broadcast2(a, b, (x, y) => x * Math.log(y)) },
  { name: 'logaddexp', shapes: [[6], [6]], tm: (a, b) => a.logaddexp(b), ref: (a, b) => broadcast2(a, b, (x, y) => Math.max(x, y) + Math.log1p(Math.exp(-Math.abs(x - y)))) },
  { name: 'hypot', shapes: [[2, 3], [3]], tm: (a, b) => a.hypot(b), ref: (a, b) => broadcast2(a, b, Math.hypot) },
  {
    name: 'lerp with a tensor weight', shapes: [[2, 3], [3], [2, 1]],
    tm: (a, b, w) => tm.lerp(a, b, w),
    ref: (a, b, w) => ({ shape: [2, 3], v: a.v.map((x, i) => x + w.v[Math.floor(i / 3)] * (b.v[i % 3] - x)) }),
  },
  { name: 'gelu (exact)', shapes: [[2, 5]], tm: (x) => tm.nn.gelu(x), ref: (x) => map(x, (v) => 0.5 * v * (1 + erfRef(v / Math.SQRT2))) },
  // Steps: 0 between the jumps, where the random values lie.
  { name: 'floor', shapes: [[7]], tm: (x) => x.mul(3).floor().add(x), ref: (x) => map(x, (v) => Math.floor(3 * v) + v) },
  { name: 'round', shapes: [[7]], tm: (x) => x.mul(3).round().add(x), ref: (x) => map(x, (v) => Math.round(3 * v) + v) },
  { name: 'ceil', shapes: [[7]], tm: (x) => x.mul(3).ceil().add(x), ref: (x) => map(x, (v) => Math.ceil(3 * v) + v) },
  { name: 'add (broadcast)', shapes: [[3, 4], [4]], tm: (a, b) => a.add(b), ref: (a, b) => broadcast2(a, b, (x, y) => x + y) },
  { name: 'add (a bias per channel: summed over axes before and after it)', shapes: [[2, 3, 4, 5], [1, 3, 1, 1]], tm: (a, b) => a.add(b), ref: (a, b) => broadcast2(a, b, (x, y) => x + y) },
  { name: 'add (broadcast over a middle axis)', shapes: [[2, 3, 4], [2, 1, 4]], tm: (a, b) => a.add(b), ref: (a, b) => broadcast2(a, b, (x, y) => x + y) },
  { name: 'sub (broadcast both ways)', shapes: [[3, 1], [1, 4]], tm: (a, b) => a.sub(b), ref: (a, b) => broadcast2(a, b, (x, y) => x - y) },
  { name: 'mul (scalar operand)', shapes: [[2, 3], []], tm: (a, b) => a.mul(b), ref: (a, b) => broadcast2(a, b, (x, y) => x * y) },
  { name: 'div', shapes: [[2, 3], [2, 3]], positive: true, tm: (a, b) => a.div(b), ref: (a, b) => broadcast2(a, b, (x, y) => x / y) },
  { name: 'pow', shapes: [[4], [4]], positive: true, tm: (a, b) => a.pow(b), ref: (a, b) => broadcast2(a, b, Math.pow) },
  { name: 'maximum', shapes: [[6], [6]], tm: (a, b) => a.maximum(b), ref: (a, b) => broadcast2(a, b, Math.max) },
  { name: 'minimum', shapes: [[2, 3], [3]], tm: (a, b) => a.minimum(b), ref: (a, b) => broadcast2(a, b, Math.min) },
  { name: 'square', shapes: [[5]], tm: (x) => x.square(), ref: (x) => map(x, (v) => v * v) },
  {
    name: 'where', shapes: [[3, 4], [3, 4]],
    tm: (a, b) => tm.tidy(() => tm.where(a.greater(b), a.mul(2), b.exp())),
    ref: (a, b) => broadcast2(a, b, (x, y) => (x > y ? 2 * x : Math.exp(y))),
  },
  { name: 'matmul', shapes: [[3, 5], [5, 4]], tm: (a, b) => a.matmul(b), ref: matmul2 },
  { name: 'matmul aᵀ', shapes: [[5, 3], [5, 4]], tm: (a, b) => a.matmul(b, { transposeA: true }), ref: (a, b) => matmul2(transpose2(a), b) },
  { name: 'matmul bᵀ', shapes: [[3, 5], [4, 5]], tm: (a, b) => a.matmul(b, { transposeB: true }), ref: (a, b) => matmul2(a, transpose2(b)) },
  { name: 'matmul aᵀbᵀ', shapes: [[5, 3], [4, 5]], tm: (a, b) => a.matmul(b, { transposeA: true, transposeB: true }), ref: (a, b) => matmul2(transpose2(a), transpose2(b)) },
  {
    name: 'matmul batched with a broadcast batch', shapes: [[2, 3, 4], [4, 2]],
    tm: (a, b) => a.matmul(b),
    ref: (a, b) => {
      const halves = [0, 1].map((t) => matmul2({ shape: [3, 4], v: a.v.slice(t * 12, (t + 1) * 12) }, b));
      return { shape: [2, 3, 2], v: Float64Array.from([...halves[0].v, ...halves[1].v]) };
    },
  },
  { name: 'matmul vector·matrix', shapes: [[4], [4, 3]], tm: (a, b) => a.matmul(b), ref: (a, b) => ({ shape: [3], v: matmul2({ shape: [1, 4], v: a.v }, b).v }) },
  { name: 'sum over all', shapes: [[3, 4]], tm: (x) => x.sum(), ref: (x) => reduceAxes(x, [0, 1], 0, (s, v) => s + v) },
  { name: 'sum over axis 0, keepDims', shapes: [[3, 4]], tm: (x) => x.sum(0, { keepDims: true }), ref: (x) => reduceAxes(x, [0], 0, (s, v) => s + v, true) },
  { name: 'mean over axes [0, 2]', shapes: [[2, 3, 4]], tm: (x) => x.mean([0, 2]), ref: (x) => map(reduceAxes(x, [0, 2], 0, (s, v) => s + v), (v) => v / 8) },
  { name: 'max over axis 1', shapes: [[3, 5]], tm: (x) => x.max(1), ref: (x) => reduceAxes(x, [1], -Infinity, Math.max) },
  { name: 'min over all', shapes: [[4, 2]], tm: (x) => x.min(), ref: (x) => reduceAxes(x, [0, 1], Infinity, Math.min) },
  { name: 'prod over axis 1', shapes: [[3, 4]], tm: (x) => x.prod(1), ref: (x) => reduceAxes(x, [1], 1, (p, v) => p * v) },
  // Rows with one zero (at either end, and inside) and with two: the product of the others, which y / x cannot give.
  { name: 'prod over axis 1, zeros in rows', shapes: [[4, 5]], zeros: [0, 7, 14, 15, 17], tm: (x) => x.prod(1), ref: (x) => reduceAxes(x, [1], 1, (p, v) => p * v) },
  { name: 'prod over axes [0, 2], keepDims, a zero', shapes: [[2, 3, 4]], zeros: [13], tm: (x) => x.prod([0, 2], { keepDims: true }), ref: (x) => reduceAxes(x, [0, 2], 1, (p, v) => p * v, true) },
  { name: 'prod over all, two zeros', shapes: [[2, 3]], zeros: [1, 4], tm: (x) => x.prod(), ref: (x) => reduceAxes(x, [0, 1], 1, (p, v) => p * v) },
  { name: 'softmax', shapes: [[3, 5]], tm: (x) => x.softmax(), ref: (x) => softmaxLast(x, false) },
  { name: 'logSoftmax', shapes: [[3, 5]], tm: (x) => x.logSoftmax(), ref: (x) => softmaxLast(x, true) },
  {
    name: 'softmax along axis 0', shapes: [[4, 3]],
    tm: (x) => x.softmax(0),
    ref: (x) => transpose2(softmaxLast(transpose2(x), false)),
  },
  { name: 'reshape', shapes: [[2, 6]], tm: (x) => x.reshape([3, -1]).mul(tm.arange(4).cast('f32')), ref: (x) => broadcast2({ shape: [3, 4], v: x.v }, { shape: [4], v: Float64Array.from([0, 1, 2, 3]) }, (a, b) => a * b) },
  { name: 'transpose', shapes: [[3, 4]], tm: (x) => x.transpose(), ref: transpose2 },
  {
    name: 'slice', shapes: [[4, 5]], tm: (x) => x.slice([1, 2], [2, -1]),
    ref: (x) => ({ shape: [2, 3], v: Float64Array.from([7, 8, 9, 12, 13, 14].map((i) => x.v[i])) }),
  },
  {
    name: 'concat along axis 1', shapes: [[2, 2], [2, 3]], tm: (a, b) => tm.concat([a, b], 1),
    ref: (a, b) => ({ shape: [2, 5], v: Float64Array.from([...a.v.slice(0, 2), ...b.v.slice(0, 3), ...a.v.slice(2), ...b.v.slice(3)]) }),
  },
  { name: 'broadcastTo', shapes: [[3, 1]], tm: (x) => x.broadcastTo([2, 3, 4]), ref: (x) => broadcast2(x, { shape: [2, 3, 4], v: new Float64Array(24) }, (a) => a) },
  { name: 'pad', shapes: [[2, 2]], tm: (x) => x.pad([[1, 0], [0, 2]]).exp(), ref: (x) => ({ shape: [3, 4], v: Float64Array.from([0, 0, 0, 0, x.v[0], x.v[1], 0, 0, x.v[2], x.v[3], 0, 0].map(Math.exp)) }) },
  { name: 'cast f32 → f16 → f32 chain', shapes: [[4]], tm: (x) => x.cast('f16').cast('f32').mul(3), ref: (x) => map(x, (v) => 3 * v) },
  {
    name: 'crossEntropy loss', shapes: [[4, 3]],
    tm: (x) => tm.losses.crossEntropy(x, tm.tensor(new Int32Array([0, 2, 1, 2]), [4])),
    ref: (x) => {
      const ls = softmaxLast(x, true);
      return { shape: [], v: Float64Array.of(-[0, 2, 1, 2].reduce((s, c, i) => s + ls.v[i * 3 + c], 0) / 4) };
    },
  },
  {
    name: 'mse loss', shapes: [[3, 2], [3, 2]], tm: (a, b) => tm.losses.mse(a, b),
    ref: (a, b) => ({ shape: [], v: Float64Array.of(broadcast2(a, b, (x, y) => (x - y) ** 2).v.reduce((s, v) => s + v, 0) / 6) }),
  },
  {
    name: 'binaryCrossEntropy from logits', shapes: [[5]],
    tm: (x) => tm.losses.binaryCrossEntropy(x, tm.tensor([1, 0, 1, 1, 0]), { fromLogits: true }),
    ref: (x) => ({ shape: [], v: Float64Array.of(x.v.reduce((s, v, i) => s - ([1, 0, 1, 1, 0][i] ? Math.log(sigmoid(v)) : Math.log(1 - sigmoid(v))), 0) / 5) }),
  },
  {
    name: 'conv2d, stride 2, padding 1', shapes: [[2, 3, 6, 5], [4, 3, 3, 3]],
    tm: (x, w) => tm.conv2d(x, w, { stride: 2, padding: 1 }),
    ref: (x, w) => conv2dRef(x, w, { stride: [2, 2], dilation: [1, 1], sides: [[1, 1], [1, 1]] }),
  },
  {
    name: 'conv2d, 2 groups, dilation 2, padding same', shapes: [[1, 4, 7, 6], [4, 2, 2, 3]],
    tm: (x, w) => tm.conv2d(x, w, { groups: 2, dilation: 2, padding: 'same' }),
    ref: (x, w) => conv2dRef(x, w, { stride: [1, 1], dilation: [2, 2], sides: [[1, 1], [2, 2]] }, 2),
  },
  {
    name: 'conv1d, stride 2, padding 1', shapes: [[2, 3, 9], [4, 3, 3]],
    tm: (x, w) => tm.conv1d(x, w, { stride: 2, padding: 1 }),
    ref: (x, w) => {
      const y = conv2dRef({ shape: [2, 3, 1, 9], v: x.v }, { shape: [4, 3, 1, 3], v: w.v }, { stride: [1, 2], dilation: [1, 1], sides: [[0, 0], [1, 1]] });
      return { shape: [2, 4, 5], v: y.v };
    },
  },
  {
    name: 'maxPool2d 3×3, stride 2, padding 1', shapes: [[2, 2, 6, 7]],
    tm: (x) => tm.maxPool2d(x, 3, { stride: 2, padding: 1 }),
    ref: (x) => pool2dRef(x, [3, 3], { stride: [2, 2], dilation: [1, 1], sides: [[1, 1], [1, 1]] }, 'max'),
  },
  {
    name: 'avgPool2d 2×3', shapes: [[2, 2, 5, 6]],
    tm: (x) => tm.avgPool2d(x, [2, 3]),
    ref: (x) => pool2dRef(x, [2, 3], { stride: [2, 3], dilation: [1, 1], sides: [[0, 0], [0, 0]] }, 'avg'),
  },
  { name: 'gelu', shapes: [[6]], tm: (x) => tm.nn.gelu(x), ref: (x) => map(x, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))) },
  { name: 'leakyRelu', shapes: [[6]], tm: (x) => tm.nn.leakyRelu(x, 0.1), ref: (x) => map(x, (v) => (v > 0 ? v : 0.1 * v)) },
  { name: 'silu', shapes: [[2, 5]], tm: (x) => tm.nn.silu(x.mul(3)), ref: (x) => map(x, (v) => (3 * v) * sigmoid(3 * v)) },
  { name: 'elu', shapes: [[2, 5]], tm: (x) => tm.nn.elu(x.mul(3), 0.7), ref: (x) => map(x, (v) => (v > 0 ? 3 * v : 0.7 * Math.expm1(3 * v))) },
  { name: 'selu', shapes: [[2, 5]], tm: (x) => tm.nn.selu(x.mul(3)), ref: (x) => map(x, (v) => 1.0507009873554805 * (v > 0 ? 3 * v : 1.6732632423543772 * Math.expm1(3 * v))) },
  { name: 'celu', shapes: [[2, 5]], tm: (x) => tm.nn.celu(x.mul(3), 2), ref: (x) => map(x, (v) => Math.max(0, 3 * v) + Math.min(0, 2 * Math.expm1((3 * v) / 2))) },
  { name: 'softplus (beta 2, threshold 4)', shapes: [[2, 5]], tm: (x) => tm.nn.softplus(x.mul(3), { beta: 2, threshold: 4 }), ref: (x) => map(x, (v) => (6 * v > 4 ? 3 * v : Math.log1p(Math.exp(6 * v)) / 2)) },
  { name: 'mish', shapes: [[2, 5]], tm: (x) => tm.nn.mish(x.mul(3)), ref: (x) => map(x, (v) => 3 * v * Math.tanh(Math.log1p(Math.exp(3 * v)))) },
  { name: 'hardswish', shapes: [[2, 5]], tm: (x) => tm.nn.hardswish(x.mul(4)), ref: (x) => map(x, (v) => (4 * v * Math.min(Math.max(4 * v + 3, 0), 6)) / 6) },
  { name: 'hardsigmoid', shapes: [[2, 5]], tm: (x) => tm.nn.hardsigmoid(x.mul(4)), ref: (x) => map(x, (v) => Math.min(Math.max(4 * v + 3, 0), 6) / 6) },
  { name: 'hardtanh', shapes: [[2, 5]], tm: (x) => tm.nn.hardtanh(x, -0.5, 1), ref: (x) => map(x, (v) => Math.min(Math.max(v, -0.5), 1)) },
  { name: 'softsign', shapes: [[2, 5]], tm: (x) => tm.nn.softsign(x.mul(3)), ref: (x) => map(x, (v) => (3 * v) / (1 + Math.abs(3 * v))) },
  { name: 'logSigmoid', shapes: [[2, 5]], tm: (x) => tm.nn.logSigmoid(x.mul(3)), ref: (x) => map(x, (v) => -Math.log1p(Math.exp(-3 * v))) },
  { name: 'glu', shapes: [[3, 4]], tm: (x) => tm.nn.glu(x, 1), ref: (x) => ({ shape: [3, 2], v: Float64Array.from({ length: 6 }, (_, i) => x.v[Math.floor(i / 2) * 4 + (i % 2)] * sigmoid(x.v[Math.floor(i / 2) * 4 + (i % 2) + 2])) }) },
  {
    name: 'prelu (per channel; x and the slopes)', shapes: [[2, 3, 2], [3]], tm: (x, a) => tm.nn.prelu(x, a),
    ref: (x, a) => ({ shape: x.shape, v: x.v.map((v, i) => (v > 0 ? v : a.v[Math.floor(i / 2) % 3] * v)) }),
  },
];

export async function values(shape: number[], seed: number, positive: boolean): Promise<Float64Array> {
  const n = size(shape);
  const u = await tm.rand([n], { seed, min: 0.3, max: 1.5 }).data();
  const s = await tm.rand([n], { seed: seed + 7 }).data();
  // Spread apart by index so no two values tie (max/min/maximum need a unique winner).
  return Float64Array.from(u, (v, i) => (positive || s[i] < 0.5 ? 1 : -1) * (v + 0.013 * i));
}

/**
 * A case's inputs (fresh values, its zeros set), its output's shape, the
 * fixed random weights r of the objective Σ r·f(x), and that objective in
 * float64 through the case's reference.
 */
export async function caseObjective(c: Case): Promise<{ inputs: Float64Array[]; outShape: number[]; weights: Float64Array; objective: (xs: Float64Array[]) => number }> {
  const inputs = await Promise.all(c.shapes.map((s, i) => values(s, 11 + 31 * i, !!c.positive)));
  for (const at of c.zeros ?? []) inputs[0][at] = 0;
  const outShape = c.ref(...c.shapes.map((s, i) => ({ shape: s, v: inputs[i] }))).shape;
  const weights = await values(outShape, 5, false);
  const objective = (xs: Float64Array[]) => {
    const y = c.ref(...c.shapes.map((s, i) => ({ shape: s, v: xs[i] })));
    return y.v.reduce((acc, v, i) => acc + v * weights[i], 0);
  };
  return { inputs, outShape, weights, objective };
}
