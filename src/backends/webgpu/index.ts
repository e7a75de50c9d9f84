// The webgpu backend: every kernel a WGSL compute shader (shaders/), run
// through Dawn in Node or navigator.gpu in a browser. Elementwise ops and
// matmul are recorded, not run (data.ts), and fused when a value is needed
// (fusion.ts); the other kernels (kernels/) run at once on computed inputs.
//
// Kernels see only the dtypes WGSL can address one element at a time: f32,
// i32, and f16 where the device has shader-f16. i8 (four to a u32) and f16
// without shader-f16 (two to a u32) are widened to i32 / f32 before such a
// kernel and narrowed after it, through the same fused elementwise path.
import { isFloat, type DType, type StorageArray } from '../../dtype.js';
import { broadcastStrides, sizeOf } from '../../shape.js';
import type { Backend, MatmulConfig, QuantizedPath, ReduceOp, TensorInfo } from '../kernels.js';
import elementwiseShader from '../../../shaders/elementwise.wgsl';
import elementwisePackedShader from '../../../shaders/elementwise_packed.wgsl';
import elementwisePackedVec4Shader from '../../../shaders/elementwise_packed_vec4.wgsl';
import elementwiseVec4Shader from '../../../shaders/elementwise_vec4.wgsl';
import fillShader from '../../../shaders/fill.wgsl';
import { BufferPool, wordsUp } from './buffers.js';
import { Commands, type BindingValue } from './commands.js';
import { Compiler, type WgslScalar } from './compiler.js';
import { GpuData, dropIfUnused, expressionOf, scalarData, settle, type Arg, type ElementwiseOp } from './data.js';
import type { AdapterFound } from './adapter.js';
import { acquireDevice, type GpuContext, type GpuFeatures } from './device.js';
import { fuse, unwritableIntermediates, type FusedCode } from './fusion.js';
import { BYTES, computeType, packing } from './layout.js';
import { grid, type Operand, type Runtime } from './runtime.js';
import { concat, gatherRows, scanLines, scatterAddRows, stridedCopy, windowMaxRows } from './kernels/movement.js';
import { sortRows } from './kernels/sort.js';
import { contractionInBands, inRowBands, reduceInParts, type Composer } from './large_tensors.js';
import { bindLimit, parts, windowOf } from './windows.js';
import { matmul as encodeMatmul } from './kernels/matmul.js';
import { EPILOGUE_FIRST_BINDING } from './kernels/matmul_kernel.js';
import { int8Eligible, matmulInt8, preloadInt8Kernel } from './kernels/matmul_int8.js';
import { matmulW8, preloadW8Tile } from './kernels/matmul_w8.js';
import { preloadQuantizedWays, quantizedPath, timeQuantizingWith } from './kernels/quantized_path.js';
import { quantizeRows } from './quantize_rows.js';
import { argReduce, FUSED_INPUT_BINDING, measureRowLayout, reduce, type FusedOperand } from './kernels/reduce.js';
import { softmax } from './kernels/softmax.js';
import { recordAdam } from './kernels/adam.js';
import { dynamicQuantizeScale } from './kernels/quantize_scale.js';
import type { Recorder } from './kernels/recorder.js';
import { recordSgd } from './kernels/sgd.js';
import type { KernelTime } from './kernel_timer.js';
import { measurementsSettled } from './tuning_store.js';

export type { GpuFeatures } from './device.js';

type Info = TensorInfo<GpuData>;

/** Uncomputed elementwise ops one fused kernel may hold before the chain is cut. */
export const MAX_FUSED_DEPTH = 12;

/** What a webgpu backend offers beyond the kernel contract: for the report, the bench and tests. */
export interface WebGpuBackend extends Backend<GpuData> {
  readonly runtime: Runtime;
  readonly features: GpuFeatures;
  /** Computes a storage now (tests count dispatches around it). */
  materialize(storage: GpuData): void;
  /** Waits until the GPU has finished everything submitted. */
  sync(): Promise<void>;
  /**
   * GPU time per kernel of the work `run` does (timestamp queries, each
   * dispatch in a pass of its own); throws where the adapter lacks
   * timestamp-query.
   */
  timeKernels<T>(run: () => Promise<T>): Promise<{ result: T; kernels: KernelTime[] }>;
  /** Measured per device (kernels/quantized_path.ts). */
  quantizedMatmulPath(shape?: { m: number; k: number; n: number }): QuantizedPath;
  quantizedMatmul(x: Info, values: Info, scales: Info): GpuData;
  /**
   * For the kernels kept outside the contract (the families of backends/kernel_family.ts):
   * runs `run` to write a fresh buffer of `dtype` and `shape` (a packed
   * dtype written wide, then narrowed).
   */
  produce(dtype: DType, shape: readonly number[], run: (out: GPUBuffer, dtype: DType) => void): GpuData;
  /** A computed tensor as a kernel reads it (its elementwise chain run first). */
  operand(x: Info): Operand;
  /** operand for a kernel that reads one element at a time: a packed dtype (i8, f16 without shader-f16) widened in a temporary, given back by done(). */
  wide(x: Info): { operand: Operand; done(): void };
}

export interface WebGpuOptions {
  /**
   * Fill every output buffer with all-ones bits (NaN, -1) before its kernel
   * runs, so an element a kernel forgets to write shows up. For tests; env
   * TMNN_WEBGPU_POISON=1 does the same.
   */
  poison?: boolean;
}

/** A backend on the adapter requireAdapter gives, or on `adapter`, one it gave. */
export async function createWebGpuBackend(options: WebGpuOptions = {}, adapter?: AdapterFound): Promise<WebGpuBackend> {
  const backend = webGpuBackendOn(await acquireDevice(adapter), options);
  // What earlier processes measured on this adapter, in place before the first
  // kernel runs: the same choice from the first call (a quantized product's
  // way decides its rounding), and no default kernel before the recall is in.
  // The row layout decides every reduction's rounding and takes a few
  // milliseconds to time, so a machine that has not measured it yet does so
  // here (a failed timing leaves the default, a workgroup per row).
  const rt = backend.runtime;
  await Promise.all([preloadInt8Kernel(rt), preloadW8Tile(rt), measureRowLayout(rt).catch(() => undefined), preloadQuantizedWays(rt)]);
  return backend;
}

/** Whether a strided copy is a NumPy broadcast of x to outShape: every axis of x kept or of size 1, read at x's own strides. */
function isBroadcast(shape: readonly number[], outShape: readonly number[], strides: readonly number[], offset: number): boolean {
  const lead = outShape.length - shape.length;
  if (offset !== 0 || lead < 0 || shape.some((d, k) => d !== 1 && d !== outShape[lead + k])) return false;
  const own = broadcastStrides(shape, outShape);
  return strides.every((s, i) => s === own[i] || outShape[i] === 1);
}

export function webGpuBackendOn(ctx: GpuContext, options: WebGpuOptions = {}): WebGpuBackend {
  const compiler = new Compiler(ctx);
  const commands = new Commands(ctx, compiler);
  const poison = options.poison ?? (typeof process !== 'undefined' && process.env?.TMNN_WEBGPU_POISON === '1');
  const fill = poison ? compiler.kernel({ name: 'fill', source: fillShader }) : null;
  const limits = { bindable: bindLimit(ctx), largest: ctx.limits.maxBufferSize, device: ctx.description, oversized: commands.oversized };
  const pool = new BufferPool(ctx.device, limits, (buffer) => commands.destroyAfterSubmit(buffer), fill
    ? (buffer) => {
      for (const part of parts(ctx, buffer.size / 4, 4)) {
        commands.dispatch(fill, { target_words: windowOf(buffer, part, 4), params: Uint32Array.of(part.count, 0xffffffff) }, grid(part.count, 256), false);
      }
    }
    : undefined);
  const rt: Runtime = { ctx, compiler, commands, pool };
  const { features } = ctx;
  const recycle = (buffer: GPUBuffer) => pool.release(buffer);
  const allocate = (d: GpuData) => pool.acquire(wordsUp(d.size * BYTES[d.dtype]));

  /** Whether an array of d's size may be past the binding limit (at up to 4 bytes an element: a chain's inputs may be wider than it). */
  const tooLarge = (d: GpuData) => d.size * 4 > limits.bindable;

  /** Computes `d` if it is pending; its buffer. */
  function materialize(d: GpuData): GPUBuffer {
    commands.checkDevice();
    if (d.buffer) return d.buffer;
    if (d.scalar) {
      // A kernel that is not fused needs it in memory after all.
      d.buffer = pool.acquire(d.scalar.stored.byteLength);
      commands.write(d.buffer, d.scalar.stored);
      return d.buffer;
    }
    const op = d.op;
    if (!op) throw new Error('webgpu: a storage was used after it was freed');
    if (op.kind === 'matmul') {
      runMatmul(d);
    } else {
      runElementwise(d);
    }
    return d.buffer!;
  }

  /** Pending matmuls in the chain under `root` that are not `keep`, computed first. */
  function materializeMatmulsUnder(root: GpuData, keep: GpuData | undefined): void {
    const seen = new Set<GpuData>();
    const walk = (d: GpuData) => {
      if (seen.has(d) || d.buffer || !d.op) return;
      seen.add(d);
      if (d.op.kind === 'matmul') {
        if (d !== keep) materialize(d);
        return;
      }
      for (const a of d.op.args) walk(a.data);
    };
    walk(root);
  }

  /** A pending matmul the size of `root` in its chain (float, or an int8 product), whose accumulator can feed root's expression. */
  function epilogueCandidate(root: GpuData): GpuData | undefined {
    if (!isFloat(root.dtype) || packing(root.dtype, features) > 1) return undefined;
    const seen = new Set<GpuData>();
    let found: GpuData | undefined;
    const walk = (d: GpuData) => {
      if (found || seen.has(d) || d.buffer || !d.op) return;
      seen.add(d);
      if (d.op.kind === 'matmul') {
        // (A product over an operand past the binding limit runs in bands, without an epilogue: matmul.ts.)
        const banded = d.op.args.some((a) => tooLarge(a.data));
        if (d.size === root.size && !banded && ((isFloat(d.dtype) && packing(d.dtype, features) === 1) || isInt8Product(d))) found = d;
        return;
      }
      for (const a of d.op.args) walk(a.data);
    };
    walk(root);
    return found;
  }

  function runElementwise(root: GpuData): void {
    for (const d of unwritableIntermediates(root, features)) materialize(d);
    // Past what a kernel binds at once, the chain runs in parts (windows.ts); a product it reads runs first.
    const chunked = tooLarge(root);
    const candidate = chunked ? undefined : epilogueCandidate(root);
    materializeMatmulsUnder(root, candidate);
    // Another product whose operand reads the candidate (y = p + c·f(p)) computed it as that operand's epilogue: an input now like any other.
    const acc = candidate?.op ? candidate : undefined;
    const maxBindings = ctx.limits.maxStorageBuffersPerShaderStage;
    const out = allocate(root);
    if (acc && isInt8Product(acc)) {
      const [a, b] = (acc.op as { args: readonly [Arg, Arg] }).args;
      const code = fuse(root, { features, firstBinding: EPILOGUE_FIRST_BINDING, accumulator: acc, allocate });
      if (3 + code.bindingCount <= maxBindings) {
        matmulInt8(rt, operand(a), operand(b), out, { epilogue: { code, outDtype: root.dtype } });
        finish(root, out, code);
        return;
      }
      for (const e of code.extraOutputs) recycle(e.buffer);
      materialize(acc);
    } else if (acc) {
      const { args: [a, b], config } = acc.op as { args: readonly [Arg, Arg]; config: MatmulConfig };
      const [wa, wb] = [wideArg(a), wideArg(b)];
      const code = fuse(root, { features, firstBinding: EPILOGUE_FIRST_BINDING, accumulator: acc, allocate });
      if (3 + code.bindingCount <= maxBindings) {
        encodeMatmul(rt, wa.operand, wb.operand, config, acc.dtype, out, { code, outDtype: root.dtype });
        finish(root, out, code);
        wa.done();
        wb.done();
        return;
      }
      for (const e of code.extraOutputs) recycle(e.buffer);
      wa.done();
      wb.done();
      materialize(acc);
    }
    const per = packing(root.dtype, features);
    const vector = root.size % 4 === 0;
    const code = fuse(root, { features, firstBinding: 1, allocate, vector, chunked });
    if (1 + code.bindingCount > maxBindings) {
      // Too many inputs for one kernel: compute the arguments first and retry with fewer.
      for (const e of code.extraOutputs) recycle(e.buffer);
      recycle(out);
      for (const a of root.op!.args) materialize(a.data);
      runElementwise(root);
      return;
    }
    const types: Record<string, WgslScalar> = per > 1 ? { Value: isFloat(root.dtype) ? 'f32' : 'i32' } : { Out: computeType(root.dtype, features) };
    /** The kernel for `n` elements, and its invocations: per four elements, per packed word, or per element. */
    const launch = (n: number, values: Record<string, BindingValue>) => {
      const kernel = per > 1 && vector
        ? compiler.kernel({ name: 'elementwise_packed_vec4', source: [elementwisePackedVec4Shader, ...code.code], types: {}, constants: { N4: n / 4, PER_WORD: per } })
        : per > 1
        ? compiler.kernel({ name: 'elementwise_packed', source: [elementwisePackedShader, ...code.code], types, constants: { N: n, PER_WORD: per } })
        : vector
        ? compiler.kernel({ name: 'elementwise_vec4', source: [elementwiseVec4Shader, ...code.code], types, constants: { N4: n / 4 } })
        : compiler.kernel({ name: 'elementwise', source: [elementwiseShader, ...code.code], types, constants: { N: n } });
      commands.dispatch(kernel, values, grid(Math.ceil(n / (vector ? 4 : per)), 256));
    };
    if (!code.chunk) {
      if (root.size > 0) launch(root.size, { out, ...code.buffers });
    } else {
      // Each part binds its window of every array of the root's size, and its first index for the broadcasts.
      const { rootSized, baseSlot } = code.chunk;
      for (const part of parts(ctx, root.size, 4)) {
        const values: Record<string, BindingValue> = { ...code.buffers, out: windowOf(out, part, BYTES[root.dtype]) };
        for (const [name, bytes] of rootSized) values[name] = windowOf(code.buffers[name] as GPUBuffer, part, bytes);
        const consts = (code.buffers.consts as Uint32Array).slice();
        consts[baseSlot] = part.start;
        values.consts = consts;
        launch(part.count, values);
      }
    }
    finish(root, out, code);
  }

  function finish(root: GpuData, out: GPUBuffer, code: FusedCode): void {
    settle(root, out, recycle);
    for (const e of code.extraOutputs) settle(e.data, e.buffer, recycle);
  }

  /** A pending i8 · i8ᵀ → i32 product, which matmul_int8 runs straight from the packed bytes. */
  function isInt8Product(d: GpuData): boolean {
    if (d.op?.kind !== 'matmul') return false;
    const { args: [a, b], config } = d.op;
    return a.data.dtype === 'i8' && b.data.dtype === 'i8' && d.dtype === 'i32' && int8Eligible(config);
  }

  /** Computes a pending matmul; a packed output (f16 without shader-f16) is computed in f32 and narrowed. */
  function runMatmul(d: GpuData): void {
    if (d.op?.kind !== 'matmul') return;
    const { args: [a, b], config } = d.op;
    if (isInt8Product(d)) {
      // Straight from the packed bytes, four products per step.
      const out = allocate(d);
      if (d.size > 0) matmulInt8(rt, operand(a), operand(b), out);
      settle(d, out, recycle);
      return;
    }
    const [wa, wb] = [wideArg(a), wideArg(b)];
    const sum = contractionInBands(composer, wa.operand, wb.operand, config, d.dtype);
    if (sum) {
      // d takes the sum's buffer: the sum itself is never seen by anyone else.
      const buffer = materialize(sum);
      sum.buffer = null;
      settle(d, buffer, recycle);
    } else if (packing(d.dtype, features) === 1) {
      const out = allocate(d);
      if (d.size > 0) writeOrGiveBack(out, () => encodeMatmul(rt, wa.operand, wb.operand, config, d.dtype, out));
      settle(d, out, recycle);
    } else {
      const tmp = pool.acquire(d.size * 4);
      if (d.size > 0) encodeMatmul(rt, wa.operand, wb.operand, config, 'f32', tmp);
      const t = new GpuData('f32', d.size, d.shape, tmp);
      t.freed = true;
      const narrow = new GpuData(d.dtype, d.size, d.shape, { kind: 'unary', op: 'copy', args: [{ data: t, shape: d.shape }] });
      runElementwise(narrow);
      // d takes narrow's buffer: narrow itself is never seen by anyone else.
      const buffer = narrow.buffer!;
      narrow.buffer = null;
      settle(d, buffer, recycle);
    }
    wa.done();
    wb.done();
  }

  function wideArg(a: Arg): { operand: Operand; done(): void } {
    return wide({ storage: a.data, shape: a.shape, dtype: a.data.dtype });
  }

  /** A computed argument as a kernel reads it. */
  function operand(a: Arg | Info): Operand {
    return { buffer: materialize('data' in a ? a.data : a.storage), shape: a.shape, dtype: 'data' in a ? a.data.dtype : a.dtype };
  }

  /** Records an elementwise op; chains longer than MAX_FUSED_DEPTH are cut by computing the deepest argument (unless `cut` is false). */
  function pending(dtype: DType, shape: readonly number[], op: ElementwiseOp, inputs: readonly Info[], cut = true): GpuData {
    commands.checkDevice();
    // Refused here, at the op that asks for it, not when something first reads it.
    pool.checkFits(sizeOf(shape) * BYTES[dtype]);
    if (cut) cutDeep(inputs);
    const args = inputs.map((x) => ({ data: x.storage, shape: x.shape }));
    return new GpuData(dtype, sizeOf(shape), shape, { ...op, args } as never);
  }

  /**
   * Computes inputs, deepest first, until an op reading them would hold at
   * most MAX_FUSED_DEPTH uncomputed ops, counting each once however many
   * paths reach it (as fusion computes it once).
   */
  function cutDeep(inputs: readonly Info[]): void {
    if (!inputs.some((x) => x.storage.elementwise)) return; // most ops read computed tensors: nothing to count
    const data = inputs.map((x) => x.storage);
    while (expressionOf(data).size >= MAX_FUSED_DEPTH) materialize(data.reduce((a, b) => (b.depth > a.depth ? b : a)));
  }

  /**
   * An optimizer's step (kernels/adam.ts, kernels/sgd.ts) recorded as one
   * pending expression over f32 inputs of one shape: its outputs, and every
   * other node it made freed as a disposed tensor's storage is. The step's
   * own expression is fixed and small (Adam's with an L2 term is 15 ops, a
   * little past the cap, which would split it into two launches), so only its
   * inputs are cut, as any op's would be.
   */
  function recordStep(inputs: readonly Info[], record: (r: Recorder) => readonly (Info | null)[]): (GpuData | null)[] {
    cutDeep(inputs);
    const shape = inputs[0].shape;
    const made: GpuData[] = [];
    const info = (storage: GpuData, at: readonly number[]): Info => (made.push(storage), { storage, shape: at, dtype: 'f32' });
    const outputs = record({
      op: (op, args) => info(pending('f32', shape, op, args, false), shape),
      // A number as the elementwise way passes it: an f32 scalar tensor, shape [].
      scalar: (x) => info(scalarData(Float32Array.of(x), 'f32'), []),
    }).map((o) => o?.storage ?? null);
    for (const d of made) {
      if (outputs.includes(d)) continue;
      d.freed = true;
      dropIfUnused(d, recycle);
    }
    return outputs;
  }

  /**
   * A pending elementwise chain, computed by the reduction that reads it
   * (reduce_load_fused.wgsl) rather than by a launch of its own; its
   * intermediates (and itself) that live tensors hold are written by that
   * launch. Null where it must be computed first: already computed, a packed
   * dtype, empty, or too many bindings for one kernel.
   */
  function readAsReduced(x: Info): { operand: FusedOperand; done(): void } | null {
    const d = x.storage;
    if (d.buffer || d.scalar || !d.op || d.op.kind === 'matmul' || d.size === 0 || packing(d.dtype, features) !== 1) return null;
    for (const u of unwritableIntermediates(d, features)) materialize(u);
    materializeMatmulsUnder(d, undefined);
    const code = fuse(d, { features, firstBinding: FUSED_INPUT_BINDING, allocate, rootRead: true });
    if (FUSED_INPUT_BINDING - 1 + code.bindingCount > ctx.limits.maxStorageBuffersPerShaderStage) {
      for (const e of code.extraOutputs) recycle(e.buffer);
      return null;
    }
    return { operand: { code, shape: x.shape, dtype: d.dtype }, done: () => { for (const e of code.extraOutputs) settle(e.data, e.buffer, recycle); } };
  }

  /** What a reduction reads: a pending chain itself, or x computed (the mean of ints reads x itself, not a chain). */
  function reductionInput(op: ReduceOp, x: Info): { operand: Operand | FusedOperand; done(): void } {
    return (op !== 'mean' || isFloat(x.dtype) ? readAsReduced(x) : null) ?? wide(x);
  }

  function upload(values: StorageArray, dtype: DType): GpuData {
    commands.checkDevice();
    if (values.length === 1) return scalarData(values, dtype);
    const buffer = pool.acquire(values.byteLength);
    commands.write(buffer, values);
    return new GpuData(dtype, values.length, [values.length], buffer);
  }

  /** 0, 1, …, depth − 1 as i32, uploaded once per depth and kept (oneHot compares indices with it). */
  const columns = new Map<number, GpuData>();
  function columnIndices(depth: number): GpuData {
    let d = columns.get(depth);
    if (!d) columns.set(depth, (d = upload(Int32Array.from({ length: depth }, (_, i) => i), 'i32')));
    return d;
  }

  /** x as a kernel-addressable operand: packed dtypes widened to i32 / f32 in a temporary. */
  function wide(x: Info): { operand: Operand; done(): void } {
    if (packing(x.dtype, features) === 1) return { operand: operand(x), done: () => {} };
    const dtype: DType = isFloat(x.dtype) ? 'f32' : 'i32';
    const t = pending(dtype, x.shape, { kind: 'unary', op: 'copy' }, [x]);
    materialize(t);
    return { operand: { buffer: t.buffer!, shape: x.shape, dtype }, done: () => ((t.freed = true), dropIfUnused(t, recycle)) };
  }

  /**
   * x as an operand of 32-bit elements, for kernels that sum in f32 or i32
   * (atomics, running sums): f16 widened to f32 whether or not the device
   * computes in f16, i8 to i32 (wide), f32 and i32 as they are.
   */
  function in32Bits(x: Info): { operand: Operand; done(): void } {
    if (x.dtype !== 'f16') return wide(x);
    const t = pending('f32', x.shape, { kind: 'cast' }, [x]);
    materialize(t);
    return { operand: { buffer: t.buffer!, shape: x.shape, dtype: 'f32' }, done: () => ((t.freed = true), dropIfUnused(t, recycle)) };
  }

  /** f32 sums as `dtype`: f16 a pending cast (which fuses into what reads it), f32 itself as it is. */
  function summedAs(dtype: DType, sums: GpuData): GpuData {
    if (dtype !== 'f16') return sums;
    const narrowed = pending('f16', sums.shape, { kind: 'cast' }, [{ storage: sums, shape: sums.shape, dtype: 'f32' }]);
    sums.freed = true;
    return narrowed;
  }

  /** Runs a kernel that writes `dtype` into a fresh buffer, narrowing a packed dtype after it. */
  function produce(dtype: DType, shape: readonly number[], run: (out: GPUBuffer, dtype: DType) => void): GpuData {
    commands.checkDevice();
    const size = sizeOf(shape);
    if (packing(dtype, features) === 1) {
      const out = pool.acquire(size * BYTES[dtype]);
      if (size > 0) writeOrGiveBack(out, () => run(out, dtype));
      return new GpuData(dtype, size, shape, out);
    }
    const wideDtype: DType = isFloat(dtype) ? 'f32' : 'i32';
    const tmp = pool.acquire(size * 4);
    if (size > 0) writeOrGiveBack(tmp, () => run(tmp, wideDtype));
    const t = new GpuData(wideDtype, size, shape, tmp);
    const narrow = new GpuData(dtype, size, shape, { kind: 'unary', op: 'copy', args: [{ data: t, shape }] });
    t.freed = true;
    return narrow;
  }

  /** A one-element tensor of shape [] in a fresh buffer, for a kernel to write after. */
  function produceScalar(dtype: 'f32' | 'i32'): GpuData {
    commands.checkDevice();
    return new GpuData(dtype, 1, [], pool.acquire(4));
  }

  /** Runs what writes `out`; if it throws (a tensor past the binding limit: windows.ts), `out` goes back to the pool. */
  function writeOrGiveBack(out: GPUBuffer, write: () => void): void {
    try {
      write();
    } catch (err) {
      recycle(out);
      throw err;
    }
  }

  /** What the compositions for tensors past the binding limit use (large_tensors.ts). */
  const composer: Composer = { rt, wide, produce, pending };

  let released = false;
  const backend: WebGpuBackend = {
    name: 'webgpu',
    device: { description: ctx.description, software: ctx.software },
    runtime: rt,
    features,
    materialize: (d) => void materialize(d),
    quantizedMatmulPath: (shape) => quantizedPath(rt, shape),
    release() {
      if (released) return;
      released = true;
      // A read of a tensor freed since may still be mapping; destroying the device now would fail it.
      void commands.readsSettled().then(() => {
        pool.trim();
        ctx.device.destroy();
      });
    },
    async sync() {
      commands.flush();
      await ctx.wait(ctx.device.queue.onSubmittedWorkDone());
    },
    async settled() {
      // Background measurements first: they submit work and read of their own.
      await measurementsSettled();
      if (released || ctx.lost) return;
      await commands.readsSettled();
      await backend.sync();
    },
    async timeKernels<T>(run: () => Promise<T>) {
      if (!features.timestampQuery) throw new Error(`webgpu: timing kernels needs the timestamp-query feature, which ${ctx.description} lacks`);
      const timer = commands.startTiming();
      try {
        const result = await run();
        commands.flush();
        return { result, kernels: await timer.results() };
      } finally {
        commands.stopTiming();
      }
    },

    upload,
    produce,
    operand,
    wide,

    async download(storage, dtype, size) {
      const buffer = materialize(storage);
      const bytes = await commands.read(buffer, size * BYTES[dtype]);
      switch (dtype) {
        case 'f32': return new Float32Array(bytes);
        case 'f16': return new Uint16Array(bytes);
        case 'i32': return new Int32Array(bytes);
        case 'i8': return new Int8Array(bytes);
      }
    },

    free(storage) {
      storage.freed = true;
      dropIfUnused(storage, recycle);
    },

    unary: (op, x) => pending(x.dtype, x.shape, { kind: 'unary', op }, [x]),
    binary: (op, a, b, outShape) => pending(a.dtype, outShape, { kind: 'binary', op }, [a, b]),
    where: (cond, a, b, outShape) => pending(a.dtype, outShape, { kind: 'where' }, [cond, a, b]),
    cast: (x, dtype) => pending(dtype, x.shape, { kind: 'cast' }, [x]),
    bitcast: (x, dtype) => pending(dtype, x.shape, { kind: 'bitcast' }, [x]),

    dynamicQuantizeScale(x) {
      // An empty x, or one past the binding limit, is left to the composed ops.
      if (x.storage.size === 0 || tooLarge(x.storage)) return null;
      const input = wide(x);
      const scale = produceScalar('f32'), zeroPoint = produceScalar('i32');
      dynamicQuantizeScale(rt, input.operand, scale.buffer!, zeroPoint.buffer!);
      input.done();
      return { scale, zeroPoint };
    },

    adam: (p, g, m, v, step) => recordStep([p, g, m, v], (r) => recordAdam(r, p, g, m, v, step)) as [GpuData, GpuData, GpuData],
    sgd: (p, g, velocity, step) =>
      recordStep(velocity ? [p, g, velocity] : [p, g], (r) => recordSgd(r, p, g, velocity, step)) as [GpuData, GpuData | null],

    matmul(a, b, config, outDtype) {
      commands.checkDevice();
      const [batchA, r1, c1] = a.shape;
      const [batchB, r2, c2] = b.shape;
      const shape = [Math.max(batchA, batchB), config.transposeA ? c1 : r1, config.transposeB ? r2 : c2];
      pool.checkFits(sizeOf(shape) * BYTES[outDtype]);
      return new GpuData(outDtype, sizeOf(shape), shape, { kind: 'matmul', args: [{ data: a.storage, shape: a.shape }, { data: b.storage, shape: b.shape }], config });
    },

    reduce(op, x, outDtype) {
      if (tooLarge(x.storage)) return reduceInParts(composer, op, x, outDtype, false);
      const input = reductionInput(op, x);
      const result = produce(outDtype, [x.shape[0]], (out, dtype) => reduce(rt, op, input.operand, out, dtype));
      input.done();
      return result;
    },

    reduceColumns(op, x, outDtype) {
      if (tooLarge(x.storage)) return reduceInParts(composer, op, x, outDtype, true);
      const input = reductionInput(op, x);
      const result = produce(outDtype, [x.shape[1]], (out, dtype) => reduce(rt, op, input.operand, out, dtype, true));
      input.done();
      return result;
    },

    argReduce(op, x) {
      const input = wide(x);
      const result = produce('i32', [x.shape[0]], (out) => inRowBands(rt, 'arg_reduce', input.operand, out, 1, 'i32', (band, part) => argReduce(rt, op, band, part)));
      input.done();
      return result;
    },

    softmax(x, log) {
      const input = wide(x);
      const result = produce(x.dtype, x.shape, (out, dtype) => inRowBands(rt, 'softmax', input.operand, out, x.shape[1], dtype, (band, part) => softmax(rt, band, log, part, dtype)));
      input.done();
      return result;
    },

    stridedCopy(x, outShape, strides, offset) {
      // A broadcast stays pending, an elementwise copy that fusion reads through
      // NumPy broadcasting: it runs inside the kernel that uses it (a gradient
      // spread over a batch), not as a launch and a buffer of its own.
      if (isBroadcast(x.shape, outShape, strides, offset)) return pending(x.dtype, outShape, { kind: 'unary', op: 'copy' }, [x]);
      const input = wide(x);
      const result = produce(x.dtype, outShape, (out) => stridedCopy(rt, input.operand, outShape, strides, offset, out));
      input.done();
      return result;
    },

    concat(xs, axis, outShape) {
      const inputs = xs.map(wide);
      const result = produce(xs[0].dtype, outShape, (out) => concat(rt, inputs.map((i) => i.operand), axis, outShape, out));
      for (const i of inputs) i.done();
      return result;
    },

    gather(x, indices, outer, inner) {
      const [input, rows] = [wide(x), wide(indices)];
      const result = produce(x.dtype, [outer, sizeOf(indices.shape), inner], (out) => gatherRows(rt, input.operand, rows.operand, outer, inner, out));
      input.done();
      rows.done();
      return result;
    },

    scatterAdd(dy, indices, outer, n, inner) {
      // Added in f32 (the atomics work on 32-bit words), an f16 result rounded after.
      const [grads, rows] = [in32Bits(dy), wide(indices)];
      const sums = produce('f32', [outer, n, inner], (out) => scatterAddRows(rt, grads.operand, rows.operand, outer, n, inner, out));
      grads.done();
      rows.done();
      return summedAs(dy.dtype, sums);
    },

    windowMax(x, table, outer) {
      const [input, picks] = [wide(x), wide(table)];
      const result = produce(x.dtype, [outer, table.shape[0]], (out) => windowMaxRows(rt, input.operand, picks.operand, outer, out));
      input.done();
      picks.done();
      return result;
    },

    sortIndices(x, k, descending) {
      // Compared in f32 (f16 widened exactly) or i32 (i8 likewise).
      const input = in32Bits(x);
      const result = produce('i32', [x.shape[0], k], (out) => sortRows(rt, input.operand, k, descending, out));
      input.done();
      return result;
    },

    scan(op, x, outer, inner) {
      // In f32 (f16 rounded after) or i32 (i8 wraps as produce narrows it).
      const input = in32Bits(x);
      const lines = produce(x.dtype === 'f16' ? 'f32' : x.dtype, x.shape, (out) => scanLines(rt, op, input.operand, outer, inner, out));
      input.done();
      return summedAs(x.dtype, lines);
    },

    quantizedMatmul(x, values, scales) {
      const input = wide(x);
      const result = produce('f32', [x.shape[0], values.shape[0]], (out) => matmulW8(rt, input.operand, operand(values), operand(scales), out));
      input.done();
      return result;
    },

    // (indices as a column) == (0, 1, …, depth − 1), cast: a pending chain like
    // any other, which fuses into what reads it (a loss's product and sum, its
    // gradient) instead of a launch and a buffer of its own. An index outside
    // [0, depth) matches no column: a row of zeros.
    oneHot(indices, depth, outDtype) {
      const shape = [...indices.shape, depth];
      const column: Info = { storage: indices.dtype === 'i32' ? indices.storage : pending('i32', indices.shape, { kind: 'cast' }, [indices]), shape: [...indices.shape, 1], dtype: 'i32' };
      const hit = pending('i32', shape, { kind: 'binary', op: 'equal' }, [column, { storage: columnIndices(depth), shape: [depth], dtype: 'i32' }]);
      const result = pending(outDtype, shape, { kind: 'cast' }, [{ storage: hit, shape, dtype: 'i32' }]);
      for (const d of [hit, column.storage]) if (d !== indices.storage) d.freed = true;
      return result;
    },
  };
  timeQuantizingWith(rt, (x, m, k) => quantizeRows(backend, x, m, k));
  return backend;
}
