// A max pooling's forward: out[o, j] = the largest x[o, table[j, t]] over
// the window's taps t, for x read as [outer, n] and the table (i32) as
// [windows, taps] of positions in a row (ops/windows.ts makes it; a position
// outside [0, n) is padding and picks nothing; every window picks at least
// one). NaN if any picked value is NaN, as tm.max. One invocation per output
// element: neighbouring invocations read neighbouring windows of one row.
override WORKGROUP: u32 = 256;

struct Params {
  size: u32,
  n: u32,
  windows: u32,
  taps: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read> table: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.size) { return; }
  let row = (i / params.windows) * params.n;
  let first = (i % params.windows) * params.taps;
  // In f32, where NaN is found by its bits: an ordered comparison (v != v) may be compiled away.
  var best = 0.0;
  var picked = false;
  for (var t = first; t < first + params.taps; t++) {
    let at = table[t];
    if (at < 0 || u32(at) >= params.n) { continue; }
    let v = f32(x[row + u32(at)]);
    if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { best = v; break; }
    if (!picked || v > best) { best = v; picked = true; }
  }
  out[i] = T(best);
}
