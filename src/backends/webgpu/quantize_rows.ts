// The int8 way's launches on x before its product, for
// kernels/quantized_path.ts to time with the product so that the two ways of
// x · q are compared whole: the int8 way launches these two kernels and its
// product, the f16 way one kernel. They are issued through the backend's own
// ops, as ops/quantize.ts issues them (rowScales, toInt8) — |x|'s row maxima,
// then x divided by max / 127 (1 for a zero row), rounded half away from zero
// and stored as int8 — so they compile to the kernels a real product runs.
// test/ops/quantize.test.ts checks that both launch alike.
import type { Kernels, TensorInfo } from '../kernels.js';
import { GpuData } from './data.js';

type Ops = Pick<Kernels<GpuData>, 'unary' | 'binary' | 'where' | 'reduce' | 'cast'> & {
  upload(values: Float32Array, dtype: 'f32'): GpuData;
  materialize(d: GpuData): void;
  free(d: GpuData): void;
};

/** Records the launches on f32 x [m, k] (a buffer the caller keeps: nothing here frees it); their outputs go back to the pool. */
export function quantizeRows(ops: Ops, x: GPUBuffer, m: number, k: number): void {
  const made: GpuData[] = [];
  const info = (storage: GpuData, shape: readonly number[] = storage.shape): TensorInfo<GpuData> => ({ storage, shape, dtype: storage.dtype });
  const keep = (d: GpuData): GpuData => (made.push(d), d);
  const constant = (v: number) => keep(ops.upload(Float32Array.of(v), 'f32'));
  const rows = [m, k];
  const column = [m, 1];
  const xd = new GpuData('f32', m * k, rows, x);

  const amax = keep(ops.reduce('max', info(keep(ops.unary('abs', info(xd)))), 'f32'));
  const zero = keep(ops.binary('equal', info(amax, column), info(constant(0)), column));
  const scale = keep(ops.where(info(zero), info(constant(1)), info(keep(ops.binary('div', info(amax, column), info(constant(127)), column))), column));
  const y = keep(ops.binary('div', info(xd), info(scale), rows));
  const half = keep(ops.binary('mul', info(keep(ops.unary('sign', info(y)))), info(constant(0.5)), rows));
  const q = ops.cast(info(keep(ops.binary('add', info(y), info(half), rows))), 'i8');
  // Let go of the intermediates first, as tidy does before a product is read: a
  // value still held would be written out by the launch that computes it.
  for (const d of made) ops.free(d);
  ops.materialize(q);
  ops.free(q);
}
