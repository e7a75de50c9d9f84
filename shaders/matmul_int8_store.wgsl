// The end of the int8 product kernels (matmul_int8.wgsl,
// matmul_int8_subgroup.wgsl): an invocation's TILE_M × TILE_N i32 sums, rows
// row0, row0 + row_step, … and columns col0, col0 + WG_X, …, stored through
// the generated `value(i)` — the sum itself, or a fused epilogue such as the
// int8 way of x · q scaling it back to floats — rows past M and columns past
// N masked. As in matmul_store.wgsl, the loop's bound comes from the uniform
// (dims.outputs), so the epilogue is compiled once rather than unrolled per
// output.
var<private> acc_value: i32;

fn store_tile(acc: array<array<i32, TILE_N>, TILE_M>, batch: u32, row0: u32, col0: u32, row_step: u32) {
  var flat: array<i32, TILE_M * TILE_N>;
  for (var i = 0u; i < TILE_M; i++) {
    for (var j = 0u; j < TILE_N; j++) { flat[i * TILE_N + j] = acc[i][j]; }
  }
  for (var t = 0u; t < dims.outputs; t++) {
    let r = row0 + (t / TILE_N) * row_step;
    let c = col0 + (t % TILE_N) * WG_X;
    if (r < dims.M && c < dims.N) {
      let idx = (batch * dims.M + r) * dims.N + c;
      acc_value = flat[t];
      out[idx] = Out(value(idx));
    }
  }
}
