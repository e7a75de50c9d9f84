// Batched matrix product through workgroup memory, B read four columns at a
// time: the contract of matmul_vec4.wgsl (A stored [batchA, K, M] when
// TRANS_A, read in place; B row-major with N a multiple of 4; any M and K; a
// shared batch of 1; the generated `value(i)` epilogue), fed the way large
// GPUs like: operand tiles staged in workgroup memory and read from there as
// vec4s.
//
// Tiling: a workgroup of WG_X × WG_Y invocations computes a BM × 4·BN4 block
// of the output (BM = WG_Y·TILE_M rows, BN4 = WG_X·TILE_N4 vec4 columns). For
// each slice of BK along k the workgroup copies A's BM × BK tile (k-major,
// four rows to a vec4) and B's BK × BN4 tile (vec4 loads) into workgroup
// memory, zeros past the edges; then invocation (x, y) accumulates rows
// y·TILE_M … y·TILE_M + TILE_M − 1 of the block (TILE_M/4 vec4 reads of A per
// step of k) by vec4 columns x, x + WG_X, … (TILE_N4 vec4 reads of B,
// neighbouring invocations on neighbouring vec4s): TILE_M/4 + TILE_N4 reads
// of workgroup memory per 4·TILE_M·TILE_N4 multiply-adds, where
// matmul_shared.wgsl makes TILE_M + TILE_N scalar reads for TILE_M·TILE_N.
// Each operand value is read from global memory once per workgroup.
//
// TypeScript fills in In, Acc, Out (aliases), TILE_M (a multiple of 4),
// TILE_N4, WG_X, WG_Y, BK (consts: they size the tiles), puts
// matmul_dims.wgsl in front (trans_b is always 0 here) and appends
// `fn value(i: u32)`.
const BM = WG_Y * TILE_M;
const BM4 = BM / 4u;
const BN4 = WG_X * TILE_N4;
const TILE_M4 = TILE_M / 4u;

@group(0) @binding(0) var<storage, read> a: array<In>;
@group(0) @binding(1) var<storage, read> b: array<vec4<In>>;
@group(0) @binding(2) var<storage, read_write> out: array<Out>;
@group(0) @binding(3) var<uniform> dims: Dims;

var<private> acc_value: Acc;
// tile_a[kk · BM4 + r / 4][r % 4] = A[block row r, k0 + kk].
var<workgroup> tile_a: array<vec4<Acc>, BK * BM4>;
// tile_b[kk · BN4 + c] = B[k0 + kk, vec4 column c of the block].
var<workgroup> tile_b: array<vec4<Acc>, BK * BN4>;

fn store(idx: u32, x: Acc) {
  acc_value = x;
  out[idx] = Out(value(idx));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) lid: u32) {
  let M = dims.M;
  let N4 = dims.N / 4u;
  let K = dims.K;
  let tile = tile_of(wg, groups, dims.tiles_x, dims.tiles_y);
  if (tile.z >= dims.batches) { return; }
  let batch = tile.z;
  let block_row = tile.y * BM;
  let block_col4 = tile.x * BN4;
  let a_base = batch * dims.batch_stride_a;
  let b_base = batch * (dims.batch_stride_b / 4u);
  let trans_a = dims.trans_a != 0u;
  let threads = WG_X * WG_Y;

  var acc: array<array<vec4<Acc>, TILE_N4>, TILE_M>;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    for (var e = lid; e < BM * BK; e += threads) {
      // Neighbouring invocations read neighbouring words of A: along k, or along rows when A is stored transposed.
      let r = select(e / BK, e % BM, trans_a);
      let kk = select(e % BK, e / BM, trans_a);
      let row = block_row + r;
      let k = k0 + kk;
      var v = Acc(0);
      if (row < M && k < K) { v = Acc(a[a_base + select(row * K + k, k * M + row, trans_a)]); }
      tile_a[kk * BM4 + r / 4u][r % 4u] = v;
    }
    for (var e = lid; e < BK * BN4; e += threads) {
      let col4 = block_col4 + e % BN4;
      let k = k0 + e / BN4;
      var v = vec4<Acc>();
      if (col4 < N4 && k < K) { v = vec4<Acc>(b[b_base + k * N4 + col4]); }
      tile_b[e] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var av: array<vec4<Acc>, TILE_M4>;
      var bv: array<vec4<Acc>, TILE_N4>;
      for (var i = 0u; i < TILE_M4; i++) { av[i] = tile_a[kk * BM4 + local.y * TILE_M4 + i]; }
      for (var j = 0u; j < TILE_N4; j++) { bv[j] = tile_b[kk * BN4 + j * WG_X + local.x]; }
      for (var i = 0u; i < TILE_M; i++) {
        let s = av[i / 4u][i % 4u];
        for (var j = 0u; j < TILE_N4; j++) {
          acc[i][j] = acc[i][j] + s * bv[j];
        }
      }
    }
    workgroupBarrier();
  }

  // Stored in a loop the compiler cannot unroll, as in matmul_vec4.wgsl: the
  // epilogue is compiled four times (one per lane of a vec4), not 4·TILE_M·TILE_N4.
  var flat: array<vec4<Acc>, TILE_M * TILE_N4>;
  for (var i = 0u; i < TILE_M; i++) {
    for (var j = 0u; j < TILE_N4; j++) { flat[i * TILE_N4 + j] = acc[i][j]; }
  }
  for (var t = 0u; t < dims.outputs; t++) {
    let r = block_row + local.y * TILE_M + t / TILE_N4;
    let c = (block_col4 + (t % TILE_N4) * WG_X + local.x) * 4u;
    if (r < M && c < dims.N) {
      let v = flat[t];
      let idx = (batch * M + r) * dims.N + c;
      store(idx, v.x);
      store(idx + 1u, v.y);
      store(idx + 2u, v.z);
      store(idx + 3u, v.w);
    }
  }
}
