// The bindings and loads of the int8 product kernels (matmul_int8.wgsl,
// matmul_int8_subgroup.wgsl): a and b hold four int8 to a word, and word_a /
// word_b read four bytes at any byte offset, a word's worth of a row that
// need not start on a word.

// outputs: TILE_M · TILE_N, the bound of matmul_store.wgsl's loop.
// tiles_x, tiles_y, batches: where tile_grid.wgsl places workgroups.
struct Dims { M: u32, N: u32, K: u32, batch_stride_a: u32, batch_stride_b: u32, outputs: u32, tiles_x: u32, tiles_y: u32, batches: u32 }

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<Out>;
@group(0) @binding(3) var<uniform> dims: Dims;

// The sum matmul_store.wgsl hands the generated `value(i)`.
var<private> acc_value: Acc;

// The four bytes starting at byte `at` of a.
fn word_a(at: u32) -> u32 {
  let shift = (at & 3u) * 8u;
  let lo = a[at >> 2u];
  if (shift == 0u) { return lo; }
  return (lo >> shift) | (a[(at >> 2u) + 1u] << (32u - shift));
}
fn word_b(at: u32) -> u32 {
  let shift = (at & 3u) * 8u;
  let lo = b[at >> 2u];
  if (shift == 0u) { return lo; }
  return (lo >> shift) | (b[(at >> 2u) + 1u] << (32u - shift));
}
