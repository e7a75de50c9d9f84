// The browser bundle's stand-in for matmul_int8_matrix.ts
// (scripts/browser-plugins.mjs): no tile runs, so the int8 product runs on
// its other kernels. Browsers offer subgroup matrices only behind flags, and
// the kernel has run in no browser yet (only under Node's Dawn, on Mesa 26
// lavapipe).
import type { Int8KernelEnd } from './matmul_int8_matrix.js';

export type { Int8KernelEnd };

export const MATRIX_SOURCES: readonly string[] = [];

export function matrixTileRuns(): boolean {
  return false;
}

export function int8MatrixKernel(): never {
  throw new Error('webgpu int8 matmul: the browser bundle has no subgroup-matrix kernel (Node has: TMNN_WEBGPU_UNSAFE_APIS=1)');
}
