// The eigendecomposition of each symmetric matrix of a (f32, [batch, n, n],
// from its lower triangle, as torch.linalg.eigh reads it): values [batch, n]
// ascending and vectors [batch, n, n], the eigenvectors as columns.
//
// One workgroup per matrix, by parallel cyclic Jacobi: a sweep is n − 1
// steps (n rounded up to even, a pair holding the extra index skipped) of
// n/2 disjoint rotation planes (p, q), round-robin (the circle method: one
// index fixed, the others turning), so each index meets every other once a
// sweep. A step's rotations are computed from A as it stands, each zeroing
// its A[p, q] (Golub & Van Loan, Algorithm 8.5.1), and applied together,
// with a barrier between phases: A's rows p and q, then its columns p and q
// and V's. Planes are disjoint, so no two updates touch one entry. An
// A[p, q] within f32's rounding of A's Frobenius norm is left alone, and a
// sweep that rotates nothing ends the loop (MAX_SWEEPS at most: a matrix
// holding NaN never converges). Then each eigenvalue's rank among the
// diagonal (by value, ties by position) places it and its column of V.
//
// work holds per matrix A (n × n, the lower triangle mirrored), V (n × n,
// from I) and the step's rotations (c then s, n/2 each, n rounded up).
// TypeScript writes nothing in front; WG (a power of two) is an override.
override WG: u32 = 64;

const MAX_SWEEPS = 40u;
const EPS = 1.1920929e-7;

struct Params {
  batch: u32,
  n: u32,
  /** n rounded up to even: the players of the round robin. */
  padded: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> vectors: array<f32>;
@group(0) @binding(3) var<storage, read_write> work: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> partial: array<f32, WG>;
var<workgroup> rotated: atomic<u32>;
var<workgroup> again: u32;

/** The plane of pair i at a step of the round robin over `padded` indices, (p, q) with p < q. */
fn plane(step: u32, i: u32, padded: u32) -> vec2u {
  let turning = padded - 1u;
  var pq = vec2u(step, turning);
  if (i > 0u) { pq = vec2u((step + i) % turning, (step + turning - i) % turning); }
  return vec2u(min(pq.x, pq.y), max(pq.x, pq.y));
}

/** Ascending by value, NaN last, ties by position: a strict order, so ranks are distinct. */
fn before(x: f32, i: u32, y: f32, j: u32) -> bool {
  let xnan = x != x;
  let ynan = y != y;
  if (xnan || ynan) { return (!xnan && ynan) || (xnan && ynan && i < j); }
  return x < y || (x == y && i < j);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let matrix = wid.x + wid.y * groups.x;
  if (matrix >= params.batch) { return; }
  let n = params.n;
  let padded = params.padded;
  let half = padded / 2u;
  let base = matrix * n * n;
  let A = matrix * (2u * n * n + padded);
  let V = A + n * n;
  let C = V + n * n;
  let S = C + half;

  var squares = 0.0;
  for (var e = lid; e < n * n; e += WG) {
    let i = e / n;
    let j = e % n;
    let x = a[base + max(i, j) * n + min(i, j)];
    work[A + e] = x;
    work[V + e] = select(0.0, 1.0, i == j);
    squares += x * x;
  }
  partial[lid] = squares;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width /= 2u) {
    if (lid < width) { partial[lid] += partial[lid + width]; }
    workgroupBarrier();
  }
  let negligible = EPS * sqrt(partial[0]);
  storageBarrier();

  for (var sweep = 0u; sweep < MAX_SWEEPS; sweep++) {
    if (lid == 0u) { atomicStore(&rotated, 0u); }
    workgroupBarrier();
    for (var step = 0u; step + 1u < padded; step++) {
      for (var i = lid; i < half; i += WG) {
        let pq = plane(step, i, padded);
        var c = 1.0;
        var s = 0.0;
        if (pq.y < n) {
          let apq = work[A + pq.x * n + pq.y];
          if (abs(apq) > negligible) {
            let tau = (work[A + pq.y * n + pq.y] - work[A + pq.x * n + pq.x]) / (2.0 * apq);
            let t = select(-1.0, 1.0, tau >= 0.0) / (abs(tau) + sqrt(1.0 + tau * tau));
            c = 1.0 / sqrt(1.0 + t * t);
            s = t * c;
            atomicAdd(&rotated, 1u);
          }
        }
        work[C + i] = c;
        work[S + i] = s;
      }
      storageBarrier();
      // Rows p and q of A, entry k of pair i at e = i·n + k.
      for (var e = lid; e < half * n; e += WG) {
        let i = e / n;
        let k = e % n;
        let pq = plane(step, i, padded);
        if (pq.y >= n) { continue; }
        let c = work[C + i];
        let s = work[S + i];
        let x = work[A + pq.x * n + k];
        let y = work[A + pq.y * n + k];
        work[A + pq.x * n + k] = c * x - s * y;
        work[A + pq.y * n + k] = s * x + c * y;
      }
      storageBarrier();
      // Columns p and q of A and of V.
      for (var e = lid; e < half * n; e += WG) {
        let i = e / n;
        let k = e % n;
        let pq = plane(step, i, padded);
        if (pq.y >= n) { continue; }
        let c = work[C + i];
        let s = work[S + i];
        let x = work[A + k * n + pq.x];
        let y = work[A + k * n + pq.y];
        work[A + k * n + pq.x] = c * x - s * y;
        work[A + k * n + pq.y] = s * x + c * y;
        let vx = work[V + k * n + pq.x];
        let vy = work[V + k * n + pq.y];
        work[V + k * n + pq.x] = c * vx - s * vy;
        work[V + k * n + pq.y] = s * vx + c * vy;
      }
      storageBarrier();
    }
    workgroupBarrier();
    if (lid == 0u) { again = atomicLoad(&rotated); }
    if (workgroupUniformLoad(&again) == 0u) { break; }
  }

  for (var j = lid; j < n; j += WG) {
    let d = work[A + j * n + j];
    var rank = 0u;
    for (var k = 0u; k < n; k++) {
      if (before(work[A + k * n + k], k, d, j)) { rank++; }
    }
    values[matrix * n + rank] = d;
    for (var i = 0u; i < n; i++) { vectors[base + i * n + rank] = work[V + i * n + j]; }
  }
}
