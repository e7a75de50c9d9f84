// Matrix products on the GPU (shaders/matmul.wgsl), with an optional fused
// epilogue: the elementwise chain that consumes the product (bias, activation)
// computed from the accumulator before it is stored, so that
// matmul(x, w).add(b).relu() is one launch.
//
// Tile shape per adapter: whether operand tiles go through workgroup memory
// (matmul_shared.wgsl) or straight from global memory into registers
// (matmul.wgsl), and which register block and workgroup shape, is fastest
// differs between GPUs — on lavapipe, a CPU rasteriser, workgroup memory is
// just more copying — so on the first large product a device runs, each
// candidate below is timed on a 512³ product and the fastest is kept for that
// device; small products (where launch overhead dominates) use the first.
import type { DType } from '../../../dtype.js';
import type { MatmulConfig } from '../../kernels.js';
import matmulShader from '../../../../shaders/matmul.wgsl';
import matmulSharedShader from '../../../../shaders/matmul_shared.wgsl';
import type { WgslScalar } from '../compiler.js';
import type { FusedCode } from '../fusion.js';
import { computeType } from '../layout.js';
import type { Operand, Runtime } from '../runtime.js';

/** Bindings 0–3 are the operands, the output and the dims; a fused epilogue's start here. */
export const EPILOGUE_FIRST_BINDING = 4;

export interface Epilogue {
  code: FusedCode;
  /** The dtype the fused chain stores. */
  outDtype: DType;
}

export interface MatmulTile {
  /** Whether operand tiles go through workgroup memory (matmul_shared.wgsl), and the k slice they cover. */
  shared?: { bk: number };
  /** Outputs per invocation: rows × columns. */
  tileM: number;
  tileN: number;
  /** Invocations per workgroup along columns (x) and rows (y). */
  wgX: number;
  wgY: number;
}

export const TILE_CANDIDATES: readonly MatmulTile[] = [
  { tileM: 4, tileN: 4, wgX: 8, wgY: 8 },
  { tileM: 4, tileN: 4, wgX: 16, wgY: 16 },
  { tileM: 8, tileN: 4, wgX: 16, wgY: 8 },
  { tileM: 4, tileN: 8, wgX: 8, wgY: 16 },
  { tileM: 2, tileN: 4, wgX: 16, wgY: 16 },
  { tileM: 8, tileN: 8, wgX: 8, wgY: 8 },
  { shared: { bk: 16 }, tileM: 4, tileN: 4, wgX: 8, wgY: 8 },
  { shared: { bk: 8 }, tileM: 4, tileN: 4, wgX: 16, wgY: 16 },
  { shared: { bk: 16 }, tileM: 2, tileN: 2, wgX: 16, wgY: 16 },
];

/** Products of at least this many multiply-adds use the tuned tile (and the first one triggers tuning). */
const TUNE_MIN_MACS = 2 ** 21;
const TUNE_N = 512;

const tuned = new WeakMap<GPUDevice, MatmulTile>();
const tuning = new WeakSet<GPUDevice>();

/** The tile this device uses for large products: measured once, or the default until then. */
export function tileFor(rt: Runtime): MatmulTile {
  return tuned.get(rt.ctx.device) ?? TILE_CANDIDATES[0];
}

function dims(a: Operand, b: Operand, config: MatmulConfig) {
  const [batchA, a1, a2] = a.shape;
  const [batchB, b1, b2] = b.shape;
  const [m, k] = config.transposeA ? [a2, a1] : [a1, a2];
  const n = config.transposeB ? b1 : b2;
  return { batchA, batchB, batch: Math.max(batchA, batchB), m, n, k };
}

export function matmul(rt: Runtime, a: Operand, b: Operand, config: MatmulConfig, accDtype: DType, out: GPUBuffer, epilogue?: Epilogue): void {
  const { batchA, batchB, batch, m, n, k } = dims(a, b, config);
  if (m * n * k >= TUNE_MIN_MACS && !tuned.has(rt.ctx.device) && !tuning.has(rt.ctx.device)) void tune(rt);
  const tile = m * n * k >= TUNE_MIN_MACS ? tileFor(rt) : TILE_CANDIDATES[0];
  encode(rt, a, b, config, accDtype, out, tile, epilogue, { batchA, batchB, batch, m, n, k });
}

/** The product with a given tile, for tests that check every candidate. */
export function matmulWithTile(rt: Runtime, a: Operand, b: Operand, config: MatmulConfig, accDtype: DType, out: GPUBuffer, tile: MatmulTile): void {
  encode(rt, a, b, config, accDtype, out, tile, undefined, dims(a, b, config));
}

function encode(
  rt: Runtime, a: Operand, b: Operand, config: MatmulConfig, accDtype: DType, out: GPUBuffer, tile: MatmulTile,
  epilogue: Epilogue | undefined, d: ReturnType<typeof dims>, counted = true,
): void {
  const { features } = rt.ctx;
  const integer = accDtype === 'i32';
  const acc: WgslScalar = integer ? 'i32' : 'f32';
  const value = epilogue?.code.code ?? `fn value(i: u32) -> ${acc} { return acc_value; }`;
  const types = { In: computeType(a.dtype, features), Acc: acc, Out: computeType(epilogue?.outDtype ?? accDtype, features) };
  const kernel = tile.shared
    ? rt.compiler.kernel({
      name: 'matmul_shared',
      source: `${matmulSharedShader}\n${value}`,
      types,
      defines: { TILE_M: tile.tileM, TILE_N: tile.tileN, WG_X: tile.wgX, WG_Y: tile.wgY, BK: tile.shared.bk },
    })
    : rt.compiler.kernel({
      name: 'matmul',
      source: `${matmulShader}\n${value}`,
      types,
      defines: { TILE_M: tile.tileM, TILE_N: tile.tileN },
      constants: { WG_X: tile.wgX, WG_Y: tile.wgY },
    });
  const params = Uint32Array.of(
    d.m, d.n, d.k,
    d.batchA === 1 ? 0 : d.m * d.k, d.batchB === 1 ? 0 : d.k * d.n,
    config.transposeA ? 1 : 0, config.transposeB ? 1 : 0, 0,
  );
  const groups: [number, number, number] = [Math.ceil(d.n / (tile.wgX * tile.tileN)), Math.ceil(d.m / (tile.wgY * tile.tileM)), d.batch];
  rt.commands.dispatch(kernel, { a: a.buffer, b: b.buffer, out, dims: params, ...epilogue?.code.buffers }, groups, counted);
}

/**
 * Times each candidate on a TUNE_N³ f32 product and keeps the fastest for
 * this device. Runs in the background (products meanwhile use the default);
 * the bench and tests can await it.
 */
export async function tune(rt: Runtime): Promise<MatmulTile> {
  const { device } = rt.ctx;
  const done = tuned.get(device);
  if (done) return done;
  tuning.add(device);
  const n = TUNE_N;
  const bytes = n * n * 4;
  const bufs = [0, 1, 2].map(() => device.createBuffer({ size: bytes, usage: 0x80 | 0x8 | 0x4 }));
  const a: Operand = { buffer: bufs[0], shape: [1, n, n], dtype: 'f32' };
  const b: Operand = { buffer: bufs[1], shape: [1, n, n], dtype: 'f32' };
  const config = { transposeA: false, transposeB: false };
  const d = dims(a, b, config);
  let best = TILE_CANDIDATES[0];
  let bestMs = Infinity;
  try {
    for (const tile of TILE_CANDIDATES) {
      if (tile.wgX * tile.wgY > rt.ctx.limits.maxComputeInvocationsPerWorkgroup) continue;
      const sharedBytes = tile.shared ? 4 * tile.shared.bk * (tile.wgY * tile.tileM + tile.wgX * tile.tileN) : 0;
      if (sharedBytes > rt.ctx.limits.maxComputeWorkgroupStorageSize) continue;
      let ms = Infinity;
      for (let rep = 0; rep < 5; rep++) {
        const start = performance.now();
        encode(rt, a, b, config, 'f32', bufs[2], tile, undefined, d, false);
        rt.commands.flush();
        await device.queue.onSubmittedWorkDone();
        ms = Math.min(ms, performance.now() - start);
      }
      if (ms < bestMs) [best, bestMs] = [tile, ms];
    }
  } finally {
    for (const buf of bufs) buf.destroy();
  }
  tuned.set(device, best);
  return best;
}
