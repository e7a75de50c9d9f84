// The Householder QR factorization of each m × n matrix of a (f32, [batch,
// m, n]), as LAPACK's geqrf then orgqr and the js backend's loop give it:
// A = Q·R, q [batch, m, c] with orthonormal columns and r [batch, c, n]
// upper triangular (0 below), c = min(m, n), or m for a complete Q.
//
// One workgroup per matrix, reducing a copy of it in work (storage: the
// matrix, then its k = min(m, n) values of τ). For each column j, with a
// barrier between phases: ‖x[1:]‖² of the column x on and below the
// diagonal by a tree reduction over the workgroup of each invocation's sum
// over its rows; the reflector as larfg chooses it, which every invocation
// works out alike (β = −sign(x[0])·‖x‖, τ = (β − x[0])/β, v = x[1:]/(x[0] −
// β) kept below the diagonal; a column 0 below the diagonal reflects
// nothing); the trailing columns reflected, one invocation per column; β
// and τ stored. Then R copied out of work's upper triangle, and Q formed as
// orgqr forms it: the identity's first c columns with the reflectors applied
// last first, one invocation per column again. Sums in f32: a column whose
// squares overflow (values past ~1e19) gives ∞ and NaN. TypeScript writes
// nothing in front; WG (a power of two) is an override.
override WG: u32 = 256;

struct Params {
  batch: u32,
  m: u32,
  n: u32,
  c: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> q: array<f32>;
@group(0) @binding(2) var<storage, read_write> r: array<f32>;
@group(0) @binding(3) var<storage, read_write> work: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let matrix = wid.x + wid.y * groups.x;
  if (matrix >= params.batch) { return; }
  let m = params.m;
  let n = params.n;
  let c = params.c;
  let k = min(m, n);
  let base = matrix * (m * n + k);
  let taus = base + m * n;
  for (var e = lid; e < m * n; e += WG) { work[base + e] = a[matrix * m * n + e]; }
  storageBarrier();
  for (var j = 0u; j < k; j++) {
    var s = 0.0;
    for (var i = j + 1u + lid; i < m; i += WG) {
      let v = work[base + i * n + j];
      s += v * v;
    }
    partial[lid] = s;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half /= 2u) {
      if (lid < half) { partial[lid] += partial[lid + half]; }
      workgroupBarrier();
    }
    let below = partial[0];
    let alpha = work[base + j * n + j];
    var beta = alpha;
    var tau = 0.0;
    if (below != 0.0) {
      let norm = sqrt(alpha * alpha + below);
      beta = select(norm, -norm, alpha >= 0.0);
      tau = (beta - alpha) / beta;
      let scale = 1.0 / (alpha - beta);
      for (var i = j + 1u + lid; i < m; i += WG) { work[base + i * n + j] *= scale; }
    }
    storageBarrier();
    if (tau != 0.0) {
      for (var col = j + 1u + lid; col < n; col += WG) {
        var d = work[base + j * n + col];
        for (var i = j + 1u; i < m; i++) { d += work[base + i * n + j] * work[base + i * n + col]; }
        d *= tau;
        work[base + j * n + col] -= d;
        for (var i = j + 1u; i < m; i++) { work[base + i * n + col] -= d * work[base + i * n + j]; }
      }
    }
    // Every invocation read x[0] before the first barrier; nothing reads it since.
    if (lid == 0u) {
      work[base + j * n + j] = beta;
      work[taus + j] = tau;
    }
    storageBarrier();
  }
  for (var e = lid; e < c * n; e += WG) {
    let i = e / n;
    let col = e % n;
    r[matrix * c * n + e] = select(0.0, work[base + i * n + col], col >= i);
  }
  let qs = matrix * m * c;
  for (var e = lid; e < m * c; e += WG) { q[qs + e] = select(0.0, 1.0, e / c == e % c); }
  storageBarrier();
  for (var step = 0u; step < k; step++) {
    let j = k - 1u - step;
    let tau = work[taus + j];
    if (tau != 0.0) {
      for (var col = j + lid; col < c; col += WG) {
        var d = q[qs + j * c + col];
        for (var i = j + 1u; i < m; i++) { d += work[base + i * n + j] * q[qs + i * c + col]; }
        d *= tau;
        q[qs + j * c + col] -= d;
        for (var i = j + 1u; i < m; i++) { q[qs + i * c + col] -= d * work[base + i * n + j]; }
      }
    }
    storageBarrier();
  }
}
