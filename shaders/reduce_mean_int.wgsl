// Mean of int rows as f32, from the exact sum: x seen as [outer, inner] of
// i32, each row summed as a 64-bit integer (a pair of u32 words with carry),
// so rows of large values do not wrap before dividing. One workgroup per row,
// tree over the WG partial sums in workgroup memory (see reduce.wgsl).
override WG: u32 = 64;

struct Params { outer: u32, inner: u32 }

@group(0) @binding(0) var<storage, read> x: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<Out>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<vec2<u32>, WG>;

// (lo, hi) + (lo, hi), as a 64-bit two's-complement sum.
fn add64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let lo = a.x + b.x;
  return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}

fn widen(v: i32) -> vec2<u32> { return vec2<u32>(bitcast<u32>(v), select(0u, 0xffffffffu, v < 0)); }

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.x + wg.y * groups.x;
  let inner = params.inner;
  var acc = vec2<u32>(0u, 0u);
  if (row < params.outer) {
    for (var i = lid; i < inner; i += WG) { acc = add64(acc, widen(x[row * inner + i])); }
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width = width / 2u) {
    if (lid < width) { partial[lid] = add64(partial[lid], partial[lid + width]); }
    workgroupBarrier();
  }
  if (lid == 0u && row < params.outer) {
    // Convert the magnitude (so a small negative sum is not the difference of two huge floats).
    let s = partial[0];
    let negative = (s.y & 0x80000000u) != 0u;
    let m = select(s, add64(~s, vec2<u32>(1u, 0u)), negative);
    let magnitude = f32(m.y) * 4294967296.0 + f32(m.x);
    out[row] = Out(select(magnitude, -magnitude, negative) / f32(inner));
  }
}
