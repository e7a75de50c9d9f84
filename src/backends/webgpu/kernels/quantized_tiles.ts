// The tiles of the kernels that read int8 words — the exact int8 product
// (shaders/matmul_int8*.wgsl) and float activations times an int8 weight
// (shaders/matmul_w8*.wgsl). Each has a square-workgroup kernel that runs
// everywhere and a one-row-workgroup kernel whose lanes share the rows of
// the left operand through subgroupShuffle (adapters with a fixed subgroup
// size), which on a CPU rasteriser, where a load costs ten times the
// arithmetic it feeds, ran 2–3× faster (shaders/README.md). Which tile wins
// is timed per device (matmul_int8.ts, matmul_w8.ts).
import type { GpuContext } from '../device.js';
import { shareASubgroup } from './matmul_kernel.js';

/** TILE_M × TILE_N outputs per invocation in WG_X × WG_Y workgroups; shareA: the one-row subgroup kernel. */
export interface QuantizedTile {
  tileM: number;
  tileN: number;
  wgX: number;
  wgY: number;
  shareA?: true;
}

/**
 * The shared-A tiles keep at most 64 accumulators: past that, on lavapipe,
 * registers spill and 16 × 8 ran at under half the speed of 8 × 8 (measured
 * 2026-12-01, both kernels). 32 lanes fit subgroups of 8, 16 and 32.
 */
export const QUANTIZED_TILES: readonly QuantizedTile[] = [
  { tileM: 4, tileN: 4, wgX: 8, wgY: 8 },
  { shareA: true, tileM: 8, tileN: 8, wgX: 32, wgY: 1 },
  { shareA: true, tileM: 8, tileN: 4, wgX: 32, wgY: 1 },
];

/** The tile every device runs, used until a device's measurement is in. */
export const SQUARE_TILE = QUANTIZED_TILES[0];

/** Whether a device runs a tile: a shared-A tile needs a fixed subgroup size that divides its row of invocations (as the float tiles do). */
export function quantizedTileRuns(tile: QuantizedTile, features: GpuContext['features']): boolean {
  return !tile.shareA || shareASubgroup(tile, features) !== null;
}

export function describeQuantizedTile(tile: QuantizedTile): string {
  return `${tile.shareA ? 'A shared by subgroup, ' : ''}${tile.tileM}×${tile.tileN} per invocation, ${tile.wgX}×${tile.wgY} workgroup`;
}

/** A stored tile, if it is still one of the candidates (the same object, so choices compare by identity). */
export function parseQuantizedTile(stored: unknown): QuantizedTile | undefined {
  return QUANTIZED_TILES.find((t) => JSON.stringify(t) === JSON.stringify(stored));
}
