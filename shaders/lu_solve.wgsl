// x = A⁻¹·b for each matrix of b (f32, [batch, n, k]) from A's LU factors
// (shaders/lu.wgsl: lu [batch, n, n], pivots [batch, n]): b's rows swapped
// as the pivots say, forward substitution with L (unit diagonal), back
// substitution with U, each sum in f32 in the order the js loop takes.
// One invocation per right-hand side, a column of b, working in x's column
// (the same column of x, in place): neighbouring invocations take
// neighbouring columns of one matrix, so each step reads a contiguous run of
// x and the same entry of lu. A zero on U's diagonal gives ±∞ or NaN.
// TypeScript writes nothing in front.
override WG: u32 = 64;

struct Params {
  /** batch × k: the columns. */
  columns: u32,
  n: u32,
  k: u32,
}

@group(0) @binding(0) var<storage, read> lu: array<f32>;
@group(0) @binding(1) var<storage, read> pivots: array<i32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let column = gid.x + gid.y * groups.x * WG;
  if (column >= params.columns) { return; }
  let n = params.n;
  let k = params.k;
  let matrix = column / k;
  let factors = matrix * n * n;
  // Entry i of this column of b and x.
  let at = matrix * n * k + column % k;
  for (var i = 0u; i < n; i++) { x[at + i * k] = b[at + i * k]; }
  for (var i = 0u; i < n; i++) {
    let p = u32(pivots[matrix * n + i]);
    let t = x[at + i * k];
    x[at + i * k] = x[at + p * k];
    x[at + p * k] = t;
  }
  for (var i = 1u; i < n; i++) {
    var s = x[at + i * k];
    for (var j = 0u; j < i; j++) { s -= lu[factors + i * n + j] * x[at + j * k]; }
    x[at + i * k] = s;
  }
  for (var r = 0u; r < n; r++) {
    let i = n - 1u - r;
    var s = x[at + i * k];
    for (var j = i + 1u; j < n; j++) { s -= lu[factors + i * n + j] * x[at + j * k]; }
    x[at + i * k] = s / lu[factors + i * n + i];
  }
}
