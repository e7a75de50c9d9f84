// x = A⁻¹·b for each matrix of b (f32, [batch, n, k]) from A's
// Bunch–Kaufman factors (shaders/ldl.wgsl: ld [batch, n, n], pivots
// [batch, n]), LAPACK's sytrs for uplo 'L': forward through the steps (each
// one's interchange, its column(s) of L, its block of D), then back through
// them (Lᵀ's dot products, then the interchange), each sum in f32 in the
// order the js loop takes. One invocation per right-hand side, a column of
// b, working in x's column: neighbouring invocations take neighbouring
// columns of one matrix, so each step reads a contiguous run of x and the
// same entry of ld. A singular block of D gives ±∞ or NaN, and pivots not
// of the packed form a column of NaN. TypeScript writes nothing in front.
override WG: u32 = 64;

struct Params {
  /** batch × k: the columns. */
  columns: u32,
  n: u32,
  k: u32,
}

@group(0) @binding(0) var<storage, read> ld: array<f32>;
@group(0) @binding(1) var<storage, read> pivots: array<i32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn swap(i: u32, j: u32) {
  let t = x[i];
  x[i] = x[j];
  x[j] = t;
}

fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }

/** Whether the n pivots from p0 are ldl.wgsl's: p in [s, n) at a 1 × 1 block, −(p + 1) on both rows of a 2 × 2 one with p in (s, n). */
fn well_formed(p0: u32, n: u32) -> bool {
  var s = 0u;
  while (s < n) {
    let piv = pivots[p0 + s];
    if (piv >= 0) {
      if (u32(piv) < s || u32(piv) >= n) { return false; }
      s += 1u;
    } else {
      let p = u32(-piv - 1);
      if (s + 1u >= n || pivots[p0 + s + 1u] != piv || p <= s || p >= n) { return false; }
      s += 2u;
    }
  }
  return true;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let column = gid.x + gid.y * groups.x * WG;
  if (column >= params.columns) { return; }
  let n = params.n;
  let k = params.k;
  let matrix = column / k;
  let f = matrix * n * n;
  let p0 = matrix * n;
  // Entry i of this column of b and x is at + i·k.
  let at = matrix * n * k + column % k;
  // Pivots not of the packed form (PyTorch's 1-based ones, half a 2 × 2 block) cannot be refused from
  // here: the column comes out NaN, and no step reads or swaps past the matrix.
  if (!well_formed(p0, n)) {
    for (var i = 0u; i < n; i++) { x[at + i * k] = nan_f32(); }
    return;
  }
  for (var i = 0u; i < n; i++) { x[at + i * k] = b[at + i * k]; }
  var s = 0u;
  while (s < n) {
    let piv = pivots[p0 + s];
    if (piv >= 0) {
      swap(at + s * k, at + u32(piv) * k);
      let xs = x[at + s * k];
      for (var i = s + 1u; i < n; i++) { x[at + i * k] -= ld[f + i * n + s] * xs; }
      x[at + s * k] = xs / ld[f + s * n + s];
      s += 1u;
    } else {
      swap(at + (s + 1u) * k, at + u32(-piv - 1) * k);
      let xs = x[at + s * k];
      let xs1 = x[at + (s + 1u) * k];
      for (var i = s + 2u; i < n; i++) { x[at + i * k] -= ld[f + i * n + s] * xs + ld[f + i * n + s + 1u] * xs1; }
      let off = ld[f + (s + 1u) * n + s];
      let a = ld[f + s * n + s] / off;
      let c = ld[f + (s + 1u) * n + s + 1u] / off;
      let denom = a * c - 1.0;
      let y = xs / off;
      let y1 = xs1 / off;
      x[at + s * k] = (c * y - y1) / denom;
      x[at + (s + 1u) * k] = (a * y1 - y) / denom;
      s += 2u;
    }
  }
  // Back through the steps: s counts down from n, the step ending at row s − 1.
  s = n;
  while (s > 0u) {
    let r = s - 1u;
    let piv = pivots[p0 + r];
    if (piv >= 0) {
      var v = x[at + r * k];
      for (var i = r + 1u; i < n; i++) { v -= ld[f + i * n + r] * x[at + i * k]; }
      x[at + r * k] = v;
      swap(at + r * k, at + u32(piv) * k);
      s -= 1u;
    } else {
      var v = x[at + r * k];
      var v1 = x[at + (r - 1u) * k];
      for (var i = r + 1u; i < n; i++) {
        v -= ld[f + i * n + r] * x[at + i * k];
        v1 -= ld[f + i * n + r - 1u] * x[at + i * k];
      }
      x[at + r * k] = v;
      x[at + (r - 1u) * k] = v1;
      swap(at + r * k, at + u32(-piv - 1) * k);
      s -= 2u;
    }
  }
}
