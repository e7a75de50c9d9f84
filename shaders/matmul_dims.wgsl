// The uniform of the float matmul kernels (matmul.wgsl, matmul_subgroup.wgsl,
// matmul_vec4.wgsl, matmul_vec4_subgroup.wgsl, matmul_shared.wgsl,
// matmul_shared_vec4.wgsl): kernels/matmul_kernel.ts puts this file in front
// of each and writes the fields in this order.
struct Dims {
  M: u32, N: u32, K: u32,
  // Element offsets between batches (0 for a shared batch of 1).
  batch_stride_a: u32, batch_stride_b: u32,
  trans_a: u32, trans_b: u32,
  // Outputs per invocation (TILE_M · TILE_N, or TILE_M · TILE_N4 vec4s for
  // matmul_vec4.wgsl): the store loop's bound, from a uniform so that the
  // compiler does not unroll it and a fused epilogue is compiled once.
  outputs: u32,
  // The tiles across N and down M, and the batch count (tile_grid.wgsl).
  tiles_x: u32, tiles_y: u32, batches: u32,
}
