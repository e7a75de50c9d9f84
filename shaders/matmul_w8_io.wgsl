// The bindings and loads of the int8-weight kernels (matmul_w8.wgsl,
// matmul_w8_subgroup.wgsl): x float (In), w four int8 to a word, the f32
// scales of w's rows, the f32 output. x is rounded to f16 as it is loaded
// where it is stored in f32 (ROUND_X): the f16 way multiplies x in f16, and
// rounding in registers spares a launch that would write an f16 copy of x
// first. round_f16 is elementwise_lib.wgsl's, which TypeScript appends.

// tiles_x, tiles_y, batches (1): where tile_grid.wgsl places workgroups.
struct Dims { M: u32, N: u32, K: u32, tiles_x: u32, tiles_y: u32, batches: u32 }

@group(0) @binding(0) var<storage, read> x: array<In>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> scales: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> dims: Dims;

// The four bytes of w starting at byte `at`.
fn word_w(at: u32) -> u32 {
  let shift = (at & 3u) * 8u;
  let lo = w[at >> 2u];
  if (shift == 0u) { return lo; }
  return (lo >> shift) | (w[(at >> 2u) + 1u] << (32u - shift));
}

// A word's four signed bytes as floats, lowest byte first.
fn bytes_as_floats(word: u32) -> vec4f {
  let v = bitcast<i32>(word);
  return vec4f(f32(extractBits(v, 0u, 8u)), f32(extractBits(v, 8u, 8u)), f32(extractBits(v, 16u, 8u)), f32(extractBits(v, 24u, 8u)));
}

// x rounded to f16 precision (nearest even). In f16's normal range that is
// rounding away the low 13 bits of the f32 mantissa, a few integer ops, which
// leave ±0 as they are too (zeros are common: a ReLU's output is half zeros);
// the rest (subnormal halves, overflow to ±∞, NaN) takes elementwise_lib's
// round_f16, rarely enough that its branches cost nothing.
fn to_f16_precision(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  let a = b & 0x7fffffffu;
  if ((a >= 0x38800000u && a < 0x477ff000u) || a == 0u) { return bitcast<f32>((b + 0xfffu + ((b >> 13u) & 1u)) & 0xffffe000u); }
  return round_f16(v);
}

// x[at], …, x[at + 3] in f16 precision, as f32; zero from the `left`-th on (k past K).
fn x_four(at: u32, left: u32) -> vec4f {
  var v = vec4f(0.0);
  for (var e = 0u; e < 4u; e++) {
    if (e < left) {
      if (ROUND_X) { v[e] = to_f16_precision(f32(x[at + e])); } else { v[e] = f32(x[at + e]); }
    }
  }
  return v;
}
