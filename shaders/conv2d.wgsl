// A 2-D convolution or one of its gradients as an implicit GEMM
// (backends/convolution.ts's conv2d): for each group of channels, out =
// L · R, an M × N block of sums over K terms, where L and R are never
// stored: conv2d_forward.wgsl, conv2d_input_grad.wgsl or
// conv2d_weight_grad.wgsl, put after this file, says what a row, a column
// and a term k are and reads each operand value from the kind's tensors
// `a` and `b` as it is needed, working out its pixel (0 in the padding, or
// where no window reaches). No window is gathered into a buffer (im2col).
//
// Tiling: register blocking as matmul.wgsl's. A workgroup of WG_X × WG_Y
// invocations covers a (WG_Y·TILE_M) × (WG_X·TILE_N) block of one group's
// output; each invocation accumulates TILE_M × TILE_N sums in f32, its rows
// and columns interleaved with its neighbours' (row = base + i·WG_Y +
// local.y, likewise columns), so that neighbouring invocations read
// neighbouring pixels. Where a row or a column starts is worked out once
// (row_at, col_at), and where a term starts once per k for all of an
// invocation's rows and columns: divided out at the first (step_at), then
// carried along (step_next), for on lavapipe a division is scalar code per
// lane. Per k an invocation loads TILE_M values of L and TILE_N of R for
// TILE_M·TILE_N multiply-adds.
// Edges: rows past M and columns past N are clamped for loads and masked
// for stores, so any size works. A long K (the weight's gradient sums over
// every position of every image) is cut into `splits` runs of split_k terms,
// each run's workgroups writing a part of `out` of its own (f32) that
// conv2d_split_sum.wgsl adds up after, with the parts of the launches for
// other bands of images where the batch is past the binding limit. Which tile, group and split a
// workgroup takes: tile_grid.wgsl (its batch is group · splits + split).
//
// TypeScript fills in T (the tensors' type), Out (T, or f32 for the parts
// of a split K), TILE_M / TILE_N (consts: they size arrays), WG_X / WG_Y
// (overrides), and puts tile_grid.wgsl and the kind's file after this one.
override WG_X: u32 = 16;
override WG_Y: u32 = 4;

struct Conv {
  batch: u32, channels: u32, height: u32, width: u32,
  filters: u32, groups: u32, kernel_h: u32, kernel_w: u32,
  stride_h: u32, stride_w: u32, dilation_h: u32, dilation_w: u32,
  pad_top: u32, pad_left: u32, out_h: u32, out_w: u32,
  // One group's product: M × N sums of K terms.
  M: u32, N: u32, K: u32,
  // Tiles across N and down M; groups · splits (tile_grid.wgsl's batch).
  tiles_x: u32, tiles_y: u32, batches: u32,
  // Runs of K (1 where it is not split), the terms of each; where there are
  // several, the part of `out` the first run writes, and the elements of a part.
  splits: u32, split_k: u32, first_part: u32, part: u32,
}

@group(0) @binding(0) var<storage, read> a: array<T>;
@group(0) @binding(1) var<storage, read> b: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<Out>;
@group(0) @binding(3) var<uniform> conv: Conv;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) local: vec3u) {
  let tile = tile_of(wg, groups, conv.tiles_x, conv.tiles_y);
  if (tile.z >= conv.batches) { return; }
  let group = tile.z / conv.splits;
  let split = tile.z % conv.splits;
  let row0 = tile.y * WG_Y * TILE_M + local.y;
  let col0 = tile.x * WG_X * TILE_N + local.x;

  var rows: array<Row, TILE_M>;
  var cols: array<Col, TILE_N>;
  for (var i = 0u; i < TILE_M; i++) { rows[i] = row_at(group, min(row0 + i * WG_Y, conv.M - 1u)); }
  for (var j = 0u; j < TILE_N; j++) { cols[j] = col_at(group, min(col0 + j * WG_X, conv.N - 1u)); }

  var acc: array<array<f32, TILE_N>, TILE_M>;
  let first = split * conv.split_k;
  let end = min(conv.K, first + conv.split_k);
  var s = step_at(group, first);
  for (var k = first; k < end; k++) {
    var lv: array<f32, TILE_M>;
    var rv: array<f32, TILE_N>;
    for (var i = 0u; i < TILE_M; i++) { lv[i] = left(rows[i], s); }
    for (var j = 0u; j < TILE_N; j++) { rv[j] = right(cols[j], s); }
    for (var i = 0u; i < TILE_M; i++) {
      for (var j = 0u; j < TILE_N; j++) {
        acc[i][j] = acc[i][j] + lv[i] * rv[j];
      }
    }
    s = step_next(s);
  }

  let base = (conv.first_part + split) * conv.part;
  for (var i = 0u; i < TILE_M; i++) {
    let r = row0 + i * WG_Y;
    for (var j = 0u; j < TILE_N; j++) {
      let c = col0 + j * WG_X;
      if (r < conv.M && c < conv.N) { out[base + out_at(group, r, c)] = Out(acc[i][j]); }
    }
  }
}
