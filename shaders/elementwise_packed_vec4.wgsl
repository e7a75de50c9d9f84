// Elementwise kernel for dtypes stored several to a u32 word (i8 four to a
// word; f16 two to a word on adapters without shader-f16), four elements per
// invocation: value4(w) (see elementwise_vec4.wgsl) computes elements
// 4w..4w+3, reading inputs of the output's size a vec4 (or a packed word) at
// a time, and they are written as one i8 word or two f16 words. For element
// counts that are a multiple of four; elementwise_packed.wgsl does the rest.
// Element by element, the same chain took ~30% longer on lavapipe. A 2-D
// grid of workgroups covers more than 65535 × WORKGROUP invocations.
override WORKGROUP: u32 = 256;
// Output elements / 4.
override N4: u32;
// 4 for i8, 2 for packed f16.
override PER_WORD: u32;

@group(0) @binding(0) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let w = gid.x + gid.y * groups.x * WORKGROUP;
  if (w >= N4) { return; }
  let v = value4(w);
  if (PER_WORD == 4u) {
    let b = bitcast<vec4u>(vec4<i32>(v)) & vec4u(0xffu);
    out[w] = b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u);
  } else {
    let f = vec4<f32>(v);
    out[2u * w] = f16_bits(f.x) | (f16_bits(f.y) << 16u);
    out[2u * w + 1u] = f16_bits(f.z) | (f16_bits(f.w) << 16u);
  }
}
