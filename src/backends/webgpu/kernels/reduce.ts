// Row reductions on the GPU: sum, mean, max, min, prod and argmax/argmin of x
// seen as [outer, inner] (shaders/reduce.wgsl, reduce_mean_int.wgsl,
// arg_reduce.wgsl), and sum/mean/max/min/prod over the columns of x [inner, outer]
// too, read in place through strides (reduceColumns: a sum over a batch, such
// as a bias's gradient, without a transposed copy). Three shapes of launch,
// picked from the rows' (or columns') shape and the device:
//  - short rows (inner ≤ SHORT_ROW): one invocation per row, folding it
//    serially, so many short rows (a softmax over 10 classes) keep every
//    invocation busy;
//  - longer rows: one workgroup per row (64 or 256 invocations, by the row's
//    length), each invocation folding a strided share, then combined
//    within each subgroup with subgroup operations (when the device has
//    them) and across subgroups — or, without subgroups, as a tree — in
//    workgroup memory. Or, on devices that run it faster (timed once per
//    device, `rowLayout`), still one invocation per row where there are rows
//    enough to fill a workgroup (and rows up to INVOCATION_MAX_ROW): on a CPU
//    rasteriser a workgroup's barriers and atomics cost more than the
//    parallelism gains (rows of 1024 reduced 5–7× faster on lavapipe,
//    2026-12-01), while a GPU wants the workgroups;
//  - long rows among few rows (all but the mean of ints): split into
//    chunks, one workgroup each, then the chunks' results reduced per row
//    by a second launch, so one long row still fills the device.
// The subgroup path can be switched off (`reduceOptions.subgroups = false`,
// or TMNN_WEBGPU_SUBGROUPS=0) to run and test the workgroup-tree path on a
// device that has subgroups; `reduceOptions.layout` pins the layout of
// longer rows (tests run both).
import { isFloat, type DType } from '../../../dtype.js';
import type { ArgReduceOp, ReduceOp } from '../../kernels.js';
import argReduceShader from '../../../../shaders/arg_reduce.wgsl';
import elementwiseLib from '../../../../shaders/elementwise_lib.wgsl';
import reduceShader from '../../../../shaders/reduce.wgsl';
import reduceLoad from '../../../../shaders/reduce_load.wgsl';
import reduceLoadFused from '../../../../shaders/reduce_load_fused.wgsl';
import reduceMeanIntShader from '../../../../shaders/reduce_mean_int.wgsl';
import subgroupNone from '../../../../shaders/subgroup_none.wgsl';
import subgroupOps from '../../../../shaders/subgroup_ops.wgsl';
import type { WgslScalar } from '../compiler.js';
import type { FusedCode } from '../fusion.js';
import { computeType } from '../layout.js';
import { measuredChoice } from '../measured_choice.js';
import { grid, type Operand, type Runtime } from '../runtime.js';
import { fastest, withScratchBuffers } from '../timing.js';
import { fingerprint } from '../tuning_store.js';

/** How rows longer than SHORT_ROW are reduced: a workgroup per row, or an invocation per row. */
export type RowLayout = 'workgroup' | 'invocation';

export const reduceOptions: { subgroups: boolean; layout: RowLayout | null } = {
  /** Use subgroup operations where the device has them (false: always the workgroup tree). */
  subgroups: !(typeof process !== 'undefined' && process.env?.TMNN_WEBGPU_SUBGROUPS === '0'),
  /** The layout of longer rows; null: the device's measured one. */
  layout: null,
};

/** Rows this short or shorter get one invocation each. */
export const SHORT_ROW = 32;
/**
 * The longest row the invocation layout folds serially: a serial f32 sum's
 * rounding grows with the row (a workgroup's is spread over its invocations),
 * and so does the time one invocation takes.
 */
export const INVOCATION_MAX_ROW = 4096;
/** Invocations per workgroup when each handles a whole row. */
const ROWS_PER_GROUP = 64;

const OPS: Record<ReduceOp, number> = { sum: 0, mean: 1, max: 2, min: 3, prod: 4 };

/**
 * Invocations per row: 64 for rows up to 512, 256 beyond. Two sizes only:
 * each is a separate pipeline (per op and dtype), and pipeline creation is
 * costly (seconds on lavapipe).
 */
export function rowWorkgroup(inner: number): number {
  return inner <= 512 ? 64 : 256;
}

/** Rows at least this long among at most SPLIT_MAX_ROWS rows are reduced in chunks of SPLIT_CHUNK (all but the mean of ints). */
export const SPLIT_MIN_INNER = 1 << 16;
export const SPLIT_MAX_ROWS = 64;
export const SPLIT_CHUNK = 1 << 14;

export interface RowLaunch { WG: number; perInvocation: boolean; groups: [number, number] }

/** How a row kernel is launched for rows of `inner`: the WG override, the per-invocation flag, the grid. */
export function rowLaunch(rt: Runtime, outer: number, inner: number, layout = rowLayout(rt)): RowLaunch {
  const perInvocation = inner <= SHORT_ROW || (layout === 'invocation' && outer >= ROWS_PER_GROUP && inner <= INVOCATION_MAX_ROW);
  if (perInvocation) return { WG: ROWS_PER_GROUP, perInvocation: true, groups: grid(outer, ROWS_PER_GROUP) };
  return { WG: rowWorkgroup(inner), perInvocation: false, groups: grid(outer, 1) };
}

const layoutChoice = measuredChoice<RowLayout>(
  'row-layout',
  fingerprint(reduceShader, JSON.stringify({ SHORT_ROW, ROWS_PER_GROUP, INVOCATION_MAX_ROW })),
  (v) => (v === 'workgroup' || v === 'invocation' ? v : undefined),
  timeLayouts,
);

/** The layout of longer rows on this device: pinned, measured, or (until the measurement is in) a workgroup per row. */
export function rowLayout(rt: Runtime): RowLayout {
  return reduceOptions.layout ?? layoutChoice.current(rt, 'workgroup');
}

/** This device's layout if measured, else what an earlier process measured on the adapter; nothing is timed. */
export const knownRowLayout = layoutChoice.known;
/** Times both layouts on this device once (or recalls an earlier process's timing) and keeps the faster. */
export const measureRowLayout = layoutChoice.measure;

/** The faster layout for the row sums of a [256, 1024] f32 matrix, in alternating rounds (timing.ts). */
function timeLayouts(rt: Runtime): Promise<RowLayout> {
  const [outer, inner] = [256, 1024];
  return withScratchBuffers(rt, [outer * inner * 4, outer * 4], ([x, out]) =>
    fastest(rt, ['workgroup', 'invocation'] as const, (layout) => () => reduce(rt, 'sum', { buffer: x, shape: [outer, inner], dtype: 'f32' }, out, 'f32', false, layout, false), 3));
}

export function useSubgroups(rt: Runtime): boolean {
  return rt.ctx.features.subgroups && reduceOptions.subgroups;
}

/** What the row kernels include: the sg_* helpers (subgroup operations, or pass-throughs when subgroups are off) and elementwise_lib.wgsl. */
export function rowLib(subgroups: boolean): string[] {
  return [subgroups ? subgroupOps : subgroupNone, elementwiseLib];
}

/** A reduction's input computed as it is read (reduce_load_fused.wgsl): the elementwise chain fusion.ts generated with `rootRead`, its bindings from 3 on. */
export interface FusedOperand {
  readonly code: FusedCode;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** The first binding a fused input's generated code may use (reduce.wgsl has out at 1 and params at 2). */
export const FUSED_INPUT_BINDING = 3;

/**
 * op over the rows of x [outer, inner] → [outer]; or, with `columns`, over
 * the columns of x [inner, outer] → [outer] (read in place through strides).
 * x may be a fused chain (not for the mean of ints, which reads x itself).
 */
export function reduce(rt: Runtime, op: ReduceOp, x: Operand | FusedOperand, out: Operand['buffer'], outDtype: DType, columns = false, layout = rowLayout(rt), counted = true): void {
  const [outer, inner] = columns ? [x.shape[1], x.shape[0]] : x.shape;
  const [rowStride, elemStride] = columns ? [1, outer] : [inner, 1];
  const { features } = rt.ctx;
  const launch = rowLaunch(rt, outer, inner, layout);
  if (op === 'mean' && !isFloat(x.dtype)) {
    if (!('buffer' in x)) throw new Error('webgpu: the mean of ints reads a computed input, not a fused chain');
    const params = Uint32Array.of(outer, inner, rowStride, elemStride);
    const kernel = rt.compiler.kernel({
      name: 'reduce_mean_int',
      source: [...rowLib(false), reduceMeanIntShader],
      types: { V: 'i32', Out: computeType(outDtype, features) },
      defines: { PER_INVOCATION: launch.perInvocation },
      constants: { WG: launch.WG },
    });
    rt.commands.dispatch(kernel, { x: x.buffer, out, params }, launch.groups, counted);
    return;
  }
  const float = isFloat(x.dtype);
  const V: WgslScalar = float ? 'f32' : 'i32';
  const run = (o: ReduceOp, input: { buffer: Operand['buffer'] } | { code: FusedCode }, inType: WgslScalar, outType: WgslScalar, target: Operand['buffer'], p: Uint32Array, l: RowLaunch) => {
    const subgroups = useSubgroups(rt) && !l.perInvocation;
    const kernel = rt.compiler.kernel({
      name: 'reduce',
      // (rowLib brings elementwise_lib.wgsl, which a fused chain's first piece repeats; special_lib.wgsl may follow it.)
      source: [...rowLib(subgroups), reduceShader, ...('code' in input ? [reduceLoadFused, ...input.code.code.slice(1)] : [reduceLoad])],
      types: { V, In: inType, Out: outType },
      defines: { OP: OPS[o], IS_FLOAT: float, PER_INVOCATION: l.perInvocation, SUBGROUPS: subgroups },
      constants: { WG: l.WG },
    });
    const inputs = 'code' in input ? input.code.buffers : { x: input.buffer };
    rt.commands.dispatch(kernel, { ...inputs, out: target, params: p }, l.groups, counted);
  };
  const inType = computeType(x.dtype, features);
  const outType = computeType(outDtype, features);
  if (outer <= SPLIT_MAX_ROWS && inner >= SPLIT_MIN_INNER) {
    const parts = Math.ceil(inner / SPLIT_CHUNK);
    const partial = rt.pool.acquire(outer * parts * 4);
    run(op === 'mean' ? 'sum' : op, x, inType, V, partial,
      Uint32Array.of(outer * parts, inner, parts, SPLIT_CHUNK, inner, rowStride, elemStride), { WG: 256, perInvocation: false, groups: grid(outer * parts, 1) });
    run(op, { buffer: partial }, V, outType, out, Uint32Array.of(outer, parts, 1, parts, inner, parts, 1), rowLaunch(rt, outer, parts, layout));
    rt.pool.release(partial);
    return;
  }
  run(op, x, inType, outType, out, Uint32Array.of(outer, inner, 1, inner, inner, rowStride, elemStride), launch);
}

export function argReduce(rt: Runtime, op: ArgReduceOp, x: Operand, out: Operand['buffer']): void {
  const [outer, inner] = x.shape;
  const float = isFloat(x.dtype);
  const run = (gather: boolean, cand: Operand['buffer'], target: Operand['buffer'], p: Uint32Array, l: RowLaunch) => {
    const subgroups = useSubgroups(rt) && !l.perInvocation;
    const kernel = rt.compiler.kernel({
      name: 'arg_reduce',
      source: [...rowLib(subgroups), argReduceShader],
      types: { V: float ? 'f32' : 'i32', In: computeType(x.dtype, rt.ctx.features) },
      defines: { LARGEST: op === 'argmax', IS_FLOAT: float, PER_INVOCATION: l.perInvocation, GATHER: gather, SUBGROUPS: subgroups },
      constants: { WG: l.WG },
    });
    rt.commands.dispatch(kernel, { x: x.buffer, cand, out: target, params: p }, l.groups);
  };
  if (outer <= SPLIT_MAX_ROWS && inner >= SPLIT_MIN_INNER) {
    const parts = Math.ceil(inner / SPLIT_CHUNK);
    const cand = rt.pool.acquire(outer * parts * 4);
    run(false, x.buffer, cand, Uint32Array.of(outer * parts, inner, parts, SPLIT_CHUNK, inner), { WG: 256, perInvocation: false, groups: grid(outer * parts, 1) });
    run(true, cand, out, Uint32Array.of(outer, parts, 1, parts, inner), rowLaunch(rt, outer, parts));
    rt.pool.release(cand);
    return;
  }
  // (cand is unused without GATHER; x stands in for it.)
  run(false, x.buffer, out, Uint32Array.of(outer, inner, 1, inner, inner), rowLaunch(rt, outer, inner));
}
