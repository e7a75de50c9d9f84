// One-hot encoding: out[i, j] = (indices[i] == j) ? 1 : 0 for j < depth, so
// an index outside [0, depth) gives a row of zeros. One invocation per output
// element.
override WORKGROUP: u32 = 256;

struct Params { size: u32, depth: u32 }

@group(0) @binding(0) var<storage, read> indices: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.size) { return; }
  out[i] = select(T(0), T(1), indices[i / params.depth] == i32(i % params.depth));
}
