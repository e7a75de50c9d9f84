// Exact int8 product with each word of A loaded once per subgroup: the
// contract of matmul_int8.wgsl (out[b, m, n] = Σ_k A[b, m, k] · B[b, n, k] in
// i32, both operands int8 four to a u32 word with K contiguous, rows at any
// byte offset, a shared batch of 1), tiled for adapters where a storage load
// costs far more than the arithmetic it feeds (CPU rasterisers: see
// shaders/README.md).
//
// Tiling: one-row workgroups of WG_X invocations, each covering TILE_M rows
// (the same rows for the whole workgroup) × WG_X·TILE_N columns; invocation x
// accumulates columns x, x + WG_X, …. Per step of four k, lane l of a
// subgroup loads the words of rows l, l + SG, … of A (A_LOADS of them; SG,
// the adapter's fixed subgroup size, divides WG_X) and every lane takes row
// i's word from lane i % SG with subgroupShuffle; each lane loads its own
// TILE_N words of B. Words are unpacked once as loaded (bytes4) and summed
// against each other with dot4 (dot4_packed.wgsl or dot4_unpacked.wgsl,
// which TypeScript appends).
//
// TypeScript fills in: Acc (i32) and Out (i32, or an epilogue's type)
// (aliases), TILE_M, TILE_N, SG, A_LOADS (= ceil(TILE_M / SG)) (consts), WG_X
// (override), and appends matmul_int8_io.wgsl, a dot4 file,
// matmul_store.wgsl and `fn value(i: u32)` (fusion.ts).
enable subgroups;

override WG_X: u32 = 16;
// One-row workgroups: matmul_store.wgsl steps rows by WG_Y.
const WG_Y = 1u;

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) local: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let M = dims.M;
  let N = dims.N;
  let K = dims.K;
  let tile = tile_of(wg, groups, dims.tiles_x, dims.tiles_y);
  if (tile.z >= dims.batches) { return; }
  let batch = tile.z;
  let row0 = tile.y * TILE_M;
  let col0 = tile.x * WG_X * TILE_N + local.x;
  var a_at: array<u32, A_LOADS>;
  var b_at: array<u32, TILE_N>;
  for (var q = 0u; q < A_LOADS; q++) { a_at[q] = batch * dims.batch_stride_a + min(row0 + q * SG + lane, M - 1u) * K; }
  for (var j = 0u; j < TILE_N; j++) { b_at[j] = batch * dims.batch_stride_b + min(col0 + j * WG_X, N - 1u) * K; }

  var acc: array<array<i32, TILE_N>, TILE_M>;
  for (var k = 0u; k < K; k += 4u) {
    // Bytes past K belong to the next row (or past the buffer's last word, which is padding): zero them in A.
    let mask = select(0xffffffffu, (1u << ((K - k) * 8u)) - 1u, K - k < 4u);
    var loaded: array<u32, A_LOADS>;
    for (var q = 0u; q < A_LOADS; q++) { loaded[q] = word_a(a_at[q] + k) & mask; }
    var bv: array<Bytes4, TILE_N>;
    for (var j = 0u; j < TILE_N; j++) { bv[j] = bytes4(word_b(b_at[j] + k)); }
    for (var i = 0u; i < TILE_M; i++) {
      let av = bytes4(subgroupShuffle(loaded[i / SG], i % SG));
      for (var j = 0u; j < TILE_N; j++) {
        acc[i][j] = acc[i][j] + dot4(av, bv[j]);
      }
    }
  }

  store_tile(acc, batch, row0, col0);
}
