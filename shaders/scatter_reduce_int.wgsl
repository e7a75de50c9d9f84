// Scatter-reduce of i32 values into a copy of a tensor: for each j,
// out[indices[j]] = combine(out[indices[j]], values[j]), out starting as the
// tensor written into (TypeScript copies it in first) and indices read flat;
// an index outside out combines into nothing. combine is OP's: 0 a sum, 1 a
// product (both wrapping, as i32 arithmetic does), 2 the larger, 3 the
// smaller. Sums, maxima and minima are WGSL's own atomics; a product is a
// compare-exchange loop. Integer results do not depend on the order the
// invocations run in. One invocation per value. TypeScript writes OP in
// front.
override WORKGROUP: u32 = 256;

struct Params {
  count: u32,
  size: u32,
}

@group(0) @binding(0) var<storage, read> values: array<i32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<i32>>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = gid.x + gid.y * groups.x * WORKGROUP;
  if (t >= params.count) { return; }
  let at = indices[t];
  if (at < 0 || u32(at) >= params.size) { return; }
  let v = values[t];
  if (OP == 0u) {
    atomicAdd(&out[at], v);
  } else if (OP == 2u) {
    atomicMax(&out[at], v);
  } else if (OP == 3u) {
    atomicMin(&out[at], v);
  } else {
    var old = atomicLoad(&out[at]);
    loop {
      let swap = atomicCompareExchangeWeak(&out[at], old, old * v);
      if (swap.exchanged) { break; }
      old = swap.old_value;
    }
  }
}
