// First pass of ONNX's DynamicQuantizeLinear (ops/quantize_uint8.ts): each
// workgroup's part of x's range widened to hold 0, and whether it holds a
// NaN or an infinity. partials[g·4 ..] = lo, hi (as order keys,
// quantize_range_lib.wgsl), a NaN seen (1/0), an infinity seen (1/0).
//
// Workgroups stride over x together (invocation i reads i, i + G·WG, …), so
// the second pass (quantize_uint8.wgsl) folds only G partials, G ≤ its
// workgroup size. TypeScript puts quantize_range_lib.wgsl in front; WG is an
// override.
override WG: u32 = 256;

struct Params {
  size: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  clear_range(lid);
  workgroupBarrier();
  var low = ZERO_KEY;
  var high = ZERO_KEY;
  var nan = 0u;
  var inf = 0u;
  for (var i = wid.x * WG + lid; i < params.size; i += groups.x * WG) {
    let b = bitcast<u32>(x[i]);
    let magnitude = b & 0x7fffffffu;
    if (magnitude > 0x7f800000u) {
      nan = 1u;
    } else if (magnitude == 0x7f800000u) {
      inf = 1u;
    } else {
      let key = ordered(b);
      low = min(low, key);
      high = max(high, key);
    }
  }
  fold_range(low, high, nan, inf);
  workgroupBarrier();
  if (lid == 0u) {
    partials[wid.x * 4u] = atomicLoad(&lo);
    partials[wid.x * 4u + 1u] = atomicLoad(&hi);
    partials[wid.x * 4u + 2u] = atomicLoad(&nan_seen);
    partials[wid.x * 4u + 3u] = atomicLoad(&inf_seen);
  }
}
