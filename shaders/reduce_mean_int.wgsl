// Mean of int rows as f32, from the exact sum: x seen as [outer, inner] of
// i32 (element i of row r at x[r · row_stride + i · elem_stride], so columns
// too, as in reduce.wgsl), each row summed as a 64-bit integer (a pair of u32 words with carry),
// so rows of large values do not wrap before dividing; an empty row's mean is
// NaN. PER_INVOCATION (short rows): one invocation per row; otherwise one
// workgroup per row, a tree over the WG partial sums in workgroup memory (see
// reduce.wgsl). TypeScript writes V = i32, Out and PER_INVOCATION in front;
// before it go subgroup_none.wgsl and elementwise_lib.wgsl.
override WG: u32 = 64;

struct Params { outer: u32, inner: u32, row_stride: u32, elem_stride: u32 }

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

fn fold(row: u32, start: u32, step: u32) -> vec2<u32> {
  let inner = params.inner;
  var acc = vec2<u32>(0u, 0u);
  for (var i = start; i < inner; i += step) { acc = add64(acc, widen(x[row * params.row_stride + i * params.elem_stride])); }
  return acc;
}

fn finish(s: vec2<u32>) -> Out {
  if (params.inner == 0u) { return Out(nan_f32()); }
  // Converted as sign and magnitude: hi·2³² + lo with a negative hi would
  // cancel (−1·2³² + 4294967291 is −5, but f32(4294967291) is 2³²).
  let negative = (s.y & 0x80000000u) != 0u;
  let m = select(s, add64(~s, vec2<u32>(1u, 0u)), negative);
  let magnitude = f32(m.y) * 4294967296.0 + f32(m.x);
  return Out(select(magnitude, -magnitude, negative) / f32(params.inner));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let group = wg.x + wg.y * groups.x;
  if (PER_INVOCATION) {
    let row = group * WG + lid;
    if (row < params.outer) { out[row] = finish(fold(row, 0u, 1u)); }
    return;
  }
  let live = group < params.outer;
  var acc = vec2<u32>(0u, 0u);
  if (live) { acc = fold(group, lid, WG); }
  partial[lid] = acc;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width = width / 2u) {
    if (lid < width) { partial[lid] = add64(partial[lid], partial[lid + width]); }
    workgroupBarrier();
  }
  if (lid == 0u && live) { out[group] = finish(partial[0]); }
}
