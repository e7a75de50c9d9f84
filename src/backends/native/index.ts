// The native backend: every kernel in C++ (fallback/), over the same storage
// as the js backend — Float32Array, Uint16Array (f16 bits), Int8Array,
// Int32Array. JS allocates each output array and the addon writes into it;
// inputs are read where they lie. matmul is OpenBLAS sgemm for f32 (f16
// converted around it with F16C), a VNNI GEMM for int8, an exact i32 GEMM;
// large products run on a worker thread (pending.ts).
import type { DType, StorageArray } from '../../dtype.js';
import { broadcastStrides, sizeOf } from '../../shape.js';
import { bitcastInto } from '../js/cast.js';
import { createJsBackend } from '../js/index.js';
import { ARITHMETIC_OPS, BITWISE_OPS, COMPARISON_OPS, SCAN_OPS, UNARY_OPS, type Backend, type BinaryOp, type MatmulConfig, type TensorInfo } from '../kernels.js';
import { loadAddon, type Addon } from './addon.js';
import { PendingGemms } from './pending.js';
import { BufferPool } from './pool.js';
import { createQuantizedMatmul } from './quantized_matmul.js';

const INT32_MAX = 2 ** 31 - 1;

export { loadAddon, HOW_TO_BUILD } from './addon.js';
export type { Addon, BlasInfo, CpuFeature, CpuFeatures, F16Path, Int8Path } from './addon.js';
export { nativeInfo, getNativeThreads, setNativeThreads, type NativeInfo } from './info.js';

type Native = TensorInfo<StorageArray>;

/**
 * Multiply-adds from which a product goes to a worker thread, freeing the
 * event loop: ~3 ms of f32 work on two cores. The hand-off costs tens of µs
 * of thread wake-ups: a 512³ product (1.4 ms) ran 3–6% slower through the
 * worker than the same sgemm called from C, and level with it inline. int8
 * runs ~3× faster than f32 (VNNI), so its bar is higher.
 */
export const ASYNC_GEMM_MIN_MACS = 2 ** 28;
export const ASYNC_INT8_GEMM_MIN_MACS = 2 ** 30;

// The addon's numbering (fallback/src/tmnn.h's Binary): ops added since go last, so the ops an addon
// already had keep their numbers.
const LATER_BINARY_OPS: readonly BinaryOp[] = ['floorDivide', ...BITWISE_OPS];
const BINARY_OPS: readonly BinaryOp[] = [...ARITHMETIC_OPS.filter((op) => !LATER_BINARY_OPS.includes(op)), ...COMPARISON_OPS, ...LATER_BINARY_OPS];
const REDUCE_OPS = ['sum', 'mean', 'max', 'min', 'prod'] as const;

const isFloat = (d: DType): d is 'f32' | 'f16' => d === 'f32' || d === 'f16';

/** The dtypes the addon multiplies: same-dtype operands; i8 × i8 gives i32. */
function gemmDTypes(a: DType, b: DType, out: DType): boolean {
  return a === b && (a === 'i8' ? out === 'i32' : out === a);
}

function gemmDims(a: Native, b: Native, config: MatmulConfig) {
  const [batchA, a1, a2] = a.shape;
  const [batchB, b1, b2] = b.shape;
  const [m, k] = config.transposeA ? [a2, a1] : [a1, a2];
  const n = config.transposeB ? b1 : b2;
  return { batchA, batchB, batch: Math.max(batchA, batchB), m, n, k };
}

export interface NativeOptions {
  /** OpenBLAS threads, which the int8 GEMM uses too (default: OpenBLAS's own choice, or env TMNN_NUM_THREADS). */
  threads?: number;
  /** Load the addon from this file instead of the package's build (tests point it at a missing one). */
  addonPath?: string;
}

/** What a native backend offers beyond the kernel contract: for the kernels kept outside it (the families of backends/kernel_family.ts). */
export interface NativeBackend extends Backend<StorageArray> {
  readonly addon: Addon;
  /** A fresh output array, over recycled memory where the pool has some: every kernel writes every element. */
  allocate(dtype: DType, n: number): StorageArray;
  /** x's storage cut to x's size, once no product is still writing it. */
  sizedStorage(x: Native): StorageArray;
}

export async function createNativeBackend(options: NativeOptions = {}): Promise<NativeBackend> {
  const addon: Addon = await loadAddon(options.addonPath);
  const threads = options.threads ?? (process.env.TMNN_NUM_THREADS ? Number(process.env.TMNN_NUM_THREADS) : undefined);
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`native backend: threads must be a positive integer, got ${threads}`);
    addon.setThreads(threads);
  }
  const js = createJsBackend();
  const pending = new PendingGemms(addon);
  const pool = new BufferPool();
  const blas = addon.blasInfo();
  /** A fresh output array, over recycled memory where the pool has some: every kernel writes every element. */
  function output(dtype: DType, n: number): StorageArray {
    switch (dtype) {
      case 'f32': return pool.take(Float32Array, n);
      case 'f16': return pool.take(Uint16Array, n);
      case 'i8': return pool.take(Int8Array, n);
      case 'i32': return pool.take(Int32Array, n);
    }
  }
  /** x's storage, once no product is still writing it. */
  const ready = (x: Native): StorageArray => pending.settle(x.storage);
  const settled = (x: Native): Native => (ready(x), x);
  /** ready(x) cut to x's own size, for a kernel that reads lengths off its arrays. */
  const sizedStorage = (x: Native): StorageArray => ready(x).subarray(0, sizeOf(x.shape));
  /** An index tensor's storage, sized (the engine passes i8 or i32 indices only). */
  const indexStorage = (indices: Native) => sizedStorage(indices) as Int8Array | Int32Array;

  const quantizedMatmulInt8 = createQuantizedMatmul(addon, ready, (n) => output('f32', n) as Float32Array);

  return {
    name: 'native',
    addon,
    sizedStorage,
    get device() {
      const t = addon.getThreads();
      return { description: `OpenBLAS ${blas.version ?? ''} ${blas.corename} (${t} thread${t === 1 ? '' : 's'})`.replace('  ', ' '), software: false };
    },

    upload: (values) => values,

    allocate: output,

    download: (storage, _dtype, size) => pending.read(storage, size),
    peek: (storage) => pending.settle(storage),

    free(storage) {
      // A product still writing it finishes first; its memory is reused only if nothing is reading it.
      if (pending.isPending(storage)) {
        try {
          pending.settle(storage);
        } catch {
          // the product failed: there is nothing to wait for, and its reads report the failure
        }
        return;
      }
      if (pending.idle(storage)) pool.give(storage);
    },

    unary(op, x) {
      const out = output(x.dtype, sizeOf(x.shape));
      addon.unary(UNARY_OPS.indexOf(op), ready(x), out);
      return out;
    },

    binary(op, a, b, outShape) {
      const out = output(a.dtype, sizeOf(outShape));
      addon.binary(BINARY_OPS.indexOf(op), ready(a), broadcastStrides(a.shape, outShape), ready(b), broadcastStrides(b.shape, outShape), outShape, out);
      return out;
    },

    where(cond, a, b, outShape) {
      const out = output(a.dtype, sizeOf(outShape));
      addon.where(
        ready(cond), broadcastStrides(cond.shape, outShape),
        ready(a), broadcastStrides(a.shape, outShape),
        ready(b), broadcastStrides(b.shape, outShape),
        outShape, out,
      );
      return out;
    },

    quantizedMatmulInt8,

    dynamicQuantizeUint8(x) {
      const y = output('i32', sizeOf(x.shape)) as Int32Array;
      const found = addon.dynamicQuantizeUint8(sizedStorage(x) as Float32Array, y);
      if (!found) {
        pool.give(y);
        return null;
      }
      return { y, scale: found[0], zeroPoint: found[1] };
    },

    matmul(a, b, config, outDtype) {
      if (!gemmDTypes(a.dtype, b.dtype, outDtype)) return js.matmul(settled(a), settled(b), config, outDtype);
      const { batchA, batchB, batch, m, n, k } = gemmDims(a, b, config);
      // BLAS takes int dimensions; past them (an i8 K of 2^31, 2 GiB an operand) the js kernel computes it.
      if (Math.max(m, n, k, batch * m) > INT32_MAX) return js.matmul(settled(a), settled(b), config, outDtype);
      const out = output(outDtype, batch * m * n);
      const args = [ready(a), ready(b), out, batchA, batchB, m, n, k, config.transposeA, config.transposeB] as const;
      const large = batch * m * n * k >= (a.dtype === 'i8' ? ASYNC_INT8_GEMM_MIN_MACS : ASYNC_GEMM_MIN_MACS);
      if (large) pending.start(out, [args[0], args[1]], (done) => addon.matmulAsync(...args, done));
      else addon.matmul(...args);
      return out;
    },

    reduce(op, x, outDtype) {
      const intMean = op === 'mean' && !isFloat(x.dtype);
      if (intMean ? !isFloat(outDtype) : outDtype !== x.dtype) return js.reduce(op, settled(x), outDtype);
      const [outer, inner] = x.shape;
      const out = output(outDtype, outer);
      addon.reduce(REDUCE_OPS.indexOf(op), ready(x), outer, inner, out);
      return out;
    },

    reduceColumns(op, x, outDtype) {
      const [rows, cols] = x.shape;
      const intMean = op === 'mean' && !isFloat(x.dtype);
      if (intMean ? !isFloat(outDtype) : outDtype !== x.dtype) {
        // As reduce does for such dtypes: the js backend, on the columns as rows.
        const transposed = js.stridedCopy(settled(x), [cols, rows], [1, cols], 0);
        return js.reduce(op, { storage: transposed, shape: [cols, rows], dtype: x.dtype }, outDtype);
      }
      const out = output(outDtype, cols);
      addon.reduceColumns(REDUCE_OPS.indexOf(op), ready(x), rows, cols, out);
      return out;
    },

    argReduce(op, x) {
      const [outer, inner] = x.shape;
      const out = pool.take(Int32Array, outer);
      addon.argReduce(op === 'argmax', ready(x), outer, inner, out);
      return out;
    },

    softmax(x, log) {
      const storage = ready(x);
      if (!(storage instanceof Float32Array || storage instanceof Uint16Array)) return js.softmax(x, log);
      const [outer, inner] = x.shape;
      const out = storage instanceof Float32Array ? pool.take(Float32Array, outer * inner) : pool.take(Uint16Array, outer * inner);
      addon.softmax(storage, outer, inner, log, out);
      return out;
    },

    stridedCopy(x, outShape, strides, offset) {
      const out = output(x.dtype, sizeOf(outShape));
      addon.stridedCopy(ready(x), outShape, strides, offset, out);
      return out;
    },

    concat(xs, axis, outShape) {
      const out = output(xs[0].dtype, sizeOf(outShape));
      addon.concat(xs.map(ready), xs.map((x) => sizeOf(x.shape.slice(axis))), sizeOf(outShape.slice(0, axis)), out);
      return out;
    },

    cast(x, dtype) {
      const out = output(dtype, sizeOf(x.shape));
      addon.cast(ready(x), out);
      return out;
    },

    // A copy of bytes (or a widening of 16-bit words): typed arrays do it at memcpy speed, no addon call needed.
    bitcast(x, dtype) {
      const out = output(dtype, sizeOf(x.shape));
      bitcastInto(sizedStorage(x), out);
      return out;
    },

    adam(p, g, m, v, h) {
      const n = sizeOf(p.shape);
      const [pOut, mOut, vOut] = [0, 1, 2].map(() => output('f32', n) as Float32Array);
      const [sp, sg, sm, sv] = [p, g, m, v].map((t) => ready(t) as Float32Array);
      addon.adam(sp, sg, sm, sv, pOut, mOut, vOut, h.beta1, h.beta2, h.stepSize, h.epsilonHat, h.l2, h.decay);
      return [pOut, mOut, vOut];
    },

    sgd(p, g, velocity, h) {
      const n = sizeOf(p.shape);
      const pOut = output('f32', n) as Float32Array;
      const vOut = h.momentum !== 0 ? (output('f32', n) as Float32Array) : null;
      const [sp, sg] = [p, g].map((t) => ready(t) as Float32Array);
      addon.sgd(sp, sg, velocity ? (ready(velocity) as Float32Array) : null, pOut, vOut, h.lr, h.momentum, h.nesterov, h.weightDecay);
      return [pOut, vOut];
    },

    gather(x, indices, outer, inner) {
      const out = output(x.dtype, outer * sizeOf(indices.shape) * inner);
      if (out.length) addon.gather(sizedStorage(x), indexStorage(indices), outer, inner, out);
      return out;
    },

    scatterAdd(dy, indices, outer, n, inner) {
      if (dy.dtype !== 'f32') return js.scatterAdd(settled(dy), settled(indices), outer, n, inner);
      const out = output('f32', outer * n * inner) as Float32Array;
      if (out.length) addon.scatterAdd(sizedStorage(dy) as Float32Array, indexStorage(indices), outer, n, inner, out);
      return out;
    },
    scan(op, x, outer, inner) {
      const out = output(x.dtype, sizeOf(x.shape));
      addon.scan(SCAN_OPS.indexOf(op), ready(x), outer, inner, out);
      return out;
    },

    sortIndices(x, k, descending) {
      // Ints compare exactly only as ints, f16 is rare here: the js backend's (the same positions).
      if (x.dtype !== 'f32') return js.sortIndices(settled(x), k, descending);
      const out = output('i32', x.shape[0] * k) as Int32Array;
      if (out.length) addon.sortIndices(sizedStorage(x) as Float32Array, x.shape[1], k, descending, out);
      return out;
    },

    windowMax(x, table, outer) {
      if (x.dtype !== 'f32') return js.windowMax(settled(x), settled(table), outer);
      const out = output('f32', outer * table.shape[0]) as Float32Array;
      if (out.length) addon.windowMax(sizedStorage(x) as Float32Array, sizedStorage(table) as Int32Array, outer, table.shape[1], out);
      return out;
    },

    windowMaxGrad(x, table, y, dy) {
      if (x.dtype !== 'f32') return js.windowMaxGrad!(settled(x), settled(table), settled(y), settled(dy));
      const out = output('f32', sizeOf(x.shape)) as Float32Array;
      if (out.length) addon.windowMaxGrad(...([x, y, dy].map(sizedStorage) as [Float32Array, Float32Array, Float32Array]), sizedStorage(table) as Int32Array, table.shape[1], out);
      return out;
    },

    oneHot(indices, depth, outDtype) {
      const idx = ready(indices);
      if (!(idx instanceof Int8Array || idx instanceof Int32Array)) return js.oneHot(indices, depth, outDtype);
      const out = output(outDtype, idx.length * depth);
      addon.oneHot(idx, depth, out);
      return out;
    },
  };
}
