// The eigendecomposition of each general (nonsymmetric) matrix of a (f32,
// [batch, n, n]): values [batch, n, 2] and vectors [batch, n, n, 2], complex
// as (re, im) pairs, column k of vectors an eigenvector of values[k].
//
// One invocation per matrix, serially, the steps of the js reference
// (src/backends/js/eig_general.ts, which explains them) in f32: A divided
// by a power of two near its largest |entry| (so that no step overflows or
// underflows, whatever A's scale; the eigenvalues multiplied back),
// Householder reduction to Hessenberg form H = QᵀAQ (each column over its
// largest entry first), the Francis double-shift QR iteration to the real
// Schur form T = ZᵀAZ (a real pair's 2×2 block rotated to triangular as it
// deflates), then each eigenvector by back substitution on T, taken to A's
// by Z, at unit norm with its entry of largest modulus real and positive. A
// matrix holding NaN or ∞, or one the iteration does not reduce, gets NaN
// throughout. Batches of small matrices fill the device; one large matrix
// runs on one invocation.
//
// work holds per matrix H then T (n × n), Z (n × n), the eigenvalues' real
// and imaginary parts (n each), a Householder vector (n) and a Schur-form
// eigenvector's real and imaginary parts (n each): 2n² + 5n floats.
override WG: u32 = 64;

const EPS = 1.1920929e-7;
/** An eigenvector whose entries grow past this while it is solved is scaled down (a defective matrix's grow by up to 1/(smallest pivot) a row). */
const GROWTH = 1e10;
/** The least a pivot of the back substitution is raised to (EPS·|λ| where λ is 0): its square is still a normal f32. */
const SMALLEST_PIVOT = 1e-18;

struct Params {
  batch: u32,
  n: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> vectors: array<f32>;
@group(0) @binding(3) var<storage, read_write> work: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// This invocation's matrix: its size and where its parts of work start.
var<private> n: u32;
var<private> H: u32;
var<private> Z: u32;
var<private> WR: u32;
var<private> WI: u32;
var<private> HV: u32;
var<private> XR: u32;
var<private> XI: u32;

fn h(i: u32, j: u32) -> f32 { return work[H + i * n + j]; }
fn set_h(i: u32, j: u32, x: f32) { work[H + i * n + j] = x; }

fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }

/** H ← P·H·P and Z ← Z·P for a reflector P = I − 2vvᵀ/vᵀv per column, v in work from HV. */
fn hessenberg() {
  for (var k = 0u; k + 2u < n; k++) {
    // The column over its largest entry: squares of its tiny entries would underflow.
    var largest = 0.0;
    for (var i = k + 1u; i < n; i++) { largest = max(largest, abs(h(i, k))); }
    if (largest == 0.0) { continue; }
    var squares = 0.0;
    for (var i = k + 1u; i < n; i++) { squares += (h(i, k) / largest) * (h(i, k) / largest); }
    let norm = sqrt(squares);
    let head = h(k + 1u, k) / largest;
    let alpha = select(-norm, norm, head >= 0.0);
    for (var i = 0u; i < n; i++) { work[HV + i] = select(0.0, h(i, k) / largest, i > k + 1u); }
    work[HV + k + 1u] = head + alpha;
    let vtv = 2.0 * norm * (norm + abs(head));
    for (var j = k; j < n; j++) {
      var d = 0.0;
      for (var i = k + 1u; i < n; i++) { d += work[HV + i] * h(i, j); }
      let f = 2.0 * d / vtv;
      for (var i = k + 1u; i < n; i++) { set_h(i, j, h(i, j) - f * work[HV + i]); }
    }
    for (var i = 0u; i < n; i++) {
      var dh = 0.0;
      var dz = 0.0;
      for (var j = k + 1u; j < n; j++) {
        dh += h(i, j) * work[HV + j];
        dz += work[Z + i * n + j] * work[HV + j];
      }
      let fh = 2.0 * dh / vtv;
      let fz = 2.0 * dz / vtv;
      for (var j = k + 1u; j < n; j++) {
        set_h(i, j, h(i, j) - fh * work[HV + j]);
        work[Z + i * n + j] -= fz * work[HV + j];
      }
    }
    set_h(k + 1u, k, -alpha * largest);
    for (var i = k + 2u; i < n; i++) { set_h(i, k, 0.0); }
  }
}

/** The rotation [[c, −s], [s, c]] of rows and columns p, p+1 as a similarity on H (rows from column p, columns down to row `to`) and on Z's columns. */
fn rotate(p: u32, c: f32, s: f32, to: u32) {
  let q = p + 1u;
  for (var j = p; j < n; j++) {
    let t = h(p, j);
    set_h(p, j, c * t + s * h(q, j));
    set_h(q, j, c * h(q, j) - s * t);
  }
  for (var i = 0u; i <= to; i++) {
    let t = h(i, p);
    set_h(i, p, c * t + s * h(i, q));
    set_h(i, q, c * h(i, q) - s * t);
  }
  for (var i = 0u; i < n; i++) {
    let t = work[Z + i * n + p];
    work[Z + i * n + p] = c * t + s * work[Z + i * n + q];
    work[Z + i * n + q] = c * work[Z + i * n + q] - s * t;
  }
}

/** The eigenvalues of the 2×2 block ending at row hi; a real pair's block rotated to triangular. */
fn deflate_pair(hi: u32) {
  let m = hi - 1u;
  let x = h(hi, hi);
  let p = 0.5 * (h(m, m) - x);
  let w = h(hi, m) * h(m, hi);
  let q = p * p + w;
  let root = sqrt(abs(q));
  if (q < 0.0) {
    work[WR + m] = x + p;
    work[WR + hi] = x + p;
    work[WI + m] = root;
    work[WI + hi] = -root;
    return;
  }
  let shift = p + select(-root, root, p >= 0.0);
  work[WR + m] = x + shift;
  work[WR + hi] = select(x + shift, x - w / shift, shift != 0.0);
  work[WI + m] = 0.0;
  work[WI + hi] = 0.0;
  let below = h(hi, m);
  // hypot, without the underflow of squaring two tiny numbers.
  let big = max(abs(shift), abs(below));
  let r = big * sqrt((shift / big) * (shift / big) + (below / big) * (below / big));
  rotate(m, shift / r, below / r, hi);
  set_h(hi, m, 0.0);
}

/** One Francis double-shift step on the active block l…hi (hi − l ≥ 2). */
fn francis_step(l: u32, hi: u32, iteration: u32) {
  var x = h(hi, hi);
  var y = h(hi - 1u, hi - 1u);
  var w = h(hi, hi - 1u) * h(hi - 1u, hi);
  if (iteration % 10u == 0u) {
    let s = abs(h(hi, hi - 1u)) + abs(h(hi - 1u, hi - 2u));
    x = h(hi, hi) + 0.75 * s;
    y = x;
    w = -0.4375 * s * s;
  }
  var m = hi - 2u;
  var p = 0.0;
  var q = 0.0;
  var r = 0.0;
  loop {
    let d = h(m, m);
    let rr = x - d;
    let ss = y - d;
    p = (rr * ss - w) / h(m + 1u, m) + h(m, m + 1u);
    q = h(m + 1u, m + 1u) - d - rr - ss;
    r = h(m + 2u, m + 1u);
    let scale = abs(p) + abs(q) + abs(r);
    p /= scale;
    q /= scale;
    r /= scale;
    if (m == l) { break; }
    let coupling = abs(h(m, m - 1u)) * (abs(q) + abs(r));
    let size = abs(p) * (abs(h(m - 1u, m - 1u)) + abs(d) + abs(h(m + 1u, m + 1u)));
    if (coupling <= EPS * size) { break; }
    m -= 1u;
  }
  for (var i = m + 2u; i <= hi; i++) {
    set_h(i, i - 2u, 0.0);
    if (i > m + 2u) { set_h(i, i - 3u, 0.0); }
  }
  for (var k = m; k < hi; k++) {
    let last = k == hi - 1u;
    var scale = 1.0;
    if (k != m) {
      p = h(k, k - 1u);
      q = h(k + 1u, k - 1u);
      r = select(h(k + 2u, k - 1u), 0.0, last);
      scale = abs(p) + abs(q) + abs(r);
      if (scale == 0.0) { continue; }
      p /= scale;
      q /= scale;
      r /= scale;
    }
    let s = select(-1.0, 1.0, p >= 0.0) * sqrt(p * p + q * q + r * r);
    if (s == 0.0) { continue; }
    if (k != m) {
      set_h(k, k - 1u, -s * scale);
      set_h(k + 1u, k - 1u, 0.0);
      if (!last) { set_h(k + 2u, k - 1u, 0.0); }
    } else if (l != m) {
      set_h(k, k - 1u, -h(k, k - 1u));
    }
    p += s;
    let t0 = p / s;
    let t1 = q / s;
    let t2 = r / s;
    let v1 = q / p;
    let v2 = r / p;
    for (var j = k; j < n; j++) {
      var dot = h(k, j) + v1 * h(k + 1u, j);
      if (!last) {
        dot += v2 * h(k + 2u, j);
        set_h(k + 2u, j, h(k + 2u, j) - dot * t2);
      }
      set_h(k + 1u, j, h(k + 1u, j) - dot * t1);
      set_h(k, j, h(k, j) - dot * t0);
    }
    for (var i = 0u; i <= min(hi, k + 3u); i++) {
      var dot = t0 * h(i, k) + t1 * h(i, k + 1u);
      if (!last) {
        dot += t2 * h(i, k + 2u);
        set_h(i, k + 2u, h(i, k + 2u) - dot * v2);
      }
      set_h(i, k + 1u, h(i, k + 1u) - dot * v1);
      set_h(i, k, h(i, k) - dot);
    }
    for (var i = 0u; i < n; i++) {
      let zi = Z + i * n;
      var dot = t0 * work[zi + k] + t1 * work[zi + k + 1u];
      if (!last) {
        dot += t2 * work[zi + k + 2u];
        work[zi + k + 2u] -= dot * v2;
      }
      work[zi + k + 1u] -= dot * v1;
      work[zi + k] -= dot;
    }
  }
}

/** The sum of |H| over its Hessenberg part: the scale of what is negligible. */
fn hessenberg_norm() -> f32 {
  var norm = 0.0;
  for (var i = 0u; i < n; i++) {
    for (var j = select(0u, i - 1u, i > 0u); j < n; j++) { norm += abs(h(i, j)); }
  }
  return norm;
}

/** H to real Schur form, the eigenvalues into WR and WI; false where the iteration did not converge. */
fn schur() -> bool {
  let norm = hessenberg_norm();
  let limit = 30u * max(10u, n);
  // A subdiagonal entry this small is 0 whatever its neighbours (see the js reference).
  let negligible = EPS * EPS * norm;
  var hi = i32(n) - 1;
  var iteration = 0u;
  while (hi >= 0) {
    let top = u32(hi);
    var l = top;
    for (; l > 0u; l--) {
      var s = abs(h(l - 1u, l - 1u)) + abs(h(l, l));
      if (s == 0.0) { s = norm; }
      if (abs(h(l, l - 1u)) <= max(EPS * s, negligible)) {
        set_h(l, l - 1u, 0.0);
        break;
      }
    }
    if (l == top) {
      work[WR + top] = h(top, top);
      work[WI + top] = 0.0;
      hi -= 1;
      iteration = 0u;
    } else if (l + 1u == top) {
      deflate_pair(top);
      hi -= 2;
      iteration = 0u;
    } else {
      if (iteration == limit) { return false; }
      iteration += 1u;
      francis_step(l, top, iteration);
    }
  }
  return true;
}

/** (a / b) for complex a and b as vec2 (re, im), by Smith's method. */
fn divide(a: vec2f, b: vec2f) -> vec2f {
  if (abs(b.x) >= abs(b.y)) {
    let t = b.y / b.x;
    let d = b.x + b.y * t;
    return vec2f(a.x + a.y * t, a.y - a.x * t) / d;
  }
  let t = b.x / b.y;
  let d = b.x * t + b.y;
  return vec2f(a.x * t + a.y, a.y * t - a.x) / d;
}

fn times(a: vec2f, b: vec2f) -> vec2f { return vec2f(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
fn size(a: vec2f) -> f32 { return abs(a.x) + abs(a.y); }

/**
 * x solving the complex 2×2 system m·x = r (m row-major) by Gaussian
 * elimination with complete pivoting, a pivot below `smallest` raised to
 * it (not Cramer's rule, whose residual is not small where the rows are
 * nearly dependent: a block above a repeated complex pair's).
 */
fn solve2(m: array<vec2f, 4>, r: array<vec2f, 2>, smallest: f32) -> array<vec2f, 2> {
  var p = 0u;
  for (var e = 1u; e < 4u; e++) {
    if (size(m[e]) > size(m[p])) { p = e; }
  }
  let ri = p / 2u;
  let ci = p % 2u;
  let ro = 1u - ri;
  let co = 1u - ci;
  var pivot = m[p];
  if (size(pivot) < smallest) { pivot = vec2f(smallest, 0.0); }
  let l = divide(m[ro * 2u + ci], pivot);
  var u = m[ro * 2u + co] - times(l, m[ri * 2u + co]);
  if (size(u) < smallest) { u = vec2f(smallest, 0.0); }
  var x = array<vec2f, 2>(vec2f(0.0), vec2f(0.0));
  x[co] = divide(r[ro] - times(l, r[ri]), u);
  x[ci] = divide(r[ri] - times(m[ri * 2u + co], x[co]), pivot);
  return x;
}

fn x_at(j: u32) -> vec2f { return vec2f(work[XR + j], work[XI + j]); }
fn set_x(j: u32, v: vec2f) {
  work[XR + j] = v.x;
  work[XI + j] = v.y;
}

/** −Σ T[i, j]·x[j] over j from i + 1 to end. */
fn rest(i: u32, end: u32) -> vec2f {
  var s = vec2f(0.0);
  for (var j = i + 1u; j <= end; j++) { s -= h(i, j) * x_at(j); }
  return s;
}

/** The eigenvector of T for λ = (lr, li) whose block ends at row `end`, into XR and XI (0 below end). */
fn schur_vector(end: u32, lr: f32, li: f32) {
  for (var j = 0u; j < n; j++) { set_x(j, vec2f(0.0)); }
  var top: i32;
  if (li == 0.0) {
    set_x(end, vec2f(1.0, 0.0));
    top = i32(end) - 1;
  } else {
    let k = end - 1u;
    set_x(k, vec2f(h(k, end), 0.0));
    set_x(end, vec2f(lr - h(k, k), li));
    top = i32(k) - 1;
  }
  // A pivot T[i, i] − λ below EPS·|λ| (λ repeated) is raised to it, as LAPACK's trevc does.
  let smallest = max(EPS * (abs(lr) + abs(li)), SMALLEST_PIVOT);
  var i = top;
  while (i >= 0) {
    let row = u32(i);
    let pair = row > 0u && h(row, row - 1u) != 0.0;
    var first = row;
    if (pair) {
      first = row - 1u;
      let m = array<vec2f, 4>(vec2f(h(first, first) - lr, -li), vec2f(h(first, row), 0.0), vec2f(h(row, first), 0.0), vec2f(h(row, row) - lr, -li));
      let x = solve2(m, array<vec2f, 2>(rest(first, end), rest(row, end)), smallest);
      set_x(first, x[0]);
      set_x(row, x[1]);
    } else {
      var d = vec2f(h(row, row) - lr, -li);
      if (abs(d.x) + abs(d.y) < smallest) { d = vec2f(smallest, 0.0); }
      set_x(row, divide(rest(row, end), d));
    }
    var big = 0.0;
    for (var j = first; j <= end; j++) { big = max(big, abs(work[XR + j]) + abs(work[XI + j])); }
    if (big > GROWTH) {
      for (var j = 0u; j <= end; j++) { set_x(j, x_at(j) / big); }
    }
    i -= select(1, 2, pair);
  }
}

/** Z·x as column k of this matrix's vectors (from `out`), normalized; its conjugate as column k + 1 where `conjugate`. */
fn store_vector(end: u32, k: u32, conjugate: bool, out: u32) {
  // x over its largest entry first: Z is orthogonal, so Z·x then has norm ≥ 1/√2 and its squares neither overflow nor go subnormal.
  var big = 0.0;
  for (var j = 0u; j <= end; j++) { big = max(big, size(x_at(j))); }
  var squares = 0.0;
  var largest = -1.0;
  var arg = 0u;
  for (var i = 0u; i < n; i++) {
    var v = vec2f(0.0);
    for (var j = 0u; j <= end; j++) { v += work[Z + i * n + j] * (x_at(j) / big); }
    let o = out + (i * n + k) * 2u;
    vectors[o] = v.x;
    vectors[o + 1u] = v.y;
    let modulus = dot(v, v);
    squares += modulus;
    if (modulus > largest) {
      largest = modulus;
      arg = i;
    }
  }
  let at = out + (arg * n + k) * 2u;
  let phase = vec2f(vectors[at], -vectors[at + 1u]) / sqrt(largest) / sqrt(squares);
  for (var i = 0u; i < n; i++) {
    let o = out + (i * n + k) * 2u;
    let v = vec2f(vectors[o], vectors[o + 1u]);
    let u = vec2f(v.x * phase.x - v.y * phase.y, v.x * phase.y + v.y * phase.x);
    vectors[o] = u.x;
    vectors[o + 1u] = u.y;
    if (conjugate) {
      vectors[o + 2u] = u.x;
      vectors[o + 3u] = -u.y;
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let matrix = gid.x + gid.y * groups.x * WG;
  if (matrix >= params.batch) { return; }
  n = params.n;
  H = matrix * (2u * n * n + 5u * n);
  Z = H + n * n;
  WR = Z + n * n;
  WI = WR + n;
  HV = WI + n;
  XR = HV + n;
  XI = XR + n;
  let base = matrix * n * n;
  // A times 2^−e for 2^e the power of two at or below its largest |entry| (its exponent bits; products by powers of two
  // are exact), so that nothing overflows or underflows on the way whatever A's scale; the eigenvalues scaled back.
  var finite = true;
  var largest = 0.0;
  for (var e = 0u; e < n * n; e++) {
    let x = a[base + e];
    finite = finite && (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
    largest = max(largest, abs(x));
  }
  var exponent = bitcast<u32>(largest) & 0x7f800000u;
  // Subnormal, zero or not finite: left as it is; the largest power kept below 2^127 so its reciprocal is normal.
  if (exponent == 0u || !finite) { exponent = 127u << 23u; }
  exponent = min(exponent, 253u << 23u);
  let scale = bitcast<f32>(exponent);
  let shrink = bitcast<f32>((254u << 23u) - exponent);
  for (var e = 0u; e < n * n; e++) {
    work[H + e] = a[base + e] * shrink;
    work[Z + e] = select(0.0, 1.0, e / n == e % n);
  }
  let out = base * 2u;
  if (finite) { hessenberg(); }
  if (!finite || !schur()) {
    for (var e = 0u; e < n * 2u; e++) { values[matrix * n * 2u + e] = nan_f32(); }
    for (var e = 0u; e < n * n * 2u; e++) { vectors[out + e] = nan_f32(); }
    return;
  }
  for (var k = 0u; k < n; k++) {
    let lr = work[WR + k];
    let li = work[WI + k];
    values[(matrix * n + k) * 2u] = lr * scale;
    values[(matrix * n + k) * 2u + 1u] = li * scale;
    if (li < 0.0) { continue; }
    let end = select(k, k + 1u, li > 0.0);
    schur_vector(end, lr, li);
    store_vector(end, k, li > 0.0, out);
  }
}
