// The Cholesky factor L of each matrix of a (f32, [batch, n, n], symmetric
// positive definite): A = L·Lᵀ, from A's lower triangle only (as
// torch.linalg.cholesky reads it), L's upper triangle 0.
//
// One workgroup per matrix, right-looking in l itself (storage, in place)
// once a's lower triangle is copied there, column by column with a barrier
// between phases: L[j, j] = √(what is left on the diagonal), column j below
// it divided by L[j, j], then the trailing lower triangle less the outer
// product of that column with itself. A matrix that is not positive definite
// takes the square root of a number ≤ 0: NaN, or 0 and then ∞ and NaN below
// it, which spread through the columns after. TypeScript writes nothing in
// front; WG is an override.
override WG: u32 = 256;

struct Params {
  batch: u32,
  n: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> l: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let matrix = wid.x + wid.y * groups.x;
  if (matrix >= params.batch) { return; }
  let n = params.n;
  let base = matrix * n * n;
  for (var e = lid; e < n * n; e += WG) { l[base + e] = select(0.0, a[base + e], e % n <= e / n); }
  storageBarrier();
  for (var j = 0u; j < n; j++) {
    if (lid == 0u) { l[base + j * n + j] = sqrt(l[base + j * n + j]); }
    storageBarrier();
    let diagonal = l[base + j * n + j];
    for (var i = j + 1u + lid; i < n; i += WG) { l[base + i * n + j] /= diagonal; }
    storageBarrier();
    // The trailing block's lower triangle, entry (i, c) with j < c ≤ i, as a square of side m with its upper half skipped.
    let m = n - j - 1u;
    for (var e = lid; e < m * m; e += WG) {
      let i = j + 1u + e / m;
      let c = j + 1u + e % m;
      if (c <= i) { l[base + i * n + c] -= l[base + i * n + j] * l[base + c * n + j]; }
    }
    storageBarrier();
  }
}
