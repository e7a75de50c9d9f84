// Fills a buffer with one 32-bit pattern: the test mode's poison (all ones:
// NaN as f32, -1 as i32 and as every i8), so that an output element a kernel
// forgot to write shows up in the results; and zeros where a kernel adds
// into its output (shaders/scatter_add.wgsl). One invocation per word.
override WORKGROUP: u32 = 256;

struct Params { words: u32, pattern: u32 }

@group(0) @binding(0) var<storage, read_write> target_words: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i < params.words) { target_words[i] = params.pattern; }
}
