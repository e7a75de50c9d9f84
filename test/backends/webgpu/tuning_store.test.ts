// What an adapter's tuning measured (matmul tile, a product shape's tile,
// int8 dot product, quantized way) is remembered in
// $XDG_CACHE_HOME/tmnn/webgpu-tuning.json: a later device on the same
// adapter — as in a later process — starts with it instead of timing again.
// An entry that no longer fits (other kernels, a tile no longer among the
// candidates, a corrupt file) is measured again, and TMNN_CACHE=0 turns the
// file off.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { TILE_CANDIDATES } from '../../../src/backends/webgpu/kernels/matmul_kernel.js';
import { shapeTiles, tileFor, tileForProduct, tileTuning, tilesSettled, tune } from '../../../src/backends/webgpu/kernels/matmul_tuning.js';
import { measureInt8Kernel } from '../../../src/backends/webgpu/kernels/matmul_int8.js';
import { knownRowLayout, measureRowLayout, rowLayout } from '../../../src/backends/webgpu/kernels/reduce.js';
import { measureW8Tile } from '../../../src/backends/webgpu/kernels/matmul_w8.js';
import { measureQuantizedPaths, QUANTIZED_MEASURED, quantizedPath, quantizedShapeWay, quantizedTiming } from '../../../src/backends/webgpu/kernels/quantized_path.js';
import { fingerprint, recall, remember } from '../../../src/backends/webgpu/tuning_store.js';
import { freshDevices } from '../../helpers/webgpu.js';

/** A backend on a device of its own: what a new process would get. */
const freshDevice = freshDevices();

let dir: string;
const file = () => join(dir, 'tmnn', 'webgpu-tuning.json');
type Entry = { fingerprint: string; measuredAt: string; value: unknown };
const entries = (): Record<string, Entry> => JSON.parse(readFileSync(file(), 'utf8'));
/** The entries of one measurement (`what` in the key), leaving out what every new backend measures (the row layout). */
const entriesOf = (what: string): [string, Entry][] => Object.entries(entries()).filter(([k]) => k.endsWith(`|${what}`) || k.includes(`|${what} `));
const saved = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, TMNN_CACHE: process.env.TMNN_CACHE };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tmnn-tuning-'));
  process.env.XDG_CACHE_HOME = dir;
  delete process.env.TMNN_CACHE;
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('the store', () => {
  const number = (v: unknown) => (typeof v === 'number' ? v : undefined);

  it('gives back what was remembered on the same adapter, marked as remembered, with when it was measured', async () => {
    const gpu = await freshDevice();
    const kept = await remember(gpu.runtime, 'answer', 'print-1', 42);
    expect(kept).toMatchObject({ value: 42, source: 'measured' });
    const back = await recall(gpu.runtime, 'answer', 'print-1', number);
    expect(back).toEqual({ value: 42, source: 'remembered', measuredAt: kept.measuredAt });
    expect(Date.parse(kept.measuredAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('ignores an entry measured on other kernels (another fingerprint) or holding what the caller no longer accepts', async () => {
    const gpu = await freshDevice();
    await remember(gpu.runtime, 'answer', 'print-1', 'forty-two');
    expect(await recall(gpu.runtime, 'answer', 'print-2', (v) => v)).toBeUndefined();
    expect(await recall(gpu.runtime, 'answer', 'print-1', number)).toBeUndefined();
    expect(await recall(gpu.runtime, 'other', 'print-1', (v) => v)).toBeUndefined();
  });

  it('reads a corrupt file as empty, and the next measurement writes it whole again', async () => {
    const gpu = await freshDevice();
    await remember(gpu.runtime, 'answer', 'print-1', 42);
    writeFileSync(file(), '{"truncated": ');
    expect(await recall(gpu.runtime, 'answer', 'print-1', number)).toBeUndefined();
    await remember(gpu.runtime, 'answer', 'print-1', 43);
    expect(entriesOf('answer').map(([, e]) => e.value)).toEqual([43]);
  });

  it('keeps every entry of measurements that finish together (background timings do)', async () => {
    const gpu = await freshDevice();
    await Promise.all(Array.from({ length: 12 }, (_, i) => remember(gpu.runtime, `answer ${i}`, 'print-1', i)));
    expect(entriesOf('answer').map(([, e]) => e.value).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('with TMNN_CACHE=0 writes nothing and recalls nothing', async () => {
    const gpu = await freshDevice();
    await remember(gpu.runtime, 'answer', 'print-1', 42);
    process.env.TMNN_CACHE = '0';
    expect(await recall(gpu.runtime, 'answer', 'print-1', number)).toBeUndefined();
    await remember(gpu.runtime, 'answer', 'print-1', 7);
    delete process.env.TMNN_CACHE;
    expect((await recall(gpu.runtime, 'answer', 'print-1', number))?.value).toBe(42);
  });

  it('fingerprints tell apart what was run, including where the parts split', () => {
    expect(fingerprint('a', 'b')).toBe(fingerprint('a', 'b'));
    expect(fingerprint('a', 'b')).not.toBe(fingerprint('a', 'c'));
    expect(fingerprint('ab', 'c')).not.toBe(fingerprint('a', 'bc'));
    expect(fingerprint('x')).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('the tunings', () => {
  it('the matmul tile: measured by the first device, recalled by the next; a stored tile that is no longer a candidate is measured again', async () => {
    const first = await freshDevice();
    const tile = await tune(first.runtime);
    const measured = tileTuning(first.runtime)!;
    expect(measured.source).toBe('measured');
    const [[key, entry]] = entriesOf('matmul-tile');
    expect(entry.value).toEqual({ best: tile, general: tileFor(first.runtime, false), f16: measured.value.f16 });

    const second = await freshDevice();
    expect(await tune(second.runtime)).toBe(tile); // the candidate itself, not a copy
    expect(tileTuning(second.runtime)).toEqual({ ...measured, source: 'remembered' });
    expect(tileFor(second.runtime, false)).toBe(tileFor(first.runtime, false));

    writeFileSync(file(), JSON.stringify({ [key]: { ...entry, value: { best: { tileM: 3, tileN: 3, wgX: 1, wgY: 1 }, general: entry.value } } }));
    const third = await freshDevice();
    expect(TILE_CANDIDATES).toContain(await tune(third.runtime));
    expect(tileTuning(third.runtime)!.source).toBe('measured');
  });

  it("a product shape's tile: measured by the first device that runs the shape twice, recalled by the next until the device's tile is measured again", async () => {
    const d = { batchA: 1, batchB: 1, batch: 1, m: 48, n: 40, k: 64 };
    const config = { transposeA: false, transposeB: false };
    const f32 = { operands: 'f32', out: 'f32' } as const;
    const runTwice = (gpu: WebGpuBackend) => [0, 1].map(() => tileForProduct(gpu.runtime, d, config, f32));
    const first = await freshDevice();
    runTwice(first);
    await tilesSettled(first.runtime);
    const [measured] = shapeTiles(first.runtime);
    expect(measured).toMatchObject({ shape: '48x64x40', source: 'measured' });
    expect(entries()[Object.keys(entries()).find((k) => k.endsWith('|matmul-tile 48x64x40'))!].value).toEqual(measured.tile);

    const second = await freshDevice();
    runTwice(second);
    await tilesSettled(second.runtime);
    expect(shapeTiles(second.runtime)).toEqual([{ ...measured, source: 'remembered' }]);
    expect(tileForProduct(second.runtime, d, config, f32)).toBe(measured.tile); // the candidate itself, not a copy

    // The device's tile measured again (what `tmnn tune` does): the shape's is measured again too.
    process.env.TMNN_CACHE = 'refresh';
    await tune((await freshDevice()).runtime);
    delete process.env.TMNN_CACHE;
    const third = await freshDevice();
    runTwice(third);
    await tilesSettled(third.runtime);
    expect(shapeTiles(third.runtime)).toMatchObject([{ shape: '48x64x40', source: 'measured' }]);
  });

  it('the int8 kernel, the f16 way\'s tile and the quantized way, with the timings behind it', async () => {
    const first = await freshDevice();
    const dot = await measureInt8Kernel(first.runtime);
    const w8 = await measureW8Tile(first.runtime);
    const way = await measureQuantizedPaths(first.runtime);
    const timing = quantizedTiming(first.runtime)!;
    expect(timing).toMatchObject({ source: 'measured', value: { path: way } });

    const second = await freshDevice();
    expect(await measureInt8Kernel(second.runtime)).toEqual(dot);
    expect(await measureW8Tile(second.runtime)).toBe(w8); // the candidate itself, as a fresh measurement would give
    expect(await measureQuantizedPaths(second.runtime)).toBe(way);
    expect(quantizedTiming(second.runtime)).toEqual({ ...timing, source: 'remembered' });
  });

  it('a new backend on a machine that never measured the row layout times it before its first reduction', async () => {
    const gpu = await freshDevice();
    expect(Object.keys(entries()).some((k) => k.endsWith('|row-layout'))).toBe(true);
    expect(rowLayout(gpu.runtime)).toBe(await knownRowLayout(gpu.runtime));
  });

  it('a new backend starts on the row layout an earlier one measured: its first reduction already uses it', async () => {
    const first = await freshDevice();
    const layout = await measureRowLayout(first.runtime);
    const second = await freshDevice();
    expect(rowLayout(second.runtime)).toBe(layout); // no measurement awaited: preloaded by createWebGpuBackend
  });

  it('a product shape\'s quantized way: timed by the first device that runs it twice, preloaded by the next backend', async () => {
    const shape = { m: 40, k: 72, n: 24 };
    const first = await freshDevice();
    await measureQuantizedPaths(first.runtime);
    quantizedPath(first.runtime, shape);
    quantizedPath(first.runtime, shape);
    const own = await quantizedShapeWay(first.runtime, shape);
    const stored = await recall(first.runtime, `quantized-way ${shape.m}x${shape.k}x${shape.n}`, QUANTIZED_MEASURED, (v) => v);
    expect(stored).toMatchObject({ value: { path: own } });

    // A new backend starts with both: the shape takes its way from its first run, nothing timed.
    const general = await measureQuantizedPaths(first.runtime);
    const second = await freshDevice();
    expect(quantizedPath(second.runtime)).toBe(general);
    expect(quantizedPath(second.runtime, shape)).toBe(own);
    expect(quantizedTiming(second.runtime)).toMatchObject({ source: 'remembered', value: { path: general } });
    expect(await quantizedShapeWay(second.runtime, shape)).toBe(own);
  });
});
