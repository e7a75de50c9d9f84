// The reduced singular value decomposition of each matrix of a (f32,
// [batch, m, n]), k = min(m, n): u [batch, m, k], s [batch, k] descending,
// vh [batch, k, n].
//
// One workgroup per matrix, by one-sided Jacobi (Hestenes 1958), which
// rotates pairs of columns of W (A, or Aᵀ where A is wide: rows × k) until
// they are orthogonal, V gathering the rotations: W·V⁻¹ stays A (or Aᵀ), so
// W's column norms are the singular values, its normalized columns one side's
// vectors and V's columns the other's. AᵀA is never formed (that would
// square A's condition number). The pairs of a step are disjoint and taken
// round-robin as in eigh_jacobi.wgsl, each plane's rotation from its two
// columns' Gram entries α, β, γ (one invocation's sums), then all applied
// at once; a pair orthogonal to √rows times f32's rounding of its columns'
// lengths is left alone, and a sweep that rotates nothing ends the loop.
// The columns then take their ranks by norm (descending, ties by position)
// and, where a norm is exactly 0 (rank below k), the normalized column is
// made a unit vector orthogonal to those before it: e_i for the row i least
// represented in them, less its projection on them, twice, normalized.
//
// work holds per matrix W (rows × k), V (k × k), Q (rows × k, W's columns
// normalized and ranked), the step's rotations (c then s, k/2 each, k
// rounded up to even) and k column norms. TypeScript writes nothing in
// front; WG (a power of two) is an override.
override WG: u32 = 64;

const MAX_SWEEPS = 40u;
const EPS = 1.1920929e-7;

struct Params {
  batch: u32,
  m: u32,
  n: u32,
  /** k rounded up to even: the players of the round robin. */
  padded: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> u: array<f32>;
@group(0) @binding(2) var<storage, read_write> s: array<f32>;
@group(0) @binding(3) var<storage, read_write> vh: array<f32>;
@group(0) @binding(4) var<storage, read_write> work: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

var<workgroup> rotated: atomic<u32>;
var<workgroup> again: u32;
var<workgroup> flag: u32;
var<workgroup> chosen: u32;
var<workgroup> column_length: f32;

/** The plane of pair i at a step of the round robin over `padded` indices, (p, q) with p < q. */
fn plane(step: u32, i: u32, padded: u32) -> vec2u {
  let turning = padded - 1u;
  var pq = vec2u(step, turning);
  if (i > 0u) { pq = vec2u((step + i) % turning, (step + turning - i) % turning); }
  return vec2u(min(pq.x, pq.y), max(pq.x, pq.y));
}

/** Descending by value, NaN last, ties by position: a strict order, so ranks are distinct. */
fn before(x: f32, i: u32, y: f32, j: u32) -> bool {
  let xnan = x != x;
  let ynan = y != y;
  if (xnan || ynan) { return (!xnan && ynan) || (xnan && ynan && i < j); }
  return x > y || (x == y && i < j);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let matrix = wid.x + wid.y * groups.x;
  if (matrix >= params.batch) { return; }
  let m = params.m;
  let n = params.n;
  let wide = m < n;
  let rows = max(m, n);
  let k = min(m, n);
  let padded = params.padded;
  let half = padded / 2u;
  let W = matrix * (2u * rows * k + k * k + padded + k);
  let V = W + rows * k;
  let Q = V + k * k;
  let C = Q + rows * k;
  let S = C + half;
  let NORMS = S + half;
  let tolerance = EPS * sqrt(f32(rows));

  for (var e = lid; e < rows * k; e += WG) {
    let r = e / k;
    let c = e % k;
    work[W + e] = select(a[matrix * m * n + r * n + c], a[matrix * m * n + c * n + r], wide);
  }
  for (var e = lid; e < k * k; e += WG) { work[V + e] = select(0.0, 1.0, e / k == e % k); }
  storageBarrier();

  for (var sweep = 0u; sweep < MAX_SWEEPS; sweep++) {
    if (lid == 0u) { atomicStore(&rotated, 0u); }
    workgroupBarrier();
    for (var step = 0u; step + 1u < padded; step++) {
      for (var i = lid; i < half; i += WG) {
        let pq = plane(step, i, padded);
        var c = 1.0;
        var sn = 0.0;
        if (pq.y < k) {
          var alpha = 0.0;
          var beta = 0.0;
          var gamma = 0.0;
          for (var r = 0u; r < rows; r++) {
            let x = work[W + r * k + pq.x];
            let y = work[W + r * k + pq.y];
            alpha += x * x;
            beta += y * y;
            gamma += x * y;
          }
          if (abs(gamma) > tolerance * sqrt(alpha) * sqrt(beta)) {
            let zeta = (beta - alpha) / (2.0 * gamma);
            let t = select(-1.0, 1.0, zeta >= 0.0) / (abs(zeta) + sqrt(1.0 + zeta * zeta));
            c = 1.0 / sqrt(1.0 + t * t);
            sn = t * c;
            atomicAdd(&rotated, 1u);
          }
        }
        work[C + i] = c;
        work[S + i] = sn;
      }
      storageBarrier();
      // Columns p and q of W (r < rows) and of V (r − rows), entry r of pair i at e = i·(rows + k) + r.
      for (var e = lid; e < half * (rows + k); e += WG) {
        let i = e / (rows + k);
        let r = e % (rows + k);
        let pq = plane(step, i, padded);
        if (pq.y >= k) { continue; }
        let at = select(W + r * k, V + (r - rows) * k, r >= rows);
        let c = work[C + i];
        let sn = work[S + i];
        let x = work[at + pq.x];
        let y = work[at + pq.y];
        work[at + pq.x] = c * x - sn * y;
        work[at + pq.y] = sn * x + c * y;
      }
      storageBarrier();
    }
    workgroupBarrier();
    if (lid == 0u) { again = atomicLoad(&rotated); }
    if (workgroupUniformLoad(&again) == 0u) { break; }
  }

  for (var j = lid; j < k; j += WG) {
    var squares = 0.0;
    for (var r = 0u; r < rows; r++) { squares += work[W + r * k + j] * work[W + r * k + j]; }
    work[NORMS + j] = sqrt(squares);
  }
  storageBarrier();
  for (var j = lid; j < k; j += WG) {
    let norm = work[NORMS + j];
    var rank = 0u;
    for (var l = 0u; l < k; l++) {
      if (before(work[NORMS + l], l, norm, j)) { rank++; }
    }
    s[matrix * k + rank] = norm;
    for (var r = 0u; r < rows; r++) { work[Q + r * k + rank] = select(0.0, work[W + r * k + j] / norm, norm > 0.0); }
    // V's column j: A's right singular vector (tall A, a row of vh) or its left one (wide A, a column of u).
    for (var i = 0u; i < k; i++) {
      let x = work[V + i * k + j];
      if (wide) { u[matrix * m * k + i * k + rank] = x; } else { vh[matrix * k * n + rank * n + i] = x; }
    }
  }
  storageBarrier();

  // Zero norms rank last: complete Q's columns from the first of them on.
  for (var c = 0u; c < k; c++) {
    if (lid == 0u) { flag = select(0u, 1u, s[matrix * k + c] == 0.0); }
    if (workgroupUniformLoad(&flag) == 0u) { continue; }
    // Each row's weight in the columns before c, in column c (zero) for now.
    for (var r = lid; r < rows; r += WG) {
      var weight = 0.0;
      for (var d = 0u; d < c; d++) { weight += work[Q + r * k + d] * work[Q + r * k + d]; }
      work[Q + r * k + c] = weight;
    }
    storageBarrier();
    if (lid == 0u) {
      var best = 0u;
      for (var r = 1u; r < rows; r++) {
        if (work[Q + r * k + c] < work[Q + best * k + c]) { best = r; }
      }
      chosen = best;
    }
    let i = workgroupUniformLoad(&chosen);
    storageBarrier();
    for (var r = lid; r < rows; r += WG) {
      var x = select(0.0, 1.0, r == i);
      for (var d = 0u; d < c; d++) { x -= work[Q + i * k + d] * work[Q + r * k + d]; }
      work[Q + r * k + c] = x;
    }
    storageBarrier();
    // Once more against the columns before c (their projections, in NORMS, no longer needed).
    for (var d = lid; d < c; d += WG) {
      var dot = 0.0;
      for (var r = 0u; r < rows; r++) { dot += work[Q + r * k + d] * work[Q + r * k + c]; }
      work[NORMS + d] = dot;
    }
    storageBarrier();
    for (var r = lid; r < rows; r += WG) {
      var x = work[Q + r * k + c];
      for (var d = 0u; d < c; d++) { x -= work[NORMS + d] * work[Q + r * k + d]; }
      work[Q + r * k + c] = x;
    }
    storageBarrier();
    if (lid == 0u) {
      var squares = 0.0;
      for (var r = 0u; r < rows; r++) { squares += work[Q + r * k + c] * work[Q + r * k + c]; }
      column_length = sqrt(squares);
    }
    let norm = workgroupUniformLoad(&column_length);
    for (var r = lid; r < rows; r += WG) { work[Q + r * k + c] /= norm; }
    storageBarrier();
  }

  // Q: A's left singular vectors (tall A, u's columns) or its right ones (wide A, vh's rows).
  for (var e = lid; e < rows * k; e += WG) {
    let r = e / k;
    let c = e % k;
    if (wide) { vh[matrix * k * n + c * n + r] = work[Q + e]; } else { u[matrix * m * k + e] = work[Q + e]; }
  }
}
