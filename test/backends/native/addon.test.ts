// What is particular to the native addon: it works in the caller's typed
// arrays (no copies), its f16 conversions (F16C and portable) round like the
// js encoder, OpenBLAS's threads are readable and settable, bad calls are
// errors rather than stray writes, and a missing or broken addon says what
// to do.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOW_TO_BUILD, loadAddon, type Addon, type CpuFeature } from '../../../src/backends/native/addon.js';
import { createNativeBackend, getNativeThreads, nativeInfo, setNativeThreads } from '../../../src/backends/native/index.js';
import { packageRoot } from '../../../src/backends/native/locate.js';
import { f16BitsOf, f16ValueOf, roundF16, uniform } from './reference.js';
import * as tm from '../../../src/index.js';

let addon: Addon;

beforeAll(async () => {
  addon = await loadAddon();
});

describe('zero copies across the boundary', () => {
  it('upload keeps the array; each kernel hands the addon the input arrays themselves and returns the array the addon wrote', async () => {
    const backend = await createNativeBackend();
    const x = new Float32Array([1, -2, 3, -4]);
    expect(backend.upload(x, 'f32')).toBe(x);
    // Watch the addon's calls (the backend looks its functions up at each call).
    const calls: unknown[][] = [];
    const spied = new Map<string, unknown>();
    const target = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of ['unary', 'binary', 'matmul', 'reduce']) {
      const original = target[name];
      spied.set(name, original);
      target[name] = (...args: unknown[]) => {
        calls.push([name, ...args]);
        return original(...args);
      };
    }
    try {
      const info = { storage: x, shape: [2, 2], dtype: 'f32' as const };
      const neg = backend.unary('neg', info);
      expect(calls[0][2]).toBe(x); // the input itself
      expect(calls[0][3]).toBe(neg); // the output the addon filled
      expect(Array.from(neg)).toEqual([-1, 2, -3, 4]);
      const sum = backend.binary('add', info, info, [2, 2]);
      expect(calls[1][2]).toBe(x);
      expect(calls[1][7]).toBe(sum);
      const product = backend.matmul({ ...info, shape: [1, 2, 2] }, { ...info, shape: [1, 2, 2] }, { transposeA: false, transposeB: false }, 'f32');
      expect(calls[2][1]).toBe(x);
      expect(calls[2][2]).toBe(x);
      expect(calls[2][3]).toBe(product);
      expect(Array.from(product)).toEqual([-5, 6, -9, 10]);
    } finally {
      for (const [name, original] of spied) target[name] = original as (...args: unknown[]) => unknown;
    }
  });

  it('download is the one copy: a fresh array with the values, which the storage does not share', async () => {
    const backend = await createNativeBackend();
    const storage = backend.unary('neg', { storage: new Float32Array([1, 2, 3]), shape: [3], dtype: 'f32' });
    const got = await backend.download(storage, 'f32', 3);
    expect(got).not.toBe(storage);
    expect(got.buffer).not.toBe(storage.buffer);
    expect(Array.from(got)).toEqual([-1, -2, -3]);
    got[0] = 99;
    expect(storage[0]).toBe(-1);
  });

  it('the addon writes into the array it is given, and into a view at an offset', () => {
    const x = new Float32Array([1, 4, 9, 16]);
    const out = new Float32Array(4);
    addon.unary(5, x, out); // sqrt
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    const big = new Float32Array(8).fill(-1);
    addon.unary(5, x, big.subarray(2, 6));
    expect(Array.from(big)).toEqual([-1, -1, 1, 2, 3, 4, -1, -1]);
  });

  it('memory of a disposed tensor serves the next output of its size; an uploaded array is never reused', async () => {
    const backend = await createNativeBackend();
    const n = 1 << 16;
    const mine = new Float32Array(n).fill(3);
    const info = { storage: mine, shape: [n], dtype: 'f32' as const };
    const first = backend.unary('neg', info);
    backend.free(first);
    expect(backend.unary('neg', info).buffer).toBe(first.buffer);
    backend.free(mine);
    expect(backend.unary('neg', info).buffer).not.toBe(mine.buffer);
    expect(mine[0]).toBe(3);
  });
});

describe('f16 conversion', () => {
  it('F16C and the portable path both round every f32 like the reference (nearest even, NaN → 0x7e00)', () => {
    const values = Float32Array.from([
      ...uniform(4000, -70000, 70000), ...uniform(2000, -1e-4, 1e-4), ...uniform(1000, -1e-7, 1e-7),
      65504, 65519.99, 65520, -65520, 2049, 2051, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -24, 2 ** -25, 3 * 2 ** -26,
      NaN, -NaN, Infinity, -Infinity, 0, -0,
    ]);
    // A negative NaN as bits, which F16C alone would keep negative.
    new Uint32Array(values.buffer)[values.length - 5] = 0xffc00000;
    const want = Uint16Array.from(values, (v) => f16BitsOf(roundF16(v)));
    for (const portable of [false, true]) {
      addon.f16Path(portable);
      try {
        const got = new Uint16Array(values.length);
        addon.f32ToF16(values, got);
        expect(Array.from(got)).toEqual(Array.from(want));
      } finally {
        addon.f16Path(false);
      }
    }
  });

  it('both paths decode all 65536 bit patterns exactly', () => {
    const bits = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const want = Float32Array.from(bits, f16ValueOf);
    for (const portable of [false, true]) {
      addon.f16Path(portable);
      try {
        const got = new Float32Array(bits.length);
        addon.f16ToF32(bits, got);
        expect(got).toEqual(want);
      } finally {
        addon.f16Path(false);
      }
    }
    expect(addon.f16Path()).toBe(addon.cpuFeatures().f16c ? 'f16c' : 'portable');
  });
});

describe('threads and what the addon reports', () => {
  it('OpenBLAS threads can be read and set, through the addon and the exported functions', async () => {
    const before = await getNativeThreads();
    expect(before).toBeGreaterThanOrEqual(1);
    try {
      expect(await setNativeThreads(1)).toBe(1);
      expect(addon.getThreads()).toBe(1);
      expect(addon.blasInfo().threads).toBe(1);
      const one = await createNativeBackend({ threads: 1 });
      expect(one.device.description).toContain('(1 thread)');
      await expect(setNativeThreads(0)).rejects.toThrow(/positive integer/);
      await expect(createNativeBackend({ threads: 1.5 })).rejects.toThrow(/threads must be a positive integer/);
      expect(() => addon.setThreads(0)).toThrow(RangeError);
    } finally {
      addon.setThreads(before);
    }
    expect(addon.getThreads()).toBe(before);
  });

  it('a new thread count waits for products already issued, queued ones too: their bits are those of the count they were issued under', async () => {
    const before = await getNativeThreads();
    if (before < 2) {
      console.log('skipped: one OpenBLAS thread here, so no second count to compare bits with');
      return;
    }
    await tm.init({ backend: 'native' });
    // Large enough to run on the worker thread (2^28 multiply-adds); OpenBLAS's sums differ in bits by thread count.
    const [a, b] = [tm.randn([1024, 1024], { seed: 1 }), tm.randn([1024, 256], { seed: 2 })];
    try {
      const reference = await a.matmul(b).data();
      for (let round = 0; round < 4; round++) {
        const y = a.matmul(b); // issued at `before` threads, maybe still queued
        await setNativeThreads(1);
        const got = await y.data();
        await setNativeThreads(before);
        expect(got.every((v, i) => Object.is(v, reference[i])), `round ${round}`).toBe(true);
        y.dispose();
      }
    } finally {
      addon.setThreads(before);
      a.dispose();
      b.dispose();
    }
  });

  it('nativeInfo: OpenBLAS core, config and version; CPU features as booleans; the code paths in use', async () => {
    const info = await nativeInfo();
    expect(info.blas.corename.length).toBeGreaterThan(0);
    expect(info.blas.config).toContain('OpenBLAS');
    expect(info.blas.version).toMatch(/^\d+\.\d+\.\d+/);
    expect([0, 1, 2]).toContain(info.blas.parallel);
    const keys: CpuFeature[] = [
      'sse', 'sse2', 'sse3', 'ssse3', 'sse4_1', 'sse4_2', 'avx', 'fma', 'f16c', 'avx2', 'avx512f', 'avx512dq', 'avx512cd',
      'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'avx512_fp16', 'avx_vnni', 'amx_tile', 'amx_int8', 'amx_bf16',
    ];
    expect(Object.keys(info.cpu).sort()).toEqual([...keys].sort());
    for (const k of keys) expect(typeof info.cpu[k]).toBe('boolean');
    if (process.arch === 'x64') expect(info.cpu.sse2).toBe(true); // baseline x86-64
    // An extension implies what it builds on (the OS check applies to all of a width).
    if (info.cpu.avx512bw) expect(info.cpu.avx512f && info.cpu.avx2 && info.cpu.avx).toBe(true);
    expect(info.int8Path).toBe(addon.int8Path());
    expect(info.f16Path).toBe(addon.f16Path());
  });
});

describe('bad calls are errors, not stray writes', () => {
  it('lengths, dtypes, strides and ops are checked before anything is written', () => {
    const x = new Float32Array(4);
    const out = new Float32Array(3).fill(7);
    expect(() => addon.unary(0, new Float32Array(2), out)).toThrow(RangeError);
    expect(() => addon.unary(99, x, new Float32Array(4))).toThrow(/unknown op/);
    expect(() => addon.unary(0, x, new Int32Array(4))).toThrow(TypeError);
    expect(() => addon.binary(0, x, [1], x, [1], [8], new Float32Array(8))).toThrow(/outside/);
    expect(() => addon.stridedCopy(x, [2, 2], [2, 3], 0, new Float32Array(4))).toThrow(/outside/);
    expect(() => addon.stridedCopy(x, [4], [-1], 0, new Float32Array(4))).toThrow(/outside/);
    expect(() => addon.matmul(x, x, new Float32Array(5), 1, 1, 2, 2, 2, false, false)).toThrow(/lengths/);
    expect(() => addon.matmul(x, x, new Float32Array(8), 2, 3, 2, 2, 2, false, false)).toThrow(/batch/);
    expect(() => addon.matmul(new Int8Array(4), new Int8Array(4), new Int8Array(4), 1, 1, 2, 2, 2, false, false)).toThrow(/i32/);
    expect(() => addon.concat([x], [3], 2, new Float32Array(6))).toThrow(RangeError);
    expect(() => addon.reduce(1, new Int32Array(4), 2, 2, new Int32Array(2))).toThrow(/float/);
    expect(() => (addon.unary as (...a: unknown[]) => void)(0, [1, 2], out)).toThrow(/typed array/);
    expect(() => addon.gather(x, new Int32Array(2), 1, 1, out)).toThrow(/out must hold outer × indices × inner/);
    expect(() => addon.gather(x, new Int32Array(1), 3, 1, out)).toThrow(/x does not split/);
    expect(() => addon.gather(x, new Float32Array(3) as unknown as Int32Array, 1, 1, out)).toThrow(/indices must be i8 or i32/);
    expect(() => addon.scatterAdd(x, new Int32Array(2), 2, 1, 1, out)).toThrow(/out must hold outer × n × inner/);
    expect(() => addon.scatterAdd(x, new Int32Array(3), 1, 3, 1, out)).toThrow(/dy must hold/);
    // Sizes whose product wraps int64 to a length that fits (274177 × 67280421310721 = 2^64 + 1) are refused, not copied.
    expect(() => addon.gather(x, new Int32Array([0]), 274177, 67280421310721, new Float32Array(1))).toThrow(/sizes past 2\^53/);
    expect(() => addon.gather(x, new Int32Array([0]), 2 ** 32, 2 ** 32, new Float32Array(0))).toThrow(/sizes past 2\^53/);
    expect(() => addon.scatterAdd(new Float32Array(1), new Int32Array([0]), 274177, 1, 67280421310721, new Float32Array(1))).toThrow(/sizes past 2\^53/);
    expect(() => addon.windowMax(x, new Int32Array(4), 1, 2, out)).toThrow(/out must hold outer × windows/);
    expect(() => addon.windowMax(x, new Int32Array(3), 1, 2, new Float32Array(1))).toThrow(/table into rows of taps/);
    expect(() => addon.windowMax(x, new Float32Array(2) as unknown as Int32Array, 1, 2, new Float32Array(1))).toThrow(/table must be an Int32Array/);
    expect(() => addon.windowMaxGrad(x, new Float32Array(2), new Float32Array(2), new Int32Array(4), 2, new Float32Array(3))).toThrow(/out x's length/);
    expect(() => addon.windowMaxGrad(x, new Float32Array(2), new Float32Array(1), new Int32Array(4), 2, x)).toThrow(/y and dy must be/);
    expect(() => addon.windowMaxGrad(x, new Float32Array(2), new Float32Array(2), new Int32Array(3), 2, x)).toThrow(/rows of taps/);
    expect(() => addon.windowMaxGrad(new Float32Array(5), new Float32Array(2), new Float32Array(2), new Int32Array(2), 2, new Float32Array(5))).toThrow(/x does not split/);
    // One 2×2 image, one 1×1 filter: batch, channels, height, width, filters, groups, kernel, stride, dilation, padding, out.
    const g = [1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 2, 2];
    expect(() => addon.conv2d(0, x, new Float32Array(1), g, out)).toThrow(/arrays do not match the geometry/);
    expect(() => addon.conv2d(2, x, x, g, out)).toThrow(/arrays do not match the geometry/);
    expect(() => addon.conv2d(0, x, new Float32Array(1), g.slice(1), x)).toThrow(/sixteen integers/);
    expect(() => addon.conv2d(0, x, new Float32Array(1), [1, 1, 2, 2, 1, 2, ...g.slice(6)], x)).toThrow(/groups must divide/);
    expect(() => addon.conv2d(0, x, new Float32Array(1), [...g.slice(0, 8), 0, ...g.slice(9)], x)).toThrow(/must be positive/);
    expect(() => addon.conv2d(0, x, new Uint16Array(1), g, x)).toThrow(/all Float32Arrays or all Uint16Arrays/);
    expect(() => addon.conv2d(0, x, new Float32Array(1), [2 ** 40, 2 ** 40, ...g.slice(2)], x)).toThrow(/sizes past 2\^53/);
    expect(Array.from(out)).toEqual([7, 7, 7]);
  });
});

describe('loading', () => {
  it('a missing addon names the fix: npm run build:native and the packages it needs', async () => {
    const missing = '/nonexistent/tmnn_native.node';
    await expect(createNativeBackend({ addonPath: missing })).rejects.toThrow(
      'native addon not built: run `npm run build:native` (needs g++, python3 and libopenblas-dev: apt-get install libopenblas-dev pkg-config)',
    );
    await expect(loadAddon(missing)).rejects.toThrow(missing);
    expect(HOW_TO_BUILD).toContain('npm run build:native');
  });

  it('a file that is not a loadable addon says so, with the same fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmnn-addon-'));
    const broken = join(dir, 'tmnn_native.node');
    writeFileSync(broken, 'not an ELF file');
    await expect(loadAddon(broken)).rejects.toThrow(/native addon at .*tmnn_native\.node .*npm run build:native/);
  });

  it('the package root (and so the addon) is found from src/ and from a bundle under dist/', async () => {
    const root = await packageRoot();
    expect(await packageRoot(join(root, 'dist'))).toBe(root);
    expect(await packageRoot(join(root, 'src', 'backends', 'native'))).toBe(root);
    await expect(packageRoot('/')).rejects.toThrow(/no package\.json named tmnn/);
  });
});
