// Second pass of ONNX's DynamicQuantizeLinear (ops/quantize_uint8.ts), one
// workgroup: x's range from the first pass's partials, and from it the scale
// and zero point (quantize_range_lib.wgsl's scale_and_zero).
// TypeScript puts order_key_lib.wgsl and quantize_range_lib.wgsl in front;
// WG is an override.
override WG: u32 = 64;

struct Params {
  partial_count: u32,
}

@group(0) @binding(0) var<storage, read> partials: array<Range>;
@group(0) @binding(1) var<storage, read_write> scale_out: array<f32>;
@group(0) @binding(2) var<storage, read_write> zero_point_out: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var mine = Range(ZERO_KEY, ZERO_KEY, 0u);
  for (var g = lid; g < params.partial_count; g += WG) { mine = union_of(mine, partials[g]); }
  let range = workgroup_range(lid, mine);
  if (lid != 0u) { return; }
  let found = scale_and_zero(range);
  scale_out[0] = found.scale;
  zero_point_out[0] = found.zero_point;
}
