// Row reduction: out[r] = op(x[r, 0..inner)) for op = sum, mean, max or min
// (OP = 0, 1, 2, 3), x seen as [outer, inner]. One workgroup per row: each
// invocation folds the elements lid, lid + WG, lid + 2·WG… of its row, then
// the workgroup combines the WG partial results as a tree in workgroup
// memory. Rows past 65535 go to the grid's y dimension.
//
// TypeScript fills in: V (value type: f32 for floats, f16 loaded as f32; i32
// for ints), In (stored input type), Out, OP and IS_FLOAT (consts). Float
// sums accumulate in f32; int sums wrap in i32; max and min propagate NaN.
// (The mean of ints, computed from the exact sum, is reduce_mean_int.wgsl.)
override WG: u32 = 64;

struct Params { outer: u32, inner: u32 }

@group(0) @binding(0) var<storage, read> x: array<In>;
@group(0) @binding(1) var<storage, read_write> out: array<Out>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<V, WG>;

fn nan_bits(v: V) -> bool { return IS_FLOAT == 1u && (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

fn identity() -> V {
  if (OP == 2u) { return select(V(-2147483647 - 1), V(-inf_f32()), IS_FLOAT == 1u); }
  if (OP == 3u) { return select(V(2147483647), V(inf_f32()), IS_FLOAT == 1u); }
  return V(0);
}

fn combine(a: V, b: V) -> V {
  if (OP <= 1u) { return a + b; }
  if (nan_bits(a)) { return a; }
  if (nan_bits(b)) { return b; }
  if (OP == 2u) { return max(a, b); }
  return min(a, b);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.x + wg.y * groups.x;
  let inner = params.inner;
  var acc = identity();
  if (row < params.outer) {
    let base = row * inner;
    for (var i = lid; i < inner; i += WG) { acc = combine(acc, V(x[base + i])); }
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width = width / 2u) {
    if (lid < width) { partial[lid] = combine(partial[lid], partial[lid + width]); }
    workgroupBarrier();
  }
  if (lid == 0u && row < params.outer) {
    var result = partial[0];
    if (OP == 1u) { result = result / V(inner); }
    // An empty int row: the js backend's ±Infinity stored in an int array, 0.
    if (inner == 0u && IS_FLOAT == 0u) { result = V(0); }
    out[row] = Out(result);
  }
}
