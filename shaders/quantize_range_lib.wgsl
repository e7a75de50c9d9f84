// What the passes of DynamicQuantizeLinear that find x's range
// (quantize_range.wgsl, quantize_scale.wgsl, quantize_range_scale.wgsl)
// share: ranges kept as order keys
// of the values' bits (order_key_lib.wgsl, so that a flushed subnormal still
// counts as what it is) with flags for a NaN and an infinity seen, and a
// workgroup's fold of its invocations' ranges as a tree in workgroup memory
// (no atomics: on lavapipe each atomic is a locked instruction per
// invocation, which made the first version 2× slower than the composed
// ops). A range starts at [0, 0] (ZERO_KEY both ends), as
// DynamicQuantizeLinear widens it to hold 0. Each pass puts order_key_lib.wgsl
// and this file in front of its own; WG is the pass's override.
/** Flag bits. */
const NAN_SEEN = 1u;
const INF_SEEN = 2u;

/** A range: the least and greatest key, and the flags. */
struct Range {
  lo: u32,
  hi: u32,
  flags: u32,
}

var<workgroup> ranges: array<Range, WG>;

/** r widened by the f32 of bits b: a NaN and an infinity only flagged. */
fn with_value(r: Range, b: u32) -> Range {
  var out = r;
  let magnitude = b & 0x7fffffffu;
  if (magnitude > 0x7f800000u) {
    out.flags |= NAN_SEEN;
  } else if (magnitude == 0x7f800000u) {
    out.flags |= INF_SEEN;
  } else {
    let key = ordered(b);
    out.lo = min(out.lo, key);
    out.hi = max(out.hi, key);
  }
  return out;
}

fn union_of(a: Range, b: Range) -> Range {
  return Range(min(a.lo, b.lo), max(a.hi, b.hi), a.flags | b.flags);
}

/** The union of every invocation's `mine`, in every invocation (called by all of the workgroup). */
fn workgroup_range(lid: u32, mine: Range) -> Range {
  ranges[lid] = mine;
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid < half) { ranges[lid] = union_of(ranges[lid], ranges[lid + half]); }
  }
  return workgroupUniformLoad(&ranges[0]);
}

/** The scale and zero point DynamicQuantizeLinear takes from x's range. */
struct ScaleAndZero {
  scale: f32,
  zero_point: i32,
}

fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inf_f32() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }

/**
 * As the composed tensor ops compute them, bit for bit:
 *   scale = (hi − lo) / 255, or 1 where that is 0
 *   zero point = clamp(round(clamp(−(lo / scale), 0, 255)), 0, 255)
 * rounding half to even. Where x holds a NaN the scale is NaN, an infinity
 * (and no NaN) +∞, and the zero point 0: what the composed ops give.
 */
fn scale_and_zero(range: Range) -> ScaleAndZero {
  let low = bitcast<f32>(from_ordered(range.lo));
  let high = bitcast<f32>(from_ordered(range.hi));
  let spread = (high - low) / 255.0;
  let scale = select(spread, 1.0, spread == 0.0);
  let zero_point = clamp(round(clamp(-(low / scale), 0.0, 255.0)), 0.0, 255.0);
  if ((range.flags & NAN_SEEN) != 0u) { return ScaleAndZero(nan_f32(), 0); }
  if ((range.flags & INF_SEEN) != 0u) { return ScaleAndZero(inf_f32(), 0); }
  return ScaleAndZero(scale, i32(zero_point));
}
