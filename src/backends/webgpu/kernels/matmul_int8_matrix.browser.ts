// The browser bundle's stand-in for matmul_int8_matrix.ts
// (scripts/browser-plugins.mjs): no subgroup-matrix tiles, so the int8
// product runs on its other kernels. Browsers offer subgroup matrices only
// behind flags, and the bundle's 100 KB budget has no room for the kernel.
import type { Runtime } from '../runtime.js';
import type { MatrixTile } from './matmul_int8_matrix.js';

export type { MatrixTile };

export const MATRIX_TILES: readonly MatrixTile[] = [];
export const MATRIX_SOURCES: readonly string[] = [];

export function describeMatrixTile({ fragM, fragN, subM, subN }: MatrixTile): string {
  return `${subM}×${subN} subgroups of ${fragM}×${fragN} matrices`;
}

export function matrixTileRuns(): boolean {
  return false;
}

export function encodeInt8Matrix(_rt: Runtime): void {
  throw new Error('webgpu int8 matmul: the browser bundle has no subgroup-matrix kernel (Node has: TMNN_WEBGPU_UNSAFE_APIS=1)');
}
