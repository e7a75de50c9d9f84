// dot4 for matmul_int8.wgsl without packed_4x8_integer_dot_product: the same
// sum of four signed byte products, from bytes extracted (and sign-extended)
// one at a time.
fn dot4(a: u32, b: u32) -> i32 {
  let x = bitcast<i32>(a);
  let y = bitcast<i32>(b);
  var s = 0;
  for (var i = 0u; i < 4u; i++) { s += extractBits(x, i * 8u, 8u) * extractBits(y, i * 8u, 8u); }
  return s;
}
