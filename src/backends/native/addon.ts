// The native addon's typed surface (fallback/src/addon.cc). Kernels take
// typed arrays that JS allocated, inputs and output, and the addon works in
// their memory: nothing is copied across the boundary. A dtype is read from
// the array's type: Float32Array f32, Uint16Array f16 (bit patterns),
// Int8Array i8, Int32Array i32.
import type { StorageArray } from '../../dtype.js';
import { reuseFreedMemory } from './malloc.js';

export interface BlasInfo {
  /** The CPU core whose kernels OpenBLAS uses (openblas_get_corename). */
  corename: string;
  /** openblas_get_config(): version, build options, core. */
  config: string;
  /** The OpenBLAS version ("0.3.21"), from the library's config or else its headers (the addon always sets it). */
  version?: string;
  threads: number;
  /** 0 sequential, 1 pthreads, 2 OpenMP. */
  parallel: number;
}

export type CpuFeature =
  | 'sse' | 'sse2' | 'sse3' | 'ssse3' | 'sse4_1' | 'sse4_2' | 'avx' | 'fma' | 'f16c' | 'avx2'
  | 'avx512f' | 'avx512dq' | 'avx512cd' | 'avx512bw' | 'avx512vl' | 'avx512_vnni' | 'avx512_bf16' | 'avx512_fp16'
  | 'avx_vnni' | 'amx_tile' | 'amx_int8' | 'amx_bf16';

/** CPUID's answer, with extensions the OS does not enable (no XSAVE of their registers) reported absent. */
export type CpuFeatures = Record<CpuFeature, boolean>;

/**
 * The int8 GEMM's path: 512-bit VNNI, 256-bit VEX VNNI, the same 256-bit loop
 * with the EVEX instruction (never picked on its own: it lets an AVX-512
 * machine test the avx-vnni code), or portable loops.
 */
export type Int8Path = 'avx512-vnni' | 'avx-vnni' | 'avx512vl-vnni' | 'portable';
export type F16Path = 'f16c' | 'portable';

/** A matrix product running on a worker thread. */
export type GemmHandle = { readonly __gemm: unique symbol };

export interface Addon {
  /** out = op(x), op numbered as in UNARY_OPS. */
  unary(op: number, x: StorageArray, out: StorageArray): void;
  /** out = op(a, b), op numbered as in native/index.ts's BINARY_OPS (tmnn.h's Binary); strides 0 along broadcast axes. */
  binary(op: number, a: StorageArray, aStrides: readonly number[], b: StorageArray, bStrides: readonly number[], outShape: readonly number[], out: StorageArray): void;
  where(cond: StorageArray, condStrides: readonly number[], a: StorageArray, aStrides: readonly number[], b: StorageArray, bStrides: readonly number[], outShape: readonly number[], out: StorageArray): void;
  /** Batched product (kernels.ts's matmul), inline; out is Int32Array for Int8Array operands. */
  matmul(a: StorageArray, b: StorageArray, out: StorageArray, batchA: number, batchB: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): void;
  /** The same on libuv's thread pool: returns at once; `done` runs on the event loop when out is filled. */
  matmulAsync(a: StorageArray, b: StorageArray, out: StorageArray, batchA: number, batchB: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean, done: (error?: Error) => void): GemmHandle;
  /** Blocks until that product has finished (throws if it failed). */
  waitGemm(handle: GemmHandle): void;
  /** op numbered sum, mean, max, min; out has x's dtype, or a float one for the mean of ints. */
  reduce(op: number, x: StorageArray, outer: number, inner: number, out: StorageArray): void;
  /** reduce's op down each column of x [rows, cols] into out [cols]; dtypes as for reduce. */
  reduceColumns(op: number, x: StorageArray, rows: number, cols: number, out: StorageArray): void;
  argReduce(largest: boolean, x: StorageArray, outer: number, inner: number, out: Int32Array): void;
  softmax(x: Float32Array | Uint16Array, outer: number, inner: number, log: boolean, out: Float32Array | Uint16Array): void;
  stridedCopy(x: StorageArray, outShape: readonly number[], strides: readonly number[], offset: number, out: StorageArray): void;
  /** xs[i] holds `outer` rows of chunks[i] elements; out's rows are their concatenation. */
  concat(xs: readonly StorageArray[], chunks: readonly number[], outer: number, out: StorageArray): void;
  /** Converts x into out's dtype. */
  cast(x: StorageArray, out: StorageArray): void;
  oneHot(indices: Int8Array | Int32Array, depth: number, out: StorageArray): void;
  /** out = running sums (op 0) or products (op 1) of x along the middle axis of [outer, n, inner]. */
  scan(op: number, x: StorageArray, outer: number, inner: number, out: StorageArray): void;
  /** lu [batch, n, n] and pivots [batch, n] = the LU factors of a (linalg.ts's luFactor), by LAPACK's sgetrf. */
  luFactor(a: Float32Array, batch: number, n: number, lu: Float32Array, pivots: Int32Array): void;
  /** x [batch, n, k] = A⁻¹ b from A's LU factors (linalg.ts's luSolve), by two cblas_strsm. */
  luSolve(lu: Float32Array, pivots: Int32Array, b: Float32Array, batch: number, n: number, k: number, x: Float32Array): void;
  /** l [batch, n, n] = the Cholesky factor of a (linalg.ts's cholesky), by LAPACK's spotrf. */
  cholesky(a: Float32Array, batch: number, n: number, l: Float32Array): void;
  /** q [batch, m, c] and r [batch, c, n] = the QR factors of a (linalg.ts's qr), by LAPACK's sgeqrf and sorgqr. */
  qr(a: Float32Array, batch: number, m: number, n: number, complete: boolean, q: Float32Array, r: Float32Array): void;
  /** x [batch, n, k] = A⁻¹ b for A's upper or lower triangle (linalg.ts's triangularSolve), by cblas_strsm. */
  triangularSolve(a: Float32Array, b: Float32Array, batch: number, n: number, k: number, upper: boolean, unit: boolean, x: Float32Array): void;
  /** values [batch, n] and vectors [batch, n, n] = the eigendecomposition of symmetric a (linalg.ts's eigh), by LAPACK's ssyevd. */
  eigh(a: Float32Array, batch: number, n: number, values: Float32Array, vectors: Float32Array): void;
  /** values [batch, n, 2] and vectors [batch, n, n, 2] = the eigendecomposition of general a (linalg.ts's eig), by LAPACK's sgeev; n ≥ 1. */
  eig(a: Float32Array, batch: number, n: number, values: Float32Array, vectors: Float32Array): void;
  /** The Bunch–Kaufman factors of symmetric a [batch, n, n] from its lower triangle (ssytrf 'L'): ld [batch, n, n], pivots [batch, n] (js/ldl.ts's form). */
  ldlFactor(a: Float32Array, batch: number, n: number, ld: Float32Array, pivots: Int32Array): void;
  /** x [batch, n, k] = A⁻¹ b from A's Bunch–Kaufman factors (ssytrs). */
  ldlSolve(ld: Float32Array, pivots: Int32Array, b: Float32Array, batch: number, n: number, k: number, x: Float32Array): void;
  /** u [batch, m, k], s [batch, k], vh [batch, k, n] = the reduced SVD of a [batch, m, n] (linalg.ts's svd), by LAPACK's sgesdd; k = min(m, n) ≥ 1. */
  svd(a: Float32Array, batch: number, m: number, n: number, u: Float32Array, s: Float32Array, vh: Float32Array): void;
  /** out [2, B, H] = h', c' of one LSTM step (recurrent_cells.ts's lstmCell). */
  lstmCell(z: Float32Array, c: Float32Array, hidden: number, out: Float32Array): void;
  /** out [B·4H + B·H] = dz, dc (recurrent_cells.ts's lstmCellGrad). */
  lstmCellGrad(z: Float32Array, c: Float32Array, dy: Float32Array, hidden: number, out: Float32Array): void;
  /** out [B, H] = h' of one GRU step (recurrent_cells.ts's gruCell). */
  gruCell(xw: Float32Array, hw: Float32Array, h: Float32Array, hidden: number, out: Float32Array): void;
  /** out [B·3H + B·3H + B·H] = dxw, dhw, dh (recurrent_cells.ts's gruCellGrad). */
  gruCellGrad(xw: Float32Array, hw: Float32Array, h: Float32Array, dy: Float32Array, hidden: number, out: Float32Array): void;
  /** out [batch] losses, then withGrad [frames, batch, classes] gradients (ctc.ts's ctc). */
  ctc(lp: Float32Array, targets: Int32Array, inputLengths: Int32Array, targetLengths: Int32Array, frames: number, classes: number, blank: number, withGrad: boolean, out: Float32Array): void;
  /**
   * The transforms of fft.cc (backends/fft.ts's FftKernels), present only when the addon was built with KissFFT:
   * out [rows, n, 2] = each row of x [rows, n, 2] transformed (e^(+2πi·jk/n) when inverse), unnormalised, times scale.
   */
  fftComplex?(x: Float32Array, rows: number, n: number, inverse: boolean, scale: number, out: Float32Array): void;
  /** out [rows, n/2 + 1, 2] = the half spectrum of each real row of x [rows, n], n even, times scale. */
  fftRealForward?(x: Float32Array, rows: number, n: number, scale: number, out: Float32Array): void;
  /** out [rows, n] = the real signal of each half spectrum x [rows, n/2 + 1, 2], n even, unnormalised, times scale. */
  fftRealInverse?(x: Float32Array, rows: number, n: number, scale: number, out: Float32Array): void;
  /** out [rows, k] = the values [nodes, k] of the leaves each tree's node tables lead each row of x [rows, cols] to, in at most depth steps, reduced over the trees (0 sum, 1 min, 2 max; tree_walk.ts's treeWalk). */
  treeWalk(x: Float32Array, features: Int32Array, thresholds: Float32Array, next: Int32Array, roots: Int32Array, values: Float32Array, rows: number, cols: number, depth: number, reduction: number, out: Float32Array): void;
  /** out [rows, k] = the positions of each row's first k in sorted order (kernels.ts's sortIndices). */
  sortIndices(x: Float32Array, n: number, k: number, descending: boolean, out: Int32Array): void;
  /** x as [outer, n, inner]: out [outer, indices, inner] its rows `indices` (zeros for one outside [-n, n)). */
  gather(x: StorageArray, indices: Int8Array | Int32Array, outer: number, inner: number, out: StorageArray): void;
  /** gather's gradient: out [outer, n, inner] the sum of dy [outer, indices, inner]'s rows into the rows they came from. */
  scatterAdd(dy: Float32Array, indices: Int8Array | Int32Array, outer: number, n: number, inner: number, out: Float32Array): void;
  /** sorted [rows, n], values [rows, m], both f32 or both i32: out [rows, m] each value's place in its row by binary search (backends/search.ts). */
  searchSorted(sorted: Float32Array | Int32Array, values: Float32Array | Int32Array, rows: number, right: boolean, out: Int32Array): void;
  allPole(v: Float32Array, rows: number, a: Float32Array, out: Float32Array): void;
  /** x [outer, n], table [windows, taps]: out [outer, windows] the largest value each window's positions pick (one outside [0, n) skipped). */
  windowMax(x: Float32Array, table: Int32Array, outer: number, taps: number, out: Float32Array): void;
  /** windowMax's gradient (kernels.ts's windowMaxGrad): x and out [outer, n], y and dy [outer, windows], table [windows, taps]. */
  windowMaxGrad(x: Float32Array, y: Float32Array, dy: Float32Array, table: Int32Array, taps: number, out: Float32Array): void;
  /**
   * A convolution (kernels.ts's conv2d), kind 0 forward (a x, b w), 1 inputGrad (a dy, b w), 2 weightGrad (a x, b dy);
   * geometry: batch, channels, height, width, filters, groups, kernel, stride, dilation, padding (each [h, w]), out [h, w].
   */
  conv2d(kind: number, a: Float32Array | Uint16Array, b: Float32Array | Uint16Array, geometry: number[], out: Float32Array | Uint16Array): void;
  /** One Adam step (kernels.ts's adam) into the three outputs, all of one length. */
  adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array,
    beta1: number, beta2: number, stepSize: number, epsilonHat: number, l2: number, decay: number): void;
  /** One SGD step (kernels.ts's sgd) into the outputs, of one length: v null on the first step, vOut null without momentum. */
  sgd(p: Float32Array, g: Float32Array, v: Float32Array | null, pOut: Float32Array, vOut: Float32Array | null,
    lr: number, momentum: number, nesterov: boolean, weightDecay: number): void;
  f16ToF32(h: Uint16Array, f: Float32Array): void;
  f32ToF16(f: Float32Array, h: Uint16Array): void;
  /** The f16 conversion in use; `true` forces the portable one, `false` restores the best. */
  f16Path(forcePortable?: boolean): F16Path;
  /** The int8 GEMM path in use; a name forces it (RangeError if this CPU cannot run it), null or false restores the best, true forces portable. */
  int8Path(force?: Int8Path | boolean | null): Int8Path;
  /** Bytes packInt8Weight writes for a tm.quantize weight's values [N, K], on the int8 path in use. */
  int8WeightBytes(n: number, k: number): number;
  /** A tm.quantize weight's values w [N, K] packed once for the int8 path in use (quantizedLinear's `packed`). */
  packInt8Weight(w: Int8Array, n: number, k: number, dst: Int8Array): void;
  /**
   * x [M, K] · a tm.quantize weight (values w [N, K], scales [N]) the int8 way, into out [M, N]:
   * ops/quantize.ts's composed ops in one call, bit for bit. packed: packInt8Weight's bytes for w,
   * or null (w is packed as it goes, as it is when packed for another path).
   */
  quantizedLinear(x: Float32Array, w: Int8Array, packed: Int8Array | null, scales: Float32Array, out: Float32Array, m: number, n: number, k: number): void;
  /** ONNX's DynamicQuantizeLinear of x into y (uint8 values): [scale, zeroPoint], or null where x is empty or holds a NaN or an infinity (y untouched). */
  dynamicQuantizeUint8(x: Float32Array, y: Int32Array): [number, number] | null;
  blasInfo(): BlasInfo;
  getThreads(): number;
  /** Sets OpenBLAS's threads (also the int8 GEMM's) and returns the count now in effect. */
  setThreads(n: number): number;
  cpuFeatures(): CpuFeatures;
  /** glibc's mallopt(M_MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD) (malloc.ts); false where the C library is not glibc. */
  setMallocReuse(mmapThreshold: number, trimThreshold: number): boolean;
  /** Runs `call` with file descriptor 2 pointed at a temporary file: its result, and what native code wrote to stderr meanwhile. */
  captureStderr<T>(call: () => T): [T, string];
}

export const HOW_TO_BUILD =
  'run `npm run build:native` (needs g++, python3 and libopenblas-dev: apt-get install libopenblas-dev pkg-config)';

/** Why a present addon would not load, and what fixes that. */
function loadFailure(path: string, err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  if (/libopenblas|libcblas|libblas/.test(msg)) {
    return new Error(`native addon at ${path} cannot load: the OpenBLAS library is missing (${msg}); apt-get install libopenblas0, or ${HOW_TO_BUILD}`);
  }
  if (/NODE_MODULE_VERSION|invalid ELF|wrong ELF class|undefined symbol/.test(msg)) {
    return new Error(`native addon at ${path} was built for another Node or platform (${msg}): rebuild it: ${HOW_TO_BUILD}`);
  }
  return new Error(`native addon at ${path} failed to load (${msg}): ${HOW_TO_BUILD}`);
}

async function load(path: string): Promise<Addon> {
  const { existsSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  if (!existsSync(path)) throw new Error(`native addon not built: ${HOW_TO_BUILD}; no file at ${path}`);
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(path) as Addon;
  } catch (err) {
    throw loadFailure(path, err);
  }
  reuseFreedMemory(addon);
  return addon;
}

let loaded: Promise<Addon> | null = null;

/**
 * Loads the addon: from `path` when given (tests point it at a missing file),
 * else from env TMNN_NATIVE_ADDON, else from fallback/build/Release under the
 * package root. Rejects with what is missing and how to fix it. A success is
 * loaded once; a failure is retried on the next call (after a build, say).
 */
export function loadAddon(path?: string): Promise<Addon> {
  if (typeof process === 'undefined' || !process.versions?.node) return Promise.reject(new Error('the native backend needs Node.js'));
  if (path !== undefined) return load(path);
  loaded ??= (async () => {
    const { defaultAddonPath } = await import('./locate.js');
    return load(process.env.TMNN_NATIVE_ADDON || (await defaultAddonPath()));
  })();
  const attempt = loaded;
  attempt.catch(() => {
    if (loaded === attempt) loaded = null;
  });
  return attempt;
}
