// ONNX's DynamicQuantizeLinear's scale and zero point (ops/quantize_uint8.ts)
// in one launch of one workgroup, for an x small enough that one workgroup
// reads it faster than two launches take (kernels/quantize_scale.ts): the
// range of quantize_range.wgsl, folded into the scale and zero point as
// quantize_scale.wgsl folds its partials (quantize_scale_out.wgsl).
//
// Invocation i reads x[i], x[i + WG], …. TypeScript puts order_key_lib.wgsl
// and quantize_range_lib.wgsl in front and quantize_scale_out.wgsl after; WG
// is an override.
override WG: u32 = 64;

@group(0) @binding(0) var<storage, read> x: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var mine = Range(ZERO_KEY, ZERO_KEY, 0u);
  for (var i = lid; i < params.count; i += WG) { mine = with_value(mine, bitcast<u32>(x[i])); }
  write_scale_and_zero(lid, mine);
}
