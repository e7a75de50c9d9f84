// Exact int8 product on the adapter's matrix units (tensor cores): the
// contract of matmul_int8.wgsl — out[b, m, n] = Σ_k A[b, m, k] · B[b, n, k]
// in i32, both operands int8 four to a u32 word with K contiguous, rows at
// any byte offset — through WGSL's subgroup matrices (Dawn's experimental
// chromium_experimental_subgroup_matrix), in the i8 × i8 → i32 shape the
// adapter lists (SM_M × SM_N × SM_K: 16 × 16 × 32 on an NVIDIA H200, 8 × 8 × 8
// on lavapipe).
//
// Tiling: a workgroup computes a BM × BN block (BM = SUB_M · FRAG_M · SM_M,
// BN = SUB_N · FRAG_N · SM_N) with SUB_M × SUB_N subgroups, each holding
// FRAG_M × FRAG_N result matrices. Per step of KT bytes of k, the whole
// workgroup copies A's BM rows and B's BN rows of that step into workgroup
// memory, zero past M, N and K — so a matrix load never reads past an edge
// and rows need not start on a word — and each subgroup multiplies its left
// and right matrices from there. At the end the results go through
// workgroup memory once more, so that each invocation stores a TILE_M ×
// TILE_N block of outputs with the store every matmul kernel shares
// (matmul_matrix_store.wgsl, then matmul_store.wgsl: the epilogue, and
// masking at M and N).
//
// Loads of 8-bit matrices from an array<i32> count offset and stride in
// 32-bit words, with a row's bytes consecutive (SPIR-V's rule for a pointer
// to i32; measured on lavapipe and the H200): rows here are KW words apart.
//
// TypeScript fills in: Acc (i32) and Out (aliases); SG (the subgroup size),
// SM_M, SM_N, SM_K, FRAG_M, FRAG_N, SUB_M, SUB_N, KT, WG_X, WG_Y, TILE_M,
// TILE_N (consts; WG_X · TILE_N = BN, WG_Y · TILE_M = BM, WG_X · WG_Y = the
// workgroup's invocations); and appends matmul_int8_io.wgsl,
// matmul_matrix_store.wgsl, matmul_store.wgsl and `fn value(i: u32)`
// (fusion.ts).
enable subgroups;
enable chromium_experimental_subgroup_matrix;

const BM = SUB_M * FRAG_M * SM_M;
const BN = SUB_N * FRAG_N * SM_N;
const KW = KT / 4u;
const WG = WG_X * WG_Y;

var<workgroup> tile_a: array<i32, BM * KW>;
var<workgroup> tile_b: array<i32, BN * KW>;
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

  var acc: array<array<subgroup_matrix_result<i32, SM_N, SM_M>, FRAG_N>, FRAG_M>;
  for (var k0 = 0u; k0 < K; k0 += KT) {
    for (var t = local; t < BM * KW; t += WG) {
      let r = row0 + t / KW;
      let k = k0 + (t % KW) * 4u;
      var word = 0u;
      // Bytes past K belong to the next row (or past the buffer's last word, which is padding): zero them.
      if (r < M && k < K) { word = word_a(base_a + r * K + k) & select(0xffffffffu, (1u << ((K - k) * 8u)) - 1u, K - k < 4u); }
      tile_a[t] = bitcast<i32>(word);
    }
    for (var t = local; t < BN * KW; t += WG) {
      let c = col0 + t / KW;
      let k = k0 + (t % KW) * 4u;
      var word = 0u;
      if (c < N && k < K) { word = word_b(base_b + c * K + k); }
      tile_b[t] = bitcast<i32>(word);
    }
    workgroupBarrier();
    for (var ks = 0u; ks < KT; ks += SM_K) {
      var left: array<subgroup_matrix_left<i8, SM_K, SM_M>, FRAG_M>;
      for (var i = 0u; i < FRAG_M; i++) {
        left[i] = subgroupMatrixLoad<subgroup_matrix_left<i8, SM_K, SM_M>, row_major>(&tile_a, (sub_row + i * SM_M) * KW + ks / 4u, KW);
      }
      for (var j = 0u; j < FRAG_N; j++) {
        // B's rows are the columns of the right matrix: column-major, KW words apart.
        let right = subgroupMatrixLoad<subgroup_matrix_right<i8, SM_N, SM_K>, col_major>(&tile_b, (sub_col + j * SM_N) * KW + ks / 4u, KW);
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
