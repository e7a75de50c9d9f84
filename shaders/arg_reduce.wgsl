// Arg-reduction: out[r] = the first index of the largest (LARGEST = 1) or
// smallest value of row r of x seen as [outer, inner]; NaN counts as the
// extreme. One workgroup per row: each invocation scans its strided share of
// the row keeping the first best, then the workgroup combines (value, index)
// pairs as a tree, ties going to the lower index.
//
// TypeScript fills in: V (f32, or i32 for ints), In (stored type), LARGEST and
// IS_FLOAT (consts).
override WG: u32 = 64;

struct Params { outer: u32, inner: u32 }

@group(0) @binding(0) var<storage, read> x: array<In>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> best_value: array<V, WG>;
var<workgroup> best_index: array<u32, WG>;

fn nan_bits(v: V) -> bool { return IS_FLOAT == 1u && (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

// Whether (b, j) beats (a, i).
fn beats(b: V, j: u32, a: V, i: u32) -> bool {
  if (j == 0xffffffffu) { return false; }
  if (i == 0xffffffffu) { return true; }
  let na = nan_bits(a);
  let nb = nan_bits(b);
  if (na || nb) { return nb && (!na || j < i); }
  if (a == b) { return j < i; }
  return select((b < a), (b > a), LARGEST == 1u);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.x + wg.y * groups.x;
  let inner = params.inner;
  var value = V(0);
  var index = 0xffffffffu;
  if (row < params.outer) {
    for (var i = lid; i < inner; i += WG) {
      let v = V(x[row * inner + i]);
      if (beats(v, i, value, index)) { value = v; index = i; }
    }
  }
  best_value[lid] = value;
  best_index[lid] = index;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width = width / 2u) {
    if (lid < width && beats(best_value[lid + width], best_index[lid + width], best_value[lid], best_index[lid])) {
      best_value[lid] = best_value[lid + width];
      best_index[lid] = best_index[lid + width];
    }
    workgroupBarrier();
  }
  if (lid == 0u && row < params.outer) { out[row] = select(i32(best_index[0]), 0, best_index[0] == 0xffffffffu); }
}
