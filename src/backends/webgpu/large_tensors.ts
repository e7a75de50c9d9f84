// Ops on tensors past what a kernel binds at once (windows.ts), composed
// from the ordinary kernels run over windows: a row-wise kernel (a row
// reduction, argmax, softmax) in bands of rows; a column reduction, a
// reduction of one long row, and the xᵀ·dy of a large batch in parts whose
// results a pending chain combines (so the combining fuses into one launch,
// or into what reads it). Elementwise chains (index.ts, fusion.ts `chunked`),
// x·w (kernels/matmul.ts) and slices (kernels/movement.ts) take windows
// themselves.
import type { DType } from '../../dtype.js';
import { isFloat } from '../../dtype.js';
import type { MatmulConfig, ReduceOp, TensorInfo } from '../kernels.js';
import { scalarData, type ElementwiseOp, type GpuData } from './data.js';
import { matmul } from './kernels/matmul.js';
import { reduce } from './kernels/reduce.js';
import { BYTES } from './layout.js';
import type { Operand, Runtime } from './runtime.js';
import { parts, rowBands, rowsOf, windowOf, type BufferWindow } from './windows.js';

type Info = TensorInfo<GpuData>;

/** What the backend lends these compositions (index.ts). */
export interface Composer {
  readonly rt: Runtime;
  /** x as a kernel reads it (packed dtypes widened), and what to call when done with it. */
  wide(x: Info): { operand: Operand; done(): void };
  /** A kernel's result in a fresh buffer (`run` writes it, in the wide dtype for packed ones). */
  produce(dtype: DType, shape: readonly number[], run: (out: GPUBuffer, dtype: DType) => void): GpuData;
  /** A pending elementwise op. */
  pending(dtype: DType, shape: readonly number[], op: ElementwiseOp, inputs: readonly Info[]): GpuData;
}

/**
 * A row-wise kernel (`run`) over x [rows, inner] writing `outPerRow`
 * elements a row into `out`: at once, or past the binding limit in bands of
 * rows, each band's rows of x a window. An output past the limit too is
 * written a window a band; one within it (a reduction's), a band at a time
 * into scratch and copied into place, so that only x's rows say where bands
 * may start. A row too long for a band is refused with the kernel's name,
 * before it takes any scratch buffer.
 */
export function inRowBands(
  rt: Runtime, kernel: string, x: Operand, out: GPUBuffer, outPerRow: number, outDtype: DType,
  run: (x: Operand, out: GPUBuffer | BufferWindow) => void,
): void {
  const { commands } = rt;
  if (!commands.isOversized(x.buffer) && !commands.isOversized(out)) return run(x, out);
  const [rows, inner] = x.shape;
  const rowOut = outPerRow * BYTES[outDtype];
  // (A copy moves whole words: rows of a half-word each are written as windows.)
  const copied = !commands.isOversized(out) && rowOut % 4 === 0;
  const bands = rowBands(rt.ctx, rows, copied ? [inner * BYTES[x.dtype]] : [inner * BYTES[x.dtype], rowOut]);
  if (!bands) return commands.checkBindable(kernel, [x.buffer, out]);
  for (const { start, count } of bands) {
    const band = rowsOf(x, { start, count }, inner, [count, inner]);
    if (!copied) {
      run(band, windowOf(out, { start: start * outPerRow, count: count * outPerRow }, BYTES[outDtype]));
      continue;
    }
    const scratch = rt.pool.acquire(count * rowOut);
    run(band, scratch);
    commands.copy(scratch, out, count * rowOut, 0, start * rowOut);
    rt.pool.release(scratch);
  }
}

/**
 * op over the rows (or, with `columns`, the columns) of x [rows, inner] past
 * the binding limit: rows in bands of rows; a column reduction, or one long
 * row, in parts whose results are combined (sums added, maxima and minima
 * compared; a mean is the sum over the count). Ints' mean, which must be
 * exact past 2^24, and rows of more than a band are refused by name.
 */
export function reduceInParts(c: Composer, op: ReduceOp, x: Info, outDtype: DType, columns: boolean): GpuData {
  const { rt } = c;
  const input = c.wide(x);
  try {
    const { operand } = input;
    const [rows, inner] = operand.shape;
    const bytes = BYTES[operand.dtype];
    if (!rt.commands.isOversized(operand.buffer)) {
      // Within the limit after all (the backend sends here any x whose chain's
      // inputs might be wider than x): one launch, as for any tensor. Parts
      // may not exist for it: a band of rows must start on the offset
      // alignment, which some row lengths reach only past the limit.
      return c.produce(outDtype, [columns ? inner : rows], (out, dtype) => reduce(rt, op, operand, out, dtype, columns));
    }
    if (!columns && rows > 1) {
      return c.produce(outDtype, [rows], (out, dtype) => inRowBands(rt, 'reduce', operand, out, 1, dtype, (band, part) => reduce(rt, op, band, part, dtype)));
    }
    if (op === 'mean' && !isFloat(x.dtype)) rt.commands.checkBindable('reduce_mean_int', [operand.buffer]);
    // Parts: bands of rows for a column reduction; runs of the one row's elements otherwise.
    const bands = columns ? rowBands(rt.ctx, rows, [inner * bytes]) : parts(rt.ctx, inner, bytes);
    if (!bands) {
      rt.commands.checkBindable('reduce', [operand.buffer]);
      throw new Error('webgpu: reduceInParts found no parts for a tensor within the binding limit');
    }
    const partDtype: DType = isFloat(operand.dtype) ? 'f32' : 'i32';
    const width = columns ? inner : 1;
    const results = bands.map(({ start, count }) => {
      // A band of rows, or a run of the one row's elements (rows of one).
      const part = columns ? rowsOf(operand, { start, count }, inner, [count, inner]) : rowsOf(operand, { start, count }, 1, [1, count]);
      return c.produce(partDtype, [width], (out, dtype) => reduce(rt, op === 'mean' ? 'sum' : op, part, out, dtype, columns));
    });
    const how = op === 'max' ? 'maximum' : op === 'min' ? 'minimum' : op === 'prod' ? 'mul' : 'add';
    return combineParts(c, results, how, outDtype, op === 'mean' ? (columns ? rows : inner) : undefined);
  } finally {
    input.done();
  }
}

/**
 * aᵀ · b with a [k, m] past the binding limit (a weight's gradient xᵀ·dy
 * over a large batch): the sum over k in bands of rows of a and b, each
 * band's product [m, n] in f32. Null where this is not such a product, or
 * one band would hold it all (a band too large is the kernel's to refuse).
 */
export function contractionInBands(c: Composer, a: Operand, b: Operand, config: MatmulConfig, dtype: DType): GpuData | null {
  const { rt } = c;
  const [batchA, k, m] = a.shape;
  const [batchB, , n] = b.shape;
  if (!config.transposeA || config.transposeB || batchA !== 1 || batchB !== 1 || !rt.commands.isOversized(a.buffer)) return null;
  const bands = rowBands(rt.ctx, k, [m * BYTES[a.dtype], n * BYTES[b.dtype]]);
  if (!bands || bands.length < 2) return null;
  const products = bands.map(({ start, count }) => {
    const aBand = rowsOf(a, { start, count }, m, [1, count, m]);
    const bBand = rowsOf(b, { start, count }, n, [1, count, n]);
    return c.produce('f32', [1, m, n], (out) => matmul(rt, aBand, bBand, config, 'f32', out));
  });
  return combineParts(c, products, 'add', dtype);
}

/**
 * Results of parts of one computation (computed, of one shape) combined
 * into the whole by a pending chain: `how` between each, then divided by
 * `divisor` (a mean), then cast to `dtype`. Every node but the result is
 * freed once read, as a disposed tensor's storage is: fusion writes out
 * only what a tensor holds.
 */
function combineParts(c: Composer, results: readonly GpuData[], how: 'add' | 'mul' | 'maximum' | 'minimum', dtype: DType, divisor?: number): GpuData {
  const made: GpuData[] = [...results];
  const info = (d: GpuData): Info => ({ storage: d, shape: d.shape, dtype: d.dtype });
  const next = (to: DType, op: ElementwiseOp, args: readonly GpuData[]): GpuData => {
    made.push(c.pending(to, results[0].shape, op, args.map(info)));
    return made[made.length - 1];
  };
  let result = results.reduce((acc, r) => next(acc.dtype, { kind: 'binary', op: how }, [acc, r]));
  if (divisor !== undefined) result = next('f32', { kind: 'binary', op: 'div' }, [result, scalarData(Float32Array.of(divisor), 'f32')]);
  if (result.dtype !== dtype) result = next(dtype, { kind: 'cast' }, [result]);
  for (const d of made) d.freed = d !== result;
  return result;
}
