// The all-pole recursion (src/backends/all_pole.ts) behind tm.signal's IIR
// filters: for v [rows, n] and a [a1 … ap] (p ≤ 8, a0 = 1 understood),
// out[r, i] = v[r, i] − Σₖ aₖ·out[r, i − k]. Each output depends on the
// last p, so a row is one chain: one invocation per row walks it in order,
// the last p outputs kept in registers. Rows run side by side; a single
// long row is one invocation's loop (the ops layer runs a long filter of
// tensor coefficients as a doubling scan of ops instead).
override WG: u32 = 64;

struct Params {
  rows: u32,
  n: u32,
  p: u32,
  unused: u32,
  /** a1 … ap, four to a vector (a uniform array's elements are 16 bytes apart). */
  a: array<vec4f, 2>,
}

@group(0) @binding(0) var<storage, read> v: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = gid.x + gid.y * groups.x * WG;
  if (r >= params.rows) { return; }
  var coefficients: array<f32, 8>;
  for (var k = 0u; k < params.p; k++) { coefficients[k] = params.a[k / 4u][k % 4u]; }
  var last: array<f32, 8>; // last[k] = out[r, i − 1 − k]
  let base = r * params.n;
  for (var i = 0u; i < params.n; i++) {
    var w = v[base + i];
    for (var k = 0u; k < params.p; k++) { w -= coefficients[k] * last[k]; }
    for (var k = params.p - 1u; k > 0u && k < 8u; k--) { last[k] = last[k - 1u]; }
    last[0] = w;
    out[base + i] = w;
  }
}
