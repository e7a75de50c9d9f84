// The end of a conv2d.wgsl product whose K was split into runs: out[i] =
// Σ over the runs s of parts[s·size + i], summed in f32 and stored as T.
// One invocation per output element: neighbouring invocations read
// neighbouring elements of each part.
override WORKGROUP: u32 = 256;

struct Params {
  size: u32,
  splits: u32,
}

@group(0) @binding(0) var<storage, read> parts: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.size) { return; }
  var sum = 0.0;
  for (var s = 0u; s < params.splits; s++) { sum += parts[s * params.size + i]; }
  out[i] = T(sum);
}
