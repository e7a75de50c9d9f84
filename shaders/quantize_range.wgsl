// First pass of ONNX's DynamicQuantizeLinear (ops/quantize_uint8.ts): each
// workgroup's part of x's range widened to hold 0, and whether it holds a
// NaN or an infinity: partials[g] (a Range of quantize_range_lib.wgsl).
//
// Workgroups stride over x together (invocation i reads i, i + G·WG, …), so
// that the second pass (quantize_scale.wgsl, one workgroup) folds at most WG
// partials. TypeScript puts order_key_lib.wgsl and quantize_range_lib.wgsl in
// front; WG is an override.
override WG: u32 = 64;

struct Params {
  size: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<Range>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  var mine = Range(ZERO_KEY, ZERO_KEY, 0u);
  for (var i = wid.x * WG + lid; i < params.size; i += groups.x * WG) {
    mine = with_value(mine, bitcast<u32>(x[i]));
  }
  let range = workgroup_range(lid, mine);
  if (lid == 0u) { partials[wid.x] = range; }
}
