// What the passes of DynamicQuantizeLinear that find x's range
// (quantize_range.wgsl, quantize_scale.wgsl) share: ranges kept as order keys
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
