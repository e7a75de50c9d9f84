// Softmax (LOG = 0) or log-softmax (LOG = 1) along rows of x seen as
// [outer, inner], numerically stable: shifted by the row's max, so huge
// logits do not overflow; a row whose max is not finite gives NaN, as
// exp(x - max) does in float64. One workgroup per row, three passes over it
// (max, Σ exp, write), each a strided loop plus a tree in workgroup memory.
//
// TypeScript fills in: In / Out (f32, or f16 with shader-f16; computed in f32)
// and LOG (const). Needs elementwise_lib.wgsl (prepended) for NaN-aware max.
override WG: u32 = 64;

struct Params { outer: u32, inner: u32 }

@group(0) @binding(0) var<storage, read> x: array<In>;
@group(0) @binding(1) var<storage, read_write> out: array<Out>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<f32, WG>;

fn tree(lid: u32, is_max: bool) -> f32 {
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width = width / 2u) {
    if (lid < width) {
      partial[lid] = select(partial[lid] + partial[lid + width], max_f32(partial[lid], partial[lid + width]), is_max);
    }
    workgroupBarrier();
  }
  let result = partial[0];
  workgroupBarrier();
  return result;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.x + wg.y * groups.x;
  let inner = params.inner;
  let live = row < params.outer;
  let base = row * inner;
  var m = -inf_f32();
  if (live) { for (var i = lid; i < inner; i += WG) { m = max_f32(m, f32(x[base + i])); } }
  partial[lid] = m;
  m = tree(lid, true);
  var s = 0.0;
  if (live) { for (var i = lid; i < inner; i += WG) { s += exp_f32(f32(x[base + i]) - m); } }
  partial[lid] = s;
  s = tree(lid, false);
  if (!live) { return; }
  let log_s = log_f32(s);
  for (var i = lid; i < inner; i += WG) {
    let shifted = f32(x[base + i]) - m;
    out[base + i] = Out(select(exp_f32(shifted) / s, shifted - log_s, LOG == 1u));
  }
}
