// ONNX's DynamicQuantizeLinear's scale and zero point (ops/quantize_uint8.ts)
// in one launch of one workgroup, for an x small enough that one workgroup
// reads it faster than two launches take (kernels/quantize_scale.ts): the
// range of quantize_range.wgsl, folded as quantize_scale.wgsl folds its
// partials, then quantize_range_lib.wgsl's scale_and_zero.
//
// Invocation i reads x[i], x[i + WG], …. TypeScript puts order_key_lib.wgsl
// and quantize_range_lib.wgsl in front; WG is an override.
override WG: u32 = 64;

struct Params {
  size: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> scale_out: array<f32>;
@group(0) @binding(2) var<storage, read_write> zero_point_out: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var mine = Range(ZERO_KEY, ZERO_KEY, 0u);
  for (var i = lid; i < params.size; i += WG) { mine = with_value(mine, bitcast<u32>(x[i])); }
  let range = workgroup_range(lid, mine);
  if (lid != 0u) { return; }
  let found = scale_and_zero(range);
  scale_out[0] = found.scale;
  zero_point_out[0] = found.zero_point;
}
