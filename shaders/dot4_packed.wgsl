// dot4 for the int8 matmul kernels on adapters with
// packed_4x8_integer_dot_product: words stay packed (`bytes4` is the word
// itself) and the four signed byte products are summed in one builtin.
alias Bytes4 = u32;
fn bytes4(word: u32) -> u32 { return word; }
fn dot4(a: u32, b: u32) -> i32 { return dot4I8Packed(a, b); }
