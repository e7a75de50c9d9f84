// The LU factorization with partial pivoting of each n × n matrix of a
// (f32, [batch, n, n]), as LAPACK's getrf and the js backend's loop give it:
// P·A = L·U with L's multipliers below the diagonal of lu and U on and above
// it; pivots[k] (0-based) the row swapped with row k at step k.
//
// One workgroup per matrix, in lu itself (storage, in place) once a is
// copied there. For each column k, with a barrier between phases: the pivot,
// the row of largest |value| on or below the diagonal (the first of equals),
// by a tree reduction over the workgroup of each invocation's best among its
// rows; the swap of rows k and p; column k below the diagonal divided by the
// pivot; and the rank-1 update of the trailing block, its entries shared
// among the invocations. A zero pivot (a singular matrix, its column zero
// below it too) divides and updates nothing, as the js loop: U[k, k] stays
// 0, so det is 0 and a later solve with it gives ±∞ or NaN. TypeScript writes nothing in front;
// WG (a power of two) is an override.
override WG: u32 = 256;

struct Params {
  batch: u32,
  n: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> lu: array<f32>;
@group(0) @binding(2) var<storage, read_write> pivots: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> best_value: array<f32, WG>;
var<workgroup> best_row: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let matrix = wid.x + wid.y * groups.x;
  if (matrix >= params.batch) { return; }
  let n = params.n;
  let base = matrix * n * n;
  for (var i = lid; i < n * n; i += WG) { lu[base + i] = a[base + i]; }
  storageBarrier();
  for (var k = 0u; k < n; k++) {
    // This invocation's rows k + lid, k + lid + WG, …: its largest |value|, the first of equals.
    var value = -1.0;
    var row = n;
    for (var i = k + lid; i < n; i += WG) {
      let v = abs(lu[base + i * n + k]);
      if (v > value) { value = v; row = i; }
    }
    best_value[lid] = value;
    best_row[lid] = row;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half /= 2u) {
      if (lid < half) {
        let v = best_value[lid + half];
        let r = best_row[lid + half];
        if (v > best_value[lid] || (v == best_value[lid] && r < best_row[lid])) {
          best_value[lid] = v;
          best_row[lid] = r;
        }
      }
      workgroupBarrier();
    }
    // No row won (a column of NaN): no swap.
    let p = select(best_row[0], k, best_row[0] >= n);
    if (lid == 0u) { pivots[matrix * n + k] = i32(p); }
    if (p != k) {
      for (var j = lid; j < n; j += WG) {
        let t = lu[base + k * n + j];
        lu[base + k * n + j] = lu[base + p * n + j];
        lu[base + p * n + j] = t;
      }
    }
    storageBarrier();
    let pivot = lu[base + k * n + k];
    if (pivot != 0.0) {
      for (var i = k + 1u + lid; i < n; i += WG) { lu[base + i * n + k] /= pivot; }
    }
    storageBarrier();
    // A zero pivot has zeros below it: nothing to eliminate, and skipping the update spares a
    // zero-padded rectangular matrix's empty columns their (n − k)² work (and 0·∞ its NaN, as js).
    if (pivot != 0.0) {
      let m = n - k - 1u;
      for (var e = lid; e < m * m; e += WG) {
        let i = k + 1u + e / m;
        let j = k + 1u + e % m;
        lu[base + i * n + j] -= lu[base + i * n + k] * lu[base + k * n + j];
      }
    }
    storageBarrier();
  }
}
