// x · dequantize(w) without the float weight: out[m, n] = scale[n] ·
// Σ_k x[m, k] · w[n, k], with x float [M, K] (In: f32, or f16 with
// shader-f16; taken in f16 precision either way, matmul_w8_io.wgsl), w a
// tm.quantize weight — N rows of K int8, four to a u32 word — and scale its
// f32 per-row scales. The int8 values become floats in registers and the sum is kept in f32, so the
// weight is read at a quarter of an f32 weight's bytes and never written out
// as floats (the f16 way of tm.matmul(x, q); matmul_int8.wgsl is the int8 way).
//
// Tiling as matmul_int8.wgsl: register blocks of TILE_M × TILE_N outputs per
// invocation, rows and columns interleaved across a WG_X × WG_Y workgroup,
// four k per step (one word of w, four values of x). Rows of w need not start
// on a word (K % 4 != 0): words are read at any byte offset by joining two,
// and x past K is zero, which cancels the bytes of the next row (or the
// buffer's padding) in the last step. Edges are clamped for loads and masked
// for stores.
//
// TypeScript fills in: In (alias), TILE_M, TILE_N, ROUND_X (consts), WG_X,
// WG_Y (overrides), and appends matmul_w8_io.wgsl and elementwise_lib.wgsl.
override WG_X: u32 = 8;
override WG_Y: u32 = 8;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) local: vec3u) {
  let M = dims.M;
  let N = dims.N;
  let K = dims.K;
  let tile = tile_of(wg, groups, dims.tiles_x, dims.tiles_y);
  if (tile.z >= dims.batches) { return; }
  let row0 = tile.y * WG_Y * TILE_M + local.y;
  let col0 = tile.x * WG_X * TILE_N + local.x;
  var x_at: array<u32, TILE_M>;
  var w_at: array<u32, TILE_N>;
  for (var i = 0u; i < TILE_M; i++) { x_at[i] = min(row0 + i * WG_Y, M - 1u) * K; }
  for (var j = 0u; j < TILE_N; j++) { w_at[j] = min(col0 + j * WG_X, N - 1u) * K; }

  var acc: array<array<f32, TILE_N>, TILE_M>;
  for (var k = 0u; k < K; k += 4u) {
    var xv: array<vec4f, TILE_M>;
    var wv: array<vec4f, TILE_N>;
    for (var i = 0u; i < TILE_M; i++) { xv[i] = x_four(x_at[i] + k, K - k); }
    for (var j = 0u; j < TILE_N; j++) { wv[j] = bytes_as_floats(word_w(w_at[j] + k)); }
    for (var i = 0u; i < TILE_M; i++) {
      for (var j = 0u; j < TILE_N; j++) {
        acc[i][j] = acc[i][j] + dot(xv[i], wv[j]);
      }
    }
  }

  for (var i = 0u; i < TILE_M; i++) {
    let r = row0 + i * WG_Y;
    if (r >= M) { break; }
    for (var j = 0u; j < TILE_N; j++) {
      let c = col0 + j * WG_X;
      if (c >= N) { break; }
      out[r * N + c] = acc[i][j] * scales[c];
    }
  }
}
