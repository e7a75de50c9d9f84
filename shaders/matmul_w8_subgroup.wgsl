// x · dequantize(w) with each value of x loaded once per subgroup: the
// contract of matmul_w8.wgsl (out[m, n] = scale[n] · Σ_k x[m, k] · w[n, k],
// x float [M, K], w N rows of K int8 four to a word at any byte offset, the
// sum in f32), tiled for adapters where a storage load costs far more than
// the arithmetic it feeds (CPU rasterisers: see shaders/README.md).
//
// Tiling: one-row workgroups of WG_X invocations, each covering TILE_M rows
// (the same rows for the whole workgroup) × WG_X·TILE_N columns; invocation x
// accumulates columns x, x + WG_X, …. Per step of four k, lane l of a
// subgroup loads four values of rows l, l + SG, … of x (A_LOADS rows; SG,
// the adapter's fixed subgroup size, divides WG_X) and every lane takes row
// i's four from lane i % SG with subgroupShuffle; each lane loads its own
// TILE_N words of w and turns them into floats once.
//
// TypeScript fills in: In (alias), TILE_M, TILE_N, ROUND_X, SG, A_LOADS
// (= ceil(TILE_M / SG)) (consts), WG_X (override), and appends
// matmul_w8_io.wgsl and elementwise_lib.wgsl.
enable subgroups;

override WG_X: u32 = 16;

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) local: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let M = dims.M;
  let N = dims.N;
  let K = dims.K;
  let tile = tile_of(wg, groups, dims.tiles_x, dims.tiles_y);
  if (tile.z >= dims.batches) { return; }
  let row0 = tile.y * TILE_M;
  let col0 = tile.x * WG_X * TILE_N + local.x;
  var x_at: array<u32, A_LOADS>;
  var w_at: array<u32, TILE_N>;
  for (var q = 0u; q < A_LOADS; q++) { x_at[q] = min(row0 + q * SG + lane, M - 1u) * K; }
  for (var j = 0u; j < TILE_N; j++) { w_at[j] = min(col0 + j * WG_X, N - 1u) * K; }

  var acc: array<array<f32, TILE_N>, TILE_M>;
  for (var k = 0u; k < K; k += 4u) {
    var loaded: array<vec4f, A_LOADS>;
    for (var q = 0u; q < A_LOADS; q++) { loaded[q] = x_four(x_at[q] + k, K - k); }
    var wv: array<vec4f, TILE_N>;
    for (var j = 0u; j < TILE_N; j++) { wv[j] = bytes_as_floats(word_w(w_at[j] + k)); }
    for (var i = 0u; i < TILE_M; i++) {
      let xv = subgroupShuffle(loaded[i / SG], i % SG);
      for (var j = 0u; j < TILE_N; j++) {
        acc[i][j] = acc[i][j] + dot(xv, wv[j]);
      }
    }
  }

  for (var i = 0u; i < TILE_M; i++) {
    let r = row0 + i;
    if (r >= M) { break; }
    for (var j = 0u; j < TILE_N; j++) {
      let c = col0 + j * WG_X;
      if (c >= N) { break; }
      out[r * N + c] = acc[i][j] * scales[c];
    }
  }
}
