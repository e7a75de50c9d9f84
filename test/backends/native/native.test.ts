// What is particular to the native backend: its SIMD paths agree with the
// portable ones, it shares memory with JS, threads are settable, and a
// missing addon is explained.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type Addon } from '../../../src/backends/native/addon.js';
import { createNativeBackend } from '../../../src/backends/native/index.js';
import { f16Bits } from '../../../src/f16.js';
import { uniform } from '../../helpers/data.js';

let addon: Addon;

beforeAll(async () => {
  addon = await loadAddon();
});

describe('native addon', () => {
  it('int8 GEMM: the VNNI path equals the portable path equals the exact product', () => {
    expect(addon.int8Path()).toBe(addon.cpuFeatures().avx512_vnni ? 'avx512-vnni' : 'portable');
    for (const [m, k, n] of [[1, 1, 1], [5, 3, 17], [64, 257, 33], [129, 64, 100]]) {
      const a = Int8Array.from(uniform(m * k, -128, 128), Math.floor);
      const b = Int8Array.from(uniform(k * n, -128, 128), Math.floor);
      const fast = new Int32Array(m * n);
      const slow = new Int32Array(m * n);
      addon.gemmI8(a, b, fast, 1, 1, m, n, k);
      addon.int8Path(true);
      addon.gemmI8(a, b, slow, 1, 1, m, n, k);
      addon.int8Path(false);
      expect(fast).toEqual(slow);
      const exact = new Int32Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) exact[i * n + j] += a[i * k + p] * b[p * n + j];
      expect(fast).toEqual(exact);
    }
  });

  it('f16 conversion: F16C and the portable path both round to nearest even like the reference', () => {
    const values = Float32Array.from([...uniform(4000, -70000, 70000), ...uniform(1000, -1e-4, 1e-4), 65520, 2049, NaN, -0]);
    const want = Uint16Array.from(values, (v) => f16Bits(v));
    for (const portable of [false, true]) {
      addon.f16Path(portable);
      const got = new Uint16Array(values.length);
      addon.f32ToF16(values, got);
      expect(got).toEqual(want);
      const back = new Float32Array(values.length);
      addon.f16ToF32(got, back);
      const again = new Uint16Array(values.length);
      addon.f32ToF16(back, again);
      expect(again).toEqual(want);
    }
    addon.f16Path(false);
  });

  it('writes into the typed arrays it is given: storage is shared with JS, not copied', async () => {
    const backend = await createNativeBackend();
    const values = new Float32Array([1, 2, 3, 4]);
    expect(backend.upload(values, 'f32')).toBe(values);
    const out = new Float32Array(4);
    addon.unaryF32(0, values, out); // neg
    expect(Array.from(out)).toEqual([-1, -2, -3, -4]);
  });

  it('OpenBLAS threads can be read and set', async () => {
    const before = addon.blasInfo().threads;
    expect(addon.setThreads(1)).toBe(1);
    const one = await createNativeBackend({ threads: 1 });
    expect(one.device.description).toContain('(1 thread)');
    addon.setThreads(before);
    await expect(createNativeBackend({ threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
  });

  it('a missing addon is reported with what to do, and tm.init() moves on to js', () => {
    // A fresh process, so the addon is not already loaded; it runs the built package (npm test builds it).
    const script = `
      import * as tm from './dist/index.js';
      const name = await tm.init();
      console.log(JSON.stringify({ name, passedOver: tm.backendSelection().passedOver }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: new URL('../../../', import.meta.url).pathname,
      env: { ...process.env, TMNN_NATIVE_ADDON: '/nonexistent/tmnn_native.node' },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.name).toBe('js');
    expect(out.passedOver.find((p: { name: string }) => p.name === 'native').why).toMatch(/native addon not built .*npm run build:native/);
  });
});

describe('large GEMMs off the event loop', () => {
  it('matmul returns at once; data() lets the event loop run while the GEMM computes', async () => {
    const { ASYNC_GEMM_MIN_MACS } = await import('../../../src/backends/native/index.js');
    const tm = await import('../../../src/index.js');
    await tm.init({ backend: 'native' });
    const n = 512;
    expect(n ** 3).toBeGreaterThanOrEqual(ASYNC_GEMM_MIN_MACS);
    const a = tm.randn([n, n], { seed: 1 });
    const b = tm.randn([n, n], { seed: 2 });
    let ticked = false;
    setImmediate(() => (ticked = true));
    const c = a.matmul(b);
    expect(ticked).toBe(false);
    const got = await c.data();
    // A synchronous GEMM would resolve data() in a microtask, before any macrotask such as setImmediate.
    expect(ticked).toBe(true);
    // And a kernel that consumes a pending output waits for it: the values are right either way.
    const viaKernel = await a.matmul(b).sum(1).data();
    const row0 = Array.from(got.subarray(0, n)).reduce((s, v) => s + v, 0);
    expect(Math.abs(viaKernel[0] - row0)).toBeLessThan(1e-3 * (1 + Math.abs(row0)));
    const js = await (async () => {
      const [av, bv] = [await a.data(), await b.data()];
      let s = 0;
      for (let p = 0; p < n; p++) s += av[p] * bv[p * n + 7];
      return s;
    })();
    expect(Math.abs(got[7] - js)).toBeLessThan(1e-4 * (1 + Math.abs(js)));
  });
});
