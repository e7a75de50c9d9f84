// Which tile a product runs on: the device's, measured once among the
// candidates on square products, and a shape's own, measured in the
// background once a program runs that shape a second time (a training step
// runs the same products every step). Each test that times shapes runs on a
// device of its own with the tuning file off, so it measures rather than
// recalls, and runs products through the same entry point as the backend.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { matmul } from '../../../src/backends/webgpu/kernels/matmul.js';
import { TILE_CANDIDATES } from '../../../src/backends/webgpu/kernels/matmul_kernel.js';
import { shapeTiles, tileFor, tileForProduct, tilesSettled, tune, useTile, type ProductDtypes } from '../../../src/backends/webgpu/kernels/matmul_tuning.js';
import { decodeF16, encodeF16 } from '../../../src/f16.js';
import type { Operand } from '../../../src/backends/webgpu/runtime.js';
import type { MatmulConfig } from '../../../src/backends/kernels.js';
import { asF32, expectClose, uniform } from '../../helpers/data.js';
import { freshDevices } from '../../helpers/webgpu.js';
import { f64, matmulRef } from '../../helpers/float64.js';

/** A backend on a device of its own: what a new process would get. */
const freshDevice = freshDevices();

const savedCache = process.env.TMNN_CACHE;
beforeEach(() => {
  process.env.TMNN_CACHE = '0';
});
afterEach(() => {
  if (savedCache === undefined) delete process.env.TMNN_CACHE;
  else process.env.TMNN_CACHE = savedCache;
});

/**
 * A product [m, k] × [k, n] (B stored [n, k] when transposed) on fresh data,
 * in f32 or (on a device with shader-f16) f16 throughout, run through
 * matmul() as the backend runs it, checked against float64.
 */
async function product(gpu: WebGpuBackend, m: number, k: number, n: number, config: MatmulConfig = plain, dtype: 'f32' | 'f16' = 'f32'): Promise<void> {
  const rt = gpu.runtime;
  const half = dtype === 'f16';
  const [av, bv] = [uniform(m * k), uniform(k * n)].map((v) => (half ? Float64Array.from(decodeF16(encodeF16(v))) : asF32(v)));
  const stored = (values: ArrayLike<number>) => (half ? encodeF16(values) : Float32Array.from(values));
  const bytes = half ? 2 : 4;
  const operand = (values: Float64Array, shape: number[]): Operand => {
    const buffer = rt.pool.acquire(Math.ceil((bytes * values.length) / 4) * 4);
    rt.commands.write(buffer, stored(values));
    return { buffer, shape, dtype };
  };
  const a = operand(av, [1, m, k]);
  const bShape = config.transposeB ? [1, n, k] : [1, k, n];
  const b = operand(bv, bShape);
  const outBytes = Math.ceil((bytes * m * n) / 4) * 4;
  const out = rt.pool.acquire(outBytes);
  matmul(rt, a, b, config, dtype, out);
  const raw = await rt.commands.read(out, outBytes);
  const got = half ? decodeF16(new Uint16Array(raw, 0, m * n)) : new Float32Array(raw);
  for (const buffer of [a.buffer, b.buffer, out]) rt.pool.release(buffer as GPUBuffer);
  const want = matmulRef(f64([m, k], av), f64(bShape.slice(1), bv), config);
  expectClose(got, want.v, half ? 2e-2 : 1e-4, `${dtype} ${m}×${k}×${n}`, want.v.map(() => Math.sqrt(k) * 2));
}

const plain: MatmulConfig = { transposeA: false, transposeB: false };
const f32: ProductDtypes = { operands: 'f32', out: 'f32' };
const dimsOf = (m: number, k: number, n: number) => ({ batchA: 1, batchB: 1, batch: 1, m, n, k });

describe("the device's tile", () => {
  it('is measured once among the candidates and kept; products vec4 cannot run get the best other tile', async () => {
    const gpu = await freshDevice();
    const tile = await tune(gpu.runtime);
    expect(TILE_CANDIDATES).toContain(tile);
    expect(tileFor(gpu.runtime)).toBe(tile);
    expect(await tune(gpu.runtime)).toBe(tile);
    const general = tileFor(gpu.runtime, false);
    expect(TILE_CANDIDATES).toContain(general);
    expect(general.vec4).toBeUndefined();
    if (!tile.vec4) expect(general).toBe(tile);
  });
});

describe("a shape's tile", () => {
  it('is timed once a program runs the shape a second time; its products then run on the tile measured for it, and are right', async () => {
    const gpu = await freshDevice();
    expect(gpu.features.timestampQuery).toBe(true); // lavapipe has them; shapes are timed only where a device does
    const [m, k, n] = [67, 211, 52];
    await product(gpu, m, k, n);
    await tilesSettled(gpu.runtime);
    expect(shapeTiles(gpu.runtime)).toEqual([]);
    const poolBefore = { ...gpu.runtime.pool.info };
    await product(gpu, m, k, n);
    await tilesSettled(gpu.runtime);
    const [timed, ...others] = shapeTiles(gpu.runtime);
    expect(others).toEqual([]);
    expect(timed).toMatchObject({ shape: '67x211x52', source: 'measured' });
    expect(TILE_CANDIDATES).toContain(timed.tile);
    expect(tileForProduct(gpu.runtime, dimsOf(m, k, n), plain, f32)).toBe(timed.tile);
    await product(gpu, m, k, n);
    // The measurement ran in buffers of its own: the program's pool is as it was.
    expect(gpu.runtime.pool.info).toEqual(poolBefore);
  });

  it('is timed in the dtypes the product runs in: the same sizes in f16 are a shape of their own, with a tile of their own', async () => {
    const gpu = await freshDevice();
    expect(gpu.features.f16).toBe(true); // lavapipe has shader-f16: f16 products run in f16
    const [m, k, n] = [67, 211, 52];
    for (let i = 0; i < 2; i++) await product(gpu, m, k, n, plain, 'f16');
    await tilesSettled(gpu.runtime);
    expect(shapeTiles(gpu.runtime).map((s) => s.shape)).toEqual(['67x211x52 f16']);
    for (let i = 0; i < 2; i++) await product(gpu, m, k, n);
    await tilesSettled(gpu.runtime);
    const timed = new Map(shapeTiles(gpu.runtime).map((s) => [s.shape, s.tile]));
    expect([...timed.keys()].sort()).toEqual(['67x211x52', '67x211x52 f16']);
    expect(tileForProduct(gpu.runtime, dimsOf(m, k, n), plain, { operands: 'f16', out: 'f16' })).toBe(timed.get('67x211x52 f16'));
    expect(tileForProduct(gpu.runtime, dimsOf(m, k, n), plain, f32)).toBe(timed.get('67x211x52'));
    // And an f16 product runs right on its own tile.
    await product(gpu, m, k, n, plain, 'f16');
  });

  it('is one that can read the shape: never a vec4 tile for B read transposed', async () => {
    const gpu = await freshDevice();
    const transposed: MatmulConfig = { transposeA: false, transposeB: true };
    for (let i = 0; i < 3; i++) await product(gpu, 64, 100, 64, transposed);
    await tilesSettled(gpu.runtime);
    const [timed] = shapeTiles(gpu.runtime);
    expect(timed.shape).toBe('64x100x64Bᵀ');
    expect(timed.tile && 'vec4' in timed.tile).toBe(false);
    await product(gpu, 64, 100, 64, transposed);
  });

  it('is not timed for a shape run once, a product too small to gain or too large to copy, or while a test has set the tile', async () => {
    const gpu = await freshDevice();
    const rt = gpu.runtime;
    await product(gpu, 40, 41, 42); // once
    for (let i = 0; i < 3; i++) await product(gpu, 9, 10, 11); // 990 multiply-adds
    // B of 4096 × 8192 f32 is 128 MiB: timing would copy it (the choice is asked for; nothing that large is made).
    for (let i = 0; i < 3; i++) tileForProduct(rt, { batchA: 1, batchB: 1, batch: 1, m: 8, k: 4096, n: 8192 }, plain, f32);
    const measured = await tune(rt); // first, or its end would replace the tile set below
    const set = TILE_CANDIDATES.find((t) => t !== measured && !t.vec4)!;
    useTile(rt, set);
    for (let i = 0; i < 3; i++) await product(gpu, 130, 129, 131); // large enough for the device's tile: the one set
    expect(tileForProduct(rt, dimsOf(130, 129, 131), plain, f32)).toBe(set);
    await tilesSettled(rt);
    expect(shapeTiles(rt)).toEqual([]);
    useTile(rt, null);
    expect(tileFor(rt)).toBe(measured);
  });
});
