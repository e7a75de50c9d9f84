// x.index(...), NumPy's x[...], on every backend and dtype: Python's slice
// rules on one axis (checked against a table Python printed), then random
// subscripts on random shapes against a float64 reference that walks the
// selected multi-indices; gradients scatter back to the entries read; bad
// subscripts are refused with the part named.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { collected } from '../helpers/gc.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, expectExact, randomInts, uniform } from '../helpers/data.js';
import { ravel, size } from '../helpers/float64.js';

/** list(range(7))[spec] as Python 3 prints it. */
const PYTHON_ON_SEVEN: [string, number[]][] = [
  ['::-2', [6, 4, 2, 0]], ['5:1:-1', [5, 4, 3, 2]], ['-3:', [4, 5, 6]], ['1:100', [1, 2, 3, 4, 5, 6]], [':-100', []], ['10:', []],
  ['-100:2', [0, 1]], ['5:-8:-1', [5, 4, 3, 2, 1, 0]], ['::3', [0, 3, 6]], ['-1::-3', [6, 3, 0]], ['2:2', []], ['6:0:-7', [6]],
  [':', [0, 1, 2, 3, 4, 5, 6]], ['::-1', [6, 5, 4, 3, 2, 1, 0]],
];

/** One axis's part in the reference: which entries it reads (undefined: an integer, which drops the axis) or a new axis. */
type RefPart = { reads: number[]; drops: boolean } | 'new';

/** The float64 x[parts]: every output multi-index maps to one input multi-index. */
function indexRef(v: Float64Array, shape: number[], parts: RefPart[]): { shape: number[]; v: Float64Array } {
  const axes = parts.filter((p): p is { reads: number[]; drops: boolean } => p !== 'new');
  const outShape = parts.flatMap((p) => (p === 'new' ? [1] : p.drops ? [] : [p.reads.length]));
  const out = new Float64Array(size(outShape));
  for (let o = 0; o < out.length; o++) {
    // Walk output coordinates in row-major order, one per non-dropped part.
    let rest = o;
    const coords = outShape.map((_, d) => {
      const stride = outShape.slice(d + 1).reduce((a, b) => a * b, 1);
      const c = Math.floor(rest / stride);
      rest -= c * stride;
      return c;
    });
    let k = 0;
    const inIndex: number[] = [];
    for (const p of parts) {
      if (p === 'new') {
        k++;
        continue;
      }
      inIndex.push(p.drops ? p.reads[0] : p.reads[coords[k++]]);
    }
    out[o] = v[ravel(inIndex, shape)];
  }
  return { shape: outShape, v: out };
}

/** A random integer in [lo, hi]. */
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** A random subscript for `shape`: its string form and what each axis reads. */
function randomSubscript(shape: number[]): { text: string; parts: RefPart[] } {
  const texts: string[] = [];
  const parts: RefPart[] = [];
  for (const n of shape) {
    if (Math.random() < 0.15) {
      texts.push('None');
      parts.push('new');
    }
    const kind = Math.random();
    if (kind < 0.25 && n > 0) {
      const at = between(-n, n - 1);
      texts.push(String(at));
      parts.push({ reads: [at < 0 ? at + n : at], drops: true });
    } else {
      const step = [1, 1, 2, 3, -1, -2][between(0, 5)];
      const start = Math.random() < 0.3 ? undefined : between(-n - 2, n + 2);
      const stop = Math.random() < 0.3 ? undefined : between(-n - 2, n + 2);
      texts.push(`${start ?? ''}:${stop ?? ''}:${step}`);
      parts.push({ reads: pythonRange(n, start, stop, step), drops: false });
    }
  }
  return { text: texts.join(', '), parts };
}

/** The indices range(n)[start:stop:step] reads, by Python's rules written out plainly. */
function pythonRange(n: number, start: number | undefined, stop: number | undefined, step: number): number[] {
  let s = start ?? (step > 0 ? 0 : n - 1);
  let e = stop ?? (step > 0 ? n : -n - 1);
  if (s < 0) s = Math.max(s + n, step > 0 ? 0 : -1);
  if (e < 0) e = Math.max(e + n, step > 0 ? 0 : -1);
  s = Math.min(s, step > 0 ? n : n - 1);
  e = Math.min(e, step > 0 ? n : n - 1);
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

describe.each(BACKENDS)('index on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it("reads a range on one axis as Python does: ends clamped, negative steps walking back", async () => {
    const x = tm.arange(7);
    for (const [spec, want] of PYTHON_ON_SEVEN) {
      const y = x.index(spec);
      expect(y.shape, spec).toEqual([want.length]);
      expect(Array.from(await y.data()), spec).toEqual(want);
      y.dispose();
    }
    // The reference this file checks random subscripts with agrees with Python too.
    for (const [spec, want] of PYTHON_ON_SEVEN) {
      const [a, b, c] = (spec.includes(':') ? spec : `${spec}:`).split(':').map((f) => (f === '' ? undefined : Number(f)));
      expect(pythonRange(7, a, b, c ?? 1), spec).toEqual(want);
    }
    x.dispose();
  });

  it('random subscripts on random shapes match the float64 reference, in every dtype', async () => {
    for (let trial = 0; trial < 40; trial++) {
      const shape = Array.from({ length: between(1, 4) }, () => between(1, 7));
      const dtype = (['f32', 'i32', 'f16', 'i8'] as const)[trial % 4];
      const v = dtype === 'f32' ? Float64Array.from(Float32Array.from(uniform(size(shape), -5, 5))) : randomInts(size(shape), -100, 100);
      const { text, parts } = randomSubscript(shape);
      const want = indexRef(v, shape, parts);
      const x = tm.tensor(v, shape, { dtype });
      const y = x.index(text);
      expect(y.shape, `${text} of ${shape}`).toEqual(want.shape);
      expect(y.dtype).toBe(dtype);
      expectExact(await y.data(), want.v, `${text} of [${shape}]`);
      x.dispose();
      y.dispose();
    }
  });

  it('takes parts as separate arguments too: integers, strings, null, the ellipsis and one index tensor', async () => {
    const shape = [3, 4, 5];
    const v = uniform(60);
    const x = tm.tensor(v, shape);
    const check = async (y: tm.Tensor, parts: RefPart[]) => {
      const want = indexRef(Float64Array.from(Float32Array.from(v)), shape, parts);
      expect(y.shape).toEqual(want.shape);
      expectClose(await y.data(), want.v, 0);
      y.dispose();
    };
    const all = (n: number) => ({ reads: Array.from({ length: n }, (_, i) => i), drops: false });
    await check(x.index(1), [{ reads: [1], drops: true }, all(4), all(5)]);
    await check(x.index('...', -1), [all(3), all(4), { reads: [4], drops: true }]);
    await check(x.index(null, '1:', '...', '::2'), ['new', { reads: [1, 2], drops: false }, all(4), { reads: [0, 2, 4], drops: false }]);
    await check(x.index('..., None'), [all(3), all(4), all(5), 'new']);
    await check(x.index(), [all(3), all(4), all(5)]);
    await check(x.index('1,'), [{ reads: [1], drops: true }, all(4), all(5)]); // Python's x[1,]
    const idx = tm.tensor(new Int32Array([3, -1, 0, 3]), [2, 2]);
    const picked = x.index(':', idx, '::-2');
    expect(picked.shape).toEqual([3, 2, 2, 3]);
    const base = indexRef(Float64Array.from(Float32Array.from(v)), shape, [all(3), { reads: [3, 3, 0, 3], drops: false }, { reads: [4, 2, 0], drops: false }]);
    expectClose(await picked.data(), base.v, 0);
    picked.dispose();
    idx.dispose();
    x.dispose();
  });

  it("puts the index tensor's axes first where a range, the ellipsis or None parts it from an integer, as NumPy does", async () => {
    // Shapes and leading values NumPy 2 printed for x = np.arange(105).reshape(7, 3, 5), i = [[1, 2], [0, 1]].
    const x = tm.arange(105).reshape([7, 3, 5]);
    const i = tm.tensor(new Int32Array([1, 2, 0, 1]), [2, 2]);
    const cases: [string, tm.IndexPart[], number[], number[]][] = [
      ['x[:, 0, ..., i]', [':', 0, '...', i], [2, 2, 7], [1, 16, 31, 46, 61, 76, 91, 2, 17, 32, 47, 62]],
      ['x[:, 0, i]', [':', 0, i], [7, 2, 2], [1, 2, 0, 1, 16, 17, 15, 16, 31, 32, 30, 31]],
      ['x[:, i, ..., 0]', [':', i, '...', 0], [2, 2, 7], [5, 20, 35, 50, 65, 80, 95, 10, 25, 40, 55, 70]],
      ['x[:, i, None, 0]', [':', i, null, 0], [2, 2, 7, 1], [5, 20, 35, 50, 65, 80, 95, 10, 25, 40, 55, 70]],
      ['x[:, None, i, 0]', [':', null, i, 0], [7, 1, 2, 2], [5, 10, 0, 5, 20, 25, 15, 20, 35, 40, 30, 35]],
      ['x[0, :, i]', [0, ':', i], [2, 2, 3], [1, 6, 11, 2, 7, 12, 0, 5, 10, 1, 6, 11]],
      ['x[1, i, -1]', [1, i, -1], [2, 2], [24, 29, 19, 24]],
    ];
    const before = await collected();
    for (const [what, parts, shape, head] of cases) {
      const y = x.index(...parts);
      expect(y.shape, what).toEqual(shape);
      expect(Array.from(await y.data()).slice(0, 12), what).toEqual(head);
      y.dispose();
    }
    expect(tm.memory().numTensors).toBe(before);
    x.dispose();
    i.dispose();
  });

  it('takes a backward range of an empty axis (it starts at −1) as empty', () => {
    const x = tm.zeros([0, 3]);
    const y = x.index('::-1');
    expect(y.shape).toEqual([0, 3]);
    for (const t of [x, y]) t.dispose();
  });

  it("the gradient adds back to the entries read and is 0 elsewhere; an index tensor's repeats sum", async () => {
    const shape = [4, 6];
    const v = uniform(24);
    const x = tm.tensor(v, shape);
    x.requiresGrad = true;
    const idx = tm.tensor(new Int32Array([2, 2, 0]), [3]);
    const weights = uniform(2 * 3);
    tm.tidy(() => x.index('1::2', '::-2').mul(tm.tensor(weights, [2, 3])).sum()).backward();
    const want = new Float64Array(24);
    [1, 3].forEach((r, i) => [5, 3, 1].forEach((c, j) => (want[r * 6 + c] += weights[i * 3 + j])));
    expectClose(await x.grad!.data(), want, 1e-6);
    x.grad!.dispose();
    x.grad = null;
    tm.tidy(() => x.index(idx, -1).sum()).backward();
    const picks = new Float64Array(24);
    picks[2 * 6 + 5] = 2;
    picks[0 * 6 + 5] = 1;
    expectClose(await x.grad!.data(), picks, 0);
    x.dispose();
    idx.dispose();
  });

  it('refuses subscripts it cannot read, naming the part', () => {
    const x = tm.zeros([3, 4]);
    expect(() => x.index(3)).toThrow('index: 3 is outside axis 0 of x [3,4], of length 3');
    expect(() => x.index(':', -5)).toThrow('index: -5 is outside axis 1 of x [3,4], of length 4');
    expect(() => x.index('0, 1, 2')).toThrow('index: 3 parts index x [3,4], which has 2 axes');
    expect(() => x.index('..., ...')).toThrow('index: at most one ellipsis (...) per subscript');
    expect(() => x.index('::0')).toThrow('index: cannot read "::0": a range’s step cannot be 0');
    expect(() => x.index('1:a')).toThrow('index: cannot read "1:a": "a" in "1:a" is not an integer');
    expect(() => x.index('x')).toThrow('index: cannot read "x": "x" is not an integer, a range a:b:c, \'...\' or None');
    expect(() => x.index('1::2:3')).toThrow('is not an integer, a range a:b:c');
    expect(() => x.index(1.5)).toThrow('index: an index must be an integer, got 1.5');
    const f = tm.tensor([0, 1]);
    expect(() => x.index(f)).toThrow('index: an index tensor must be i32 or i8, got f32 (a mask? use where())');
    const i = tm.tensor(new Int32Array([0]), [1]);
    expect(() => x.index(i, i)).toThrow('index: at most one index tensor per subscript');
    for (const t of [x, f, i]) t.dispose();
  });

  it('leaves no tensors behind', () => {
    const x = tm.zeros([5, 6]);
    const before = tm.memory().numTensors;
    x.index('::-2, 1:5:3').dispose();
    x.index(2, null).dispose();
    expect(tm.memory().numTensors).toBe(before);
    x.dispose();
  });
});
