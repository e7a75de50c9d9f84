// A webgpu tensor's storage: a buffer once computed, or until then the
// operation that will compute it. Elementwise ops and matmul do not run when
// called; they record themselves here, and a chain of them is compiled into
// one kernel when a value is needed (fusion.ts) — `matmul(x, w).add(b).relu()`
// is one launch.
//
// A one-element upload (a plain number in `x.add(1)`, a learning rate) is
// kept on the CPU instead: fused kernels read it from their uniform
// parameters, so it costs no buffer and no write — and a write submits the
// work recorded so far — and the pipeline is the same whatever the value. It
// gets a buffer only when a kernel that is not fused needs one.
//
// Lifetimes: the engine frees a storage when its last tensor goes (`freed`);
// pending operations that read it count as `readers`. The buffer returns to
// the pool only when both are done, and an uncomputed operation nobody can
// read any more is dropped without running.
import { isFloat, type DType, type StorageArray } from '../../dtype.js';
import { f16Value } from '../../f16.js';
import type { BinaryOp, MatmulConfig, UnaryOp } from '../kernels.js';

/** An input of a pending operation, with the shape the operation saw (broadcasting is relative to it). */
export interface Arg {
  readonly data: GpuData;
  readonly shape: readonly number[];
}

export type ElementwiseOp =
  | { readonly kind: 'unary'; readonly op: UnaryOp | 'copy' }
  | { readonly kind: 'binary'; readonly op: BinaryOp }
  | { readonly kind: 'where' }
  | { readonly kind: 'cast' }
  | { readonly kind: 'bitcast' };

export type PendingOp =
  | (ElementwiseOp & { readonly args: readonly Arg[] })
  | { readonly kind: 'matmul'; readonly args: readonly [Arg, Arg]; readonly config: MatmulConfig };

/** A one-element value held on the CPU: its stored form, and its bits as a kernel computes with it (f32 bits for floats, i32 for ints). */
export interface Scalar {
  readonly stored: StorageArray;
  readonly bits: number;
}

export class GpuData {
  buffer: GPUBuffer | null = null;
  op: PendingOp | null = null;
  readonly scalar: Scalar | null = null;
  /** The engine has let go: no tensor will read this again. */
  freed = false;
  /** Pending operations that read this. */
  readers = 0;
  /**
   * The uncomputed elementwise operations in this one's expression, itself
   * included, each once however many paths reach it (fusion computes a
   * shared node once, fusion.ts): what a fused kernel of it would hold, which
   * fusion caps. Nodes computed since may still be listed: `expression()`
   * leaves them out.
   */
  private nodes: readonly GpuData[] = [];

  constructor(
    readonly dtype: DType,
    /** Elements. */
    readonly size: number,
    /** The shape it was computed with (args broadcast to it). */
    readonly shape: readonly number[],
    source: GPUBuffer | PendingOp | Scalar,
  ) {
    if ('bits' in source) {
      this.scalar = source;
    } else if ('kind' in source) {
      this.op = source;
      for (const a of source.args) a.data.readers++;
      if (source.kind !== 'matmul') this.nodes = [...expressionOf(source.args.map((a) => a.data)), this];
    } else {
      this.buffer = source;
    }
  }

  /** The uncomputed elementwise operations in this one's expression, itself included, each once. */
  expression(): readonly GpuData[] {
    // Computed (or dropped): let go of the nodes, which a tensor holding this would otherwise keep alive.
    if (!this.elementwise) return (this.nodes = []);
    if (this.nodes.some((n) => n !== this && !n.elementwise)) this.nodes = [...expressionOf(this.op!.args.map((a) => a.data)), this];
    return this.nodes;
  }

  /** How many operations a fused kernel of this expression would hold. */
  get depth(): number {
    return this.expression().length;
  }

  get computed(): boolean {
    return this.buffer !== null;
  }

  get elementwise(): boolean {
    return !this.buffer && this.op !== null && this.op.kind !== 'matmul';
  }
}

/** The uncomputed elementwise operations of the expressions of `data`, together, each once. */
export function expressionOf(data: readonly GpuData[]): Set<GpuData> {
  const all = new Set<GpuData>();
  for (const d of data) for (const n of d.expression()) all.add(n);
  return all;
}

/** Called with a buffer nobody needs any more. */
export type Recycle = (buffer: GPUBuffer) => void;

/** Gives up this storage's buffer or pending operation once the engine and every reader are done with it. */
export function dropIfUnused(d: GpuData, recycle: Recycle): void {
  if (!d.freed || d.readers > 0) return;
  if (d.buffer) {
    recycle(d.buffer);
    d.buffer = null;
  } else if (d.op) {
    releaseArgs(d, recycle);
  }
}

/** The operation is done (or abandoned): its inputs lose a reader. */
export function releaseArgs(d: GpuData, recycle: Recycle): void {
  const op = d.op;
  d.op = null;
  d.expression(); // no longer pending: lets go of its list of nodes
  for (const a of op?.args ?? []) {
    a.data.readers--;
    dropIfUnused(a.data, recycle);
  }
}

/** Records that `d` now holds its values in `buffer`. */
export function settle(d: GpuData, buffer: GPUBuffer, recycle: Recycle): void {
  d.buffer = buffer;
  releaseArgs(d, recycle);
  // Computed only as a by-product of a fused kernel and already freed: give the buffer back.
  dropIfUnused(d, recycle);
}

/** A one-element value kept on the CPU (see the top of this file). */
export function scalarData(values: StorageArray, dtype: DType): GpuData {
  return new GpuData(dtype, 1, [1], { stored: values, bits: scalarBits(values, dtype) });
}

/** One f32 and its bits, reused: a training step makes dozens of scalars. */
const f32Scratch = new Float32Array(1);
const f32Bits = new Uint32Array(f32Scratch.buffer);

/** A one-element upload's value as a kernel computes with it: the bits of an f32, or of an i32. */
function scalarBits(values: StorageArray, dtype: DType): number {
  const v = dtype === 'f16' ? f16Value(values[0]) : values[0];
  if (!isFloat(dtype)) return v >>> 0;
  f32Scratch[0] = v;
  return f32Bits[0];
}
