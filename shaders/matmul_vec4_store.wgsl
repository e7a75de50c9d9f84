// The end of the vec4 matmul kernels (matmul_vec4.wgsl,
// matmul_vec4_subgroup.wgsl): an invocation's TILE_M × TILE_N4 vec4
// accumulators, rows row0… and vec4 columns col0, col0 + WG, …, stored through
// the generated `value(i)` epilogue, rows past M and columns past N masked.
// kernels/matmul_kernel.ts puts it after either kernel.
//
// Stored in a loop the compiler cannot unroll (its bound, dims.outputs, comes
// from the uniform): the epilogue is compiled four times (one per lane of a
// vec4), not 4·TILE_M·TILE_N4 times.
fn store(idx: u32, x: Acc) {
  acc_value = x;
  out[idx] = Out(value(idx));
}

fn store_tile(acc: array<array<vec4<Acc>, TILE_N4>, TILE_M>, batch: u32, row0: u32, col0: u32) {
  var flat: array<vec4<Acc>, TILE_M * TILE_N4>;
  for (var i = 0u; i < TILE_M; i++) {
    for (var j = 0u; j < TILE_N4; j++) { flat[i * TILE_N4 + j] = acc[i][j]; }
  }
  for (var t = 0u; t < dims.outputs; t++) {
    let r = row0 + t / TILE_N4;
    let c = (col0 + (t % TILE_N4) * WG) * 4u;
    if (r < dims.M && c < dims.N) {
      let v = flat[t];
      let idx = (batch * dims.M + r) * dims.N + c;
      store(idx, v.x);
      store(idx + 1u, v.y);
      store(idx + 2u, v.z);
      store(idx + 3u, v.w);
    }
  }
}
