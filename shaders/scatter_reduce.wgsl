// Scatter-reduce of f32 values into a copy of a tensor: for each j,
// out[indices[j]] = combine(out[indices[j]], values[j]), out starting as the
// tensor written into (TypeScript copies it in first) and indices read flat;
// an index outside out combines into nothing. combine is OP's: 0 a sum, 1 a
// product, 2 the larger, 3 the smaller (a NaN on either side wins, as the
// max and min reductions give it). Several j may name one element, so each
// combine is atomic: WGSL has no float atomics, so it is a compare-exchange
// loop on the f32's bits, which stops without writing where the value would
// not change (most values, for a max). Sums and products land in whatever
// order the invocations run: their last bits may vary from run to run.
// One invocation per value. TypeScript writes OP in front.
override WORKGROUP: u32 = 256;

struct Params {
  count: u32,
  size: u32,
}

@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> params: Params;

// By the bits: a compiler may take x != x to be false.
fn is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn combine(a: f32, b: f32) -> f32 {
  if (OP == 0u) { return a + b; }
  if (OP == 1u) { return a * b; }
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  if (OP == 2u) { return max(a, b); }
  return min(a, b);
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = gid.x + gid.y * groups.x * WORKGROUP;
  if (t >= params.count) { return; }
  let at = indices[t];
  if (at < 0 || u32(at) >= params.size) { return; }
  let v = values[t];
  var old = atomicLoad(&out[at]);
  loop {
    let next = bitcast<u32>(combine(bitcast<f32>(old), v));
    if (next == old) { break; }
    let swap = atomicCompareExchangeWeak(&out[at], old, next);
    if (swap.exchanged) { break; }
    old = swap.old_value;
  }
}
