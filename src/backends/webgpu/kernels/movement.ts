// Data movement on the GPU: the strided gather behind transpose, slice,
// broadcastTo and reverse (shaders/strided_copy.wgsl), concatenation
// (shaders/concat.wgsl), gathering rows by index (shaders/gather.wgsl) with
// its gradient, adding rows back by index (shaders/scatter_add.wgsl), and
// running sums and products along an axis (shaders/scan.wgsl). Past the binding limit (windows.ts) a slice of
// leading rows and a concatenation along the first axis are plain copies,
// and another gather runs in bands of its output's rows, each reading the
// window of x it needs, or (a transpose) in blocks of them; gathering rows
// by index from a table past the limit, and adding them back, take its rows
// a band at a time.
import { sizeOf } from '../../../shape.js';
import type { ScanOp } from '../../kernels.js';
import concatShader from '../../../../shaders/concat.wgsl';
import fillShader from '../../../../shaders/fill.wgsl';
import gatherShader from '../../../../shaders/gather.wgsl';
import pickedRows from '../../../../shaders/picked_rows.wgsl';
import scanShader from '../../../../shaders/scan.wgsl';
import windowMaxShader from '../../../../shaders/window_max.wgsl';
import scatterAddShader from '../../../../shaders/scatter_add.wgsl';
import stridedCopyShader from '../../../../shaders/strided_copy.wgsl';
import { BYTES, computeType } from '../layout.js';
import { grid, type Operand, type Runtime } from '../runtime.js';
import { bindLimit, rowBands, windowAround, windowOf, type BufferWindow } from '../windows.js';

/** Axes the kernel's uniform holds (after merging): its shape and strides arrays, MAX_RANK / 4 vec4s each. */
const MAX_RANK = 32;

/** Drops size-1 axes and merges neighbours that step contiguously, so a gather of any rank usually fits in a few. */
export function mergeAxes(shape: readonly number[], strides: readonly number[]): { shape: number[]; strides: number[] } {
  const out: { shape: number[]; strides: number[] } = { shape: [], strides: [] };
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = out.shape.length - 1;
    if (last >= 0 && out.strides[last] === strides[d] * shape[d]) {
      out.shape[last] *= shape[d];
      out.strides[last] = strides[d];
    } else {
      out.shape.push(shape[d]);
      out.strides.push(strides[d]);
    }
  }
  return out;
}

export function stridedCopy(rt: Runtime, x: Operand, outShape: readonly number[], strides: readonly number[], offset: number, out: GPUBuffer): void {
  const merged = mergeAxes(outShape, strides);
  if (merged.shape.length > MAX_RANK) {
    throw new Error(`webgpu stridedCopy: ${merged.shape.length} axes that cannot be merged; at most ${MAX_RANK} are supported`);
  }
  const size = sizeOf(outShape);
  const bytes = BYTES[x.dtype];
  const { commands } = rt;
  if (!commands.isOversized(x.buffer) && !commands.isOversized(out)) return gather(rt, x, merged, offset, out);
  // Past the binding limit (windows.ts). A run of x in order (leading rows) is a plain copy, which has no such limit.
  if (merged.shape.length <= 1 && (merged.strides[0] ?? 1) === 1 && (offset * bytes) % 4 === 0 && (size * bytes) % 4 === 0) {
    commands.copy(x.buffer as GPUBuffer, out, size * bytes, offset * bytes);
    return;
  }
  // Otherwise in bands of the output's rows (its first merged axis), each reading only the window of x that holds what it gathers.
  if (merged.shape.length === 0) {
    const one = within(rt, x, merged, offset);
    return gather(rt, one.x, merged, one.offset, out);
  }
  const [rows, ...inner] = merged.shape;
  const perRow = sizeOf(inner);
  // A band reads |stride| elements of x a row, plus one row's reach, plus the slack of aligning its window's start.
  const reach = readRange({ shape: inner, strides: merged.strides.slice(1) }, 0);
  const room = bindLimit(rt.ctx) - rt.ctx.limits.minStorageBufferOffsetAlignment - (reach.last - reach.first + 1) * bytes;
  const bands = rowBands(rt.ctx, rows, [perRow * bytes], room, Math.abs(merged.strides[0]) * bytes);
  if (!bands && merged.shape.length === 2) return inBlocks(rt, x, merged, offset, out);
  // (Otherwise a row past the limit: out bound whole, which the dispatch refuses by name.)
  if (!bands) return gather(rt, x, merged, offset, out);
  for (const { start, count } of bands) {
    const band = { shape: [count, ...inner], strides: merged.strides };
    const from = within(rt, x, band, offset + start * merged.strides[0]);
    gather(rt, from.x, band, from.offset, windowOf(out, { start: start * perRow, count: count * perRow }, bytes));
  }
}

/**
 * A 2-D gather (a transpose: each output row reads across all of x) in
 * blocks: bands of the output's rows, each bound as a window (from the
 * aligned byte at or before the band, the kernel writing past the lead),
 * filled a block of columns at a time, each block reading the window of x it
 * needs: half the binding limit each way.
 */
function inBlocks(rt: Runtime, x: Operand, merged: { shape: number[]; strides: number[] }, offset: number, out: GPUBuffer): void {
  const bytes = BYTES[x.dtype];
  const [rows, cols] = merged.shape;
  const [rowStride, colStride] = merged.strides.map(Math.abs);
  const half = bindLimit(rt.ctx) / 2 - rt.ctx.limits.minStorageBufferOffsetAlignment;
  const band = Math.floor(Math.min(half / (cols * bytes), rowStride === 0 ? Infinity : half / (rowStride * bytes)));
  const width = colStride === 0 ? cols : Math.floor(half / (colStride * bytes));
  // (Rows too long even so: out bound whole, which the dispatch refuses by name.)
  if (band < 1 || width < 1) return gather(rt, x, merged, offset, out);
  for (let start = 0; start < rows; start += band) {
    const count = Math.min(band, rows - start);
    const { window: rowsOut, lead } = windowAround(rt.ctx, out, start * cols * bytes, (start + count) * cols * bytes);
    for (let first = 0; first < cols; first += width) {
      const block = { shape: [count, Math.min(width, cols - first)], strides: merged.strides };
      const source = within(rt, x, block, offset + start * merged.strides[0] + first * merged.strides[1]);
      gather(rt, source.x, block, source.offset, rowsOut, { cols: block.shape[1], stride: cols, offset: lead / bytes + first });
    }
  }
}

/** The window of x that holds what a gather of `merged` from `offset` reads, and the offset into it; x whole if that window is past the limit. */
function within(rt: Runtime, x: Operand, merged: { shape: number[]; strides: number[] }, offset: number): { x: Operand; offset: number } {
  const bytes = BYTES[x.dtype];
  const read = readRange(merged, offset);
  const { window, lead } = windowAround(rt.ctx, x.buffer as GPUBuffer, read.first * bytes, (read.last + 1) * bytes);
  // Too large a window: x bound whole, which the dispatch refuses by name.
  return window.size <= bindLimit(rt.ctx) ? { x: { ...x, buffer: window }, offset: offset - read.first + lead / bytes } : { x, offset };
}

/**
 * The strided_copy kernel: out[i] = x[offset + Σ idx[d] · strides[d]], out
 * contiguous or, with `block`, a block of a matrix: rows of `cols` elements,
 * `stride` apart, from `offset`.
 */
function gather(
  rt: Runtime, x: Operand, merged: { shape: number[]; strides: number[] }, offset: number, out: Operand['buffer'],
  block = { cols: 0, stride: 0, offset: 0 },
): void {
  const size = sizeOf(merged.shape);
  const params = new ArrayBuffer(32 + 8 * MAX_RANK);
  new Uint32Array(params, 0, 2).set([size, merged.shape.length]);
  new Int32Array(params, 8, 1)[0] = offset;
  new Uint32Array(params, 12, 3).set([block.cols, block.stride, block.offset]);
  new Uint32Array(params, 32, MAX_RANK).set(merged.shape);
  new Int32Array(params, 32 + 4 * MAX_RANK, MAX_RANK).set(merged.strides);
  const kernel = rt.compiler.kernel({ name: 'strided_copy', source: stridedCopyShader, types: { T: computeType(x.dtype, rt.ctx.features) } });
  rt.commands.dispatch(kernel, { x: x.buffer, out, params: new Uint8Array(params) }, grid(size, 256));
}

/** The first and last elements of x a gather reads. */
function readRange(merged: { shape: number[]; strides: number[] }, offset: number): { first: number; last: number } {
  let [first, last] = [offset, offset];
  merged.shape.forEach((extent, d) => {
    const reach = (extent - 1) * merged.strides[d];
    if (reach < 0) first += reach;
    else last += reach;
  });
  return { first, last };
}

export function concat(rt: Runtime, xs: readonly Operand[], axis: number, outShape: readonly number[], out: GPUBuffer): void {
  const outInner = sizeOf(outShape.slice(axis));
  const { commands } = rt;
  const bytes = BYTES[xs[0].dtype];
  if ((commands.isOversized(out) || xs.some((x) => commands.isOversized(x.buffer))) && outInner === sizeOf(outShape) && xs.every((x) => (sizeOf(x.shape) * bytes) % 4 === 0)) {
    // Past the binding limit (windows.ts), along the first axis that is not 1: each input is one run of the output, a plain copy.
    let at = 0;
    for (const x of xs) {
      commands.copy(x.buffer as GPUBuffer, out, sizeOf(x.shape) * bytes, 0, at);
      at += sizeOf(x.shape) * bytes;
    }
    return;
  }
  const kernel = rt.compiler.kernel({ name: 'concat', source: concatShader, types: { T: computeType(xs[0].dtype, rt.ctx.features) } });
  let offset = 0;
  for (const x of xs) {
    const inner = sizeOf(x.shape.slice(axis));
    const size = sizeOf(x.shape);
    if (size > 0) rt.commands.dispatch(kernel, { x: x.buffer, out, params: Uint32Array.of(size, inner, outInner, offset) }, grid(size, 256));
    offset += inner;
  }
}

/** out [outer, k, inner] = x [outer, n, inner] at rows `indices` (i32, k of them): shaders/gather.wgsl. */
export function gatherRows(rt: Runtime, x: Operand, indices: Operand, outer: number, inner: number, out: GPUBuffer): void {
  const n = sizeOf(x.shape) / (outer * inner);
  const k = sizeOf(indices.shape);
  const size = outer * k * inner;
  const kernel = rt.compiler.kernel({ name: 'gather', source: [gatherShader, pickedRows], types: { T: computeType(x.dtype, rt.ctx.features) } });
  for (const { window, first, rows } of rowWindows(rt, 'gather', x.buffer, outer, n, inner * BYTES[x.dtype])) {
    rt.commands.dispatch(kernel, { x: window, indices: indices.buffer, out, params: new Uint32Array([size, n, k, inner, first, rows, 0, 0]) }, grid(size, 256));
  }
}

/** out [outer, n, inner] (f32) = zeros with dy [outer, k, inner] (f32) added at rows `indices` (i32): shaders/scatter_add.wgsl. */
export function scatterAddRows(rt: Runtime, dy: Operand, indices: Operand, outer: number, n: number, inner: number, out: GPUBuffer): void {
  const k = sizeOf(indices.shape);
  const size = outer * k * inner;
  const fill = rt.compiler.kernel({ name: 'fill', source: fillShader });
  const kernel = rt.compiler.kernel({ name: 'scatter_add', source: [scatterAddShader, pickedRows] });
  for (const { window, first, rows } of rowWindows(rt, 'scatter_add', out, outer, n, inner * 4)) {
    const words = outer * rows * inner;
    rt.commands.dispatch(fill, { target_words: window, params: Uint32Array.of(words, 0) }, grid(words, 256));
    if (size === 0) continue;
    rt.commands.dispatch(kernel, { dy: dy.buffer, indices: indices.buffer, out: window, params: new Uint32Array([size, n, k, inner, first, rows, 0, 0]) }, grid(size, 256));
  }
}

/**
 * The windows a picked-rows kernel binds of the tensor [outer, n, inner] it
 * picks rows from: the whole buffer, or past the binding limit bands of its
 * rows, one launch each (an embedding table larger than a binding: gather
 * reads each band, scatter_add writes each). Only one outer block can be
 * cut into bands of rows; anything else past the limit is refused by name.
 */
function rowWindows(rt: Runtime, kernel: string, buffer: GPUBuffer | BufferWindow, outer: number, n: number, rowBytes: number): { window: GPUBuffer | BufferWindow; first: number; rows: number }[] {
  if (!rt.commands.isOversized(buffer) || outer !== 1) return [{ window: buffer, first: 0, rows: n }];
  const bands = rowBands(rt.ctx, n, [rowBytes]);
  if (!bands) rt.commands.checkBindable(kernel, [buffer]);
  return bands!.map(({ start, count }) => ({ window: windowOf(buffer as GPUBuffer, { start: start * rowBytes, count: count * rowBytes }, 1), first: start, rows: count }));
}

/** out = running sums or products of x [outer, n, inner] along n (x f32 or i32): shaders/scan.wgsl. */
export function scanLines(rt: Runtime, op: ScanOp, x: Operand, outer: number, inner: number, out: GPUBuffer): void {
  const n = sizeOf(x.shape) / (outer * inner);
  const lines = outer * inner;
  const kernel = rt.compiler.kernel({ name: 'scan', source: scanShader, types: { T: computeType(x.dtype, rt.ctx.features) }, defines: { OP: op === 'prod' ? 1 : 0 } });
  rt.commands.dispatch(kernel, { x: x.buffer, out, params: new Uint32Array([lines, n, inner]) }, grid(lines, 256));
}

/** out [outer, windows] = the largest of x [outer, n] at each window's positions in `table` (i32, [windows, taps]): shaders/window_max.wgsl. */
export function windowMaxRows(rt: Runtime, x: Operand, table: Operand, outer: number, out: GPUBuffer): void {
  const [windows, taps] = table.shape;
  const size = outer * windows;
  const kernel = rt.compiler.kernel({ name: 'window_max', source: windowMaxShader, types: { T: computeType(x.dtype, rt.ctx.features) } });
  rt.commands.dispatch(kernel, { x: x.buffer, table: table.buffer, out, params: new Uint32Array([size, sizeOf(x.shape) / outer, windows, taps]) }, grid(size, 256));
}
