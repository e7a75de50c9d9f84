// Exact int8 product: out[b, m, n] = Σ_k A[b, m, k] · B[b, n, k] in i32
// (wrapping), with A [batchA, M, K] and B [batchB, N, K] both int8 stored
// four to a u32 word, K contiguous in both (the layout tm.quantize gives a
// weight). Each step of the inner loop takes four k at once: one word of A,
// one of B, and dot4(a, b) — dot4I8Packed where the adapter has the WGSL
// feature packed_4x8_integer_dot_product, else the same sum from bytes
// extracted as each word is loaded (dot4_packed.wgsl or dot4_unpacked.wgsl
// define Bytes4, bytes4 and dot4). Rows need not start on a word (K % 4 !=
// 0): words are read at any byte offset by joining two, and the bytes past K
// in the last step are masked to zero.
//
// Tiling as matmul.wgsl: register blocks of TILE_M × TILE_N outputs per
// invocation, rows and columns interleaved across a WG_X × WG_Y workgroup,
// edges clamped for loads and masked for stores; tile_grid.wgsl places
// workgroups on tiles and batches.
//
// TypeScript fills in: Acc (i32) and Out (i32, or an epilogue's type)
// (aliases), TILE_M, TILE_N (consts), WG_X, WG_Y (overrides), and appends
// matmul_int8_io.wgsl, a dot4 file, matmul_store.wgsl (the store the float
// kernels share) and `fn value(i: u32)` (fusion.ts).
override WG_X: u32 = 8;
override WG_Y: u32 = 8;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) local: vec3u) {
  let M = dims.M;
  let N = dims.N;
  let K = dims.K;
  let tile = tile_of(wg, groups, dims.tiles_x, dims.tiles_y);
  if (tile.z >= dims.batches) { return; }
  let batch = tile.z;
  let row0 = tile.y * WG_Y * TILE_M + local.y;
  let col0 = tile.x * WG_X * TILE_N + local.x;
  var a_at: array<u32, TILE_M>;
  var b_at: array<u32, TILE_N>;
  for (var i = 0u; i < TILE_M; i++) { a_at[i] = batch * dims.batch_stride_a + min(row0 + i * WG_Y, M - 1u) * K; }
  for (var j = 0u; j < TILE_N; j++) { b_at[j] = batch * dims.batch_stride_b + min(col0 + j * WG_X, N - 1u) * K; }

  var acc: array<array<i32, TILE_N>, TILE_M>;
  for (var k = 0u; k < K; k += 4u) {
    // Bytes past K belong to the next row (or past the buffer's last word, which is padding): zero them in A.
    let mask = select(0xffffffffu, (1u << ((K - k) * 8u)) - 1u, K - k < 4u);
    var av: array<Bytes4, TILE_M>;
    var bv: array<Bytes4, TILE_N>;
    for (var i = 0u; i < TILE_M; i++) { av[i] = bytes4(word_a(a_at[i] + k) & mask); }
    for (var j = 0u; j < TILE_N; j++) { bv[j] = bytes4(word_b(b_at[j] + k)); }
    for (var i = 0u; i < TILE_M; i++) {
      for (var j = 0u; j < TILE_N; j++) {
        acc[i][j] = acc[i][j] + dot4(av[i], bv[j]);
      }
    }
  }

  store_tile(acc, batch, row0, col0);
}
