// Loading the native addon (fallback/build/Release/tmnn_native.node) and its
// typed surface. Node modules are imported lazily: the browser bundle never
// reaches this file's loader.

export interface BlasInfo {
  corename: string;
  config: string;
  threads: number;
  /** 0 sequential, 1 pthreads, 2 OpenMP. */
  parallel: number;
}

export type CpuFeatures = Record<
  | 'sse' | 'sse2' | 'sse3' | 'ssse3' | 'sse4_1' | 'sse4_2' | 'avx' | 'fma' | 'f16c' | 'avx2'
  | 'avx512f' | 'avx512dq' | 'avx512cd' | 'avx512bw' | 'avx512vl' | 'avx512_vnni' | 'avx512_bf16' | 'avx512_fp16'
  | 'avx_vnni' | 'amx_tile' | 'amx_int8' | 'amx_bf16',
  boolean
>;

/** An asynchronous GEMM in flight. */
export type GemmHandle = { readonly __gemm: unique symbol };

export interface Addon {
  /** Starts sgemm on a worker thread; `done` runs on the event loop when it finishes. */
  sgemmAsync(a: Float32Array, b: Float32Array, out: Float32Array, batchA: number, batchB: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean, done: () => void): GemmHandle;
  /** Blocks until that GEMM has finished. */
  waitGemm(handle: GemmHandle): void;
  sgemm(a: Float32Array, b: Float32Array, out: Float32Array, batchA: number, batchB: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): void;
  gemmI8(a: Int8Array, b: Int8Array, out: Int32Array, batchA: number, batchB: number, m: number, n: number, k: number): void;
  int8Path(forcePortable?: boolean): 'avx512-vnni' | 'portable';
  unaryF32(op: number, x: Float32Array, out: Float32Array): void;
  binaryF32(op: number, a: Float32Array, aStrides: number[], b: Float32Array, bStrides: number[], outShape: readonly number[], out: Float32Array): void;
  reduceF32(op: number, x: Float32Array, outer: number, inner: number, out: Float32Array): void;
  argReduceF32(largest: boolean, x: Float32Array, outer: number, inner: number, out: Int32Array): void;
  softmaxF32(x: Float32Array, outer: number, inner: number, log: boolean, out: Float32Array): void;
  gather<T extends Float32Array | Uint16Array | Int8Array | Int32Array>(x: T, outShape: readonly number[], strides: readonly number[], offset: number, out: T): void;
  f16ToF32(h: Uint16Array, f: Float32Array): void;
  f32ToF16(f: Float32Array, h: Uint16Array): void;
  f16Path(forcePortable?: boolean): 'f16c' | 'portable';
  blasInfo(): BlasInfo;
  setThreads(n: number): number;
  cpuFeatures(): CpuFeatures;
}

const HOW_TO_BUILD =
  'run `npm run build:native` (needs g++, make, python3 and OpenBLAS: apt-get install g++ make python3 libopenblas-dev pkg-config)';

let loaded: Promise<Addon> | null = null;

/** The package root: the nearest directory above this module with a package.json named tmnn. */
async function packageRoot(): Promise<string> {
  const { dirname, join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { readFileSync } = await import('node:fs');
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'tmnn') return dir;
    } catch {
      // keep walking up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('native addon: cannot find the tmnn package root');
    dir = up;
  }
}

/**
 * Loads the addon once. TMNN_NATIVE_ADDON points at another build (tests use
 * it to simulate a missing one). Rejects with what is missing and how to fix it.
 */
export function loadAddon(): Promise<Addon> {
  loaded ??= (async () => {
    if (typeof process === 'undefined' || !process.versions?.node) throw new Error('the native backend needs Node.js');
    const { join } = await import('node:path');
    const { existsSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const path = process.env.TMNN_NATIVE_ADDON || join(await packageRoot(), 'fallback', 'build', 'Release', 'tmnn_native.node');
    if (!existsSync(path)) throw new Error(`native addon not built (no ${path}): ${HOW_TO_BUILD}`);
    try {
      return createRequire(import.meta.url)(path) as Addon;
    } catch (err) {
      throw new Error(`native addon at ${path} failed to load (${(err as Error).message}): ${HOW_TO_BUILD}`);
    }
  })();
  const attempt = loaded;
  // A failed load may succeed later (after a build): do not cache failure.
  attempt.catch(() => {
    if (loaded === attempt) loaded = null;
  });
  return attempt;
}
