// Second pass of ONNX's DynamicQuantizeLinear (ops/quantize_uint8.ts), as
// the composed tensor ops compute it, bit for bit:
//   lo, hi = x's range widened to hold 0 (from quantize_range.wgsl's partials)
//   scale = (hi − lo) / 255, or 1 where that is 0
//   zero point = clamp(round(clamp(−(lo / scale), 0, 255)), 0, 255)
//   y = clamp(round(x / scale) + zero point, 0, 255)
// rounding half to even. Where x holds a NaN the scale is NaN, an infinity
// (and no NaN) +∞, and y and the zero point 0: what the composed ops give.
//
// Every workgroup folds the G partials (G ≤ WG: one each) — a few loads,
// cheaper than a launch of its own — then quantizes its PER·WG elements of
// x; workgroup 0 also writes the scale and zero point. TypeScript puts
// quantize_range_lib.wgsl in front; WG and PER are overrides.
override WG: u32 = 256;
override PER: u32 = 4;

struct Params {
  size: u32,
  partial_count: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> partials: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<i32>;
@group(0) @binding(3) var<storage, read_write> scale_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> zero_point_out: array<i32>;
@group(0) @binding(5) var<uniform> params: Params;

fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inf_f32() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  clear_range(lid);
  workgroupBarrier();
  if (lid < params.partial_count) {
    fold_range(partials[lid * 4u], partials[lid * 4u + 1u], partials[lid * 4u + 2u], partials[lid * 4u + 3u]);
  }
  workgroupBarrier();
  let low = bitcast<f32>(from_ordered(atomicLoad(&lo)));
  let high = bitcast<f32>(from_ordered(atomicLoad(&hi)));
  let nan = atomicLoad(&nan_seen) != 0u;
  let finite = !nan && atomicLoad(&inf_seen) == 0u;
  let range = (high - low) / 255.0;
  var scale = select(range, 1.0, range == 0.0);
  let zero_point = clamp(round(clamp(-(low / scale), 0.0, 255.0)), 0.0, 255.0);
  if (!finite) { scale = select(inf_f32(), nan_f32(), nan); }

  let group = wid.x + wid.y * groups.x;
  if (group == 0u && lid == 0u) {
    scale_out[0] = scale;
    zero_point_out[0] = select(0, i32(zero_point), finite);
  }
  let start = group * WG * PER + lid;
  for (var k = 0u; k < PER; k++) {
    let i = start + k * WG;
    if (i >= params.size) { return; }
    y[i] = select(0, i32(clamp(round(x[i] / scale) + zero_point, 0.0, 255.0)), finite);
  }
}
