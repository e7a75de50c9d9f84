// Elementwise kernel for dtypes stored several to a u32 word (i8 four to a
// word; f16 two to a word on adapters without shader-f16): each invocation
// computes the PER_WORD elements of one output word with the generated
// value(i) (see elementwise.wgsl) and writes the word whole, since WGSL
// cannot store less than 32 bits.
override WORKGROUP: u32 = 256;
override N: u32;
// 4 for i8, 2 for packed f16.
override PER_WORD: u32;

@group(0) @binding(0) var<storage, read_write> out: array<u32>;

fn pack_element(v: Value, e: u32) -> u32 {
  if (PER_WORD == 4u) { return (bitcast<u32>(i32(v)) & 0xffu) << (8u * e); }
  return f16_bits(f32(v)) << (16u * e);
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let w = gid.x + gid.y * groups.x * WORKGROUP;
  if (w * PER_WORD >= N) { return; }
  var word = 0u;
  for (var e = 0u; e < PER_WORD; e++) {
    let i = w * PER_WORD + e;
    if (i < N) { word |= pack_element(value(i), e); }
  }
  out[w] = word;
}
