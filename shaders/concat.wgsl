// Concatenation, one input per launch: the input, seen as [outer, inner]
// (inner = the product of its dimensions from the concatenation axis on), is
// written to out seen as [outer, out_inner] at column `offset`, the sum of the
// inner sizes of the inputs before it. One invocation per input element.
override WORKGROUP: u32 = 256;

struct Params { size: u32, inner: u32, out_inner: u32, offset: u32 }

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.size) { return; }
  let outer = i / params.inner;
  out[outer * params.out_inner + params.offset + i % params.inner] = x[i];
}
