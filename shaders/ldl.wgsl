// The Bunch–Kaufman factorization of each symmetric matrix of a (f32,
// [batch, n, n], from its lower triangle only): A = L·D·Lᵀ in LAPACK's packed
// form (sytf2, uplo 'L'), as src/backends/js/ldl.ts computes it and says
// what it means — D's 1 × 1 and 2 × 2 blocks on and just below the
// diagonal, each step's column(s) of L below them, the strict upper triangle
// 0 — with pivots 0-based for a 1 × 1 block and −(p + 1) on both rows of a
// 2 × 2 one.
//
// One workgroup per matrix, in ld itself (storage, in place) once a's lower
// triangle is copied there. Each step, with a barrier between phases:
// column k's largest |value| below the diagonal (colmax, at row imax) and
// row imax's largest off the diagonal (rowmax), by tree reductions over the
// workgroup; invocation 0 picks the block from them by Bunch and Kaufman's
// rule and the workgroup reads its choice uniformly; the symmetric
// interchange, its pairs of entries shared out; then the trailing lower
// triangle less the block's outer product, and the block's columns of L.
// A column that is zero below a zero (or NaN) diagonal is left as it is, a
// 1 × 1 block, as sytf2 leaves it. A NaN never wins a reduction.
// TypeScript writes nothing in front; WG (a power of two) is an override.
override WG: u32 = 256;

// (1 + √17)/8: a 1 × 1 step's element growth bound equals a 2 × 2 one's.
const ALPHA: f32 = 0.6403882032022076;

struct Params {
  batch: u32,
  n: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> ld: array<f32>;
@group(0) @binding(2) var<storage, read_write> pivots: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> column_value: array<f32, WG>;
var<workgroup> column_row: array<u32, WG>;
var<workgroup> row_value: array<f32, WG>;
// Invocation 0's choice for the step: the block's size (1 or 2), the row and column interchanged with its last, and whether the column is skipped.
var<workgroup> chosen_size: u32;
var<workgroup> chosen_pivot: u32;
var<workgroup> chosen_skip: u32;

fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

fn swap(i: u32, j: u32) {
  let t = ld[i];
  ld[i] = ld[j];
  ld[j] = t;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let matrix = wid.x + wid.y * groups.x;
  if (matrix >= params.batch) { return; }
  let n = params.n;
  let base = matrix * n * n;
  for (var e = lid; e < n * n; e += WG) { ld[base + e] = select(0.0, a[base + e], e % n <= e / n); }
  storageBarrier();
  var k = 0u;
  while (k < n) {
    // colmax: this invocation's rows k + 1 + lid, … of column k, then the tree; the first of equals wins.
    var value = -1.0;
    var row = n;
    for (var i = k + 1u + lid; i < n; i += WG) {
      let v = abs(ld[base + i * n + k]);
      if (v > value) { value = v; row = i; }
    }
    column_value[lid] = value;
    column_row[lid] = row;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half /= 2u) {
      if (lid < half) {
        let v = column_value[lid + half];
        let r = column_row[lid + half];
        if (v > column_value[lid] || (v == column_value[lid] && r < column_row[lid])) {
          column_value[lid] = v;
          column_row[lid] = r;
        }
      }
      workgroupBarrier();
    }
    // rowmax: row imax left of the diagonal (from column k) and column imax below it; nothing where no row won.
    let imax = column_row[0];
    var largest = 0.0;
    if (imax < n) {
      for (var j = k + lid; j < imax; j += WG) { largest = max(largest, abs(ld[base + imax * n + j])); }
      for (var i = imax + 1u + lid; i < n; i += WG) {
        let v = abs(ld[base + i * n + imax]);
        if (v > largest) { largest = v; }
      }
    }
    row_value[lid] = largest;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half /= 2u) {
      if (lid < half && row_value[lid + half] > row_value[lid]) { row_value[lid] = row_value[lid + half]; }
      workgroupBarrier();
    }
    if (lid == 0u) {
      let colmax = max(column_value[0], 0.0);
      let rowmax = row_value[0];
      let absakk = abs(ld[base + k * n + k]);
      let skip = max(absakk, colmax) == 0.0 || is_nan(absakk);
      var size = 1u;
      var p = k;
      if (!skip && absakk < ALPHA * colmax) {
        if (absakk >= ALPHA * colmax * (colmax / rowmax)) {
          p = k;
        } else if (abs(ld[base + imax * n + imax]) >= ALPHA * rowmax) {
          p = imax;
        } else {
          p = imax;
          size = 2u;
        }
      }
      chosen_size = size;
      chosen_pivot = p;
      chosen_skip = select(0u, 1u, skip);
      if (size == 1u) {
        pivots[matrix * n + k] = i32(p);
      } else {
        pivots[matrix * n + k] = -i32(p) - 1;
        pivots[matrix * n + k + 1u] = -i32(p) - 1;
      }
    }
    let size = workgroupUniformLoad(&chosen_size);
    let p = workgroupUniformLoad(&chosen_pivot);
    let skip = workgroupUniformLoad(&chosen_skip) == 1u;
    let kk = k + size - 1u;
    // The symmetric interchange of kk and p in the trailing lower triangle: disjoint pairs of entries.
    if (!skip && p != kk) {
      for (var i = p + 1u + lid; i < n; i += WG) { swap(base + i * n + kk, base + i * n + p); }
      for (var j = kk + 1u + lid; j < p; j += WG) { swap(base + j * n + kk, base + p * n + j); }
      if (lid == 0u) {
        swap(base + kk * n + kk, base + p * n + p);
        if (size == 2u) { swap(base + (k + 1u) * n + k, base + p * n + k); }
      }
    }
    storageBarrier();
    // The trailing lower triangle (i, j), past the block, as a square of side m with its upper half skipped.
    let first = k + size;
    let m = n - first;
    if (!skip && size == 1u) {
      let d = 1.0 / ld[base + k * n + k];
      for (var e = lid; e < m * m; e += WG) {
        let i = first + e / m;
        let j = first + e % m;
        let wj = ld[base + j * n + k];
        // A zero wj changes nothing (syr skips it); a NaN must still spread, and NaN != 0 is false on some drivers.
        if (j <= i && !(wj == 0.0)) { ld[base + i * n + j] -= ld[base + i * n + k] * (d * wj); }
      }
    }
    // The 2 × 2 block [[a, b], [b, c]]: row j of L's two columns is (wk, wk1) = (x_j, y_j)·D⁻¹, sytf2's way.
    // Read only for a 2 × 2 step (on a 1 × 1 step (k + 1, k + 1) is being updated, or past the matrix).
    var d11 = 0.0;
    var d22 = 0.0;
    var d21 = 0.0;
    if (!skip && size == 2u) {
      let b = ld[base + (k + 1u) * n + k];
      d11 = ld[base + (k + 1u) * n + k + 1u] / b;
      d22 = ld[base + k * n + k] / b;
      d21 = (1.0 / (d11 * d22 - 1.0)) / b;
    }
    if (!skip && size == 2u) {
      for (var e = lid; e < m * m; e += WG) {
        let i = first + e / m;
        let j = first + e % m;
        if (j <= i) {
          let wk = d21 * (d11 * ld[base + j * n + k] - ld[base + j * n + k + 1u]);
          let wk1 = d21 * (d22 * ld[base + j * n + k + 1u] - ld[base + j * n + k]);
          ld[base + i * n + j] -= ld[base + i * n + k] * wk + ld[base + i * n + k + 1u] * wk1;
        }
      }
    }
    storageBarrier();
    if (!skip && size == 1u) {
      let d = 1.0 / ld[base + k * n + k];
      for (var i = first + lid; i < n; i += WG) { ld[base + i * n + k] *= d; }
    }
    if (!skip && size == 2u) {
      for (var j = first + lid; j < n; j += WG) {
        let x = ld[base + j * n + k];
        let y = ld[base + j * n + k + 1u];
        ld[base + j * n + k] = d21 * (d11 * x - y);
        ld[base + j * n + k + 1u] = d21 * (d22 * y - x);
      }
    }
    storageBarrier();
    k += size;
  }
}
