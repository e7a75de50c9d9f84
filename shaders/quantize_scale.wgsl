// Second pass of ONNX's DynamicQuantizeLinear (ops/quantize_uint8.ts), one
// workgroup: x's range from the first pass's partials, and from it the scale
// and zero point (quantize_scale_out.wgsl).
// TypeScript puts order_key_lib.wgsl and quantize_range_lib.wgsl in front and
// quantize_scale_out.wgsl after; WG is an override.
override WG: u32 = 64;

@group(0) @binding(0) var<storage, read> partials: array<Range>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var mine = Range(ZERO_KEY, ZERO_KEY, 0u);
  for (var g = lid; g < params.count; g += WG) { mine = union_of(mine, partials[g]); }
  write_scale_and_zero(lid, mine);
}
