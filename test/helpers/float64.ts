// Float64 reference computations for the tests: plain nested loops over
// multi-indices, written independently of tmnn's kernels.
export type F64 = { shape: number[]; v: Float64Array };

export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
export const strides = (s: readonly number[]) => s.map((_, i) => size(s.slice(i + 1)));
export const unravel = (i: number, s: readonly number[]) => strides(s).map((st, d) => Math.floor(i / st) % s[d]);
export const ravel = (idx: readonly number[], s: readonly number[]) => idx.reduce((acc, x, d) => acc + x * strides(s)[d], 0);

export function f64(shape: number[], values: ArrayLike<number>): F64 {
  return { shape, v: Float64Array.from(values) };
}

export function map(a: F64, f: (x: number) => number): F64 {
  return { shape: a.shape, v: a.v.map(f) };
}

/** NumPy broadcasting of a binary function. */
export function broadcast2(a: F64, b: F64, f: (x: number, y: number) => number): F64 {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(rank - a.shape.length).fill(1), ...a.shape];
  const pb = [...Array(rank - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => (d === 1 ? pb[i] : d));
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) {
    const idx = unravel(i, shape);
    v[i] = f(a.v[ravel(idx.map((x, d) => (pa[d] === 1 ? 0 : x)), pa)], b.v[ravel(idx.map((x, d) => (pb[d] === 1 ? 0 : x)), pb)]);
  }
  return { shape, v };
}

export function reduceAxes(a: F64, axes: number[], init: number, f: (acc: number, x: number) => number, keepDims = false): F64 {
  const outFull = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const v = new Float64Array(size(outFull)).fill(init);
  for (let i = 0; i < a.v.length; i++) {
    const o = ravel(unravel(i, a.shape).map((x, d) => (axes.includes(d) ? 0 : x)), outFull);
    v[o] = f(v[o], a.v[i]);
  }
  return { shape: keepDims ? outFull : a.shape.filter((_, i) => !axes.includes(i)), v };
}

export function matmul2(a: F64, b: F64): F64 {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const v = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) v[i * n + j] += a.v[i * k + p] * b.v[p * n + j];
  return { shape: [m, n], v };
}

export function transpose2(a: F64): F64 {
  const [m, n] = a.shape;
  const v = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) v[j * m + i] = a.v[i * n + j];
  return { shape: [n, m], v };
}

/** General axis permutation. */
export function permute(a: F64, perm: number[]): F64 {
  const shape = perm.map((p) => a.shape[p]);
  const v = new Float64Array(a.v.length);
  for (let i = 0; i < v.length; i++) {
    const idx = unravel(i, shape);
    const src = new Array<number>(a.shape.length);
    perm.forEach((p, d) => (src[p] = idx[d]));
    v[i] = a.v[ravel(src, a.shape)];
  }
  return { shape, v };
}

export function softmaxLast(a: F64, log: boolean): F64 {
  const n = a.shape[a.shape.length - 1];
  const v = new Float64Array(a.v.length);
  for (let r = 0; r < a.v.length / n; r++) {
    const row = a.v.subarray(r * n, (r + 1) * n);
    const m = Math.max(...row);
    const s = row.reduce((acc, x) => acc + Math.exp(x - m), 0);
    row.forEach((x, j) => (v[r * n + j] = log ? x - m - Math.log(s) : Math.exp(x - m) / s));
  }
  return { shape: a.shape, v };
}

/** NumPy's broadcast shape, or null when the shapes do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** a repeated along size-1 and missing leading axes to `shape`. */
export function broadcastToRef(a: F64, shape: number[]): F64 {
  const lead = shape.length - a.shape.length;
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) {
    const idx = unravel(i, shape).slice(lead).map((x, d) => (a.shape[d] === 1 ? 0 : x));
    v[i] = a.v[ravel(idx, a.shape)];
  }
  return { shape, v };
}

/** NumPy where(cond, a, b) with three-way broadcasting; cond is true where non-zero (NaN included). */
export function whereRef(c: F64, a: F64, b: F64): F64 {
  const shape = broadcastShape(broadcastShape(c.shape, a.shape)!, b.shape)!;
  const [cc, aa, bb] = [c, a, b].map((t) => broadcastToRef(t, shape));
  return { shape, v: cc.v.map((x, i) => (x !== 0 ? aa.v[i] : bb.v[i])) };
}

/**
 * NumPy matmul: a 1-D a is a row [1, k] and a 1-D b a column [k, 1] (the added
 * axis dropped from the result), leading batch axes broadcast, and transposeA/B
 * swap the last two axes of a 2-D-or-more operand.
 */
export function matmulRef(a: F64, b: F64, opts: { transposeA?: boolean; transposeB?: boolean } = {}): F64 {
  const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const tA = a.shape.length > 1 && !!opts.transposeA;
  const tB = b.shape.length > 1 && !!opts.transposeB;
  const [r1, c1] = as.slice(-2);
  const [r2, c2] = bs.slice(-2);
  const [m, k] = tA ? [c1, r1] : [r1, c1];
  const [k2, n] = tB ? [c2, r2] : [r2, c2];
  if (k !== k2) throw new Error(`matmulRef: inner dimensions ${k} vs ${k2}`);
  const batchA = as.slice(0, -2);
  const batchB = bs.slice(0, -2);
  const batch = broadcastShape(batchA, batchB);
  if (!batch) throw new Error('matmulRef: batch shapes do not broadcast');
  const nb = size(batch);
  const v = new Float64Array(nb * m * n);
  for (let t = 0; t < nb; t++) {
    const bi = unravel(t, batch);
    const pick = (own: number[]) => ravel(bi.slice(bi.length - own.length).map((x, d) => (own[d] === 1 ? 0 : x)), own);
    const aOff = pick(batchA) * r1 * c1;
    const bOff = pick(batchB) * r2 * c2;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const x = a.v[aOff + (tA ? p * c1 + i : i * c1 + p)];
          const y = b.v[bOff + (tB ? j * c2 + p : p * c2 + j)];
          s += x * y;
        }
        v[(t * m + i) * n + j] = s;
      }
    }
  }
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])];
  return { shape, v };
}

/** The values along `axis` through flat position i (whose own coordinate on axis is ignored). */
function lineThrough(a: F64, i: number, axis: number): { at: number[]; values: number[] } {
  const idx = unravel(i, a.shape);
  const at: number[] = [];
  for (let j = 0; j < a.shape[axis]; j++) {
    idx[axis] = j;
    at.push(ravel(idx, a.shape));
  }
  return { at, values: at.map((o) => a.v[o]) };
}

/** softmax / logSoftmax along any axis, shifted by the line's max; a line of -Infinity gives NaN. */
export function softmaxRef(a: F64, axis: number, log: boolean): F64 {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const v = new Float64Array(a.v.length);
  const starts = a.shape.map((d, i) => (i === ax ? 1 : d));
  for (let o = 0; o < size(starts); o++) {
    const { at, values } = lineThrough(a, ravel(unravel(o, starts), a.shape), ax);
    const m = Math.max(...values);
    const s = values.reduce((acc, x) => acc + Math.exp(x - m), 0);
    at.forEach((p, j) => {
      v[p] = m === -Infinity ? NaN : log ? values[j] - m - Math.log(s) : Math.exp(values[j] - m) / s;
    });
  }
  return { shape: a.shape, v };
}

/** Index of the first largest (or smallest) value along `axis`, or of the flattened tensor; NaN beats everything. */
export function argRef(a: F64, axis: number | undefined, largest: boolean, keepDims = false): F64 {
  const better = (x: number, y: number) => (Number.isNaN(y) ? false : Number.isNaN(x) ? true : largest ? x > y : x < y);
  const best = (values: number[]) => values.reduce((bi, x, i) => (better(x, values[bi]) ? i : bi), 0);
  if (axis === undefined) {
    return { shape: keepDims ? a.shape.map(() => 1) : [], v: Float64Array.of(best(Array.from(a.v))) };
  }
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const outFull = a.shape.map((d, i) => (i === ax ? 1 : d));
  const v = new Float64Array(size(outFull));
  for (let o = 0; o < v.length; o++) {
    const idx = unravel(o, outFull);
    v[o] = best(lineThrough(a, ravel(idx, a.shape), ax).values);
  }
  return { shape: keepDims ? outFull : a.shape.filter((_, i) => i !== ax), v };
}

/** The block at `begin` (negative counts from the end) of extent `sizes` (-1 or missing: to the end). */
export function sliceRef(a: F64, begin: number[], sizes: number[] = []): F64 {
  const start = a.shape.map((d, i) => ((begin[i] ?? 0) < 0 ? d + begin[i] : begin[i] ?? 0));
  const shape = a.shape.map((d, i) => ((sizes[i] ?? -1) === -1 ? d - start[i] : sizes[i]));
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) v[i] = a.v[ravel(unravel(i, shape).map((x, d) => x + start[d]), a.shape)];
  return { shape, v };
}

/** Joins along an existing axis. */
export function concatRef(xs: F64[], axis: number): F64 {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) {
    const idx = unravel(i, shape);
    let part = 0;
    while (idx[axis] >= xs[part].shape[axis]) idx[axis] -= xs[part++].shape[axis];
    v[i] = xs[part].v[ravel(idx, xs[part].shape)];
  }
  return { shape, v };
}

// ---- f16, written independently of src/f16.ts ----

/** The value of an f16 bit pattern, straight from the IEEE 754 binary16 layout. */
export function f16RefValue(bits: number): number {
  const s = bits >> 15 ? -1 : 1;
  const e = (bits >> 10) & 31;
  const f = bits & 1023;
  if (e === 31) return f ? NaN : s * Infinity;
  return e === 0 ? s * (f / 1024) * 2 ** -14 : s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * The f16 pattern nearest to x, ties to the even pattern: a binary search over
 * the finite non-negative patterns 0x0000..0x7bff, which increase with their value.
 * Beyond 65504 the next step up would be 65536 (2^16), so from 65520 on the nearest is Infinity.
 */
export function f16RefBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const ax = Math.abs(x);
  let lo = 0;
  let hi = 0x7bff;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (f16RefValue(mid) <= ax) lo = mid;
    else hi = mid - 1;
  }
  const below = f16RefValue(lo);
  const above = lo === 0x7bff ? 65536 : f16RefValue(lo + 1); // 65536 stands in for the step to Infinity
  let bits: number;
  if (ax - below < above - ax) bits = lo;
  else if (ax - below > above - ax) bits = lo + 1;
  else bits = lo % 2 === 0 ? lo : lo + 1;
  return sign | (bits > 0x7bff ? 0x7c00 : bits);
}

/** x rounded to f16 by the independent reference above. */
export function roundF16(x: number): number {
  return f16RefValue(f16RefBits(x));
}

// ---- integers ----

/** Two's-complement wrap of an exact integer into an int dtype, as C does it. */
export function wrapInt(x: bigint | number, dtype: 'i8' | 'i32'): number {
  return Number(BigInt.asIntN(dtype === 'i8' ? 8 : 32, BigInt(x)));
}

/** Conversion as tmnn's cast defines it: to ints truncate toward zero and saturate, NaN → 0; f32/f16 round to nearest even. */
export function castRef(x: number, dtype: string): number {
  switch (dtype) {
    case 'f32': return Math.fround(x);
    case 'f16': return roundF16(x);
    case 'i8':
    case 'i32': {
      if (Number.isNaN(x)) return 0;
      const [lo, hi] = dtype === 'i8' ? [-128, 127] : [-2147483648, 2147483647];
      return Math.min(hi, Math.max(lo, Math.trunc(x))) + 0;
    }
    default: throw new Error(`castRef: ${dtype}`);
  }
}

/** A window geometry as the conv and pool references take it: sides are [before, after] padding per spatial axis. */
export interface WindowRef {
  stride: [number, number];
  sides: [[number, number], [number, number]];
  dilation: [number, number];
}

function outSize(x: F64, kernel: readonly number[], g: WindowRef): [number, number] {
  return [0, 1].map((a) => Math.floor((x.shape[2 + a] + g.sides[a][0] + g.sides[a][1] - g.dilation[a] * (kernel[a] - 1) - 1) / g.stride[a]) + 1) as [number, number];
}

/**
 * PyTorch's conv2d term by term: x [N, C, H, W] by w [F, C/groups, kh, kw]
 * gives y [N, F, ...out] whose element `at` sums x[pixel] · w[tap] over
 * `visit(at, pixel, tap)`, in order; a tap in the padding is not visited.
 */
function convTerms(x: F64, w: F64, g: WindowRef, groups: number, visit: (at: number, pixel: number, tap: number) => void): number[] {
  const [n, channels, h, width] = x.shape;
  const [filters, perGroup, kh, kw] = w.shape;
  if (channels !== perGroup * groups) throw new Error('conv2dRef: channels do not match');
  const [oh, ow] = outSize(x, [kh, kw], g);
  let at = 0;
  for (let b = 0; b < n; b++) {
    for (let f = 0; f < filters; f++) {
      const group = Math.floor(f / (filters / groups));
      for (let y = 0; y < oh; y++) {
        for (let xx = 0; xx < ow; xx++, at++) {
          for (let c = 0; c < perGroup; c++) {
            for (let ky = 0; ky < kh; ky++) {
              for (let kx = 0; kx < kw; kx++) {
                const iy = y * g.stride[0] + ky * g.dilation[0] - g.sides[0][0];
                const ix = xx * g.stride[1] + kx * g.dilation[1] - g.sides[1][0];
                if (iy < 0 || iy >= h || ix < 0 || ix >= width) continue;
                visit(at, ((b * channels + group * perGroup + c) * h + iy) * width + ix, ((f * perGroup + c) * kh + ky) * kw + kx);
              }
            }
          }
        }
      }
    }
  }
  return [n, filters, oh, ow];
}

/** PyTorch's conv2d by its definition: x [N, C, H, W], w [F, C/groups, kh, kw], a sum over each window. */
export function conv2dRef(x: F64, w: F64, g: WindowRef, groups = 1): F64 {
  const [filters, , kh, kw] = w.shape;
  const [oh, ow] = outSize(x, [kh, kw], g);
  const v = new Float64Array(x.shape[0] * filters * oh * ow);
  const shape = convTerms(x, w, g, groups, (at, pixel, tap) => {
    v[at] += x.v[pixel] * w.v[tap];
  });
  return { shape, v };
}

/** conv2dRef's gradients for the gradient dy of its output, over the same terms: each product's share. */
export function conv2dGradRef(x: F64, w: F64, dy: F64, g: WindowRef, groups = 1): { dx: F64; dw: F64 } {
  const dx = new Float64Array(x.v.length);
  const dw = new Float64Array(w.v.length);
  convTerms(x, w, g, groups, (at, pixel, tap) => {
    dx[pixel] += dy.v[at] * w.v[tap];
    dw[tap] += dy.v[at] * x.v[pixel];
  });
  return { dx: { shape: x.shape, v: dx }, dw: { shape: w.shape, v: dw } };
}

/**
 * PyTorch's conv_transpose2d by its definition: each value of x [N, Cin, H, W]
 * spreads over the output through its filters w [Cin, Cout/groups, kh, kw],
 * tap (ky, kx) landing at (y·stride + ky·dilation − padding, …); outputPadding
 * rows and columns after. With dy given, the gradients of Σ dy·y instead.
 */
export function convTranspose2dRef(x: F64, w: F64, g: { stride: [number, number]; padding: [number, number]; outputPadding: [number, number]; dilation: [number, number] }, groups = 1, dy?: F64): { y: F64; dx: F64; dw: F64 } {
  const [n, inChannels, h, width] = x.shape;
  const [, perGroup, kh, kw] = w.shape;
  const outChannels = perGroup * groups;
  const size = [h, width].map((d, a) => (d - 1) * g.stride[a] - 2 * g.padding[a] + g.dilation[a] * ([kh, kw][a] - 1) + g.outputPadding[a] + 1);
  const y = new Float64Array(n * outChannels * size[0] * size[1]);
  const dx = new Float64Array(x.v.length);
  const dw = new Float64Array(w.v.length);
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < inChannels; ci++) {
      const group = Math.floor(ci / (inChannels / groups));
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < width; ix++) {
          const at = ((b * inChannels + ci) * h + iy) * width + ix;
          for (let co = 0; co < perGroup; co++) {
            for (let ky = 0; ky < kh; ky++) {
              for (let kx = 0; kx < kw; kx++) {
                const oy = iy * g.stride[0] + ky * g.dilation[0] - g.padding[0];
                const ox = ix * g.stride[1] + kx * g.dilation[1] - g.padding[1];
                if (oy < 0 || oy >= size[0] || ox < 0 || ox >= size[1]) continue;
                const out = ((b * outChannels + group * perGroup + co) * size[0] + oy) * size[1] + ox;
                const tap = ((ci * perGroup + co) * kh + ky) * kw + kx;
                y[out] += x.v[at] * w.v[tap];
                if (dy) {
                  dx[at] += dy.v[out] * w.v[tap];
                  dw[tap] += dy.v[out] * x.v[at];
                }
              }
            }
          }
        }
      }
    }
  }
  return { y: { shape: [n, outChannels, ...size], v: y }, dx: { shape: x.shape, v: dx }, dw: { shape: w.shape, v: dw } };
}

/**
 * Max (−∞ padding), mean (zero padding, counted), or mean over the pixels
 * alone ('avgPixels': countIncludePad false) of each kernel window of x [N,
 * C, H, W]. With `ceil` (PyTorch's ceil_mode) the output size rounds up
 * unless a last window would start past the image and its padding, and a
 * window's part past the padding is not there at all (not counted).
 */
export function pool2dRef(x: F64, kernel: [number, number], g: WindowRef, kind: 'max' | 'avg' | 'avgPixels', ceil = false): F64 {
  const [n, channels, h, w] = x.shape;
  const size = (a: 0 | 1) => {
    const [input, before] = [a === 0 ? h : w, g.sides[a][0]];
    const extent = input + g.sides[a][0] + g.sides[a][1] - (g.dilation[a] * (kernel[a] - 1) + 1);
    let out = (ceil ? Math.ceil(extent / g.stride[a]) : Math.floor(extent / g.stride[a])) + 1;
    if (ceil && (out - 1) * g.stride[a] >= input + before) out--;
    return out;
  };
  const [oh, ow] = [size(0), size(1)];
  const v = new Float64Array(n * channels * oh * ow);
  let i = 0;
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < oh; y++) {
        for (let xx = 0; xx < ow; xx++) {
          let acc = kind === 'max' ? -Infinity : 0;
          let counted = 0;
          for (let ky = 0; ky < kernel[0]; ky++) {
            for (let kx = 0; kx < kernel[1]; kx++) {
              const [iy, ix] = [y * g.stride[0] + ky * g.dilation[0] - g.sides[0][0], xx * g.stride[1] + kx * g.dilation[1] - g.sides[1][0]];
              if (iy < -g.sides[0][0] || iy >= h + g.sides[0][1] || ix < -g.sides[1][0] || ix >= w + g.sides[1][1]) continue;
              const inImage = iy >= 0 && iy < h && ix >= 0 && ix < w;
              const value = inImage ? x.v[((b * channels + c) * h + iy) * w + ix] : kind === 'max' ? -Infinity : 0;
              if (kind !== 'avgPixels' || inImage) counted++;
              acc = kind === 'max' ? Math.max(acc, value) : acc + value;
            }
          }
          v[i++] = kind === 'max' ? acc : acc / counted;
        }
      }
    }
  }
  return { shape: [n, channels, oh, ow], v };
}

/** One layer and direction of a recurrent layer, as nn/recurrent.ts holds it: x·Wih, h·Whh ([in, gates·hidden], [hidden, gates·hidden]). */
export interface RecurrentCellRef {
  weightIh: F64;
  weightHh: F64;
  biasIh?: F64;
  biasHh?: F64;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * PyTorch's RNN / LSTM / GRU (batch_first) in float64: `cells` ordered layer
 * by layer, the reverse pass after the forward one; h0 and c0
 * [layers·directions, batch, hidden] or zeros. Gives every step's output of
 * the top layer and the final h (and c).
 */
export function recurrentRef(
  kind: 'RNN' | 'LSTM' | 'GRU', x: F64, cells: RecurrentCellRef[],
  o: { hidden: number; layers: number; directions: number; relu?: boolean; h0?: F64; c0?: F64 },
): { output: F64; h: F64; c: F64 } {
  const [batch, time] = x.shape;
  const H = o.hidden;
  const hN = new Float64Array(o.layers * o.directions * batch * H);
  const cN = new Float64Array(hN.length);
  let input = x;
  for (let layer = 0; layer < o.layers; layer++) {
    const width = input.shape[2];
    const out = new Float64Array(batch * time * H * o.directions);
    for (let d = 0; d < o.directions; d++) {
      const at = layer * o.directions + d;
      const { weightIh: wi, weightHh: wh, biasIh: bi, biasHh: bh } = cells[at];
      const G = wi.shape[1];
      for (let b = 0; b < batch; b++) {
        let h = Array.from({ length: H }, (_, j) => o.h0?.v[(at * batch + b) * H + j] ?? 0);
        let c = Array.from({ length: H }, (_, j) => o.c0?.v[(at * batch + b) * H + j] ?? 0);
        for (let i = 0; i < time; i++) {
          const t = d === 0 ? i : time - 1 - i;
          const a = new Array<number>(G).fill(0);
          const r = new Array<number>(G).fill(0);
          for (let g = 0; g < G; g++) {
            a[g] = bi ? bi.v[g] : 0;
            for (let k = 0; k < width; k++) a[g] += input.v[(b * time + t) * width + k] * wi.v[k * G + g];
            r[g] = bh ? bh.v[g] : 0;
            for (let k = 0; k < H; k++) r[g] += h[k] * wh.v[k * G + g];
          }
          const next = new Array<number>(H);
          for (let j = 0; j < H; j++) {
            if (kind === 'RNN') next[j] = o.relu ? Math.max(0, a[j] + r[j]) : Math.tanh(a[j] + r[j]);
            else if (kind === 'LSTM') {
              const [ig, fg, gg, og] = [0, 1, 2, 3].map((q) => a[q * H + j] + r[q * H + j]);
              c[j] = sigmoid(fg) * c[j] + sigmoid(ig) * Math.tanh(gg);
              next[j] = sigmoid(og) * Math.tanh(c[j]);
            } else {
              const rg = sigmoid(a[j] + r[j]);
              const zg = sigmoid(a[H + j] + r[H + j]);
              const n = Math.tanh(a[2 * H + j] + rg * r[2 * H + j]);
              next[j] = (1 - zg) * n + zg * h[j];
            }
          }
          h = next;
          c = [...c];
          for (let j = 0; j < H; j++) out[((b * time + t) * o.directions + d) * H + j] = h[j];
        }
        for (let j = 0; j < H; j++) {
          hN[(at * batch + b) * H + j] = h[j];
          cN[(at * batch + b) * H + j] = c[j];
        }
      }
    }
    input = { shape: [batch, time, H * o.directions], v: out };
  }
  const stateShape = [o.layers * o.directions, batch, H];
  return { output: input, h: { shape: stateShape, v: hN }, c: { shape: stateShape, v: cN } };
}

/** A MultiheadAttention's weights as nn/attention.ts holds them (x·W layout). */
export interface AttentionRefWeights {
  inProjWeight: F64;
  inProjBias?: F64;
  outProjWeight: F64;
  outProjBias?: F64;
}

/** x [rows, in] · w [in, out] + b, in float64. */
export function linearRef(x: F64, w: F64, b?: F64): F64 {
  const [inputs, outputs] = w.shape;
  const rows = x.v.length / inputs;
  const v = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outputs; o++) {
      let s = b ? b.v[o] : 0;
      for (let i = 0; i < inputs; i++) s += x.v[r * inputs + i] * w.v[i * outputs + o];
      v[r * outputs + o] = s;
    }
  }
  return { shape: [...x.shape.slice(0, -1), outputs], v };
}

/**
 * PyTorch's multi-head attention (batch_first) in float64: query [B, T, E]
 * over key and value [B, S, E]; `hidden(b, t, s)` true where query t of
 * sample b may not look at key s. Gives the output [B, T, E] and the
 * weights [B, heads, T, S].
 */
export function attentionRef(query: F64, key: F64, value: F64, w: AttentionRefWeights, heads: number, hidden: (b: number, t: number, s: number) => boolean = () => false): { output: F64; weights: F64 } {
  const [B, T, E] = query.shape;
  const S = key.shape[1];
  const D = E / heads;
  const part = (p: number): [F64, F64 | undefined] => {
    const wv = new Float64Array(E * E);
    for (let i = 0; i < E; i++) for (let j = 0; j < E; j++) wv[i * E + j] = w.inProjWeight.v[i * 3 * E + p * E + j];
    return [{ shape: [E, E], v: wv }, w.inProjBias ? { shape: [E], v: w.inProjBias.v.slice(p * E, (p + 1) * E) } : undefined];
  };
  const q = linearRef(query, ...part(0));
  const k = linearRef(key, ...part(1));
  const v = linearRef(value, ...part(2));
  const weights = new Float64Array(B * heads * T * S);
  const mixed = new Float64Array(B * T * E);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < T; t++) {
        const scores = new Array<number>(S);
        for (let s = 0; s < S; s++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q.v[(b * T + t) * E + h * D + d] * k.v[(b * S + s) * E + h * D + d];
          scores[s] = hidden(b, t, s) ? -Infinity : dot / Math.sqrt(D);
        }
        const top = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - top));
        const total = e.reduce((a, x) => a + x, 0);
        for (let s = 0; s < S; s++) weights[((b * heads + h) * T + t) * S + s] = e[s] / total;
        for (let d = 0; d < D; d++) {
          let sum = 0;
          for (let s = 0; s < S; s++) sum += weights[((b * heads + h) * T + t) * S + s] * v.v[(b * S + s) * E + h * D + d];
          mixed[(b * T + t) * E + h * D + d] = sum;
        }
      }
    }
  }
  return { output: linearRef({ shape: [B, T, E], v: mixed }, w.outProjWeight, w.outProjBias), weights: { shape: [B, heads, T, S], v: weights } };
}

/** LayerNorm over the last axis (population variance + eps), scaled and shifted. */
export function layerNormRef(x: F64, weight: F64, bias: F64, eps: number): F64 {
  const n = weight.v.length;
  const v = new Float64Array(x.v.length);
  for (let r = 0; r < x.v.length / n; r++) {
    const row = x.v.subarray(r * n, (r + 1) * n);
    const mean = row.reduce((a, b) => a + b, 0) / n;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    for (let i = 0; i < n; i++) v[r * n + i] = ((row[i] - mean) / Math.sqrt(variance + eps)) * weight.v[i] + bias.v[i];
  }
  return { shape: x.shape, v };
}

/**
 * d loss / d values[i] for every i, by central differences in float64:
 * `loss` reads `values`, which are nudged by ±h in place one at a time (and
 * put back). With h = 1e-6 a smooth loss's gradient comes out to ~1e-9,
 * far inside an f32 gradient's tolerance.
 */
export function centralDifferences(values: Float64Array, loss: () => number, h = 1e-6): Float64Array {
  return values.map((v, i) => {
    values[i] = v + h;
    const up = loss();
    values[i] = v - h;
    const down = loss();
    values[i] = v;
    return (up - down) / (2 * h);
  });
}

/**
 * Each sample's groups of x [N, C, ...] (C split into `groups` runs of
 * consecutive channels, each with every position after the channels): the
 * mean and population variance of each, [N, groups], and how many values each holds.
 */
export function groupStatsRef(x: F64, groups: number): { mean: F64; variance: F64; count: number } {
  const [n] = x.shape;
  const count = x.v.length / (n * groups);
  const mean = new Float64Array(n * groups);
  const variance = new Float64Array(n * groups);
  for (let g = 0; g < n * groups; g++) {
    const values = x.v.subarray(g * count, (g + 1) * count);
    mean[g] = values.reduce((a, b) => a + b, 0) / count;
    variance[g] = values.reduce((a, b) => a + (b - mean[g]) ** 2, 0) / count;
  }
  return { mean: { shape: [n, groups], v: mean }, variance: { shape: [n, groups], v: variance }, count };
}

/**
 * PyTorch's group_norm by its definition: each group of groupStatsRef
 * normalised (population variance + eps), then channel c scaled by weight[c]
 * and shifted by bias[c] where they are given. groups = C is InstanceNorm's
 * normalisation, groups = 1 a LayerNorm over all of a sample.
 */
export function groupNormRef(x: F64, groups: number, eps: number, weight?: F64, bias?: F64): F64 {
  const [n, channels] = x.shape;
  const { mean, variance, count } = groupStatsRef(x, groups);
  const positions = x.v.length / (n * channels);
  const v = x.v.map((value, i) => {
    const group = Math.floor(i / count);
    const channel = Math.floor(i / positions) % channels;
    const normalised = (value - mean.v[group]) / Math.sqrt(variance.v[group] + eps);
    return normalised * (weight ? weight.v[channel] : 1) + (bias ? bias.v[channel] : 0);
  });
  return { shape: x.shape, v };
}

/**
 * erf in float64 by other means than the library's (which sums a series of
 * positive terms and a continued fraction): below 3 its alternating Taylor
 * series 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)), 1e−12 at worst; from 3 on 1 − erfc,
 * erfc from its asymptotic series e^(−x²)/(x√π) Σ (−1)ⁿ (2n−1)!! / (2x²)ⁿ,
 * stopped at its smallest term.
 */
export function erfRef(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a < 3) {
    let sum = 0;
    let power = a; // a^(2n+1) / n!
    for (let n = 0; n < 120; n++) {
      sum += ((n % 2 ? -1 : 1) * power) / (2 * n + 1);
      power *= (a * a) / (n + 1);
    }
    return (Math.sign(x) * 2 * sum) / Math.sqrt(Math.PI);
  }
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 60; n++) {
    const next = (-term * (2 * n - 1)) / (2 * a * a);
    if (Math.abs(next) > Math.abs(term)) break;
    term = next;
    sum += term;
  }
  return Math.sign(x) * (1 - (Math.exp(-a * a) / (a * Math.sqrt(Math.PI))) * sum);
}

/**
 * The gradient of the max pool by kernel windows of x [N, C, H, W] (no
 * padding, no ceilMode) for dy: each window's dy shared evenly among its
 * values equal to its max, summed where windows overlap.
 */
export function maxPool2dGradRef(x: F64, kernel: [number, number], stride: [number, number], dy: F64): F64 {
  const [n, channels, h, w] = x.shape;
  const [oh, ow] = dy.shape.slice(2);
  const dx = new Float64Array(x.v.length);
  for (let plane = 0; plane < n * channels; plane++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const taps: number[] = [];
        for (let ky = 0; ky < kernel[0]; ky++) for (let kx = 0; kx < kernel[1]; kx++) taps.push((plane * h + y * stride[0] + ky) * w + xx * stride[1] + kx);
        const max = Math.max(...taps.map((at) => x.v[at]));
        const tied = taps.filter((at) => x.v[at] === max);
        for (const at of tied) dx[at] += dy.v[(plane * oh + y) * ow + xx] / tied.length;
      }
    }
  }
  return { shape: x.shape, v: dx };
}
