// The end of the scalar matmul kernels (matmul.wgsl, matmul_subgroup.wgsl,
// matmul_shared.wgsl, and the int8 ones, matmul_int8.wgsl and
// matmul_int8_subgroup.wgsl): an invocation's TILE_M × TILE_N accumulators,
// rows row0, row0 + WG_Y, … and columns col0, col0 + WG_X, …, stored through
// the generated `value(i)` epilogue, rows past M and columns past N masked.
// kernels/matmul_kernel.ts and kernels/matmul_int8.ts put it after each.
//
// Stored in a loop the compiler cannot unroll (its bound, dims.outputs, comes
// from the uniform), so the epilogue `value` is compiled once, not once per
// output: unrolled over 128 outputs, a long fused chain took lavapipe seconds
// to build. The accumulators are copied out first so that the kernel's k loop
// keeps them in registers.
fn store_tile(acc: array<array<Acc, TILE_N>, TILE_M>, batch: u32, row0: u32, col0: u32) {
  var flat: array<Acc, TILE_M * TILE_N>;
  for (var i = 0u; i < TILE_M; i++) {
    for (var j = 0u; j < TILE_N; j++) { flat[i * TILE_N + j] = acc[i][j]; }
  }
  for (var t = 0u; t < dims.outputs; t++) {
    let r = row0 + (t / TILE_N) * WG_Y;
    let c = col0 + (t % TILE_N) * WG_X;
    if (r < dims.M && c < dims.N) {
      let idx = (batch * dims.M + r) * dims.N + c;
      acc_value = flat[t];
      out[idx] = Out(value(idx));
    }
  }
}
