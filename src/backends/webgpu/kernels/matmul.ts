// Matrix products on the GPU (shaders/matmul.wgsl), with an optional fused
// epilogue: the elementwise chain that consumes the product (bias, activation)
// computed from the accumulator before it is stored, so that
// matmul(x, w).add(b).relu() is one launch.
//
// Tile shape per adapter: whether operand tiles go through workgroup memory
// (matmul_shared.wgsl) or straight from global memory into registers
// (matmul.wgsl, or matmul_vec4.wgsl reading B four columns at a time where B
// is row-major with N a multiple of 4), and which register block and
// workgroup shape: the fastest differs between GPUs. On lavapipe, a CPU
// rasteriser, workgroup memory is just more copying, and a one-row workgroup
// (every invocation on the same rows, so A's loads are the same address
// across it) with 128 outputs per invocation is fastest, while 256 falls off
// a register-spill cliff (shaders/README.md). So on the first large product
// a device runs, the candidates below are timed and the fastest is kept for
// that device; small products (where launch overhead dominates) use the first.
// The choice is remembered per adapter between processes (tuning_store.ts).
import type { DType } from '../../../dtype.js';
import type { MatmulConfig } from '../../kernels.js';
import matmulShader from '../../../../shaders/matmul.wgsl';
import matmulDims from '../../../../shaders/matmul_dims.wgsl';
import matmulSharedShader from '../../../../shaders/matmul_shared.wgsl';
import matmulVec4Shader from '../../../../shaders/matmul_vec4.wgsl';
import type { WgslScalar } from '../compiler.js';
import type { FusedCode } from '../fusion.js';
import { computeType } from '../layout.js';
import type { Operand, Runtime } from '../runtime.js';
import { bestTimes } from '../timing.js';
import { fingerprint, recall, recallOrMeasure, type Tuned } from '../tuning_store.js';
import { BufferUsage } from '../usage.js';

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
  /** B read as vec4 (matmul_vec4.wgsl): only for B not transposed and N % 4 == 0; tileN a multiple of 4, wgY 1. */
  vec4?: true;
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
  { tileM: 8, tileN: 8, wgX: 8, wgY: 2 },
  { tileM: 8, tileN: 8, wgX: 16, wgY: 1 },
  { tileM: 8, tileN: 16, wgX: 8, wgY: 1 },
  { tileM: 16, tileN: 8, wgX: 8, wgY: 1 },
  { vec4: true, tileM: 8, tileN: 8, wgX: 16, wgY: 1 },
  { vec4: true, tileM: 16, tileN: 8, wgX: 16, wgY: 1 },
  { vec4: true, tileM: 8, tileN: 16, wgX: 8, wgY: 1 },
  { vec4: true, tileM: 4, tileN: 8, wgX: 64, wgY: 1 },
  { shared: { bk: 16 }, tileM: 4, tileN: 4, wgX: 8, wgY: 8 },
  { shared: { bk: 8 }, tileM: 4, tileN: 4, wgX: 16, wgY: 16 },
  { shared: { bk: 16 }, tileM: 2, tileN: 2, wgX: 16, wgY: 16 },
  // The classic GPU shape: a 128 × 128 block per workgroup, 8 × 8 per invocation,
  // 16 KiB of workgroup memory (WebGPU's default limit). Slow on a CPU rasteriser.
  { shared: { bk: 16 }, tileM: 8, tileN: 8, wgX: 16, wgY: 16 },
];

/** Products of at least this many multiply-adds use the tuned tile (and the first one triggers tuning). */
const TUNE_MIN_MACS = 2 ** 21;
/**
 * Tuning times every candidate on a square product sized to the device: the
 * largest of TUNE_SIZES that the default tile runs in about TUNE_RUN_MS, so
 * that a fast GPU is timed on real work while a CPU rasteriser (SwiftShader
 * takes tens of ms for 256³) is not kept busy for a minute. Then the best few
 * run again on a product four times larger ([2n, n] × [n, 2n]), where the
 * ranking sometimes differs (cache footprint, workgroup count).
 */
const TUNE_SIZES = [256, 512, 1024, 2048];
const TUNE_RUN_MS = 50;
const TUNE_ROUNDS = 3;
/** Candidates that go on from the first size to the second. */
const TUNE_KEEP = 3;

/** The fastest tile measured on a device, and the fastest that works for any product (not vec4). */
export interface TileChoice {
  readonly best: MatmulTile;
  readonly general: MatmulTile;
}

const tuned = new WeakMap<GPUDevice, TileChoice>();
/** How this device's tile was chosen, once it is (the bench and the report print it). */
const tunings = new WeakMap<GPUDevice, Tuned<TileChoice>>();
const tuning = new WeakMap<GPUDevice, Promise<MatmulTile>>();

/** Whether the vec4 kernel can run a product: B row-major, N a multiple of 4. */
export function vec4Eligible(config: MatmulConfig, n: number): boolean {
  return !config.transposeB && n % 4 === 0;
}

/** The tile this device uses for large products (vec4 ones only where `vec4` allows): measured once, or the default until then. */
export function tileFor(rt: Runtime, vec4 = true): MatmulTile {
  const t = tuned.get(rt.ctx.device);
  return t ? (vec4 ? t.best : t.general) : TILE_CANDIDATES[0];
}

/** A tile in words: "vec4 16×8 per invocation, 16×1 workgroup". */
export function describeTile(tile: MatmulTile): string {
  const kind = tile.vec4 ? 'vec4 ' : tile.shared ? `workgroup-memory (k slice ${tile.shared.bk}) ` : '';
  return `${kind}${tile.tileM}×${tile.tileN} per invocation, ${tile.wgX}×${tile.wgY} workgroup`;
}

/** The tuning behind tileFor, once it has run: measured in this process or remembered from an earlier one. */
export function tileTuning(rt: Runtime): Tuned<TileChoice> | undefined {
  return tunings.get(rt.ctx.device);
}

function dims(a: Operand, b: Operand, config: MatmulConfig) {
  const [batchA, a1, a2] = a.shape;
  const [batchB, b1, b2] = b.shape;
  const [m, k] = config.transposeA ? [a2, a1] : [a1, a2];
  const n = config.transposeB ? b1 : b2;
  return { batchA, batchB, batch: Math.max(batchA, batchB), m, n, k };
}

/** `counted` false keeps a timing run out of the dispatch count that tests read. */
export function matmul(
  rt: Runtime, a: Operand, b: Operand, config: MatmulConfig, accDtype: DType, out: GPUBuffer, epilogue?: Epilogue, counted = true,
): void {
  const d = dims(a, b, config);
  const macs = d.m * d.n * d.k;
  if (macs >= TUNE_MIN_MACS && !tuning.has(rt.ctx.device)) tune(rt).catch(() => undefined); // a device lost meanwhile: the next call reports it
  const tile = macs >= TUNE_MIN_MACS ? tileFor(rt, vec4Eligible(config, d.n)) : TILE_CANDIDATES[0];
  encode(rt, a, b, config, accDtype, out, tile, epilogue, d, counted);
}

/** Makes `tile` this device's tile for large products, as if measured (tests run products end to end on each candidate). */
export function useTile(rt: Runtime, tile: MatmulTile): void {
  tuned.set(rt.ctx.device, { best: tile, general: tile.vec4 ? TILE_CANDIDATES[0] : tile });
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
  const value = epilogue?.code.code ?? [`fn value(i: u32) -> ${acc} { return acc_value; }`];
  const types = { In: computeType(a.dtype, features), Acc: acc, Out: computeType(epilogue?.outDtype ?? accDtype, features) };
  if (tile.vec4 && !vec4Eligible(config, d.n)) {
    throw new Error(`webgpu matmul: a vec4 tile needs B row-major and N a multiple of 4 (N=${d.n}${config.transposeB ? ', B transposed' : ''})`);
  }
  const kernel = tile.vec4
    ? rt.compiler.kernel({
      name: 'matmul_vec4',
      source: [matmulDims, matmulVec4Shader, ...value],
      types,
      defines: { TILE_M: tile.tileM, TILE_N4: tile.tileN / 4 },
      constants: { WG: tile.wgX },
    })
    : tile.shared
    ? rt.compiler.kernel({
      name: 'matmul_shared',
      source: [matmulDims, matmulSharedShader, ...value],
      types,
      defines: { TILE_M: tile.tileM, TILE_N: tile.tileN, WG_X: tile.wgX, WG_Y: tile.wgY, BK: tile.shared.bk },
    })
    : rt.compiler.kernel({
      name: 'matmul',
      source: [matmulDims, matmulShader, ...value],
      types,
      defines: { TILE_M: tile.tileM, TILE_N: tile.tileN },
      constants: { WG_X: tile.wgX, WG_Y: tile.wgY },
    });
  const params = Uint32Array.of(
    d.m, d.n, d.k,
    d.batchA === 1 ? 0 : d.m * d.k, d.batchB === 1 ? 0 : d.k * d.n,
    config.transposeA ? 1 : 0, config.transposeB ? 1 : 0,
    // Outputs per invocation (vec4s for matmul_vec4): see matmul_dims.wgsl.
    tile.vec4 ? (tile.tileM * tile.tileN) / 4 : tile.tileM * tile.tileN,
  );
  const groups: [number, number, number] = [Math.ceil(d.n / (tile.wgX * tile.tileN)), Math.ceil(d.m / (tile.wgY * tile.tileM)), d.batch];
  rt.commands.dispatch(kernel, { a: a.buffer, b: b.buffer, out, dims: params, ...epilogue?.code.buffers }, groups, counted);
}

/**
 * Times the candidates (TUNE_SIZES) and keeps the fastest for this device, or
 * recalls what an earlier process measured on the same adapter. Runs in the
 * background (products meanwhile use the default); the bench and tests can
 * await it.
 */
export function tune(rt: Runtime): Promise<MatmulTile> {
  let running = tuning.get(rt.ctx.device);
  if (!running) {
    running = measureTiles(rt);
    tuning.set(rt.ctx.device, running);
  }
  return running;
}

/** What a remembered tile was measured on: the candidates and the kernels that run them. */
const TILES_MEASURED = fingerprint(JSON.stringify(TILE_CANDIDATES), matmulDims, matmulShader, matmulVec4Shader, matmulSharedShader);

/** A stored choice, if both tiles are still candidates (the same objects, so tests can compare by identity). */
function parseChoice(stored: unknown): TileChoice | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const find = (t: unknown) => TILE_CANDIDATES.find((c) => JSON.stringify(c) === JSON.stringify(t));
  const { best, general } = stored as Record<string, unknown>;
  const [b, g] = [find(best), find(general)];
  return b && g && !g.vec4 ? { best: b, general: g } : undefined;
}

/** This device's tuning if it has run, else what an earlier process measured on the adapter; nothing is timed. */
export async function knownTileTuning(rt: Runtime): Promise<Tuned<TileChoice> | undefined> {
  return tileTuning(rt) ?? recall(rt, 'matmul-tile', TILES_MEASURED, parseChoice);
}

async function measureTiles(rt: Runtime): Promise<MatmulTile> {
  const { device } = rt.ctx;
  const choice = await recallOrMeasure(rt, 'matmul-tile', TILES_MEASURED, parseChoice, () => timeTiles(rt));
  tuned.set(device, choice.value);
  tunings.set(device, choice);
  return choice.value.best;
}

async function timeTiles(rt: Runtime): Promise<TileChoice> {
  const { limits } = rt.ctx;
  let candidates = TILE_CANDIDATES.filter((tile) => {
    const sharedBytes = tile.shared ? 4 * tile.shared.bk * (tile.wgY * tile.tileM + tile.wgX * tile.tileN) : 0;
    return tile.wgX * tile.wgY <= limits.maxComputeInvocationsPerWorkgroup && sharedBytes <= limits.maxComputeWorkgroupStorageSize;
  });
  // Multiply-adds per ms of the default tile, from the smallest size: what each size would cost.
  const [probeMs] = await timeCandidates(rt, [TILE_CANDIDATES[0]], { m: 256, n: 256, k: 256 }, 2);
  const macsPerMs = 256 ** 3 / probeMs;
  const n = TUNE_SIZES.filter((s) => s ** 3 / macsPerMs <= TUNE_RUN_MS).pop();
  // Even 256³ over budget (a very slow adapter): that size alone.
  const stages = n ? [{ m: n, n, k: n }, { m: 2 * n, n: 2 * n, k: n }] : [{ m: 256, n: 256, k: 256 }];
  let general = candidates[0];
  for (const [i, size] of stages.entries()) {
    const ms = await timeCandidates(rt, candidates, size, TUNE_ROUNDS);
    const ranked = candidates.map((tile, j) => ({ tile, ms: ms[j] })).sort((x, y) => x.ms - y.ms).map((c) => c.tile);
    // The best non-vec4 tile goes on to the next stage too: products vec4 cannot run use it.
    general = ranked.find((tile) => !tile.vec4)!;
    candidates = ranked.slice(0, i === stages.length - 1 ? 1 : TUNE_KEEP);
    if (!candidates.includes(general)) candidates.push(general);
  }
  return { best: candidates[0], general };
}

/** Each candidate's best time (ms) on an f32 product [m, k] × [k, n], over interleaved rounds (timing.ts). */
async function timeCandidates(rt: Runtime, candidates: readonly MatmulTile[], size: { m: number; n: number; k: number }, rounds: number): Promise<number[]> {
  const { device } = rt.ctx;
  const { m, n, k } = size;
  const usage = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
  const [abuf, bbuf, out] = [m * k, k * n, m * n].map((len) => device.createBuffer({ size: 4 * len, usage }));
  const a: Operand = { buffer: abuf, shape: [1, m, k], dtype: 'f32' };
  const b: Operand = { buffer: bbuf, shape: [1, k, n], dtype: 'f32' };
  const config = { transposeA: false, transposeB: false };
  const d = dims(a, b, config);
  try {
    return await bestTimes(rt, candidates.map((tile) => () => encode(rt, a, b, config, 'f32', out, tile, undefined, d, false)), rounds);
  } finally {
    for (const buf of [abuf, bbuf, out]) buf.destroy();
  }
}
