// Scatter-add along an axis, gather's gradient: out[o, indices[j], i] +=
// dy[o, j, i], for dy read as [outer, k, inner] and out as [outer, n, inner]
// (zeroed first by shaders/fill.wgsl). A negative index counts from the end;
// one outside the axis adds nothing. Several j may name one row, so each add
// is atomic: WGSL has no float atomics, so it is a compare-exchange loop on
// the f32's bits. The adds to one element land in whatever order the
// invocations run (as PyTorch's index_add on CUDA): its last bits may vary
// from run to run. One invocation per element of dy.
override WORKGROUP: u32 = 256;

struct Params {
  size: u32,
  n: u32,
  k: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = gid.x + gid.y * groups.x * WORKGROUP;
  if (t >= params.size) { return; }
  let column = t % params.inner;
  let j = (t / params.inner) % params.k;
  let o = t / (params.inner * params.k);
  let index = indices[j];
  let row = select(index, index + i32(params.n), index < 0);
  if (row < 0 || row >= i32(params.n)) { return; }
  let at = (o * params.n + u32(row)) * params.inner + column;
  let v = dy[t];
  var old = atomicLoad(&out[at]);
  loop {
    let swap = atomicCompareExchangeWeak(&out[at], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (swap.exchanged) { break; }
    old = swap.old_value;
  }
}
