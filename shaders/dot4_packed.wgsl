// dot4 for matmul_int8.wgsl on adapters with packed_4x8_integer_dot_product:
// the four signed byte products of a and b, summed, in one builtin.
fn dot4(a: u32, b: u32) -> i32 { return dot4I8Packed(a, b); }
