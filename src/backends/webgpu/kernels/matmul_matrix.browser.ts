// The browser bundle's stand-in for matmul_matrix.ts
// (scripts/browser-plugins.mjs): no tiles, so f16 products run on the other
// kernels. Browsers offer subgroup matrices only behind flags, and the kernel
// has run in no browser yet (only under Node's Dawn, on Mesa 26 lavapipe).
import type { MatrixProductTile } from './matmul_matrix.js';

export type { MatrixProductTile };

export const MATRIX_PRODUCT_TILES: readonly MatrixProductTile[] = [];
export const MATRIX_PRODUCT_SOURCES: readonly string[] = [];

export function describeMatrixProductTile(): string {
  return 'f16 subgroup matrices';
}

export function matrixProductRuns(): boolean {
  return false;
}

export function matrixProductKernel(): never {
  throw new Error('webgpu matmul: the browser bundle has no subgroup-matrix kernel (Node has: TMNN_WEBGPU_UNSAFE_APIS=1)');
}
