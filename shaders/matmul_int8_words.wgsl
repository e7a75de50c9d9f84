// Loads of the int8 product kernels (matmul_int8.wgsl,
// matmul_int8_subgroup.wgsl), which declare the bindings a and b
// (array<u32>, four int8 to a word): four bytes at any byte offset, a word's
// worth of a row that need not start on a word.

// The four bytes starting at byte `at` of a.
fn word_a(at: u32) -> u32 {
  let shift = (at & 3u) * 8u;
  let lo = a[at >> 2u];
  if (shift == 0u) { return lo; }
  return (lo >> shift) | (a[(at >> 2u) + 1u] << (32u - shift));
}
fn word_b(at: u32) -> u32 {
  let shift = (at & 3u) * 8u;
  let lo = b[at >> 2u];
  if (shift == 0u) { return lo; }
  return (lo >> shift) | (b[(at >> 2u) + 1u] << (32u - shift));
}
