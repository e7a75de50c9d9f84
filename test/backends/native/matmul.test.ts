// The native backend's matrix products: f32 (cblas_sgemm, transposes as
// CblasTrans), f16 (through f32), i32 and i8 × i8 → i32 (exact), against a
// float64 / exact-integer product written here, at odd sizes, with batch 1
// or B per operand. Every int8 path this CPU can run is forced in turn and
// must give the exact product, so the VNNI kernels and the portable loops
// are compared through it. Large products run on a worker thread: the last
// block checks that path.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, MatmulConfig } from '../../../src/backends/kernels.js';
import { loadAddon, type Addon, type Int8Path } from '../../../src/backends/native/addon.js';
import { ASYNC_GEMM_MIN_MACS, ASYNC_INT8_GEMM_MIN_MACS, createNativeBackend } from '../../../src/backends/native/index.js';
import type { DType, StorageArray } from '../../../src/dtype.js';
import { expectMatches, expectSame, ints, operand, randomOperand, type Operand } from './reference.js';

let native: Backend<StorageArray>;
let addon: Addon;

beforeAll(async () => {
  addon = await loadAddon();
  native = await createNativeBackend();
});

afterEach(() => {
  addon.int8Path(null);
});

interface Problem {
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  config: MatmulConfig;
}

const T = (transposeA: boolean, transposeB: boolean): MatmulConfig => ({ transposeA, transposeB });
const TRANSPOSES = [T(false, false), T(true, false), T(false, true), T(true, true)];

/** Operands stored as the kernel expects: a [batchA, M, K] or [batchA, K, M]; b [batchB, K, N] or [batchB, N, K]. */
function operands(p: Problem, dtype: DType, lo?: number, hi?: number): [Operand, Operand] {
  const { batchA, batchB, m, n, k, config } = p;
  const sa = config.transposeA ? [batchA, k, m] : [batchA, m, k];
  const sb = config.transposeB ? [batchB, n, k] : [batchB, k, n];
  return lo === undefined ? [randomOperand(sa, dtype), randomOperand(sb, dtype)] : [operand(sa, dtype, ints(batchA * m * k, lo, hi!)), operand(sb, dtype, ints(batchB * k * n, lo, hi!))];
}

/** The product in float64 (exact for ints, accumulated modulo 2^32), and Σ|a||b| per element: the scale of rounding errors. */
function reference(p: Problem, a: number[], b: number[], integer: boolean): { v: number[]; scale: number[] } {
  const { batchA, batchB, m, n, k, config } = p;
  const batch = Math.max(batchA, batchB);
  const v: number[] = [];
  const scale: number[] = [];
  for (let t = 0; t < batch; t++) {
    const ao = (batchA === 1 ? 0 : t) * m * k;
    const bo = (batchB === 1 ? 0 : t) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let abs = 0;
        for (let q = 0; q < k; q++) {
          const x = a[ao + (config.transposeA ? q * m + i : i * k + q)];
          const y = b[bo + (config.transposeB ? j * k + q : q * n + j)];
          if (integer) s = (s + Math.imul(x, y)) | 0;
          else s += x * y;
          abs += Math.abs(x * y);
        }
        v.push(s);
        scale.push(abs);
      }
    }
  }
  return { v, scale };
}

function check(p: Problem, dtype: DType, what: string, range?: [number, number]): void {
  const [a, b] = operands(p, dtype, ...(range ?? []));
  const outDtype: DType = dtype === 'i8' ? 'i32' : dtype;
  const got = native.matmul(a.info, b.info, p.config, outDtype);
  const want = reference(p, a.v, b.v, dtype === 'i8' || dtype === 'i32');
  // f16: one ulp of the rounded float64 product, plus what f32 accumulation may add (1e-5 of the terms).
  expectMatches(got, outDtype, want.v, `${what} ${JSON.stringify(p)}`, want.scale);
}

const TRIPLES: [number, number, number][] = [[1, 1, 1], [7, 127, 129], [129, 7, 127], [257, 129, 7], [127, 257, 1], [1, 257, 129], [129, 129, 129]];

describe('matmul at odd sizes, every transpose', () => {
  for (const dtype of ['f32', 'f16', 'i32', 'i8'] as const) {
    it(dtype, () => {
      for (const [m, k, n] of TRIPLES) {
        for (const config of TRANSPOSES) check({ batchA: 1, batchB: 1, m, n, k, config }, dtype, dtype);
      }
    });
  }

  it('batches: each operand batch 1 (shared) or B, with transposes', () => {
    for (const dtype of ['f32', 'f16', 'i32', 'i8'] as const) {
      for (const [batchA, batchB] of [[3, 1], [1, 3], [3, 3]]) {
        for (const config of TRANSPOSES) check({ batchA, batchB, m: 7, n: 33, k: 129, config }, dtype, `batched ${dtype}`);
      }
    }
  });

  it('an empty inner dimension gives zeros, for every dtype', () => {
    for (const dtype of ['f32', 'f16', 'i32', 'i8'] as const) {
      const p: Problem = { batchA: 2, batchB: 1, m: 129, n: 7, k: 0, config: T(false, false) };
      check(p, dtype, 'k = 0');
    }
  });
});

describe('int8 GEMM paths', () => {
  const PATHS: Int8Path[] = ['portable', 'avx512-vnni', 'avx512vl-vnni', 'avx-vnni'];
  /** The paths this CPU can run (forcing one it cannot is a RangeError). */
  function runnable(): Int8Path[] {
    return PATHS.filter((p) => {
      try {
        return addon.int8Path(p) === p;
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
        return false;
      } finally {
        addon.int8Path(null);
      }
    });
  }

  it('the best path is chosen from CPUID', () => {
    const f = addon.cpuFeatures();
    const best: Int8Path = f.avx512_vnni && f.avx512bw ? 'avx512-vnni' : f.avx_vnni ? 'avx-vnni' : 'portable';
    expect(addon.int8Path()).toBe(best);
    expect(runnable()).toContain(best);
    expect(runnable()).toContain('portable');
    expect(addon.int8Path(true)).toBe('portable'); // the boolean form: true forces portable…
    expect(addon.int8Path(false)).toBe(best); // …false restores the best
  });

  it('every runnable path gives the exact product: odd sizes, transposes, batches, k not a multiple of 4', () => {
    const shapes: [number, number, number][] = [[1, 1, 1], [5, 3, 17], [9, 13, 33], [33, 130, 65], [129, 257, 127], [6, 1, 16]];
    for (const path of runnable()) {
      addon.int8Path(path);
      for (const [m, k, n] of shapes) {
        for (const config of TRANSPOSES) check({ batchA: 1, batchB: 1, m, n, k, config }, 'i8', path);
      }
      check({ batchA: 2, batchB: 1, m: 9, n: 40, k: 70, config: T(false, false) }, 'i8', `${path} batched`);
      check({ batchA: 1, batchB: 2, m: 9, n: 40, k: 70, config: T(true, true) }, 'i8', `${path} batched`);
    }
  });

  it('a long k crosses the kernels\' K blocks; extremes (-128 · -128) and sums past 2^31 wrap like C', () => {
    for (const path of runnable()) {
      addon.int8Path(path);
      check({ batchA: 1, batchB: 1, m: 33, n: 65, k: 4099, config: T(false, false) }, 'i8', `${path} long k`);
      check({ batchA: 1, batchB: 1, m: 17, n: 3, k: 2049, config: T(true, true) }, 'i8', `${path} long k, transposed`);
      // 140000 · 16384 = 2.29e9: past 2^31, so the exact result wraps.
      const k = 140000;
      const a = operand([1, 2, k], 'i8', new Array<number>(2 * k).fill(-128));
      const b = operand([1, k, 3], 'i8', Array.from({ length: 3 * k }, (_, i) => [-128, 127, -1][i % 3]));
      const got = native.matmul(a.info, b.info, T(false, false), 'i32');
      const want = [-128, 127, -1].map((y) => Number(BigInt.asIntN(32, BigInt(-128 * y * k))));
      expectSame(got, Int32Array.from([...want, ...want]), `${path} wrapping`);
    }
  });

  it('the paths agree with each other on a product large enough to use every thread', () => {
    const p: Problem = { batchA: 1, batchB: 1, m: 200, n: 300, k: 260, config: T(false, true) };
    const [a, b] = operands(p, 'i8');
    const results = runnable().map((path) => {
      addon.int8Path(path);
      return [path, native.matmul(a.info, b.info, p.config, 'i32')] as const;
    });
    for (const [path, got] of results.slice(1)) expectSame(got, results[0][1], `${path} vs ${results[0][0]}`);
  });

  it('one thread and several give the same exact result', () => {
    const threads = addon.getThreads();
    const p: Problem = { batchA: 1, batchB: 1, m: 129, n: 257, k: 131, config: T(false, false) };
    const [a, b] = operands(p, 'i8');
    try {
      addon.setThreads(1);
      const one = native.matmul(a.info, b.info, p.config, 'i32');
      addon.setThreads(Math.max(2, threads));
      expectSame(native.matmul(a.info, b.info, p.config, 'i32'), one, 'threads');
    } finally {
      addon.setThreads(threads);
    }
  });
});

describe('large products on a worker thread', () => {
  const N = 768; // 768³ multiply-adds
  /** Sizes past each dtype's bar (int8's is higher: it runs faster). */
  const SIZE = { f32: N, f16: N, i32: N, i8: 1024 } as const;
  it('go to the worker from ASYNC_GEMM_MIN_MACS on (int8: ASYNC_INT8_GEMM_MIN_MACS); smaller ones run inline', async () => {
    expect(N ** 3).toBeGreaterThanOrEqual(ASYNC_GEMM_MIN_MACS);
    expect(SIZE.i8 ** 3).toBeGreaterThanOrEqual(ASYNC_INT8_GEMM_MIN_MACS);
    const small = operands({ batchA: 1, batchB: 1, m: 128, n: 128, k: 128, config: T(false, false) }, 'f32');
    let ticked = false;
    setImmediate(() => (ticked = true));
    const storage = native.matmul(small[0].info, small[1].info, T(false, false), 'f32');
    await native.download(storage, 'f32', 128 * 128);
    expect(ticked).toBe(false); // inline: the read resolved in a microtask
  });

  for (const dtype of ['f32', 'f16', 'i8', 'i32'] as const) {
    it(`${dtype}: matmul returns at once, the event loop runs while it computes, and the result is the inline one`, async () => {
      const N = SIZE[dtype];
      const p: Problem = { batchA: 1, batchB: 1, m: N, n: N, k: N, config: T(false, dtype === 'i8') };
      const [a, b] = dtype === 'i32' ? operands(p, dtype, -1000, 1000) : operands(p, dtype);
      const outDtype: DType = dtype === 'i8' ? 'i32' : dtype;
      let ticked = false;
      setImmediate(() => (ticked = true));
      const storage = native.matmul(a.info, b.info, p.config, outDtype);
      expect(ticked).toBe(false);
      const got = await native.download(storage, outDtype, N * N);
      // An inline product resolves in a microtask, before any macrotask such as setImmediate.
      expect(ticked).toBe(true);
      // The same product inline, straight through the addon.
      const inline = outDtype === 'i32' ? new Int32Array(N * N) : outDtype === 'f16' ? new Uint16Array(N * N) : new Float32Array(N * N);
      addon.matmul(a.info.storage, b.info.storage, inline, 1, 1, N, N, N, p.config.transposeA, p.config.transposeB);
      expectSame(got, inline, `${dtype} async vs inline`);
      native.free(storage);
    });
  }

  it('a kernel given a pending output waits for it; so does free; a read started before free still gets the values', async () => {
    const p: Problem = { batchA: 1, batchB: 1, m: N, n: N, k: N, config: T(false, false) };
    const [a, b] = operands(p, 'f32');
    const want = native.download(native.matmul(a.info, b.info, p.config, 'f32'), 'f32', N * N);
    // Consumed at once by another kernel: it must see the finished product.
    const product = native.matmul(a.info, b.info, p.config, 'f32');
    const sums = native.reduce('sum', { storage: product, shape: [N, N], dtype: 'f32' }, 'f32');
    const full = await want;
    for (const r of [0, 1, N - 1]) {
      const row = Array.from(full.subarray(r * N, (r + 1) * N)).reduce((s, v) => s + v, 0);
      expect(Math.abs(sums[r] - row)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(row)));
    }
    // A read in flight, then free (which waits), then memory reuse: the read still sees the product.
    const pending = native.matmul(a.info, b.info, p.config, 'f32');
    const read = native.download(pending, 'f32', N * N);
    native.free(pending);
    const reuse = native.unary('neg', { storage: full, shape: [N * N], dtype: 'f32' });
    expectSame(await read, full, 'read across free');
    expect(reuse[0]).toBe(-full[0]);
  });
});
