// What the two passes of DynamicQuantizeLinear (quantize_range.wgsl,
// quantize_uint8.wgsl) share: a workgroup's running range of x, kept as
// order keys of the values' bits (so that a flushed subnormal still counts
// as what it is), and whether a NaN or an infinity was seen. Each pass puts
// this file in front of its own.

var<workgroup> lo: atomic<u32>;
var<workgroup> hi: atomic<u32>;
var<workgroup> nan_seen: atomic<u32>;
var<workgroup> inf_seen: atomic<u32>;

/** The key of 0 (either zero): the range starts at [0, 0], as DynamicQuantizeLinear widens it to hold 0. */
const ZERO_KEY = 0x80000000u;

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

/** Sets the workgroup's range to [0, 0], nothing seen; every invocation calls it, before a barrier. */
fn clear_range(lid: u32) {
  if (lid == 0u) {
    atomicStore(&lo, ZERO_KEY);
    atomicStore(&hi, ZERO_KEY);
  }
}

/** Folds one invocation's range and flags into the workgroup's. */
fn fold_range(low: u32, high: u32, nan: u32, inf: u32) {
  atomicMin(&lo, low);
  atomicMax(&hi, high);
  atomicMax(&nan_seen, nan);
  atomicMax(&inf_seen, inf);
}
