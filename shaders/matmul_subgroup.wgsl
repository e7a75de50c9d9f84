// Batched matrix product with each value of A loaded once per subgroup: the
// contract of matmul.wgsl (A stored [batchA, K, M] when TRANS_A and B stored
// [batchB, N, K] when TRANS_B, read in place; any M, N, K; a shared batch of
// 1; the generated `value(i)` epilogue), for the products the vec4 kernels
// cannot read (B transposed, as in every backward pass, or N not a multiple
// of 4). matmul_vec4_subgroup.wgsl explains the sharing.
//
// Tiling: one-row workgroups of WG_X invocations, each covering TILE_M rows
// (the same rows for the whole workgroup) × WG_X·TILE_N columns; invocation x
// accumulates columns x, x + WG_X, … (neighbours on neighbouring columns, as
// in matmul.wgsl). Lane l of a subgroup loads rows l, l + SG, … of A
// (A_LOADS values per step of k; SG, the adapter's fixed subgroup size,
// divides WG_X) and every lane takes row i from lane i % SG with
// subgroupShuffle; each lane loads its own TILE_N values of B.
//
// TypeScript fills in: In, Acc, Out (aliases), TILE_M, TILE_N, SG, A_LOADS
// (= ceil(TILE_M / SG)) (consts), WG_X (override), puts matmul_dims.wgsl in
// front, and after it matmul_store.wgsl and `fn value(i: u32)`.
enable subgroups;

override WG_X: u32 = 8;
// One-row workgroups: matmul_store.wgsl steps rows by WG_Y.
const WG_Y = 1u;

@group(0) @binding(0) var<storage, read> a: array<In>;
@group(0) @binding(1) var<storage, read> b: array<In>;
@group(0) @binding(2) var<storage, read_write> out: array<Out>;
@group(0) @binding(3) var<uniform> dims: Dims;

var<private> acc_value: Acc;

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
  let a_step = select(1u, M, dims.trans_a != 0u);
  let b_step = select(N, 1u, dims.trans_b != 0u);
  for (var q = 0u; q < A_LOADS; q++) {
    let r = min(row0 + q * SG + lane, M - 1u);
    a_at[q] = batch * dims.batch_stride_a + select(r * K, r, dims.trans_a != 0u);
  }
  for (var j = 0u; j < TILE_N; j++) {
    let c = min(col0 + j * WG_X, N - 1u);
    b_at[j] = batch * dims.batch_stride_b + select(c, c * K, dims.trans_b != 0u);
  }

  var acc: array<array<Acc, TILE_N>, TILE_M>;
  for (var k = 0u; k < K; k++) {
    var bv: array<Acc, TILE_N>;
    for (var j = 0u; j < TILE_N; j++) { bv[j] = Acc(b[b_at[j] + k * b_step]); }
    var loaded: array<Acc, A_LOADS>;
    for (var q = 0u; q < A_LOADS; q++) { loaded[q] = Acc(a[a_at[q] + k * a_step]); }
    for (var i = 0u; i < TILE_M; i++) {
      let av = subgroupShuffle(loaded[i / SG], i % SG);
      for (var j = 0u; j < TILE_N; j++) {
        acc[i][j] = acc[i][j] + av * bv[j];
      }
    }
  }

  store_tile(acc, batch, row0, col0);
}
