// dot4 for the int8 matmul kernels without packed_4x8_integer_dot_product:
// a word's four signed bytes are extracted once (`bytes4`, sign-extended into
// a vec4i) where the kernel loads the word, so a word of A used against
// TILE_N words of B is unpacked once, not TILE_N times; `dot4` is then a
// plain integer dot product.
alias Bytes4 = vec4i;
fn bytes4(word: u32) -> vec4i {
  let v = bitcast<i32>(word);
  return vec4i(extractBits(v, 0u, 8u), extractBits(v, 8u, 8u), extractBits(v, 16u, 8u), extractBits(v, 24u, 8u));
}
fn dot4(a: vec4i, b: vec4i) -> i32 { return dot(a, b); }
