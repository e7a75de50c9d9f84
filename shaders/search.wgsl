// The binary-search kernel (src/backends/search.ts) behind searchsorted and
// bucketize: out[r, j] = the first index i of row r of sorted [rows, n]
// whose entry is ≥ values[r, j] (> when RIGHT), n when none, for values
// [rows, m]. One invocation per value, values fastest: each halves the range
// its answer lies in, about log2(n) + 1 reads of its row, and writes its
// own output. FLOAT is false for i32 entries and values (T i32), true for
// f32 (T f32).
//
// Entries and values are compared as u32 keys of their bits that order as
// the numbers do: an i32 with its sign bit flipped; an f32 by its order key
// (order_key_lib.wgsl: both zeros one key, negatives' bits inverted), every
// NaN the largest key (NaN after every number, all NaNs equal). So a flushed
// subnormal is still above zero and a NaN compares as the js and native
// backends order it. TypeScript writes T, FLOAT and RIGHT in front, and
// order_key_lib.wgsl; WG is an override.
override WG: u32 = 64;

struct Params {
  size: u32,
  n: u32,
  m: u32,
  unused: u32,
}

@group(0) @binding(0) var<storage, read> sorted: array<T>;
@group(0) @binding(1) var<storage, read> values: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

/** The order key of an entry or a value. */
fn key(v: T) -> u32 {
  let b = bitcast<u32>(v);
  if (!FLOAT) { return b ^ 0x80000000u; }
  if ((b & 0x7fffffffu) > 0x7f800000u) { return 0xffffffffu; }
  return ordered(b);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.size) { return; }
  let base = (i / params.m) * params.n;
  let k = key(values[i]);
  // The answer lies in [lo, lo + count]: an entry before the value moves lo past it, any other ends the range there.
  var lo = 0u;
  var count = params.n;
  while (count > 0u) {
    let half = count / 2u;
    let e = key(sorted[base + lo + half]);
    if (select(e < k, e <= k, RIGHT)) {
      lo += half + 1u;
      count -= half + 1u;
    } else {
      count = half;
    }
  }
  out[i] = i32(lo);
}
