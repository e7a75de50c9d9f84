// The native backend: the js backend's storage (typed arrays) with the heavy
// kernels in C++ — OpenBLAS sgemm for matmul, vectorised loops for f32
// elementwise ops, reductions and softmax, F16C for f16 conversion, a VNNI
// int8 GEMM, and a byte-level strided gather for transposes and slices. f16
// tensors compute through f32 (converted with F16C, rounded back once).
// Integer elementwise ops, where, concat and oneHot use the js kernels on the
// same arrays: no copies either way.
//
// Large f32 GEMMs run on a worker thread, off the event loop: matmul returns
// its output array at once, marked pending. Reading it back (data()) awaits
// the worker, so a server or a progress bar keeps running meanwhile; a kernel
// that needs it as an input waits for it first.
import type { DType, StorageArray } from '../../dtype.js';
import { broadcastStrides, sizeOf } from '../../shape.js';
import { createJsBackend } from '../js/index.js';
import { ARITHMETIC_OPS, COMPARISON_OPS, KERNEL_NAMES, UNARY_OPS, type Backend, type BinaryOp, type TensorInfo } from '../kernels.js';
import { loadAddon, type Addon, type GemmHandle } from './addon.js';
import { BufferPool, type StorageCtor } from './pool.js';

export { loadAddon } from './addon.js';
export type { Addon, BlasInfo, CpuFeatures } from './addon.js';

type Native = TensorInfo<StorageArray>;

const BINARY_OPS: readonly BinaryOp[] = [...ARITHMETIC_OPS, ...COMPARISON_OPS];

/** Multiply-adds from which a GEMM goes to a worker thread: below ~0.3 ms of work the hand-off costs more than it frees. */
export const ASYNC_GEMM_MIN_MACS = 2 ** 26;
const REDUCE_OPS = ['sum', 'mean', 'max', 'min'] as const;

export interface NativeOptions {
  /** OpenBLAS threads (default: OpenBLAS's own choice, or env TMNN_NUM_THREADS). */
  threads?: number;
}

export async function createNativeBackend(options: NativeOptions = {}): Promise<Backend<StorageArray>> {
  const addon: Addon = await loadAddon();
  const threads = options.threads ?? (process.env.TMNN_NUM_THREADS ? Number(process.env.TMNN_NUM_THREADS) : undefined);
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`native backend: threads must be a positive integer, got ${threads}`);
    addon.setThreads(threads);
  }
  const js = createJsBackend();
  const blas = addon.blasInfo();
  const pool = new BufferPool();
  /** Output memory for a kernel that writes every element: recycled, or fresh and not zero-filled. */
  const uninit = <T extends StorageArray>(Ctor: StorageCtor<T>, n: number): T => pool.take(Ctor, n);

  const f32Of = (x: Native): Float32Array | null => {
    if (x.dtype === 'f32') return x.storage as Float32Array;
    if (x.dtype !== 'f16') return null;
    const out = uninit(Float32Array, x.storage.length);
    addon.f16ToF32(x.storage as Uint16Array, out);
    return out;
  };
  /** Runs an f32 kernel for f32 or f16 tensors (f16 rounded once at the end); null for ints. */
  const viaF32 = (dtype: DType, n: number, run: (out: Float32Array) => void): StorageArray => {
    const out = uninit(Float32Array, n);
    run(out);
    if (dtype === 'f32') return out;
    const half = uninit(Uint16Array, n);
    addon.f32ToF16(out, half);
    return half;
  };
  const isFloat = (d: DType) => d === 'f32' || d === 'f16';
  const gather = (x: Native, outShape: readonly number[], strides: readonly number[], offset: number): StorageArray => {
    const out = uninit(x.storage.constructor as StorageCtor<StorageArray>, sizeOf(outShape));
    addon.gather(x.storage, outShape, strides, offset, out);
    return out;
  };

  const pending = new WeakMap<StorageArray, { handle: GemmHandle; done: Promise<void> }>();
  /** Arrays a worker-thread GEMM reads or writes right now: never recycled while it runs. */
  const inFlight = new Set<StorageArray>();
  /** Makes sure a GEMM writing x's storage has finished. */
  const settle = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(settle);
    const storage = (x as Partial<Native> | null)?.storage;
    const p = storage && pending.get(storage);
    if (p) {
      addon.waitGemm(p.handle);
      pending.delete(storage);
    }
  };

  const backend: Backend<StorageArray> = {
    ...js,
    name: 'native',
    device: { description: `OpenBLAS ${blas.corename} (${blas.threads} thread${blas.threads === 1 ? '' : 's'})`, software: false },

    unary(op, x) {
      if (!isFloat(x.dtype)) return js.unary(op, x);
      const xs = f32Of(x)!;
      return viaF32(x.dtype, xs.length, (out) => addon.unaryF32(UNARY_OPS.indexOf(op), xs, out));
    },

    binary(op, a, b, outShape) {
      if (!isFloat(a.dtype)) return js.binary(op, a, b, outShape);
      const as = f32Of(a)!;
      const bs = f32Of(b)!;
      return viaF32(a.dtype, sizeOf(outShape), (out) =>
        addon.binaryF32(BINARY_OPS.indexOf(op), as, broadcastStrides(a.shape, outShape), bs, broadcastStrides(b.shape, outShape), outShape, out));
    },

    matmul(a, b, config, outDtype) {
      const [batchA, a1, a2] = a.shape;
      const [batchB, b1, b2] = b.shape;
      const [m, k] = config.transposeA ? [a2, a1] : [a1, a2];
      const n = config.transposeB ? b1 : b2;
      const batch = Math.max(batchA, batchB);
      if (a.dtype === 'f32' && batch * m * n * k >= ASYNC_GEMM_MIN_MACS) {
        const out = uninit(Float32Array, batch * m * n);
        const arrays = [a.storage, b.storage, out];
        let finished!: () => void;
        const done = new Promise<void>((resolve) => (finished = resolve));
        const handle = addon.sgemmAsync(a.storage as Float32Array, b.storage as Float32Array, out, batchA, batchB, m, n, k, config.transposeA, config.transposeB, () => {
          for (const x of arrays) inFlight.delete(x);
          finished();
        });
        for (const x of arrays) inFlight.add(x);
        pending.set(out, { handle, done });
        return out;
      }
      if (isFloat(a.dtype)) {
        const as = f32Of(a)!;
        const bs = f32Of(b)!;
        return viaF32(outDtype, batch * m * n, (out) =>
          addon.sgemm(as, bs, out, batchA, batchB, m, n, k, config.transposeA, config.transposeB));
      }
      if (a.dtype === 'i8' && b.dtype === 'i8') {
        // The int8 kernel takes row-major operands; transposed int8 operands are rare enough to copy.
        const rowMajor = (x: Native, transpose: boolean, rows: number, cols: number) =>
          transpose ? (gather(x, [x.shape[0], rows, cols], [rows * cols, 1, rows], 0) as Int8Array) : (x.storage as Int8Array);
        const out = uninit(Int32Array, batch * m * n);
        addon.gemmI8(rowMajor(a, config.transposeA, m, k), rowMajor(b, config.transposeB, k, n), out, batchA, batchB, m, n, k);
        return out;
      }
      return js.matmul(a, b, config, outDtype);
    },

    reduce(op, x, outDtype) {
      if (!isFloat(x.dtype)) return js.reduce(op, x, outDtype);
      const [outer, inner] = x.shape;
      const xs = f32Of(x)!;
      return viaF32(x.dtype, outer, (out) => addon.reduceF32(REDUCE_OPS.indexOf(op), xs, outer, inner, out));
    },

    argReduce(op, x) {
      if (!isFloat(x.dtype)) return js.argReduce(op, x);
      const [outer, inner] = x.shape;
      const out = new Int32Array(outer);
      addon.argReduceF32(op === 'argmax', f32Of(x)!, outer, inner, out);
      return out;
    },

    softmax(x, log) {
      const [outer, inner] = x.shape;
      const xs = f32Of(x)!;
      return viaF32(x.dtype, outer * inner, (out) => addon.softmaxF32(xs, outer, inner, log, out));
    },

    stridedCopy: gather,

    cast(x, dtype) {
      if (x.dtype === 'f16' && dtype === 'f32') return f32Of(x)!;
      if (x.dtype === 'f32' && dtype === 'f16') {
        const half = uninit(Uint16Array, x.storage.length);
        addon.f32ToF16(x.storage as Float32Array, half);
        return half;
      }
      return js.cast(x, dtype);
    },

    free(storage) {
      if (!inFlight.has(storage)) pool.give(storage);
    },

    download(storage, dtype, size) {
      const p = pending.get(storage);
      // Copy now, not after an await: the caller may dispose the tensor (and
      // the pool recycle its memory) before the promise resolves. A pending
      // GEMM's arrays are never recycled while it runs.
      if (!p) return js.download(storage, dtype, size);
      return p.done.then(() => {
        pending.delete(storage);
        return storage.slice(0, size);
      });
    },
  };

  // Every kernel first waits for pending GEMMs among its inputs.
  const kernels = backend as unknown as Record<string, unknown>;
  for (const name of KERNEL_NAMES) {
    const kernel = kernels[name] as (...args: unknown[]) => StorageArray;
    kernels[name] = (...args: unknown[]) => {
      args.forEach(settle);
      return kernel(...args);
    };
  }
  return backend;
}
