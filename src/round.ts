// Rounding to the nearest integer with halves to the even one: NumPy's,
// PyTorch's, Python's round(), C's nearbyint and WGSL's round. Math.round
// takes halves up (−2.5 → −2, 2.5 → 3).

/** x to the nearest integer, halves to the even one. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
