// Tensors larger than a kernel may bind at once. A device lets a buffer be
// far larger (maxBufferSize: 4 GiB on lavapipe) than one binding of it
// (maxStorageBufferBindingSize: 128 MiB on lavapipe, and in browsers unless
// asked for more), so a tensor past the binding limit lives in one buffer and
// a kernel reads it a window at a time: elementwise chains in parts of the
// output (fusion.ts `chunked`), x·w in bands of rows (kernels/matmul.ts),
// slices and transposes in bands or blocks (kernels/movement.ts),
// reductions, softmax and xᵀ·dy in bands or parts (large_tensors.ts),
// convolutions in bands of images (kernels/conv2d.ts). Every
// other kernel gets a clear error naming itself (commands.ts), instead of a
// validation error at the next read. This file says where the windows fall.
import type { GpuContext } from './device.js';
import { BYTES } from './layout.js';
import type { Operand } from './runtime.js';

/** Part of a buffer, bound in its place. */
export interface BufferWindow {
  readonly buffer: GPUBuffer;
  /** Bytes; a multiple of minStorageBufferOffsetAlignment. */
  readonly offset: number;
  readonly size: number;
}

/** A run of elements a launch covers: the first, and how many. */
export interface Part {
  readonly start: number;
  readonly count: number;
}

/** The most bytes one binding may cover. */
export function bindLimit(ctx: GpuContext): number {
  return ctx.limits.maxStorageBufferBindingSize;
}

/**
 * `total` elements in parts each within the binding limit at `bytesPerElement`
 * (the widest array a launch binds), each starting where every binding of it
 * may start: a multiple of the offset alignment in bytes whatever the dtype
 * (1, 2 or 4 bytes), on a whole packed word and a whole vec4.
 */
export function parts(ctx: GpuContext, total: number, bytesPerElement: number): Part[] {
  const step = 4 * ctx.limits.minStorageBufferOffsetAlignment;
  const most = Math.floor(bindLimit(ctx) / bytesPerElement / step) * step;
  if (!(most > 0)) throw new Error(`webgpu: a binding limit of ${bindLimit(ctx)} bytes holds no run of ${step} elements`);
  const out: Part[] = [];
  for (let start = 0; start < total; start += most) out.push({ start, count: Math.min(most, total - start) });
  return out;
}

/**
 * `rows` rows in bands, each band's rows of every array a launch binds (each
 * `rowBytes[i]` bytes a row) within the binding limit and starting on the
 * offset alignment: a band's rows are a multiple of the fewest after which
 * every array's rows end on it. Null where a single such run of rows is past
 * the limit (the binding limit, or less where a caller needs room).
 * `readBytes`: what a row reads from a window the caller places itself (a
 * gather's input): it bounds a band's size, not where bands start.
 */
export function rowBands(ctx: GpuContext, rows: number, rowBytes: readonly number[], limit = bindLimit(ctx), readBytes = 0): Part[] | null {
  const align = ctx.limits.minStorageBufferOffsetAlignment;
  const step = rowBytes.reduce((s, bytes) => lcm(s, align / gcd(align, bytes)), 1);
  const band = Math.floor(limit / Math.max(...rowBytes, readBytes) / step) * step;
  if (!(band > 0)) return null;
  const out: Part[] = [];
  for (let start = 0; start < rows; start += band) out.push({ start, count: Math.min(band, rows - start) });
  return out;
}

function gcd(p: number, q: number): number {
  return q === 0 ? p : gcd(q, p % q);
}

function lcm(p: number, q: number): number {
  return (p / gcd(p, q)) * q;
}

/** The window of `buffer` holding elements [start, start + count) at `bytesPerElement` (rounded out to whole words). */
export function windowOf(buffer: GPUBuffer, part: Part, bytesPerElement: number): BufferWindow {
  const offset = part.start * bytesPerElement;
  return { buffer, offset, size: Math.min(Math.ceil((part.count * bytesPerElement) / 4) * 4, buffer.size - offset) };
}

/** Rows [start, start + count) of x (bound whole), `perRow` elements each, as an operand of `shape`. */
export function rowsOf(x: Operand, { start, count }: Part, perRow: number, shape: readonly number[]): Operand {
  return { ...x, buffer: windowOf(x.buffer as GPUBuffer, { start: start * perRow, count: count * perRow }, BYTES[x.dtype]), shape };
}

/**
 * The window of `buffer` over bytes [first, end) where that need not start on
 * the offset alignment: it starts at the aligned byte at or before `first`,
 * and `lead` bytes precede `first` in it.
 */
export function windowAround(ctx: GpuContext, buffer: GPUBuffer, first: number, end: number): { window: BufferWindow; lead: number } {
  const align = ctx.limits.minStorageBufferOffsetAlignment;
  const start = Math.floor(first / align) * align;
  return { window: windowOf(buffer, { start, count: end - start }, 1), lead: first - start };
}
