// Tensors larger than a kernel may bind at once (maxStorageBufferBindingSize)
// live in one buffer and are read a window at a time: elementwise chains run
// in parts, x·w, row reductions and softmax in bands of rows, column and
// whole reductions in parts combined after, a slice reads the window that
// holds it, a gather of rows by index (and its gradient) takes the table's
// rows in bands. Everything else is refused with the kernel and the limit named,
// and the tensors stay intact. Most tests run on a backend told its kernels bind at
// most 64 KiB (so odd sizes and many parts are cheap, and every buffer is
// poisoned first so an element left unwritten shows); one runs past
// lavapipe's real 128 MiB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend, setActive } from '../../../src/engine.js';
import { webGpuBackendOn, type WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { useQuantizedPath } from '../../../src/backends/webgpu/kernels/quantized_path.js';
import { SEED, asF16, asF32, expectClose, expectExact, randomInts, uniform } from '../../helpers/data.js';
import { roundF16, wrapInt } from '../../helpers/float64.js';
import { freshDevices, launches } from '../../helpers/webgpu.js';
import { evaluate, programsAt } from '../../helpers/programs.js';

const LIMIT = 64 * 1024;
let small: WebGpuBackend;
const freshDevice = freshDevices();

/** x [m, k] · w [k, n] in float64. */
function product(x: ArrayLike<number>, w: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[i * n + j] += x[i * k + p] * w[p * n + j];
  return out;
}

describe(`on a device whose kernels bind at most ${LIMIT / 1024} KiB`, () => {
  beforeAll(async () => {
    // A device of its own: tm.init() releases the devices it made once nothing lives on them.
    const ctx = (await freshDevice()).runtime.ctx;
    small = webGpuBackendOn({ ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: LIMIT } }, { poison: true });
    setActive(small, { backend: 'webgpu', reason: 'test: 64 KiB bindings', passedOver: [] });
  });
  afterAll(async () => {
    await tm.init({ backend: 'webgpu' });
  });

  it.each([[37, 1000], [37, 999], [1, 70_001]])('runs an elementwise chain over [%i, %i] in parts, broadcasts and kept intermediates included', async (m, n) => {
    const [x, y, row, col] = [asF32(uniform(m * n)), asF32(uniform(m * n)), asF32(uniform(n)), asF32(uniform(m))];
    const [tx, ty] = [tm.tensor(x, [m, n]), tm.tensor(y, [m, n])];
    const kept = tx.mul(ty); // live: written out by the same launches
    const out = tm.tidy(() => kept.add(tm.tensor(row, [n])).sub(tm.tensor(col, [m, 1])).relu().mul(0.5));
    // 4 bytes an element, in parts of 16,384 elements.
    expect(launches(small, out)).toBe(Math.ceil(m * n / (LIMIT / 4)));
    expectClose(await kept.data(), x.map((v, i) => v * y[i]), 1e-6);
    const want = x.map((v, i) => Math.max(Math.fround(v * y[i]) + row[i % n] - col[Math.floor(i / n)], 0) * 0.5);
    expectClose(await out.data(), want, 1e-5);
  });

  it('writes i8 and f16 results in parts, and reads them back in parts', async () => {
    for (const n of [70_000, 70_001]) {
      const x = asF32(uniform(n, -200, 200));
      const q = tm.tensor(x).div(2).cast('i8');
      expectExact(await q.data(), x.map((v) => wrapInt(Math.trunc(Math.fround(v / 2)), 'i8')));
      const h = asF16(uniform(n, -100, 100));
      const sum = q.cast('f16').add(tm.tensor(h, [n], { dtype: 'f16' }));
      expectClose(await sum.data(), x.map((v, i) => roundF16(wrapInt(Math.trunc(Math.fround(v / 2)), 'i8') + h[i])), 0);
    }
  });

  it.each([[1000, 40, 24], [999, 41, 7], [70, 200, 5]])('computes x [%i, %i] · w [%i, …] in bands of rows, with the bias and relu after it', async (m, k, n) => {
    const [x, w, b] = [asF32(uniform(m * k)), asF32(uniform(k * n)), asF32(uniform(n))];
    const [tx, tw, tb] = [tm.tensor(x, [m, k]), tm.tensor(w, [k, n]), tm.tensor(b, [n])];
    const want = product(x, w, m, k, n);
    const tolerance = want.map(() => Math.sqrt(k) * 2);
    const plain = tx.matmul(tw);
    expectClose(await plain.data(), want, 1e-4, `${m}×${k}×${n}`, tolerance);
    const layer = tm.tidy(() => tx.matmul(tw).add(tb).relu());
    expectClose(await layer.data(), want.map((v, i) => Math.max(v + b[i % n], 0)), 1e-4, `${m}×${k}×${n} + b, relu`, tolerance);
    // Batched x with one w: the batches' rows are banded together.
    const batched = tx.reshape(m % 2 ? [m, 1, k] : [2, m / 2, k]).matmul(tw);
    expectClose(await batched.data(), want, 1e-4, `${m}×${k}×${n} batched`, tolerance);
  });

  it('computes a weight\'s gradient over a large batch, xᵀ·dy, in bands of the batch summed, and trains through it', async () => {
    const [m, k, n] = [1000, 40, 24];
    const [x, dy, w] = [asF32(uniform(m * k)), asF32(uniform(m * n)), asF32(uniform(k * n))];
    const [tx, tdy] = [tm.tensor(x, [m, k]), tm.tensor(dy, [m, n])];
    const want = new Float64Array(k * n);
    for (let r = 0; r < m; r++) for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) want[i * n + j] += x[r * k + i] * dy[r * n + j];
    const tolerance = want.map(() => Math.sqrt(m) * 2);
    expectClose(await tx.matmul(tdy, { transposeA: true }).data(), want, 1e-4, 'xᵀ·dy', tolerance);
    // Through autograd: d(sum(x·w ⊙ dy))/dw = xᵀ·dy; d/dx = dy·wᵀ, [1000, 40], in bands of rows.
    const tw = tm.tensor(w, [k, n]);
    tw.requiresGrad = true;
    const loss = tx.matmul(tw).mul(tdy).sum();
    loss.backward();
    expectClose(await tw.grad!.data(), want, 1e-4, 'w.grad', tolerance);
  });

  it('transposes a large tensor in blocks, and quantizes a large weight through it', async () => {
    for (const [m, n] of [[300, 100], [257, 129]]) {
      const x = asF32(uniform(m * n));
      const tx = tm.tensor(x, [m, n]);
      expectExact(await tx.transpose().data(), Float64Array.from({ length: m * n }, (_, i) => x[(i % m) * n + Math.floor(i / m)]));
      // quantize stores w [K, N] as rows [N, K]: a transpose of the weight, then row maxima, whose bands start where
      // x's rows meet the offset alignment (64 rows of 257 floats are past this test's 64 KiB; on a device, rows of 2 MB).
      if (m === 257) continue;
      const q = tm.quantize(tx);
      const back = await tm.dequantize(q).data();
      for (let c = 0; c < n; c++) {
        let top = 0;
        for (let r = 0; r < m; r++) top = Math.max(top, Math.abs(x[r * n + c]));
        // Each value comes back within half a step of its column's scale (max |w| / 127), and what f32 adds:
        // WGSL's division is exact only to 2.5 ulps (Mesa 26 rounds an x/scale that close to a half to the
        // farther integer), and the product q·scale is rounded once more.
        const step = top / 127;
        for (let r = 0; r < m; r++) {
          const v = x[r * n + c];
          expect(Math.abs(back[r * n + c] - v)).toBeLessThanOrEqual(step * (0.5 + 127 * 2.5 * 2 ** -23) + Math.abs(v) * 2 ** -24);
        }
      }
    }
  });

  it('x · tm.quantize(w) with x past the limit takes the int8 way, whose product reads x quantized, even where the f16 way (binding x whole) was chosen', async () => {
    const [m, k, n] = [300, 100, 7];
    const [x, w] = [asF32(uniform(m * k)), asF32(uniform(k * n))];
    const q = tm.quantize(tm.tensor(w, [k, n]));
    const wq = Array.from(await tm.dequantize(q).data());
    useQuantizedPath(small.runtime, 'f16');
    try {
      expect(small.quantizedMatmulPath({ m: 4, k, n })).toBe('f16');
      expect(small.quantizedMatmulPath({ m, k, n })).toBe('int8');
      const y = await tm.noGrad(() => tm.tensor(x, [m, k]).matmul(q)).data();
      // Against the dequantized weight: the int8 way rounds x to 8 bits a row, each value within half a step
      // (max |x| / 127) of itself, so an output within half a step times Σ |w| down its column.
      const want = product(x, wq, m, k, n);
      const columnSums = Array.from({ length: n }, (_, j) => wq.reduce((sum, v, i) => (i % n === j ? sum + Math.abs(v) : sum), 0));
      for (let i = 0; i < m; i++) {
        const top = Math.max(...x.subarray(i * k, (i + 1) * k).map(Math.abs));
        for (let j = 0; j < n; j++) expect(Math.abs(y[i * n + j] - want[i * n + j])).toBeLessThanOrEqual((top / 127) * 0.5 * columnSums[j] * (1 + 1e-4) + 1e-5);
      }
    } finally {
      useQuantizedPath(small.runtime, null);
    }
  });

  it('slices a large tensor (leading rows as a copy, a block through the window that holds it, columns in bands of rows) and joins slices along the first axis', async () => {
    const [m, n] = [300, 100];
    const x = asF32(uniform(m * n));
    const tx = tm.tensor(x, [m, n]);
    const rows = tx.slice([250, 0], [50, n]);
    expectExact(await rows.data(), x.slice(250 * n));
    const block = tx.slice([200, 10], [50, 20]);
    expectExact(await block.data(), Float64Array.from({ length: 50 * 20 }, (_, i) => x[(200 + Math.floor(i / 20)) * n + 10 + (i % 20)]));
    const big = tx.slice([1, 0], [m - 1, n]);
    expectExact(await big.data(), x.slice(n));
    // Columns of every row, a large result too: in bands of its rows, each reading the rows of x it needs.
    const columns = tx.slice([0, 10], [m, 60]);
    expectExact(await columns.data(), Float64Array.from({ length: m * 60 }, (_, i) => x[Math.floor(i / 60) * n + 10 + (i % 60)]));
    // Joined again along the first axis: copies into one large tensor.
    const joined = tm.concat([tx.slice([0, 0], [1, n]), big, rows], 0);
    expectExact(await joined.data(), [...x, ...x.slice(250 * n)]);
  });

  it('reduces rows in bands of rows, and columns and whole tensors in parts combined after: sum, mean, max, min, argmax', async () => {
    const [m, n] = [300, 101];
    const x = asF32(uniform(m * n));
    const tx = tm.tensor(x, [m, n]);
    const at = (r: number, c: number) => x[r * n + c];
    const over = (count: number, f: (i: number) => number, op: string) => {
      let acc = op === 'max' ? -Infinity : op === 'min' ? Infinity : 0;
      for (let i = 0; i < count; i++) acc = op === 'max' ? Math.max(acc, f(i)) : op === 'min' ? Math.min(acc, f(i)) : acc + f(i);
      return op === 'mean' ? acc / count : acc;
    };
    for (const op of ['sum', 'mean', 'max', 'min'] as const) {
      const rows = Float64Array.from({ length: m }, (_, r) => over(n, (c) => at(r, c), op));
      const cols = Float64Array.from({ length: n }, (_, c) => over(m, (r) => at(r, c), op));
      // An f32 sum's rounding grows with the sum of the magnitudes it adds (a mean's, over the count); maxima and minima are exact.
      const absolute = (count: number, f: (i: number) => number) => (op === 'sum' || op === 'mean' ? over(count, (i) => Math.abs(f(i)), op) : 0);
      const rowScale = rows.map((_, r) => absolute(n, (c) => at(r, c)));
      const colScale = cols.map((_, c) => absolute(m, (r) => at(r, c)));
      expectClose(await tx[op](1).data(), rows, 1e-6, `${op} over rows`, rowScale);
      expectClose(await tx[op](0).data(), cols, 1e-6, `${op} over columns`, colScale);
      expectClose(await tx[op]().data(), [over(m * n, (i) => x[i], op)], 1e-6, `${op} of all`, [absolute(m * n, (i) => x[i])]);
      // A pending chain is computed (in parts) first.
      expectClose(await tx.mul(2)[op](1).data(), rows.map((v) => 2 * v), 1e-6, `${op} of a chain`, rowScale.map((v) => 2 * v));
    }
    const argmax = Float64Array.from({ length: m }, (_, r) => {
      let best = 0;
      for (let c = 1; c < n; c++) if (at(r, c) > at(r, best)) best = c;
      return best;
    });
    expectExact(await tx.argmax(1).data(), argmax);
    const ints = randomInts(m * n, -1000, 1000);
    const ti = tm.tensor(ints, [m, n], { dtype: 'i32' });
    expectExact(await ti.sum().data(), [ints.reduce((a, b) => a + b, 0)]);
    expectExact(await ti.max(0).data(), Float64Array.from({ length: n }, (_, c) => Math.max(...Array.from({ length: m }, (_, r) => ints[r * n + c]))));
    expectClose(await ti.mean(1).data(), Float64Array.from({ length: m }, (_, r) => over(n, (c) => ints[r * n + c], 'mean')), 1e-6);
  });

  it('reduces columns of a tensor that fits the limit after all, in one launch, where no band of rows could start aligned', async () => {
    // [3, 7000] f16: 42,000 bytes bind at once, but the backend cannot know
    // that before widening a chain (a chain's inputs may be four bytes an
    // element), and a band of these rows would need 16 of them to start on
    // the 256-byte offset alignment: past the limit. (Found by the random programs below.)
    const [m, n] = [3, 7000];
    const x = asF16(uniform(m * n));
    const tx = tm.tensor(x, [m, n], { dtype: 'f16' });
    for (const op of ['max', 'min', 'sum'] as const) {
      const want = Float64Array.from({ length: n }, (_, c) => {
        const column = [0, 1, 2].map((r) => x[r * n + c]);
        return op === 'max' ? Math.max(...column) : op === 'min' ? Math.min(...column) : column[0] + column[1] + column[2];
      });
      expectClose(await tx.minimum(tx)[op](0).data(), want, 2e-3, `${op} down the columns of a chain`, want.map(Math.abs));
    }
  });

  it('computes softmax and logSoftmax in bands of rows, f32 and f16', async () => {
    const [m, n] = [300, 77];
    const x = asF32(uniform(m * n, -5, 5));
    const want = (log: boolean) => Float64Array.from({ length: m * n }, (_, i) => {
      const r = Math.floor(i / n);
      const row = x.subarray(r * n, (r + 1) * n);
      const top = Math.max(...row);
      const total = row.reduce((a, v) => a + Math.exp(v - top), 0);
      return log ? x[i] - top - Math.log(total) : Math.exp(x[i] - top) / total;
    });
    expectClose(await tm.tensor(x, [m, n]).softmax().data(), want(false), 1e-5);
    expectClose(await tm.tensor(x, [m, n]).logSoftmax().data(), want(true), 1e-5, 'log', want(true).map(() => 1));
    const half = tm.tensor(x, [m, n]).cast('f16');
    expectClose(await half.softmax().cast('f32').data(), want(false), 2e-2, 'f16', want(false).map(() => 0.01));
  });

  it('gathers rows from a table past the limit a band of rows at a time, and adds their gradient back the same way', async () => {
    for (const dtype of ['f32', 'f16', 'i32', 'i8'] as const) {
      // 5,003 rows of 7: 140 KB in f32, so three bands; indices from every band, negative ones, repeats.
      const [n, inner] = [5003, 7];
      const values = dtype === 'f32' ? asF32(uniform(n * inner)) : dtype === 'f16' ? asF16(uniform(n * inner)) : randomInts(n * inner, -100, 100);
      const table = tm.tensor(values, [n, inner], { dtype });
      const picks = Int32Array.from(randomInts(301, -n, n - 1));
      picks.set([0, n - 1, -1, -n, 2340, 2340]);
      const indices = tm.tensor(picks, [7, 43], { dtype: 'i32' });
      const rows = table.gather(indices);
      expect(rows.shape).toEqual([7, 43, inner]);
      const want = Float64Array.from({ length: picks.length * inner }, (_, t) => values[((picks[Math.floor(t / inner)] + n) % n) * inner + (t % inner)]);
      expectExact(await rows.data(), want, dtype);
      for (const t of [table, indices, rows]) t.dispose();
    }
    // The gradient: an f32 [5003, 7] sum of the rows each index picked, written a band at a time.
    const [n, inner] = [5003, 7];
    const table = tm.tensor(asF32(uniform(n * inner)), [n, inner]);
    table.requiresGrad = true;
    const picks = Int32Array.from(randomInts(500, -n, n - 1));
    picks.set([4000, 4000, -1003, 5, 5002]);
    const dy = asF32(uniform(500 * inner));
    tm.tidy(() => table.gather(tm.tensor(picks, [500], { dtype: 'i32' })).mul(tm.tensor(dy, [500, inner])).sum()).backward();
    const want = new Float64Array(n * inner);
    picks.forEach((p, j) => {
      for (let i = 0; i < inner; i++) want[((p + n) % n) * inner + i] += dy[j * inner + i];
    });
    expectClose(await table.grad!.data(), want, 1e-6);
    table.dispose();
  });

  it('transforms rows past the limit with the FFT kernel a band of rows at a time: [80, 1024] complex is 640 KB, ten bands', async () => {
    const [rows, n] = [80, 1024];
    const z = asF32(uniform(rows * n * 2, -1, 1));
    const Z = tm.tensor(z, [rows, n, 2]);
    const y = tm.fft.fft(Z);
    const got = await y.data();
    // Rows from the first, a middle and the last band, against the float64 sum.
    for (const r of [0, 39, 47, 79]) {
      const want = new Float64Array(2 * n);
      for (let k = 0; k < n; k++) {
        for (let j = 0; j < n; j++) {
          const angle = (-2 * Math.PI * ((j * k) % n)) / n;
          const [a, b] = [z[2 * (r * n + j)], z[2 * (r * n + j) + 1]];
          want[2 * k] += a * Math.cos(angle) - b * Math.sin(angle);
          want[2 * k + 1] += a * Math.sin(angle) + b * Math.cos(angle);
        }
      }
      const largest = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expectClose(got.subarray(2 * n * r, 2 * n * (r + 1)), want, 1e-5, `row ${r} (seed ${SEED})`, new Float64Array(2 * n).fill(largest));
    }
    const back = tm.fft.ifft(y);
    expectClose(await back.data(), z, 1e-5);
    for (const t of [Z, y, back]) t.dispose();
  });

  it('refuses what it cannot split, naming the kernel and the limit, and leaves the tensors intact', async () => {
    const [m, n] = [300, 100];
    const x = asF32(uniform(m * n));
    const tx = tm.tensor(x, [m, n]);
    const other = tm.tensor(asF32(uniform(n * m)), [n, m]);
    const ints = tm.tensor(randomInts(m * n, -9, 9), [m, n], { dtype: 'i32' });
    const live = small.runtime.pool.info.live;
    // A permutation of three axes: every band of its output reads across all of x (a transpose of two is done in blocks, above).
    expect(() => tx.reshape([3, 100, 100]).transpose([1, 2, 0])).toThrow(/webgpu: strided_copy cannot read a tensor larger than this device .* lets a kernel bind at once \(maxStorageBufferBindingSize 65,536 bytes\)/);
    expect(() => tm.concat([tx, tx], 1)).toThrow('webgpu: concat cannot read a tensor larger than');
    // Rows picked along an inner axis lie in every band of x: only a gather along the first axis goes in bands.
    const picks = tm.tensor(new Int32Array([0, 99]), [2], { dtype: 'i32' });
    expect(() => tx.gather(picks, 1)).toThrow('webgpu: gather cannot read a tensor larger than');
    picks.dispose();
    // Along the first axis it is a copy (below).
    // The mean of ints is exact past 2^24 only in one pass.
    expect(() => ints.mean()).toThrow('webgpu: reduce_mean_int cannot read a tensor larger than');
    // One row longer than a binding: a softmax needs the whole row at once.
    expect(() => tx.reshape([1, m * n]).softmax()).toThrow('webgpu: softmax cannot read a tensor larger than');
    const product = other.matmul(tx);
    await expect(product.data()).rejects.toThrow('cannot read a tensor larger than');
    product.dispose();
    // The buffers the refused kernels would have written went back to the pool.
    expect(small.runtime.pool.info.live).toBe(live);
    expectExact(await tx.data(), x);
    expectClose(await tx.mul(2).data(), x.map((v) => 2 * v), 1e-7);
  });

  // Random programs (test/helpers/programs.ts: chains, broadcasts, casts, transposes, rolls,
  // reductions, products, shared values) at shapes past the limit: each gives, bit for bit, what it
  // gives on js, or is refused by name (a product whose w is past the limit, a band that cannot start
  // aligned) — never a wrong value.
  it('runs random programs over tensors past the limit as js does, or refuses them by name', { timeout: 240_000 }, async () => {
    const programs = programsAt(SEED, 48, [[[40_000], [70_001]], [[37, 1000], [129, 300], [1, 20_000]], [[5, 70, 60], [3, 100, 70], [40, 1, 500]]]);
    const results = async () => {
      const out: (Float64Array[] | Error)[] = [];
      for (const program of programs) {
        // (A kernel may refuse as the op is recorded, or when its result is read.)
        let tensors: tm.Tensor[] = [];
        try {
          tensors = tm.tidy(() => evaluate(program, (l) => tm.tensor(l.values, [...l.shape], { dtype: l.dtype })));
          const read: Float64Array[] = [];
          for (const t of tensors) read.push(Float64Array.from(await t.data()));
          out.push(read);
        } catch (err) {
          out.push(err as Error);
        } finally {
          for (const t of tensors) t.dispose();
        }
      }
      return out;
    };
    await tm.init({ backend: 'js' });
    const want = await results();
    setActive(small, { backend: 'webgpu', reason: 'test: 64 KiB bindings', passedOver: [] });
    const got = await results();
    let ran = 0;
    got.forEach((g, i) => {
      const what = `program ${i} (test seed ${SEED}):\n${programs[i].text}\n`;
      if (g instanceof Error) {
        expect(g.message, what).toMatch(/cannot read a tensor larger than this device/);
        return;
      }
      ran++;
      const w = want[i];
      if (w instanceof Error) throw new Error(`${what}js refused it (${w.message}); webgpu ran it`);
      g.forEach((values, o) => expectExact(values, w[o], `${what}output ${o}`));
    });
    // Most run: what is refused is the exception. (Of 24 programs, 14 to 23 ran over 30 seeds, and
    // 12 in one CI run, whose seed went unrecorded: 48 keep "most" clear of the chance of a draw.)
    expect(ran, `programs run of ${programs.length} (test seed ${SEED})`).toBeGreaterThan(programs.length / 2);
  });
});

describe('on a device whose kernels bind at most 256 KiB', () => {
  beforeAll(async () => {
    // A device of its own: tm.init() releases the devices it made once nothing lives on them.
    const ctx = (await freshDevice()).runtime.ctx;
    small = webGpuBackendOn({ ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: 256 * 1024 } }, { poison: true });
    setActive(small, { backend: 'webgpu', reason: 'test: 256 KiB bindings', passedOver: [] });
  });
  afterAll(async () => {
    await tm.init({ backend: 'webgpu' });
  });

  it('a model trains on a dataset past the limit held as one tensor, and predicts and evaluates on all of it', async () => {
    const [count, features] = [3000, 100]; // 1.2 MB of f32; predict's batches of 1,024 rows are 400 KB each
    const x = asF32(uniform(count * features));
    const labels = Int32Array.from({ length: count }, (_, i) => (x[i * features] > 0 ? 1 : 0) + (x[i * features + 1] > 0 ? 2 : 0));
    const [tx, ty] = [tm.tensor(x, [count, features]), tm.tensor(labels, [count])];
    tm.setSeed(3);
    const model = new tm.nn.Sequential([new tm.nn.Dense(features, 32, { activation: 'relu' }), new tm.nn.Dense(32, 4)]);
    const history = await model.fit(tx, ty, { epochs: 3, batchSize: 256, loss: 'crossEntropy', optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.01 }), quiet: true });
    expect(history.loss[2]).toBeLessThan(history.loss[0]);
    const logits = await model.predict(tx).data();
    // The same network in float64 from its trained weights.
    const [d1, d2] = model.layers as tm.nn.Dense[];
    const [w1, b1, w2, b2] = await Promise.all([d1.weight, d1.bias!, d2.weight, d2.bias!].map((t) => t.data()));
    const hidden = product(x, w1, count, features, 32).map((v, i) => Math.max(v + b1[i % 32], 0));
    const want = product(hidden, w2, count, 32, 4).map((v, i) => v + b2[i % 4]);
    expectClose(logits, want, 1e-4, 'predict', want.map(() => 10));
    const { accuracy } = await model.evaluate(tx, ty, { loss: 'crossEntropy' });
    expect(accuracy).toBeGreaterThan(0.5);
  }, 60_000);
});

it('a tensor past lavapipe\'s own 128 MiB binding limit is uploaded, computed on in parts and bands, reduced, sliced, transposed and read back', async () => {
  await tm.init({ backend: 'webgpu' });
  const gpu = activeBackend() as WebGpuBackend;
  const limit = gpu.runtime.ctx.limits.maxStorageBufferBindingSize;
  const n = 4096;
  const m = Math.floor(limit / 4 / n) + 1; // rows of 4096 f32: one row past the limit
  const x = new Float32Array(m * n);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 2003) / 1001 - 1;
  const row = asF32(uniform(n));
  const w = asF32(uniform(n * 3));
  const tx = tm.tensor(x, [m, n]);
  const y = tm.tidy(() => tx.mul(2).add(tm.tensor(row, [n])));
  const got = await y.data();
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - (Math.fround(2 * x[i]) + row[i % n])));
  expect(worst).toBeLessThanOrEqual(4e-7);
  const last = await tx.slice([m - 3, 0], [3, n]).data();
  expectExact(last, x.slice((m - 3) * n));
  const transposed = await tx.transpose().data();
  let misplaced = 0;
  for (let i = 0; i < transposed.length; i++) if (transposed[i] !== x[(i % m) * n + Math.floor(i / m)]) misplaced++;
  expect(misplaced).toBe(0);
  // Reductions: over each row (in bands), over columns and over everything (in parts).
  const [rowMax, colSum, total] = await Promise.all([tx.max(1).data(), tx.sum(0).data(), tx.sum().data()]);
  for (const r of [0, m >> 1, m - 1]) expect(rowMax[r]).toBe(Math.max(...x.subarray(r * n, (r + 1) * n)));
  for (const c of [0, 1, n - 1]) {
    let want = 0;
    for (let r = 0; r < m; r++) want += x[r * n + c];
    expect(colSum[c]).toBeCloseTo(want, 1);
  }
  let all = 0;
  for (let i = 0; i < x.length; i++) all += x[i];
  expect(Math.abs(total[0] - all)).toBeLessThan(1e-4 * Math.sqrt(x.length) * 4);
  const p = await tx.matmul(tm.tensor(w, [n, 3])).data();
  expect(p.length).toBe(m * 3);
  for (const r of [0, 1, m >> 1, m - 1]) {
    const want = product(x.subarray(r * n, (r + 1) * n), w, 1, n, 3);
    expectClose(p.subarray(r * 3, r * 3 + 3), want, 1e-4, `row ${r}`, want.map(() => Math.sqrt(n) * 2));
  }
  for (const t of [tx, y]) t.dispose();
}, 120_000);
