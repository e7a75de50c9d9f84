// Which tile a matrix product runs on (the candidates are in
// matmul_kernel.ts): whether operand tiles go through workgroup memory or
// straight from global memory into registers, B read as vec4 or not, A's
// loads shared across a subgroup or not, which register block and workgroup
// shape. The fastest differs between GPUs. On lavapipe, a CPU rasteriser,
// workgroup memory is just more copying, and a one-row workgroup (every
// invocation on the same rows of A) sharing A's loads across each subgroup,
// with 256 outputs per invocation, is fastest; without the sharing 256 falls
// off a register-spill cliff (shaders/README.md). So tiles are timed on the
// device, twice over:
// - The device's tile: on the first large product a device runs, every
//   candidate is timed on square products and the fastest is used for large
//   products from then on; small ones (launch cost outweighs the tile) use
//   the first candidate.
// - A shape's tile: the fastest tile on square products is not the fastest
//   for every shape. On lavapipe a training step's products ran up to ~25%
//   faster on other tiles than on one chosen on squares, and a product with
//   N = 10 leaves most lanes of a wide tile idle; on a GPU with a hundred
//   cores, a tile made for 2048² gives a batch of 128 rows a handful of
//   workgroups. So the second time a program runs a shape (a training step
//   runs the same products every step), the shape is timed on the candidates
//   in the background, one shape at a time (after the device's tile), and
//   its products run on its fastest tile from then on. Only where the device
//   has timestamp queries (timed by the wall clock, the measurement would
//   count the program's own work queued alongside it), and not for products
//   too small to gain or too large to copy (SHAPE_MIN_MACS, SHAPE_MAX_BYTES).
//   A shape is timed in its own dtypes (an f16 product reads half the bytes
//   of an f32 one, an integer product sums in i32), so the same sizes in f32
//   and in f16 are two shapes, each with its own tile. (The device's tile is
//   timed in f32: large products of other dtypes use it too, but for one
//   case below.)
// - Tiles on f16 subgroup matrices (tensor cores: matmul_matrix.ts) run f16
//   products only. Where the device has them, they race the device's tile on
//   an f16 product once it is chosen, and the winner is the device's tile for
//   f16 products; they are candidates for f16 shapes too.
// Both are remembered per adapter between processes (tuning_store.ts); a
// shape's tile is measured again when the device's is (`tmnn tune`).
import type { DType } from '../../../dtype.js';
import type { MatmulConfig } from '../../kernels.js';
import { BYTES } from '../layout.js';
import type { Operand, Runtime } from '../runtime.js';
import { bestTimes, withScratchBuffers } from '../timing.js';
import { fingerprint, recall, recallOrMeasure, type Tuned } from '../tuning_store.js';
import {
  TILE_CANDIDATES, TILE_KERNEL_SOURCES, encodeWithTile, isMatrixTile, productTileRuns, tileRuns, vec4Eligible, type MatmulTile, type ProductDims,
  type ProductTile,
} from './matmul_kernel.js';
import { MATRIX_PRODUCT_SOURCES, MATRIX_PRODUCT_TILES } from './matmul_matrix.js';

/** Products of at least this many multiply-adds use the device's tile (and the first one starts its tuning). */
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
/** Candidates that go on from the first size to the second (and from the first round of a shape to the next ones). */
const TUNE_KEEP = 3;

/** Products smaller than this are not timed per shape: a launch costs more than any tile saves. */
const SHAPE_MIN_MACS = 2 ** 16;
/** A shape is timed once a program has run it this many times. */
const SHAPE_REPEATS = 2;
/** Shapes timed per device at most, and shapes whose runs are counted: a program of ever-changing shapes is not timed (or counted) without end. */
const SHAPE_MAX_TIMED = 64;
const SHAPE_MAX_COUNTED = 1024;
/** A shape that takes longer than this on the device's tile stays on it: it is like the products tuning timed, and slow to time on every candidate. */
const SHAPE_MAX_RUN_MS = 20;
/**
 * A shape whose operands or output take more than this each is not timed: the
 * measurement runs in buffers of its own, as large again as the product's,
 * and a product that large is like the square products the device's tile was
 * timed on.
 */
const SHAPE_MAX_BYTES = 64 * 2 ** 20;
/** Each timed run repeats the product to last about this long, so that coarse timestamps (a browser's) still tell tiles apart. */
const SHAPE_MIN_RUN_MS = 1;
const SHAPE_MAX_REPEATS = 16;

/** A product's dtypes as its kernel reads and writes them: the operands' (both alike) and the output's. */
export interface ProductDtypes {
  readonly operands: DType;
  readonly out: DType;
}

const F32_PRODUCT: ProductDtypes = { operands: 'f32', out: 'f32' };
const F16_PRODUCT: ProductDtypes = { operands: 'f16', out: 'f16' };

/**
 * The fastest tile measured on a device, and the fastest that works for any
 * product (not vec4); where the device has f16 subgroup matrices and a tile
 * on them beat `best` on an f16 product, that tile, for f16 products.
 */
export interface TileChoice {
  readonly best: MatmulTile;
  readonly general: MatmulTile;
  readonly f16?: ProductTile;
}

const tuned = new WeakMap<GPUDevice, TileChoice>();
/** How this device's tile was chosen, once it is (the bench and the report print it). */
const tunings = new WeakMap<GPUDevice, Tuned<TileChoice>>();
const tuning = new WeakMap<GPUDevice, Promise<MatmulTile>>();

/** A shape's tuning: how often it ran before it was timed; then its tile (null: the device's). */
interface ShapeTuning {
  seen: number;
  chosen?: Tuned<ProductTile | null>;
}
const shapes = new WeakMap<GPUDevice, Map<string, ShapeTuning>>();
/** The shape measurements queued on a device, run one at a time: how many, and the last one's end. */
const shapeQueue = new WeakMap<GPUDevice, { queued: number; end: Promise<void> }>();
/** Devices whose tile a test set (useTile): no shape has a tile of its own. */
const pinned = new WeakSet<GPUDevice>();

/** The tile this device uses for large products (vec4 ones only where `vec4` allows): measured once, or the default until then. */
export function tileFor(rt: Runtime, vec4 = true): MatmulTile {
  const t = tuned.get(rt.ctx.device);
  return t ? (vec4 ? t.best : t.general) : TILE_CANDIDATES[0];
}

/**
 * The tile a product runs on: its shape's, once measured, else the device's
 * (for a large product) or the default. Counts the shape's runs, and queues
 * its measurement (or the device's tuning) when due.
 */
export function tileForProduct(rt: Runtime, d: ProductDims, config: MatmulConfig, dtypes: ProductDtypes): ProductTile {
  const { device, features } = rt.ctx;
  const macs = d.batch * d.m * d.n * d.k;
  if (macs >= TUNE_MIN_MACS && !tuning.has(device)) tune(rt).catch(() => undefined); // a device lost meanwhile: the next call reports it
  if (macs < SHAPE_MIN_MACS || !features.timestampQuery || pinned.has(device) || !smallEnough(rt, d, dtypes)) return deviceTile(rt, d, config, dtypes);
  let byShape = shapes.get(device);
  if (!byShape) shapes.set(device, (byShape = new Map()));
  const key = shapeKey(d, config, dtypes);
  let shape = byShape.get(key);
  if (!shape) {
    if (byShape.size >= SHAPE_MAX_COUNTED) return deviceTile(rt, d, config, dtypes);
    byShape.set(key, (shape = { seen: 0 }));
  }
  if (shape.chosen) return shape.chosen.value ?? deviceTile(rt, d, config, dtypes);
  if (++shape.seen === SHAPE_REPEATS && (shapeQueue.get(device)?.queued ?? 0) < SHAPE_MAX_TIMED) queueShape(rt, key, d, config, dtypes, shape);
  return deviceTile(rt, d, config, dtypes);
}

/** Whether a shape's measurement buffers (its operands and output) stay within SHAPE_MAX_BYTES and what the device can bind. */
function smallEnough(rt: Runtime, d: ProductDims, dtypes: ProductDtypes): boolean {
  const most = Math.min(SHAPE_MAX_BYTES, rt.ctx.limits.maxStorageBufferBindingSize);
  return Math.max(...productBytes(d, dtypes)) <= most;
}

/** Bytes of a product's operands and output: [A, B, out]. */
function productBytes(d: ProductDims, dtypes: ProductDtypes): number[] {
  const operand = BYTES[dtypes.operands];
  return [d.batchA * d.m * d.k * operand, d.batchB * d.k * d.n * operand, d.batch * d.m * d.n * BYTES[dtypes.out]];
}

function deviceTile(rt: Runtime, d: ProductDims, config: MatmulConfig, dtypes: ProductDtypes): ProductTile {
  if (d.batch * d.m * d.n * d.k < TUNE_MIN_MACS) return TILE_CANDIDATES[0];
  const f16Tile = dtypes.operands === 'f16' ? tuned.get(rt.ctx.device)?.f16 : undefined;
  return f16Tile ?? tileFor(rt, vec4Eligible(config, d.n));
}

/**
 * "128x784x256" for [128, 784] × [784, 256], "Aᵀ"/"Bᵀ" after it for an
 * operand read transposed, "4|1@" before it for a batch (A's and B's); then
 * the dtypes unless f32: " f16" (f16 operands and output), " f16→f32".
 */
function shapeKey(d: ProductDims, config: MatmulConfig, { operands, out }: ProductDtypes): string {
  const batch = d.batch === 1 ? '' : `${d.batchA}|${d.batchB}@`;
  const dtypes = operands === 'f32' && out === 'f32' ? '' : operands === out ? ` ${out}` : ` ${operands}→${out}`;
  return `${batch}${d.m}x${d.k}x${d.n}${config.transposeA ? 'Aᵀ' : ''}${config.transposeB ? 'Bᵀ' : ''}${dtypes}`;
}

function queueShape(rt: Runtime, key: string, d: ProductDims, config: MatmulConfig, dtypes: ProductDtypes, shape: ShapeTuning): void {
  const { device } = rt.ctx;
  const measure = async () => {
    // After the device's tuning, which it compares against: measured again
    // when the device's tile is (`tmnn tune`), so it is part of the fingerprint.
    await tune(rt);
    const print = `${TILES_MEASURED} ${tunings.get(device)!.measuredAt}`;
    shape.chosen = await recallOrMeasure(rt, `matmul-tile ${key}`, print, shapeTileParser(rt, dtypes), () => timeShape(rt, d, config, dtypes));
  };
  const queue = shapeQueue.get(device) ?? { queued: 0, end: Promise.resolve() };
  // A failed measurement (the device lost meanwhile) leaves the shape on the device's tile.
  shapeQueue.set(device, { queued: queue.queued + 1, end: queue.end.then(measure).catch(() => undefined) });
}

/** Resolves once the device's tuning and every shape measurement queued so far are done (the bench waits for it before timing). */
export async function tilesSettled(rt: Runtime): Promise<void> {
  await tuning.get(rt.ctx.device)?.catch(() => undefined);
  await shapeQueue.get(rt.ctx.device)?.end;
}

/** The shapes this device has measured so far, with the tile each runs on (null: the device's). */
export function shapeTiles(rt: Runtime): { shape: string; tile: ProductTile | null; source: Tuned<unknown>['source'] }[] {
  return [...(shapes.get(rt.ctx.device) ?? [])].flatMap(([shape, { chosen }]) => (chosen ? [{ shape, tile: chosen.value, source: chosen.source }] : []));
}

/** The tuning behind tileFor, once it has run: measured in this process or remembered from an earlier one. */
export function tileTuning(rt: Runtime): Tuned<TileChoice> | undefined {
  return tunings.get(rt.ctx.device);
}

/**
 * Makes `tile` this device's tile for large products, as if measured, and
 * every shape's (none is measured meanwhile), so that tests run products end
 * to end on each candidate; null goes back to the measured tiles. A tile on
 * subgroup matrices becomes the tile of f16 products, the default that of
 * the others.
 */
export function useTile(rt: Runtime, tile: ProductTile | null): void {
  const { device } = rt.ctx;
  if (tile) {
    const first = TILE_CANDIDATES[0];
    tuned.set(device, isMatrixTile(tile) ? { best: first, general: first, f16: tile } : { best: tile, general: tile.vec4 ? first : tile });
    pinned.add(device);
    return;
  }
  pinned.delete(device);
  const measured = tunings.get(device);
  if (measured) tuned.set(device, measured.value);
  else tuned.delete(device);
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
const TILES_MEASURED = fingerprint(JSON.stringify([TILE_CANDIDATES, MATRIX_PRODUCT_TILES]), ...TILE_KERNEL_SOURCES, ...MATRIX_PRODUCT_SOURCES);

/** A stored tile, if it is still a candidate (the same object, so tests can compare by identity). */
function parseTile(stored: unknown): ProductTile | undefined {
  const text = JSON.stringify(stored);
  return [...TILE_CANDIDATES, ...MATRIX_PRODUCT_TILES].find((c) => JSON.stringify(c) === text);
}

/**
 * A stored choice, if its tiles are still candidates of their kinds. Its f16
 * tile is dropped where this device cannot run it: the same adapter without
 * TMNN_WEBGPU_UNSAFE_APIS has no subgroup matrices.
 */
function choiceParser(rt: Runtime): (stored: unknown) => TileChoice | undefined {
  return (stored) => {
    if (!stored || typeof stored !== 'object') return undefined;
    const { best, general, f16 } = stored as Record<string, unknown>;
    const [b, g, h] = [parseTile(best), parseTile(general), f16 === undefined ? undefined : parseTile(f16)];
    if (!b || !g || isMatrixTile(b) || isMatrixTile(g) || g.vec4 || (f16 !== undefined && !h)) return undefined;
    return h && productTileRuns(h, rt.ctx, 'f16') ? { best: b, general: g, f16: h } : { best: b, general: g };
  };
}

/** A shape's stored tile (null, stored as such, means the device's); not one this device cannot run, as choiceParser. */
function shapeTileParser(rt: Runtime, dtypes: ProductDtypes): (stored: unknown) => ProductTile | null | undefined {
  return (stored) => {
    if (stored === null) return null;
    const tile = parseTile(stored);
    return tile && productTileRuns(tile, rt.ctx, dtypes.operands) ? tile : undefined;
  };
}

/** This device's tuning if it has run, else what an earlier process measured on the adapter; nothing is timed. */
export async function knownTileTuning(rt: Runtime): Promise<Tuned<TileChoice> | undefined> {
  return tileTuning(rt) ?? recall(rt, 'matmul-tile', TILES_MEASURED, choiceParser(rt));
}

async function measureTiles(rt: Runtime): Promise<MatmulTile> {
  const { device } = rt.ctx;
  const choice = await recallOrMeasure(rt, 'matmul-tile', TILES_MEASURED, choiceParser(rt), () => timeTiles(rt));
  tuned.set(device, choice.value);
  tunings.set(device, choice);
  return choice.value.best;
}

async function timeTiles(rt: Runtime): Promise<TileChoice> {
  let candidates = TILE_CANDIDATES.filter((tile) => tileRuns(tile, rt.ctx));
  // Multiply-adds per ms of the default tile, from the smallest size: what each size would cost.
  const [probeMs] = await timeCandidates(rt, [TILE_CANDIDATES[0]], { m: 256, n: 256, k: 256 }, 2);
  const macsPerMs = 256 ** 3 / probeMs;
  const n = TUNE_SIZES.filter((s) => s ** 3 / macsPerMs <= TUNE_RUN_MS).pop();
  // Even 256³ over budget (a very slow adapter): that size alone.
  const stages = n ? [{ m: n, n, k: n }, { m: 2 * n, n: 2 * n, k: n }] : [{ m: 256, n: 256, k: 256 }];
  let general = candidates[0];
  for (const [i, size] of stages.entries()) {
    const ms = await timeCandidates(rt, candidates, size, TUNE_ROUNDS);
    const ranked = byTime(candidates, ms);
    // The best non-vec4 tile goes on to the next stage too: products vec4 cannot run use it.
    general = ranked.find((tile) => !tile.vec4)!;
    candidates = ranked.slice(0, i === stages.length - 1 ? 1 : TUNE_KEEP);
    if (!candidates.includes(general)) candidates.push(general);
  }
  const best = candidates[0];
  // Tiles on f16 subgroup matrices race the winner on an f16 product of the first stage's size (on
  // lavapipe, which emulates them, they run 5× slower than it: the larger size would cost seconds).
  const matrices = MATRIX_PRODUCT_TILES.filter((tile) => productTileRuns(tile, rt.ctx, 'f16'));
  if (!matrices.length) return { best, general };
  const racers = [best, ...matrices];
  const [f16] = byTime(racers, await timeCandidates(rt, racers, stages[0], TUNE_ROUNDS, F16_PRODUCT));
  return f16 === best ? { best, general } : { best, general, f16 };
}

/** Tiles fastest first, given each one's time. */
function byTime<T extends ProductTile>(tiles: readonly T[], ms: readonly number[]): T[] {
  return tiles.map((tile, i) => ({ tile, ms: ms[i] })).sort((x, y) => x.ms - y.ms).map((c) => c.tile);
}

/** Each candidate's best time (ms) on a product [m, k] × [k, n] (f32 unless given), over interleaved rounds (timing.ts). */
async function timeCandidates(
  rt: Runtime, candidates: readonly ProductTile[], size: { m: number; n: number; k: number }, rounds: number, dtypes = F32_PRODUCT,
): Promise<number[]> {
  const { m, n, k } = size;
  return withProduct(rt, { batchA: 1, batchB: 1, batch: 1, m, n, k }, { transposeA: false, transposeB: false }, dtypes, (run) =>
    bestTimes(rt, candidates.map((tile) => run(tile, 1)), rounds));
}

/**
 * A shape's fastest tile, or null where the device's tile takes longer than
 * SHAPE_MAX_RUN_MS: every candidate once, then the fastest few and the
 * device's tile over more rounds.
 */
async function timeShape(rt: Runtime, d: ProductDims, config: MatmulConfig, dtypes: ProductDtypes): Promise<ProductTile | null> {
  return withProduct(rt, d, config, dtypes, async (run) => {
    const current = deviceTile(rt, d, config, dtypes);
    const [probe] = await bestTimes(rt, [run(current, 1)], 1);
    if (probe > SHAPE_MAX_RUN_MS) return null;
    const repeats = Math.min(SHAPE_MAX_REPEATS, Math.ceil(SHAPE_MIN_RUN_MS / Math.max(probe, SHAPE_MIN_RUN_MS / SHAPE_MAX_REPEATS)));
    const candidates = [...TILE_CANDIDATES, ...MATRIX_PRODUCT_TILES].filter((tile) =>
      productTileRuns(tile, rt.ctx, dtypes.operands) && (isMatrixTile(tile) || !tile.vec4 || vec4Eligible(config, d.n)));
    const first = await bestTimes(rt, candidates.map((tile) => run(tile, repeats)), 1);
    const finalists = byTime(candidates, first).slice(0, TUNE_KEEP);
    if (!finalists.includes(current)) finalists.push(current);
    return byTime(finalists, await bestTimes(rt, finalists.map((tile) => run(tile, repeats)), TUNE_ROUNDS))[0];
  });
}

/** Runs `measure` with operands and an output of a product's sizes and dtypes, in scratch buffers (timing.ts). */
async function withProduct<T>(
  rt: Runtime, d: ProductDims, config: MatmulConfig, dtypes: ProductDtypes,
  measure: (run: (tile: ProductTile, repeats: number) => () => void) => Promise<T>,
): Promise<T> {
  const shapeA = config.transposeA ? [d.batchA, d.k, d.m] : [d.batchA, d.m, d.k];
  const shapeB = config.transposeB ? [d.batchB, d.n, d.k] : [d.batchB, d.k, d.n];
  return withScratchBuffers(rt, productBytes(d, dtypes), ([abuf, bbuf, out]) => {
    const a: Operand = { buffer: abuf, shape: shapeA, dtype: dtypes.operands };
    const b: Operand = { buffer: bbuf, shape: shapeB, dtype: dtypes.operands };
    return measure((tile, repeats) => () => {
      for (let i = 0; i < repeats; i++) encodeWithTile(rt, a, b, config, dtypes.out, out, tile, undefined, d, false);
    });
  });
}
