// Batched matrix product reading B four columns at a time: out[b, m, n] =
// Σ_k A[b, m, k] · B[b, k, n], with A stored [batchA, K, M] when TRANS_A (read
// in place), B row-major [batchB, K, N] with N a multiple of 4 (TypeScript
// uses matmul.wgsl otherwise), and a batch of 1 shared.
//
// Tiling: register blocking without workgroup memory, in one-row workgroups.
// A workgroup of WG invocations covers TILE_M rows × WG·TILE_N4 vec4 columns;
// every invocation works on the same TILE_M rows (so its loads of A are the
// same addresses across the workgroup, which a SIMD rasteriser like lavapipe
// can share) and on TILE_N4 vec4 columns of its own, interleaved with its
// neighbours' (column = base + j·WG + local.x) so that neighbouring
// invocations read neighbouring words of B. Per step of k it loads TILE_M
// scalars of A and TILE_N4 vec4 of B for 4·TILE_M·TILE_N4 multiply-adds.
// Edges: rows past M and columns past N are clamped for loads and masked for
// stores, so any M and K work. Which tile (and batch) a workgroup takes:
// tile_grid.wgsl.
//
// TypeScript fills in: In (operand type), Acc (accumulator: f32, or i32 for
// int products), Out (stored type), TILE_M / TILE_N4 (consts: they size
// arrays), WG (override), puts matmul_dims.wgsl in front (trans_b is always
// 0 here), and after it matmul_vec4_store.wgsl (the store) and `fn value(i:
// u32)`, as for matmul.wgsl: the output at flat index i given `acc_value`.
override WG: u32 = 16;

@group(0) @binding(0) var<storage, read> a: array<In>;
@group(0) @binding(1) var<storage, read> b: array<vec4<In>>;
@group(0) @binding(2) var<storage, read_write> out: array<Out>;
@group(0) @binding(3) var<uniform> dims: Dims;

var<private> acc_value: Acc;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) local: vec3u) {
  let M = dims.M;
  let N = dims.N;
  let K = dims.K;
  let N4 = N / 4u;
  let tile = tile_of(wg, groups, dims.tiles_x, dims.tiles_y);
  if (tile.z >= dims.batches) { return; }
  let batch = tile.z;
  let row0 = tile.y * TILE_M;
  let col0 = tile.x * WG * TILE_N4 + local.x;

  var a_at: array<u32, TILE_M>;
  var b_at: array<u32, TILE_N4>;
  let a_step = select(1u, M, dims.trans_a != 0u);
  for (var i = 0u; i < TILE_M; i++) {
    let r = min(row0 + i, M - 1u);
    a_at[i] = batch * dims.batch_stride_a + select(r * K, r, dims.trans_a != 0u);
  }
  for (var j = 0u; j < TILE_N4; j++) {
    b_at[j] = batch * (dims.batch_stride_b / 4u) + min(col0 + j * WG, N4 - 1u);
  }

  var acc: array<array<vec4<Acc>, TILE_N4>, TILE_M>;
  for (var k = 0u; k < K; k++) {
    var bv: array<vec4<Acc>, TILE_N4>;
    for (var j = 0u; j < TILE_N4; j++) { bv[j] = vec4<Acc>(b[b_at[j] + k * N4]); }
    for (var i = 0u; i < TILE_M; i++) {
      let av = Acc(a[a_at[i] + k * a_step]);
      for (var j = 0u; j < TILE_N4; j++) {
        acc[i][j] = acc[i][j] + av * bv[j];
      }
    }
  }

  store_tile(acc, batch, row0, col0);
}
