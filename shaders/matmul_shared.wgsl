// Batched matrix product, tiled through workgroup memory: the same contract
// as matmul.wgsl (transposes read in place, a shared batch of 1, any M, N, K,
// the generated `value(i)` epilogue), a different way to feed the registers.
//
// Tiling: a workgroup of WG_X × WG_Y invocations computes a BM × BN block of
// the output (BM = WG_Y·TILE_M, BN = WG_X·TILE_N). For each slice of BK along
// k, the workgroup first copies A's BM × BK and B's BK × BN tiles into
// workgroup memory together (zeros past the edges), then each invocation
// accumulates its TILE_M × TILE_N outputs (rows and columns interleaved as
// in matmul.wgsl) from the shared tiles. Every operand value is read from
// global memory once per workgroup instead of once per invocation row/column.
//
// TypeScript fills in In, Acc, Out (aliases), TILE_M, TILE_N, WG_X, WG_Y, BK
// (consts: they size the workgroup tiles), puts matmul_dims.wgsl in front and
// after it matmul_store.wgsl and `fn value(i: u32)`.
const BM = WG_Y * TILE_M;
const BN = WG_X * TILE_N;

@group(0) @binding(0) var<storage, read> a: array<In>;
@group(0) @binding(1) var<storage, read> b: array<In>;
@group(0) @binding(2) var<storage, read_write> out: array<Out>;
@group(0) @binding(3) var<uniform> dims: Dims;

var<private> acc_value: Acc;
var<workgroup> tile_a: array<Acc, BM * BK>;
var<workgroup> tile_b: array<Acc, BK * BN>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) lid: u32) {
  let M = dims.M;
  let N = dims.N;
  let K = dims.K;
  let tile = tile_of(wg, groups, dims.tiles_x, dims.tiles_y);
  if (tile.z >= dims.batches) { return; }
  let batch = tile.z;
  let block_row = tile.y * BM;
  let block_col = tile.x * BN;
  let a_base = batch * dims.batch_stride_a;
  let b_base = batch * dims.batch_stride_b;
  let threads = WG_X * WG_Y;

  var acc: array<array<Acc, TILE_N>, TILE_M>;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    for (var e = lid; e < BM * BK; e += threads) {
      let r = block_row + e / BK;
      let k = k0 + e % BK;
      var v = Acc(0);
      if (r < M && k < K) { v = Acc(a[a_base + select(r * K + k, k * M + r, dims.trans_a != 0u)]); }
      tile_a[e] = v;
    }
    for (var e = lid; e < BK * BN; e += threads) {
      let k = k0 + e / BN;
      let c = block_col + e % BN;
      var v = Acc(0);
      if (c < N && k < K) { v = Acc(b[b_base + select(k * N + c, c * K + k, dims.trans_b != 0u)]); }
      tile_b[e] = v;
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      var av: array<Acc, TILE_M>;
      var bv: array<Acc, TILE_N>;
      for (var i = 0u; i < TILE_M; i++) { av[i] = tile_a[(i * WG_Y + local.y) * BK + k]; }
      for (var j = 0u; j < TILE_N; j++) { bv[j] = tile_b[k * BN + j * WG_X + local.x]; }
      for (var i = 0u; i < TILE_M; i++) {
        for (var j = 0u; j < TILE_N; j++) {
          acc[i][j] = acc[i][j] + av[i] * bv[j];
        }
      }
    }
    workgroupBarrier();
  }

  store_tile(acc, batch, block_row + local.y, block_col + local.x);
}
