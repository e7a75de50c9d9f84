// The end of the products on subgroup matrices (matmul_matrix.wgsl,
// matmul_int8_matrix.wgsl): once the workgroup's subgroups have stored their
// result matrices into tile_c (the BM × BN block of sums, row-major, which
// the kernel declares) and met at a barrier, each invocation takes its
// TILE_M × TILE_N outputs of the block — rows y, y + WG_Y, …, columns x,
// x + WG_X, … — and stores them with the store every matmul kernel shares
// (matmul_store.wgsl: the epilogue, and masking at M and N).
fn store_block(local: u32, batch: u32, row0: u32, col0: u32) {
  let x = local % WG_X;
  let y = local / WG_X;
  var mine: array<array<Acc, TILE_N>, TILE_M>;
  for (var i = 0u; i < TILE_M; i++) {
    for (var j = 0u; j < TILE_N; j++) { mine[i][j] = tile_c[(y + i * WG_Y) * BN + x + j * WG_X]; }
  }
  store_tile(mine, batch, row0 + y, col0 + x);
}
