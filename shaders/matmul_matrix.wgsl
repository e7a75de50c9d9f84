// Matrix product of f16 operands on the adapter's matrix units (tensor
// cores), summed in f32: the contract of matmul_shared.wgsl — out[b, m, n] =
// Σ_k A[b, m, k] · B[b, k, n], transposes read in place, a shared batch of 1,
// any M, N and K, the generated `value(i)` epilogue — through WGSL's subgroup
// matrices (Dawn's experimental chromium_experimental_subgroup_matrix), in
// the f16 × f16 → f32 shape the adapter lists (SM_M × SM_N × SM_K: 8 × 8 × 8
// on lavapipe).
//
// Tiling: as matmul_int8_matrix.wgsl. A workgroup computes a BM × BN block
// (BM = SUB_M · FRAG_M · SM_M, BN = SUB_N · FRAG_N · SM_N) with SUB_M × SUB_N
// subgroups, each holding FRAG_M × FRAG_N result matrices. Per step of KT
// along k, the whole workgroup copies A's BM × KT block (row-major, k
// fastest) and B's KT × BN block (row-major, n fastest) into workgroup
// memory, zeros past M, N and K — so a matrix load never reads past an edge,
// and neither M, N nor K need be a multiple of the matrix shape — reading a
// transposed operand in place as it copies. Each subgroup then multiplies
// its left and right matrices from there. At the end the sums go through
// workgroup memory once more, so that each invocation stores a TILE_M ×
// TILE_N block of outputs with the store every matmul kernel shares
// (matmul_matrix_store.wgsl, then matmul_store.wgsl: the epilogue, and
// masking at M and N).
//
// TypeScript fills in: In (f16), Acc (f32) and Out (aliases); SM_M, SM_N,
// SM_K, FRAG_M, FRAG_N, SUB_M, SUB_N, KT, WG_X, WG_Y, TILE_M, TILE_N
// (consts; WG_X · TILE_N = BN, WG_Y · TILE_M = BM, WG_X · WG_Y = the
// workgroup's invocations); puts matmul_dims.wgsl in front and appends
// matmul_matrix_io.wgsl, tile_grid.wgsl, matmul_matrix_store.wgsl,
// matmul_store.wgsl and `fn value(i: u32)` (fusion.ts).
enable subgroups;
enable chromium_experimental_subgroup_matrix;

const BM = SUB_M * FRAG_M * SM_M;
const BN = SUB_N * FRAG_N * SM_N;
const WG = WG_X * WG_Y;

var<workgroup> tile_a: array<In, BM * KT>;
var<workgroup> tile_b: array<In, KT * BN>;
var<workgroup> tile_c: array<Acc, BM * BN>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) local: u32, @builtin(subgroup_id) subgroup: u32) {
  let M = dims.M;
  let N = dims.N;
  let K = dims.K;
  let tile = tile_of(wg, groups, dims.tiles_x, dims.tiles_y);
  if (tile.z >= dims.batches) { return; }
  let batch = tile.z;
  let row0 = tile.y * BM;
  let col0 = tile.x * BN;
  let base_a = batch * dims.batch_stride_a;
  let base_b = batch * dims.batch_stride_b;
  let sub_row = (subgroup / SUB_N) * FRAG_M * SM_M;
  let sub_col = (subgroup % SUB_N) * FRAG_N * SM_N;

  var acc: array<array<subgroup_matrix_result<Acc, SM_N, SM_M>, FRAG_N>, FRAG_M>;
  for (var k0 = 0u; k0 < K; k0 += KT) {
    for (var t = local; t < BM * KT; t += WG) {
      let r = row0 + t / KT;
      let k = k0 + t % KT;
      var v = In(0);
      if (r < M && k < K) { v = a[base_a + select(r * K + k, k * M + r, dims.trans_a != 0u)]; }
      tile_a[t] = v;
    }
    for (var t = local; t < KT * BN; t += WG) {
      let k = k0 + t / BN;
      let c = col0 + t % BN;
      var v = In(0);
      if (c < N && k < K) { v = b[base_b + select(k * N + c, c * K + k, dims.trans_b != 0u)]; }
      tile_b[t] = v;
    }
    workgroupBarrier();
    for (var ks = 0u; ks < KT; ks += SM_K) {
      var left: array<subgroup_matrix_left<In, SM_K, SM_M>, FRAG_M>;
      for (var i = 0u; i < FRAG_M; i++) {
        left[i] = subgroupMatrixLoad<subgroup_matrix_left<In, SM_K, SM_M>, row_major>(&tile_a, (sub_row + i * SM_M) * KT + ks, KT);
      }
      for (var j = 0u; j < FRAG_N; j++) {
        let right = subgroupMatrixLoad<subgroup_matrix_right<In, SM_N, SM_K>, row_major>(&tile_b, ks * BN + sub_col + j * SM_N, BN);
        for (var i = 0u; i < FRAG_M; i++) { acc[i][j] = subgroupMatrixMultiplyAccumulate(left[i], right, acc[i][j]); }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < FRAG_M; i++) {
    for (var j = 0u; j < FRAG_N; j++) {
      subgroupMatrixStore<row_major>(&tile_c, (sub_row + i * SM_M) * BN + sub_col + j * SM_N, acc[i][j], BN);
    }
  }
  workgroupBarrier();
  store_block(local, batch, row0, col0);
}
