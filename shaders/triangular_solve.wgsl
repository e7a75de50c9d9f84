// x = A⁻¹·b for each matrix of b (f32, [batch, n, k]) and A (f32, [batch,
// n, n]) read as its upper triangle (back substitution) or its lower
// (forward substitution), the other not read, its diagonal taken as 1 (and
// not read) where unit: each sum in f32 in the order the js loop takes.
// One invocation per right-hand side, a column of b, working in x's column
// as lu_solve.wgsl does: neighbouring invocations take neighbouring columns
// of one matrix, so each step reads a contiguous run of x and the same
// entry of a. A zero on the diagonal gives ±∞ or NaN. TypeScript writes
// nothing in front.
override WG: u32 = 64;

struct Params {
  /** batch × k: the columns. */
  columns: u32,
  n: u32,
  k: u32,
  /** 1: A is upper triangular, 0: lower. */
  upper: u32,
  /** 1: A's diagonal is taken as 1. */
  unit: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let column = gid.x + gid.y * groups.x * WG;
  if (column >= params.columns) { return; }
  let n = params.n;
  let k = params.k;
  let matrix = column / k;
  let base = matrix * n * n;
  // Entry i of this column of b and x.
  let at = matrix * n * k + column % k;
  for (var i = 0u; i < n; i++) { x[at + i * k] = b[at + i * k]; }
  for (var step = 0u; step < n; step++) {
    let i = select(step, n - 1u - step, params.upper == 1u);
    var s = x[at + i * k];
    if (params.upper == 1u) {
      for (var j = i + 1u; j < n; j++) { s -= a[base + i * n + j] * x[at + j * k]; }
    } else {
      for (var j = 0u; j < i; j++) { s -= a[base + i * n + j] * x[at + j * k]; }
    }
    if (params.unit == 0u) { s /= a[base + i * n + i]; }
    x[at + i * k] = s;
  }
}
