// Which way a product with a tm.quantize weight runs on this device: int8
// (activations quantized on the fly, exact int8 product in matmul_int8.wgsl)
// or f16 (activations in f16 times the int8 weight turned into floats in
// registers, matmul_w8.wgsl). Published measurements disagree by GPU —
// dot4I8Packed is one instruction on some and slower than float math on
// others — so the first quantized product a device runs times both ways on
// the same [256, 1024] × [1024, 1024] product (each on the kernel and tile
// its own measurement chose: matmul_int8.ts, matmul_w8.ts), in alternating
// rounds, and keeps the faster. Which is faster also depends on the shape (on
// lavapipe the f16 way wins at 256³, the int8 way at 1024³), so a product
// shape run a second time is timed the same way in the background and takes
// its own way from then on. Each way is timed whole: the int8 way's two
// launches on x (its row maxima, its quantization: ../quantize_rows.ts) with
// its product, against the f16 way's one kernel, each on the GPU's clock plus
// the CPU time of recording it (the int8 way issues ten ops on x first): on
// small products these cost as much as the product itself. Timings are
// remembered per adapter between processes (tuning_store.ts), and a new
// backend starts with them (preloadQuantizedWays). Until the device's is in,
// products take the int8 way. TMNN_WEBGPU_QUANTIZED=int8 or =f16 pins the
// choice.
import type { QuantizedPath } from '../../kernels.js';
import type { Operand, Runtime } from '../runtime.js';
import { bestTimes, withScratchBuffers } from '../timing.js';
import { fingerprint, recall, recallAll, recallOrMeasure, type Tuned } from '../tuning_store.js';
import { INT8_MEASURED, matmulInt8, measureInt8Kernel } from './matmul_int8.js';
import { matmulW8, measureW8Tile, W8_MEASURED } from './matmul_w8.js';

/** A product's shape: activations [m, k], weight [n, k]. */
export interface QuantizedShape {
  m: number;
  k: number;
  n: number;
}

/** Records the int8 way's launches on f32 x [m, k] before its product (../quantize_rows.ts, through the backend's ops). */
export type QuantizeRows = (x: GPUBuffer, m: number, k: number) => void;

const quantizeRows = new WeakMap<GPUDevice, QuantizeRows>();
const forced = new WeakMap<GPUDevice, QuantizedPath>();
const measuring = new WeakMap<GPUDevice, Promise<Tuned<QuantizedTiming>>>();

/** The product measured for the device's way: activations [M, K], weight [N, K]. */
const SIZE: QuantizedShape = { m: 256, k: 1024, n: 1024 };
const ROUNDS = 3;
/** Small products get more rounds, until this long has passed (timing.ts). */
const BUDGET_MS = 100;

/**
 * Per device and product shape: its runs so far, and its own way once timed.
 * A shape is timed on its SHAPE_REPEATS-th run (a program's products repeat),
 * at most SHAPE_MAX_COUNTED shapes, each within SHAPE_MAX_BYTES of buffers.
 */
const shapes = new WeakMap<GPUDevice, Map<string, { seen: number; path?: QuantizedPath; timing?: Promise<void> }>>();
const SHAPE_REPEATS = 2;
const SHAPE_MAX_COUNTED = 64;
const SHAPE_MAX_BYTES = 64 << 20;

/** The tuning store's name for the device's way; a shape's is this, a space and its key. */
const WAY = 'quantized-way';

function pinned(): QuantizedPath | undefined {
  const env = typeof process !== 'undefined' ? process.env?.TMNN_WEBGPU_QUANTIZED : undefined;
  return env === 'int8' || env === 'f16' ? env : undefined;
}

/**
 * The way a product of `shape` takes on this device: pinned by
 * TMNN_WEBGPU_QUANTIZED; else the int8 way for an x larger than a binding;
 * else pinned by useQuantizedPath; else the shape's own, once timed;
 * else the device's (timed on first call; 'int8' until it is in). Counts
 * the shape's runs and times it when due.
 */
export function quantizedPath(rt: Runtime, shape?: QuantizedShape): QuantizedPath {
  const { device, limits } = rt.ctx;
  const env = pinned();
  if (env) return env;
  // The f16 way's kernel binds x whole (4 bytes an element, at most), where the int8 way's product reads
  // x quantized, a quarter of that, and its launches on x run in bands: neither a timing nor a pin in
  // code (useQuantizedPath) picks a way that cannot run; TMNN_WEBGPU_QUANTIZED=f16 still gets its refusal.
  if (shape && shape.m * shape.k * 4 > limits.maxStorageBufferBindingSize) return 'int8';
  const fixed = forced.get(device);
  if (fixed) return fixed;
  const general = timings.get(device)?.value.path;
  if (!general) {
    measureQuantizedPaths(rt).catch(() => undefined); // a device lost meanwhile: the next call reports it
    return 'int8';
  }
  return shape ? shapeWay(rt, shape) ?? general : general;
}

/** How the device's backend issues the int8 way's launches on x, for timing that way whole (index.ts sets it). */
export function timeQuantizingWith(rt: Runtime, run: QuantizeRows): void {
  quantizeRows.set(rt.ctx.device, run);
}

/** Pins the way for this device, over the measurements (tests and benches run both this way); null unpins. */
export function useQuantizedPath(rt: Runtime, path: QuantizedPath | null): void {
  if (path) forced.set(rt.ctx.device, path);
  else forced.delete(rt.ctx.device);
}

function shapeKey({ m, k, n }: QuantizedShape): string {
  return `${m}x${k}x${n}`;
}

function shapesOf(device: GPUDevice): Map<string, { seen: number; path?: QuantizedPath; timing?: Promise<void> }> {
  let byShape = shapes.get(device);
  if (!byShape) shapes.set(device, (byShape = new Map()));
  return byShape;
}

/** The shape's own way if timed; counts its runs and starts its timing on the SHAPE_REPEATS-th. */
function shapeWay(rt: Runtime, shape: QuantizedShape): QuantizedPath | undefined {
  const byShape = shapesOf(rt.ctx.device);
  const key = shapeKey(shape);
  let entry = byShape.get(key);
  if (!entry) {
    if (byShape.size >= SHAPE_MAX_COUNTED) return undefined;
    byShape.set(key, (entry = { seen: 0 }));
  }
  if (entry.path) return entry.path;
  const { m, k, n } = shape;
  const bytes = m * k * 5 + n * k + 4 * m * n;
  if (++entry.seen === SHAPE_REPEATS && m * k * n > 0 && bytes <= Math.min(SHAPE_MAX_BYTES, rt.ctx.limits.maxStorageBufferBindingSize)) {
    const timed = entry;
    timed.timing = recallOrMeasure(rt, `${WAY} ${key}`, QUANTIZED_MEASURED, parseTiming, () => measure(rt, shape))
      .then((timing) => void (timed.path = timing.value.path))
      .catch(() => undefined); // a device lost meanwhile: the next call reports it
  }
  return undefined;
}

/** The way a shape takes, once a timing of it under way is in (the device's where it has none); counts no run. */
export async function quantizedShapeWay(rt: Runtime, shape: QuantizedShape): Promise<QuantizedPath> {
  const { device } = rt.ctx;
  const entry = shapes.get(device)?.get(shapeKey(shape));
  await entry?.timing;
  return pinned() ?? forced.get(device) ?? entry?.path ?? timings.get(device)?.value.path ?? 'int8';
}

export interface QuantizedTiming {
  path: QuantizedPath;
  /** Best time of each way on the measured product, ms, recording included: the int8 way's launches on x and its product; the f16 way's one kernel. */
  int8Ms: number;
  f16Ms: number;
}

const timings = new WeakMap<GPUDevice, Tuned<QuantizedTiming>>();
/** What the timings depend on: a change to either way's kernels times them again. */
export const QUANTIZED_MEASURED = fingerprint(INT8_MEASURED, W8_MEASURED, JSON.stringify(SIZE), 'each way whole, recording included');

/** The measurement behind the choice, once it has run or been recalled (the bench prints it). */
export function quantizedTiming(rt: Runtime): Tuned<QuantizedTiming> | undefined {
  return timings.get(rt.ctx.device);
}

/** This device's timing if it has run, else what an earlier process measured on the adapter; nothing is timed. */
export async function knownQuantizedTiming(rt: Runtime): Promise<Tuned<QuantizedTiming> | undefined> {
  return timings.get(rt.ctx.device) ?? recall(rt, WAY, QUANTIZED_MEASURED, parseTiming);
}

/** Times both ways once per device and keeps the faster (or the pinned one). */
export function measureQuantizedPaths(rt: Runtime): Promise<QuantizedPath> {
  const { device } = rt.ctx;
  let running = measuring.get(device);
  if (!running) {
    running = recallOrMeasure(rt, WAY, QUANTIZED_MEASURED, parseTiming, () => measure(rt, SIZE)).then((timing) => adopt(device, timing));
    measuring.set(device, running);
  }
  return running.then((timing) => pinned() ?? forced.get(device) ?? timing.value.path);
}

function adopt(device: GPUDevice, timing: Tuned<QuantizedTiming>): Tuned<QuantizedTiming> {
  timings.set(device, timing);
  return timing;
}

/**
 * Takes what earlier processes measured on the adapter — the device's way
 * and each product shape's — as this device's, timing nothing (a new backend
 * does this before its first kernel): a product takes the same way from its
 * first run as from its third, where it would otherwise change way (and so
 * its rounding) once its shape's timing came in.
 */
export async function preloadQuantizedWays(rt: Runtime): Promise<void> {
  const { device } = rt.ctx;
  const remembered = await recallAll(rt, WAY, QUANTIZED_MEASURED, parseTiming);
  const general = remembered.get(WAY);
  if (general && !measuring.has(device)) measuring.set(device, Promise.resolve(adopt(device, general)));
  const byShape = shapesOf(device);
  for (const [what, timing] of remembered) {
    const key = what.slice(WAY.length + 1);
    if (what !== WAY && !byShape.has(key) && byShape.size < SHAPE_MAX_COUNTED) byShape.set(key, { seen: SHAPE_REPEATS, path: timing.value.path });
  }
}

function parseTiming(stored: unknown): QuantizedTiming | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const { path, int8Ms, f16Ms } = stored as Record<string, unknown>;
  const ok = (path === 'int8' || path === 'f16') && typeof int8Ms === 'number' && typeof f16Ms === 'number';
  return ok ? { path, int8Ms, f16Ms } : undefined;
}

/** Both ways on one shape, each whole, on the kernel and tile its own measurement chose. */
async function measure(rt: Runtime, { m, k, n }: QuantizedShape): Promise<QuantizedTiming> {
  const int8Kernel = await measureInt8Kernel(rt);
  const w8Tile = await measureW8Tile(rt);
  const onX = quantizeRows.get(rt.ctx.device);
  if (!onX) throw new Error('webgpu: the int8 way cannot be timed whole: this device\'s backend set no quantizeRows');
  // Both read f32 activations (as most are): the f16 way rounds them as it loads them.
  return withScratchBuffers(rt, [m * k, n * k, 4 * m * k, 4 * n, 4 * m * n], async ([xi8, wi8, xf, scales, out]) => {
    const int8 = (): void => {
      onX(xf, m, k);
      matmulInt8(rt, op(xi8, [1, m, k], 'i8'), op(wi8, [1, n, k], 'i8'), out, { kernel: int8Kernel, counted: false });
    };
    const f16 = (): void => matmulW8(rt, op(xf, [m, k], 'f32'), op(wi8, [n, k], 'i8'), op(scales, [n], 'f32'), out, w8Tile, false);
    const [int8Ms, f16Ms] = await bestTimes(rt, [int8, f16], ROUNDS, { recording: true, budgetMs: BUDGET_MS });
    return { path: int8Ms <= f16Ms ? 'int8' : 'f16', int8Ms, f16Ms };
  });
}

function op(buffer: GPUBuffer, shape: readonly number[], dtype: Operand['dtype']): Operand {
  return { buffer, shape, dtype };
}
