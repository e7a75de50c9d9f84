// Which way a product with a tm.quantize weight runs on this device: int8
// (activations quantized on the fly, exact int8 product in matmul_int8.wgsl)
// or f16 (activations in f16 times the int8 weight turned into floats in
// registers, matmul_w8.wgsl). Published measurements disagree by GPU —
// dot4I8Packed is one instruction on some and slower than float math on
// others — so the first quantized product a device runs times both kernels
// on the same [256, 1024] × [1024, 1024] product (each on the kernel and tile
// its own measurement chose: matmul_int8.ts, matmul_w8.ts), in alternating
// rounds, and keeps the faster; the timing is remembered per adapter between
// processes (tuning_store.ts). Until the measurement is in, products take the
// int8 way. TMNN_WEBGPU_QUANTIZED=int8 or =f16 pins the choice.
import type { QuantizedPath } from '../../kernels.js';
import type { Operand, Runtime } from '../runtime.js';
import { bestTimes } from '../timing.js';
import { fingerprint, recall, recallOrMeasure, type Tuned } from '../tuning_store.js';
import { BufferUsage } from '../usage.js';
import { INT8_MEASURED, matmulInt8, measureInt8Kernel } from './matmul_int8.js';
import { matmulW8, measureW8Tile, W8_MEASURED } from './matmul_w8.js';

const chosen = new WeakMap<GPUDevice, QuantizedPath>();
const measuring = new WeakMap<GPUDevice, Promise<QuantizedPath>>();

/** The product measured: activations [M, K], weight [N, K]. */
const SIZE = { m: 256, k: 1024, n: 1024 };
const ROUNDS = 3;

function pinned(): QuantizedPath | undefined {
  const env = typeof process !== 'undefined' ? process.env?.TMNN_WEBGPU_QUANTIZED : undefined;
  return env === 'int8' || env === 'f16' ? env : undefined;
}

/** The path this device uses; starts the measurement on first call and answers 'int8' until it is in. */
export function quantizedPath(rt: Runtime): QuantizedPath {
  const known = pinned() ?? chosen.get(rt.ctx.device);
  if (known) return known;
  measureQuantizedPaths(rt).catch(() => undefined); // a device lost meanwhile: the next call reports it
  return 'int8';
}

/** Sets the path for this device, overriding the measurement (tests run both this way). */
export function useQuantizedPath(rt: Runtime, path: QuantizedPath): void {
  chosen.set(rt.ctx.device, path);
}

export interface QuantizedTiming {
  path: QuantizedPath;
  /** Best time of each kernel on the measured product, ms. */
  int8Ms: number;
  f16Ms: number;
}

const timings = new WeakMap<GPUDevice, Tuned<QuantizedTiming>>();
const MEASURED = fingerprint(INT8_MEASURED, W8_MEASURED, JSON.stringify(SIZE));

/** The measurement behind the choice, once it has run or been recalled (the bench prints it). */
export function quantizedTiming(rt: Runtime): Tuned<QuantizedTiming> | undefined {
  return timings.get(rt.ctx.device);
}

/** This device's timing if it has run, else what an earlier process measured on the adapter; nothing is timed. */
export async function knownQuantizedTiming(rt: Runtime): Promise<Tuned<QuantizedTiming> | undefined> {
  return timings.get(rt.ctx.device) ?? recall(rt, 'quantized-way', MEASURED, parseTiming);
}

/** Times both kernels once per device and keeps the faster (or the pinned one). */
export function measureQuantizedPaths(rt: Runtime): Promise<QuantizedPath> {
  const { device } = rt.ctx;
  let running = measuring.get(device);
  if (!running) {
    running = recallOrMeasure(rt, 'quantized-way', MEASURED, parseTiming, () => measure(rt)).then((timing) => {
      timings.set(device, timing);
      if (!chosen.has(device)) chosen.set(device, timing.value.path);
      return pinned() ?? chosen.get(device)!;
    });
    measuring.set(device, running);
  }
  return running;
}

function parseTiming(stored: unknown): QuantizedTiming | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const { path, int8Ms, f16Ms } = stored as Record<string, unknown>;
  const ok = (path === 'int8' || path === 'f16') && typeof int8Ms === 'number' && typeof f16Ms === 'number';
  return ok ? { path, int8Ms, f16Ms } : undefined;
}

async function measure(rt: Runtime): Promise<QuantizedTiming> {
  const { device } = rt.ctx;
  const { m, k, n } = SIZE;
  const int8Kernel = await measureInt8Kernel(rt);
  const w8Tile = await measureW8Tile(rt);
  const usage = BufferUsage.STORAGE | BufferUsage.COPY_DST;
  // The f16 way reads f32 activations (as most are) and rounds them as it loads them.
  const buffers = [m * k, n * k, 4 * m * k, 4 * n, 4 * m * n].map((bytes) => device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage }));
  const [xi8, wi8, xf, scales, out] = buffers;
  const int8 = (): void => matmulInt8(rt, op(xi8, [1, m, k], 'i8'), op(wi8, [1, n, k], 'i8'), out, { kernel: int8Kernel, counted: false });
  const f16 = (): void => matmulW8(rt, op(xf, [m, k], 'f32'), op(wi8, [n, k], 'i8'), op(scales, [n], 'f32'), out, w8Tile, false);
  try {
    const [int8Ms, f16Ms] = await bestTimes(rt, [int8, f16], ROUNDS);
    return { path: int8Ms <= f16Ms ? 'int8' : 'f16', int8Ms, f16Ms };
  } finally {
    for (const buffer of buffers) buffer.destroy();
  }
}

function op(buffer: GPUBuffer, shape: readonly number[], dtype: Operand['dtype']): Operand {
  return { buffer, shape, dtype };
}
