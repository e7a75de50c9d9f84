// Batched matrix product reading B four columns at a time and each value of
// A once per subgroup: the contract and tiling of matmul_vec4.wgsl (A stored
// [batchA, K, M] when TRANS_A, read in place; B row-major with N a multiple
// of 4; any M and K; a shared batch of 1; the generated `value(i)` epilogue),
// with A's loads shared.
//
// In a one-row workgroup every invocation needs the same TILE_M values of A
// per step of k. matmul_vec4.wgsl has each invocation load all of them; here
// lane l of a subgroup loads rows l, l + SG, … (A_LOADS values, SG the
// adapter's fixed subgroup size, which divides WG) and every lane takes row i
// from lane i % SG with subgroupShuffle. On lavapipe, where each load is a
// loop over the SIMD lanes (shaders/README.md), that turns TILE_M loads per
// step of k into A_LOADS, and the shuffles (constant lanes once the loop is
// unrolled) cost next to nothing: 16 × 16 per invocation ran ~1.8× faster
// than the best tile without it at N=1024. Lanes past TILE_M load a clamped
// row nobody takes.
//
// TypeScript fills in: In, Acc, Out (aliases), TILE_M, TILE_N4, SG, A_LOADS
// (= ceil(TILE_M / SG)) (consts), WG (override), puts matmul_dims.wgsl in
// front (trans_b is always 0 here), and after it matmul_vec4_store.wgsl and
// `fn value(i: u32)`.
enable subgroups;

override WG: u32 = 16;

@group(0) @binding(0) var<storage, read> a: array<In>;
@group(0) @binding(1) var<storage, read> b: array<vec4<In>>;
@group(0) @binding(2) var<storage, read_write> out: array<Out>;
@group(0) @binding(3) var<uniform> dims: Dims;

var<private> acc_value: Acc;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) local: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let M = dims.M;
  let N = dims.N;
  let K = dims.K;
  let N4 = N / 4u;
  let tile = tile_of(wg, groups, dims.tiles_x, dims.tiles_y);
  if (tile.z >= dims.batches) { return; }
  let batch = tile.z;
  let row0 = tile.y * TILE_M;
  let col0 = tile.x * WG * TILE_N4 + local.x;

  var a_at: array<u32, A_LOADS>;
  var b_at: array<u32, TILE_N4>;
  let a_step = select(1u, M, dims.trans_a != 0u);
  for (var q = 0u; q < A_LOADS; q++) {
    let r = min(row0 + q * SG + lane, M - 1u);
    a_at[q] = batch * dims.batch_stride_a + select(r * K, r, dims.trans_a != 0u);
  }
  for (var j = 0u; j < TILE_N4; j++) {
    b_at[j] = batch * (dims.batch_stride_b / 4u) + min(col0 + j * WG, N4 - 1u);
  }

  var acc: array<array<vec4<Acc>, TILE_N4>, TILE_M>;
  for (var k = 0u; k < K; k++) {
    var bv: array<vec4<Acc>, TILE_N4>;
    for (var j = 0u; j < TILE_N4; j++) { bv[j] = vec4<Acc>(b[b_at[j] + k * N4]); }
    var loaded: array<Acc, A_LOADS>;
    for (var q = 0u; q < A_LOADS; q++) { loaded[q] = Acc(a[a_at[q] + k * a_step]); }
    for (var i = 0u; i < TILE_M; i++) {
      let av = subgroupShuffle(loaded[i / SG], i % SG);
      for (var j = 0u; j < TILE_N4; j++) {
        acc[i][j] = acc[i][j] + av * bv[j];
      }
    }
  }

  store_tile(acc, batch, row0, col0);
}
