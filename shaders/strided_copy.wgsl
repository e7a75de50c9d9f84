// Strided gather: out[idx] = x[offset + Σ_d idx[d] · strides[d]] for every
// multi-index idx of the output. Transposes, slices, broadcasts (stride 0) and
// reversals (negative strides) are all this one kernel. The shape and strides
// come in a uniform, rank ≤ 32 after TypeScript merges axes that step
// contiguously. One invocation per output element.
// The output is contiguous, or (block_cols ≠ 0) a block of a larger matrix:
// rows of block_cols elements, block_stride apart, from block_offset (a
// transpose of a tensor past the binding limit, a block at a time:
// kernels/movement.ts).
override WORKGROUP: u32 = 256;

struct Params {
  size: u32,
  rank: u32,
  offset: i32,
  block_cols: u32,
  block_stride: u32,
  block_offset: u32,
  shape: array<vec4<u32>, 8>,
  strides: array<vec4<i32>, 8>,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.size) { return; }
  var rest = i;
  var at = params.offset;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let extent = params.shape[d / 4][d % 4];
    at += i32(rest % extent) * params.strides[d / 4][d % 4];
    rest = rest / extent;
  }
  var to = i;
  if (params.block_cols != 0u) { to = params.block_offset + (i / params.block_cols) * params.block_stride + i % params.block_cols; }
  out[to] = x[at];
}
