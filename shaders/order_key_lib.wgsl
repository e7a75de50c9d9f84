// An f32's bits as a u32 key that orders as the values do, for kernels that
// must compare floats exactly whatever the compiler does with subnormals
// (Mesa 26's lavapipe flushes them): the tree walk's thresholds,
// searchsorted's entries, DynamicQuantizeLinear's range. Both zeros are one
// key (ZERO_KEY), negatives lie below it with their bits inverted, positives
// above it. NaN has no place in this order: callers test for it first.
// TypeScript puts this file in front of each of those kernels.

const ZERO_KEY = 0x80000000u;

/** A non-NaN f32's bits as its key. */
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
