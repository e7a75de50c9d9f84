// Second pass of ONNX's DynamicQuantizeLinear (ops/quantize_uint8.ts), one
// workgroup: x's range from the first pass's partials, and from it the scale
// and zero point as the composed tensor ops compute them, bit for bit:
//   lo, hi = x's range widened to hold 0
//   scale = (hi − lo) / 255, or 1 where that is 0
//   zero point = clamp(round(clamp(−(lo / scale), 0, 255)), 0, 255)
// rounding half to even. Where x holds a NaN the scale is NaN, an infinity
// (and no NaN) +∞, and the zero point 0: what the composed ops give.
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

fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inf_f32() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var mine = Range(ZERO_KEY, ZERO_KEY, 0u);
  for (var g = lid; g < params.partial_count; g += WG) { mine = union_of(mine, partials[g]); }
  let range = workgroup_range(lid, mine);
  if (lid != 0u) { return; }
  let low = bitcast<f32>(from_ordered(range.lo));
  let high = bitcast<f32>(from_ordered(range.hi));
  let spread = (high - low) / 255.0;
  let scale = select(spread, 1.0, spread == 0.0);
  let zero_point = clamp(round(clamp(-(low / scale), 0.0, 255.0)), 0.0, 255.0);
  if ((range.flags & NAN_SEEN) != 0u) {
    scale_out[0] = nan_f32();
    zero_point_out[0] = 0;
  } else if ((range.flags & INF_SEEN) != 0u) {
    scale_out[0] = inf_f32();
    zero_point_out[0] = 0;
  } else {
    scale_out[0] = scale;
    zero_point_out[0] = i32(zero_point);
  }
}
