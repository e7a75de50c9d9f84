// What the passes of DynamicQuantizeLinear that find x's range
// (quantize_range.wgsl, quantize_scale.wgsl) share: ranges kept as order keys
// of the values' bits (so that a flushed subnormal still counts as what it
// is) with flags for a NaN and an infinity seen, and a workgroup's fold of
// its invocations' ranges as a tree in workgroup memory (no atomics: on
// lavapipe each atomic is a locked instruction per invocation, which made
// the first version 2× slower than the composed ops). Each pass puts this
// file in front of its own; WG is the pass's override.

/** The key of 0 (either zero): a range starts at [0, 0], as DynamicQuantizeLinear widens it to hold 0. */
const ZERO_KEY = 0x80000000u;
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

/** A non-NaN f32's bits as a u32 ordered as the values are, both zeros ZERO_KEY. */
fn ordered(b: u32) -> u32 {
  if ((b & 0x7fffffffu) == 0u) { return ZERO_KEY; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}

/** The f32 bits a key stands for; both zeros come back +0. */
fn from_ordered(key: u32) -> u32 {
  if (key == ZERO_KEY) { return 0u; }
  if ((key & 0x80000000u) != 0u) { return key & 0x7fffffffu; }
  return ~key;
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
