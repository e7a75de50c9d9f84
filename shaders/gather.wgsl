// Gather along an axis: out[o, j, i] = x[o, indices[j], i], for x read as
// [outer, n, inner] and out as [outer, k, inner] (tm.gather, an Embedding's
// lookup; the indexing is shaders/picked_rows.wgsl). An index outside
// [-n, n) writes zeros (the js and native backends refuse those before the
// kernel runs; here reading the indices first would wait for the GPU). One
// invocation per output element, so each row of inner elements is read and
// written contiguously across neighbouring invocations. Over a window of x's
// rows an element whose row is in another window is left for that window's
// launch to write.
override WORKGROUP: u32 = 256;

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.size) { return; }
  let at = source_of(i, indices[index_of(i)]);
  if (at == -2) { return; }
  out[i] = select(T(0), x[max(at, 0)], at >= 0);
}
