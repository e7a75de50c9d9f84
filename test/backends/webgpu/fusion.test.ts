// Elementwise fusion on the webgpu backend: ops are recorded and a chain runs
// as one generated kernel when its value is needed. These tests count
// dispatches around the point where a value is computed, and check that what
// fusion computes is what op-by-op evaluation computes — including the
// intermediates a live tensor still holds, broadcasting inside a chain,
// rounding of i8 and f16 intermediates, chains cut at MAX_FUSED_DEPTH, and
// code generated once per structure of chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend, setActive } from '../../../src/engine.js';
import { MAX_FUSED_DEPTH, webGpuBackendOn, type WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import type { GpuData } from '../../../src/backends/webgpu/data.js';
import { fuse } from '../../../src/backends/webgpu/fusion.js';
import { asF16, asF32, expectClose, expectExact, randomInts, uniform } from '../../helpers/data.js';
import { broadcast2, f64, roundF16, wrapInt } from '../../helpers/float64.js';
import { launches as launchesOn, storageOf } from '../../helpers/webgpu.js';

let gpu: WebGpuBackend;
const launches = (t: tm.Tensor) => launchesOn(gpu, t);

beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
});

describe('a chain of elementwise ops', () => {
  it('is recorded, not run, until its value is needed; then it is one launch', async () => {
    const x = asF32(uniform(1000));
    const b = asF32(uniform(1000));
    const tx = tm.tensor(x);
    const y = tm.tidy(() => tx.add(tm.tensor(b)).mul(3).sub(1).abs().sqrt().neg().exp());
    expect(storageOf(y).computed).toBe(false);
    expect(launches(y)).toBe(1);
    const want = x.map((v, i) => Math.exp(-Math.sqrt(Math.abs((v + b[i]) * 3 - 1))));
    expectClose(await y.data(), want, 1e-5);
  });

  it('writes the intermediates that live tensors hold in the same launch, and they hold the right values', async () => {
    const x = asF32(uniform(257));
    const tx = tm.tensor(x);
    const h = tx.mul(2);
    const r = h.relu();
    const y = r.add(1);
    expect(launches(y)).toBe(1);
    expect(storageOf(h).computed && storageOf(r).computed).toBe(true);
    expect(launches(h) + launches(r)).toBe(0);
    expectClose(await h.data(), x.map((v) => 2 * v), 1e-6);
    expectClose(await r.data(), x.map((v) => Math.max(2 * v, 0)), 1e-6);
    expectClose(await y.data(), x.map((v) => Math.max(2 * v, 0) + 1), 1e-6);
  });

  it('broadcasts inside the chain: rows, columns, scalars and reshaped intermediates', async () => {
    const [m, n] = [37, 129];
    const a = asF32(uniform(m * n));
    const row = asF32(uniform(n));
    const col = asF32(uniform(m));
    const y = tm.tidy(() => {
      const s = tm.tensor(a, [m, n]).add(tm.tensor(row, [n])).mul(tm.tensor(col, [m, 1]));
      return s.reshape([m * n]).reshape([m, n]).sub(tm.tensor(col, [m, 1]).maximum(0.25));
    });
    expect(launches(y)).toBe(1);
    const s = broadcast2(broadcast2(f64([m, n], a), f64([n], row), (p, q) => p + q), f64([m, 1], col), (p, q) => p * q);
    const want = broadcast2(s, f64([m, 1], col), (p, q) => p - Math.max(q, 0.25));
    expectClose(await y.data(), want.v, 1e-5);
  });

  it('takes in broadcastTo: a broadcast runs inside the kernel that uses it, for every dtype; transposes and slices still copy', async () => {
    const [m, n] = [37, 129];
    const col = asF32(uniform(m));
    const a = asF32(uniform(m * n));
    const y = tm.tidy(() => tm.tensor(col, [m, 1]).broadcastTo([3, m, n]).mul(tm.tensor(a, [m, n])));
    expect(launches(y)).toBe(1);
    expectClose(await y.data(), Float64Array.from({ length: 3 * m * n }, (_, i) => col[Math.floor((i % (m * n)) / n)] * a[i % (m * n)]), 1e-6);
    for (const dtype of ['f16', 'i8', 'i32'] as const) {
      const v = dtype === 'f16' ? asF16(uniform(5)) : randomInts(5, dtype === 'i8' ? -128 : -1e9, dtype === 'i8' ? 127 : 1e9);
      const b = tm.tensor(v, [5, 1], { dtype }).broadcastTo([2, 5, 3]);
      expect(launches(b)).toBe(1);
      expectExact(await b.data(), Float64Array.from({ length: 30 }, (_, i) => v[Math.floor((i % 15) / 3)]));
    }
    // Transposes and slices are strided copies, made at once.
    const t = tm.tensor(a, [m, n]);
    expect(storageOf(t.broadcastTo([2, m, n])).computed).toBe(false);
    expect(storageOf(t.transpose()).computed).toBe(true);
    expect(storageOf(t.slice([0, 1], [m, 4])).computed).toBe(true);
  });

  it('rounds i8 and f16 intermediates as op-by-op evaluation stores them', async () => {
    const xi = randomInts(300, -128, 127);
    const yi = tm.tidy(() => tm.tensor(xi, [300], { dtype: 'i8' }).add(100).mul(3).sub(7));
    expectExact(await yi.data(), xi.map((v) => wrapInt(wrapInt(wrapInt(v + 100, 'i8') * 3, 'i8') - 7, 'i8')));
    const xh = asF16(uniform(300, -4, 4));
    const yh = tm.tidy(() => tm.tensor(xh, [300], { dtype: 'f16' }).mul(1.001).add(1000).sub(1000));
    expectClose(await yh.data(), xh.map((v) => roundF16(roundF16(roundF16(v * roundF16(1.001)) + 1000) - 1000)), 1e-3);
  });

  it('reads an f16 product in its fused epilogue as stored, rounded to f16: an overflow is ∞ there too', async () => {
    const [a, b] = [tm.fill([1, 3000], 0.01, { dtype: 'f16' }), tm.fill([3000, 2], 0.01, { dtype: 'f16' })];
    const stored = Array.from(await a.matmul(b).data());
    expect(Array.from(await a.matmul(b).cast('f32').data())).toEqual(stored);
    expect(Array.from(await a.matmul(b).add(tm.zeros([2])).data())).toEqual(stored);
    const [big, big2] = [tm.fill([1, 64], 40, { dtype: 'f16' }), tm.fill([64, 1], 40, { dtype: 'f16' })]; // 102,400 > 65,504
    expect(Array.from(await big.matmul(big2).cast('f32').data())).toEqual([Infinity]);
    expect(Array.from(await big.matmul(big2).div(2).data())).toEqual([Infinity]);
  });

  it('computes a value it reads several times once per element, and a broadcast one where each element reads it', async () => {
    const [m, n] = [7, 33];
    const [x, col] = [asF32(uniform(m * n)), asF32(uniform(m, 0.5, 2))];
    const [tx, tcol] = [tm.tensor(x, [m, n]), tm.tensor(col, [m, 1])];
    // y = exp(x) is read three times, s = exp(col) (a column, broadcast) twice.
    const out = tm.tidy(() => {
      const y = tx.exp();
      const s = tcol.exp();
      return y.mul(y).add(y.div(s)).sub(s);
    });
    const options = { features: gpu.runtime.ctx.features, firstBinding: 1, allocate: (d: GpuData) => gpu.runtime.pool.acquire(4 * d.size) };
    const generated = fuse(storageOf(out), options).code[1];
    // exp(x) in value(i)'s own body, once; exp(col) in a function of its own index, which both reads call.
    const at = generated.indexOf('fn value(');
    expect(generated.slice(at).match(/exp_f32\(/g)).toHaveLength(1);
    expect(generated.slice(0, at).match(/exp_f32\(/g)).toHaveLength(1);
    expect(launches(out)).toBe(1);
    const want = x.map((v, i) => {
      const [y, e] = [Math.exp(v), Math.exp(col[Math.floor(i / n)])];
      return y * y + y / e - e;
    });
    expectClose(await out.data(), want, 1e-5);
  });

  it('of a structure seen before gets the code generated then: other buffers and numbers, the same WGSL; another broadcast or a live intermediate, code of its own', async () => {
    const [m, n] = [9, 21];
    const [a, b, c, d, row] = [m * n, m * n, m * n, m * n, n].map((len) => asF32(uniform(len)));
    const [ta, tb, tc, td] = [a, b, c, d].map((v) => tm.tensor(v, [m, n]));
    const trow = tm.tensor(row, [n]);
    const options = { features: gpu.runtime.ctx.features, firstBinding: 1, allocate: (x: GpuData) => gpu.runtime.pool.acquire(4 * x.size) };
    const generated = (t: tm.Tensor) => fuse(storageOf(t), options);
    const first = tm.tidy(() => ta.add(tb).mul(3).relu());
    const second = tm.tidy(() => tc.add(td).mul(-0.5).relu());
    const [f1, f2] = [generated(first), generated(second)];
    expect(f2.code[1]).toBe(f1.code[1]);
    expect(f2.buffers.input0).not.toBe(f1.buffers.input0);
    expect(f2.buffers.consts).not.toEqual(f1.buffers.consts);
    const broadcast = tm.tidy(() => ta.add(trow).mul(3).relu());
    expect(generated(broadcast).code[1]).not.toBe(f1.code[1]);
    expect(generated(tm.tidy(() => ta.add(tb).mul(3).tanh())).code[1]).not.toBe(f1.code[1]);
    expect(generated(tm.tidy(() => ta.sub(tb).mul(3).relu())).code[1]).not.toBe(f1.code[1]);
    const sum = ta.add(tb); // a live intermediate: written out by the same launch
    const withLive = tm.tidy(() => sum.mul(3).relu());
    const f3 = generated(withLive);
    expect(f3.code[1]).not.toBe(f1.code[1]);
    expect(f3.extraOutputs.map((e) => e.data)).toEqual([storageOf(sum)]);
    for (const f of [f1, f2, f3]) for (const e of f.extraOutputs) gpu.runtime.pool.release(e.buffer);
    const relu = (x: Float64Array, k: number, y: Float64Array, bx = (i: number) => y[i]) => x.map((v, i) => Math.max((v + bx(i)) * k, 0));
    expectClose(await first.data(), relu(a, 3, b), 1e-6);
    expectClose(await second.data(), relu(c, -0.5, d), 1e-6);
    expectClose(await broadcast.data(), relu(a, 3, row, (i) => row[i % n]), 1e-6);
    expectClose(await withLive.data(), relu(a, 3, b), 1e-6);
    expectClose(await sum.data(), a.map((v, i) => v + b[i]), 1e-6);
  });

  it(`is cut after ${MAX_FUSED_DEPTH} ops, so a long loop never builds an unbounded kernel`, async () => {
    const x = asF32(uniform(64));
    let t = tm.tensor(x);
    let want = x;
    for (let i = 0; i < 3 * MAX_FUSED_DEPTH; i++) {
      const next = t.mul(1.01).add(0.001);
      t.dispose();
      t = next;
      want = want.map((v) => Math.fround(Math.fround(v * Math.fround(1.01)) + Math.fround(0.001)));
    }
    const d = storageOf(t);
    expect(d.depth).toBeLessThanOrEqual(MAX_FUSED_DEPTH + 1);
    expectClose(await t.data(), want, 1e-5);
  });

  it('counts a value read several times once toward the cap: it is computed once', async () => {
    const x = asF32(uniform(515));
    const tx = tm.tensor(x);
    // y is 5 ops, read 5 times: 10 ops in all (as a tree, 5 × 5 + 5 = 30, which would be cut into three launches).
    const out = tm.tidy(() => {
      const y = tx.mul(0.5).add(1).abs().sqrt().neg();
      return y.mul(y).add(y).sub(y).mul(y).add(y);
    });
    expect(storageOf(out).depth).toBe(10);
    expect(launches(out)).toBe(1);
    const want = x.map((v) => {
      const y = Math.fround(-Math.sqrt(Math.abs(v * 0.5 + 1)));
      return (y * y + y - y) * y + y;
    });
    expectClose(await out.data(), want, 1e-5);
  });

  it(`cuts where the ops of all its inputs together pass ${MAX_FUSED_DEPTH}, computing the deepest input first`, async () => {
    const [a, b] = [asF32(uniform(300)), asF32(uniform(300))];
    const [ta, tb] = [tm.tensor(a), tm.tensor(b)];
    const chain = (t: tm.Tensor, ops: number) => {
      for (let i = 0; i < ops; i++) t = t.mul(1.5).neg().div(1.5).neg(); // 4 ops that give back t
      return t;
    };
    const deep = tm.tidy(() => chain(ta, 2)); // 8 ops
    const shallow = tm.tidy(() => chain(tb, 1)); // 4 ops
    const sum = deep.add(shallow); // 8 + 4 + 1 > MAX_FUSED_DEPTH: deep is computed first
    expect(storageOf(deep).computed).toBe(true);
    expect(storageOf(shallow).computed).toBe(false);
    expect(storageOf(sum).depth).toBe(5);
    expect(launches(sum)).toBe(1);
    expectClose(await sum.data(), a.map((v, i) => v + b[i]), 1e-5);
  });

  it('an op nobody reads never runs, and its inputs are given back', async () => {
    const before = gpu.runtime.commands.dispatches;
    const idle = gpu.runtime.pool.info.idle;
    tm.tidy(() => {
      tm.tensor(uniform(4096)).exp().add(1);
    });
    expect(gpu.runtime.commands.dispatches).toBe(before);
    expect(gpu.runtime.pool.info.idle).toBeGreaterThan(idle);
  });
});

describe('a reduction of a pending chain', () => {
  /** A reduction (run when called) and the dispatches it made. */
  function reduced(f: () => tm.Tensor): [tm.Tensor, number] {
    const before = gpu.runtime.commands.dispatches;
    const t = f();
    return [t, gpu.runtime.commands.dispatches - before];
  }

  /** Float64 op over each row of v [outer, inner] (or each column, with `columns`). */
  function reduceRef(op: 'sum' | 'mean' | 'max' | 'min', v: ArrayLike<number>, outer: number, inner: number, columns = false): Float64Array {
    const at = (r: number, i: number) => (columns ? v[i * outer + r] : v[r * inner + i]);
    return Float64Array.from({ length: outer }, (_, r) => {
      let acc = op === 'max' ? -Infinity : op === 'min' ? Infinity : 0;
      for (let i = 0; i < inner; i++) acc = op === 'max' ? Math.max(acc, at(r, i)) : op === 'min' ? Math.min(acc, at(r, i)) : acc + at(r, i);
      return op === 'mean' ? acc / inner : acc;
    });
  }

  it.each([[1, 7], [5, 33], [64, 300], [70, 4096], [3, 70_001]])('computes the chain as it reads it: one launch for [%i, %i] rows and columns, sum, mean, max, min', async (outer, inner) => {
    const x = asF32(uniform(outer * inner));
    const row = asF32(uniform(inner));
    const col = asF32(uniform(inner));
    const tx = tm.tensor(x, [outer, inner]);
    const trow = tm.tensor(row);
    const txT = tm.tensor(x, [inner, outer]);
    const tcol = tm.tensor(col, [inner, 1]);
    // f(x) = |x · 2 + row| along rows; the columns of xᵀ-shaped data plus a column broadcast.
    const chainRows = Float64Array.from(x, (v, i) => Math.fround(Math.abs(Math.fround(Math.fround(v * 2) + row[i % inner]))));
    const chainCols = Float64Array.from(x, (v, i) => Math.fround(Math.fround(v - col[Math.floor(i / outer)]) * Math.fround(v - col[Math.floor(i / outer)])));
    for (const op of ['sum', 'mean', 'max', 'min'] as const) {
      const [y, n] = reduced(() => tm.tidy(() => tx.mul(2).add(trow).abs()[op](1)));
      // The split path (few long rows) takes a second launch for the chunks' results.
      expect(n, `${op} of rows`).toBe(outer <= 64 && inner >= 1 << 16 ? 2 : 1);
      const scale = reduceRef('sum', chainRows.map(Math.abs), outer, inner);
      expectClose(await y.data(), reduceRef(op, chainRows, outer, inner), 1e-5, `${op} of rows`, op === 'mean' ? scale.map((s) => s / inner) : scale);
      const [z, nz] = reduced(() => tm.tidy(() => txT.sub(tcol).square()[op](0)));
      expect(nz, `${op} of columns`).toBe(outer <= 64 && inner >= 1 << 16 ? 2 : 1);
      const zScale = reduceRef('sum', chainCols, outer, inner, true);
      expectClose(await z.data(), reduceRef(op, chainCols, outer, inner, true), 1e-5, `${op} of columns`, op === 'mean' ? zScale.map((s) => s / inner) : zScale);
    }
  });

  it('writes the chain\'s values that live tensors hold (the chain itself included) in the same launch', async () => {
    const x = asF32(uniform(300 * 70));
    const tx = tm.tensor(x, [70, 300]);
    const h = tx.mul(3);
    const a = h.abs();
    const [m, n] = reduced(() => a.max(1));
    expect(n).toBe(1);
    expect(storageOf(h).computed && storageOf(a).computed).toBe(true);
    expect(launches(h) + launches(a)).toBe(0);
    expectClose(await h.data(), x.map((v) => Math.fround(3 * v)), 0);
    expectClose(await a.data(), x.map((v) => Math.abs(Math.fround(3 * v))), 0);
    expectClose(await m.data(), reduceRef('max', x.map((v) => Math.abs(Math.fround(3 * v))), 70, 300), 0);
  });

  it('keeps ints exact and f16 rounded as op by op; the mean of ints computes its input first', async () => {
    const [outer, inner] = [66, 45];
    const v = randomInts(outer * inner, -1000, 1000);
    const ti = tm.tensor(v, [outer, inner], { dtype: 'i32' });
    const [s, n] = reduced(() => tm.tidy(() => ti.mul(ti).sum(1)));
    expect(n).toBe(1);
    expectExact(await s.data(), reduceRef('sum', v.map((e) => e * e), outer, inner));
    const [, nm] = reduced(() => tm.tidy(() => ti.add(1).mean(1)));
    expect(nm).toBe(2);
    const f = asF16(uniform(outer * inner));
    const th = tm.tensor(f, [outer, inner], { dtype: 'f16' });
    const [r, nr] = reduced(() => tm.tidy(() => th.mul(1.1).max(1)));
    expect(nr).toBe(1);
    // f16 products (1.1 itself in f16) rounded before the max, as op by op stores them.
    const h11 = asF16(Float64Array.of(1.1))[0];
    expectExact(await r.data(), reduceRef('max', asF16(f.map((e) => e * h11)), outer, inner));
    const stored = th.mul(1.1);
    await stored.data();
    expectExact(await r.data(), await stored.max(1).data(), 'fused against op by op');
  });
});

describe('four elements per invocation', () => {
  /** The kernels that computing `t` launches (the test mode's poison fills left out). */
  async function kernelsOf(t: tm.Tensor): Promise<string[]> {
    const { kernels } = await gpu.timeKernels(async () => gpu.materialize(storageOf(t)));
    return kernels.map((k) => k.kernel).filter((k) => k !== 'fill');
  }

  it('a chain whose length is a multiple of four runs in elementwise_vec4; any other length one element per invocation', async () => {
    const ops = (n: number) => tm.tidy(() => tm.tensor(asF32(uniform(n))).add(tm.tensor(asF32(uniform(n)))).relu());
    expect(await kernelsOf(ops(1024))).toEqual(['elementwise_vec4']);
    expect(await kernelsOf(ops(4))).toEqual(['elementwise_vec4']);
    expect(await kernelsOf(ops(1023))).toEqual(['elementwise']);
    expect(await kernelsOf(ops(6))).toEqual(['elementwise']);
    // Packed dtypes (i8 always, f16 where the adapter lacks shader-f16) write whole words: four elements make one or two.
    const i8 = (n: number) => tm.tidy(() => tm.tensor(randomInts(n, -9, 9), [n], { dtype: 'i8' }).add(1));
    expect(await kernelsOf(i8(64))).toEqual(['elementwise_packed_vec4']);
    expect(await kernelsOf(i8(63))).toEqual(['elementwise_packed']);
  });

  it('reads the inputs of the output\'s size four at a time and broadcast ones element by element, and agrees with the float64 reference', async () => {
    // [3, 7, 12]: 252 elements, a multiple of four, but rows of 7 and a column of 3 that four neighbouring elements do not share.
    const [p, q, r] = [3, 7, 12];
    const a = asF32(uniform(p * q * r));
    const b = asF32(uniform(p * q * r));
    const row = asF32(uniform(r));
    const col = asF32(uniform(p));
    const mid = asF32(uniform(q));
    const y = tm.tidy(() =>
      tm.tensor(a, [p, q, r]).mul(tm.tensor(row, [r])).add(tm.tensor(b, [p, q, r]))
        .sub(tm.tensor(col, [p, 1, 1])).maximum(tm.tensor(mid, [q, 1])).mul(0.5));
    expect(await kernelsOf(y)).toEqual(['elementwise_vec4']);
    const want = Float64Array.from({ length: p * q * r }, (_, i) => {
      const [z, m, c] = [Math.floor(i / (q * r)), Math.floor(i / r) % q, i % r];
      return Math.max(a[i] * row[c] + b[i] - col[z], mid[m]) * 0.5;
    });
    expectClose(await y.data(), want, 1e-6);
  });

  it('writes the intermediates live tensors hold, and keeps i32 exact and f16 rounded as op by op', async () => {
    const n = 516;
    const x = asF32(uniform(n));
    const tx = tm.tensor(x);
    const h = tx.mul(3);
    const y = tm.tidy(() => h.add(tx).tanh());
    expect(await kernelsOf(y)).toEqual(['elementwise_vec4']);
    expect(storageOf(h).computed).toBe(true);
    expectClose(await h.data(), x.map((v) => 3 * v), 1e-6);
    expectClose(await y.data(), x.map((v) => Math.tanh(4 * v)), 1e-5);

    const xi = randomInts(n, -1e9, 1e9);
    const wi = randomInts(n, -1e9, 1e9);
    const yi = tm.tidy(() => tm.tensor(xi, [n], { dtype: 'i32' }).mul(3).add(tm.tensor(wi, [n], { dtype: 'i32' })));
    expectExact(await yi.data(), xi.map((v, i) => wrapInt(wrapInt(BigInt(v) * 3n, 'i32') + wi[i], 'i32')));

    const xh = asF16(uniform(n, -4, 4));
    const yh = tm.tidy(() => tm.tensor(xh, [n], { dtype: 'f16' }).mul(1.001).add(tm.tensor(xh, [n], { dtype: 'f16' })));
    if (gpu.features.f16) expect(await kernelsOf(yh)).toEqual(['elementwise_vec4']);
    expectClose(await yh.data(), xh.map((v) => roundF16(roundF16(v * roundF16(1.001)) + v)), 1e-3);
  });
});

describe('plain numbers and other one-element values', () => {
  it('ride in the fused kernel\'s parameters: no buffer, and one pipeline whatever the value', async () => {
    const x = asF32(uniform(300));
    const tx = tm.tensor(x);
    const values = [1, -2.5, 1e-3, 65504];
    const first = tx.mul(values[0]).add(tm.tensor([values[0] / 2]));
    expect(storageOf(tm.tensor([3])).buffer).toBeNull();
    expectClose(await first.data(), x.map((v) => Math.fround(Math.fround(v * values[0]) + values[0] / 2)), 1e-6);
    const compiled = gpu.runtime.compiler.size;
    for (const c of values.slice(1)) {
      const y = tx.mul(c).add(tm.tensor([c / 2]));
      expectClose(await y.data(), x.map((v) => Math.fround(Math.fround(v * Math.fround(c)) + Math.fround(c / 2))), 1e-6, `c = ${c}`);
    }
    expect(gpu.runtime.compiler.size).toBe(compiled);
  });

  it('keep their dtype: f16 rounds, ints stay exact and wrap, NaN and ±Infinity pass through', async () => {
    const h = asF16(uniform(9, -3, 3));
    expectClose(await tm.tensor(h, [9], { dtype: 'f16' }).add(tm.tensor([1.1], [1], { dtype: 'f16' })).data(), h.map((v) => roundF16(v + roundF16(1.1))), 0);
    const ints = randomInts(9, -128, 127);
    expectExact(await tm.tensor(ints, [9], { dtype: 'i8' }).add(tm.tensor([-100], [1], { dtype: 'i8' })).data(), ints.map((v) => wrapInt(v - 100, 'i8')));
    expectExact(await tm.tensor(ints, [9], { dtype: 'i32' }).mul(tm.tensor([2 ** 30], [1], { dtype: 'i32' })).data(), ints.map((v) => wrapInt(v * 2 ** 30, 'i32')));
    const special = await tm.tensor([1, 2]).add(tm.tensor([NaN])).data();
    expect(Array.from(special).every(Number.isNaN)).toBe(true);
    expect(Array.from(await tm.tensor([1, 2]).mul(tm.tensor([-Infinity])).data())).toEqual([-Infinity, -Infinity]);
  });

  it('get a buffer when a kernel that is not fused reads them, or when they are read back', async () => {
    expect(Array.from(await tm.tensor([7.5]).data())).toEqual([7.5]);
    expect(Array.from(await tm.tensor([7.5]).sum().data())).toEqual([7.5]);
    expect(Array.from(await tm.tensor([2], [1, 1]).matmul(tm.tensor([[3, 4]])).data())).toEqual([6, 8]);
    expect(Array.from(await tm.tensor([-3], [1], { dtype: 'i8' }).cast('i32').data())).toEqual([-3]);
  });
});

describe('without shader-f16 (f16 packed two to a word) and for i8 (four to a word)', () => {
  let packed: WebGpuBackend;
  beforeAll(() => {
    const ctx = gpu.runtime.ctx;
    packed = webGpuBackendOn({ ...ctx, features: { ...ctx.features, f16: false } });
    setActive(packed, { backend: 'webgpu', reason: 'test: shader-f16 withheld', passedOver: [] });
  });
  afterAll(async () => {
    await tm.init({ backend: 'webgpu' });
  });

  it('f16 math runs in f32 and stores packed halves, odd lengths and multiples of four (four at a time) included', async () => {
    for (const n of [1, 7, 128, 129, 516]) {
      const a = asF16(uniform(n, -3, 3));
      const b = asF16(uniform(n, -3, 3));
      const y = tm.tensor(a, [n], { dtype: 'f16' }).mul(tm.tensor(b, [n], { dtype: 'f16' })).add(0.5);
      expectClose(await y.data(), a.map((v, i) => roundF16(v * b[i] + 0.5)), 2e-3);
      expectClose(await tm.tensor(a, [n], { dtype: 'f16' }).cast('f32').data(), a, 0);
    }
  });

  it('f32 → f16 rounds to nearest even and overflows to Infinity, like the js backend', async () => {
    const v = [65504, 65519, 65520, -65520, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -24, 2 ** -25, 3 * 2 ** -25, NaN, 1e-8];
    // 11 values element by element, 12 four at a time.
    for (const values of [v, [...v, -Infinity]]) {
      const y = tm.tensor(values).cast('f16');
      const want = values.map((x) => roundF16(Math.fround(x)));
      expectClose(await y.cast('f32').data(), want, 0);
    }
  });

  it('i8 results wrap, odd lengths and multiples of four (four at a time) included', async () => {
    for (const n of [1, 5, 4, 132, 131]) {
      const a = randomInts(n, -128, 127);
      const y = tm.tensor(a, [n], { dtype: 'i8' }).mul(3).add(tm.tensor(a, [n], { dtype: 'i8' }));
      expectExact(await y.data(), a.map((v) => wrapInt(wrapInt(v * 3, 'i8') + v, 'i8')));
    }
  });

  it('four at a time, reads packed inputs of the output\'s size a word at a time and broadcast ones element by element', async () => {
    const [m, n] = [6, 10];
    const a = randomInts(m * n, -128, 127);
    const row = randomInts(n, -128, 127);
    const h = asF16(uniform(m * n, -100, 100));
    const x = asF32(uniform(m * n, -200, 200));
    const [ta, trow, th, tx] = [tm.tensor(a, [m, n], { dtype: 'i8' }), tm.tensor(row, [n], { dtype: 'i8' }), tm.tensor(h, [m, n], { dtype: 'f16' }), tm.tensor(x, [m, n])];
    // i8 ⊕ broadcast i8 → i8; f32 → i8 as quantization writes it; i8 and packed f16 read into f32.
    const sum = ta.add(trow);
    expectExact(await sum.data(), a.map((v, i) => wrapInt(v + row[i % n], 'i8')));
    const quantized = tx.div(2).cast('i8');
    expectExact(await quantized.data(), x.map((v) => wrapInt(Math.trunc(Math.fround(v / 2)), 'i8')));
    const wide = ta.cast('f32').mul(th.cast('f32'));
    expectClose(await wide.data(), a.map((v, i) => v * h[i]), 1e-6);
    const half = ta.cast('f16').add(th);
    expectClose(await half.data(), a.map((v, i) => roundF16(v + h[i])), 0);
  });
});
