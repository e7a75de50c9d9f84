// Scatter-add along an axis, gather's gradient: out[o, indices[j], i] +=
// dy[o, j, i], for dy read as [outer, k, inner] and out as [outer, n, inner]
// (zeroed first by shaders/fill.wgsl; the indexing is
// shaders/picked_rows.wgsl). An index outside the axis adds nothing; over a
// window of out's rows, nor does one whose row is in another window. Several
// j may name one row, so each add is atomic: WGSL has no float atomics, so it
// is a compare-exchange loop on the f32's bits. The adds to one element land
// in whatever order the invocations run (as PyTorch's index_add on CUDA): its
// last bits may vary from run to run. One invocation per element of dy.
override WORKGROUP: u32 = 256;

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = gid.x + gid.y * groups.x * WORKGROUP;
  if (t >= params.size) { return; }
  let at = source_of(t, indices[index_of(t)]);
  if (at < 0) { return; }
  let v = dy[t];
  var old = atomicLoad(&out[at]);
  loop {
    let swap = atomicCompareExchangeWeak(&out[at], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (swap.exchanged) { break; }
    old = swap.old_value;
  }
}
