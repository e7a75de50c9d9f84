// Softmax (LOG = false) or log-softmax (LOG = true) along rows of x seen as
// [outer, inner], numerically stable, as the js backend computes it: shifted
// by the row's max m when m is finite (so huge logits do not overflow), by 0
// otherwise — so a row with NaN is NaN, a row of −∞ is 0/0 = NaN, and a row
// holding +∞ gives NaN there and 0 (log: −∞) elsewhere.
//
// PER_INVOCATION (short rows): invocation r does row r's three passes (max,
// Σ exp, write) serially. Otherwise one workgroup per row: each pass is a
// strided loop, its max / sum combined across the workgroup — within
// subgroups by subgroup operations, then across them in workgroup memory,
// with SUBGROUPS; as a tree otherwise — and shared with every invocation.
//
// Long rows among few rows are split into chunks of `chunk` elements, `parts`
// per row, one workgroup each, in two launches: PHASE 1 stores each chunk's
// max and Σ exp(x − its own shift) in `stats`; PHASE 2 combines a row's chunk
// stats into the row's shift and sum (rescaling each chunk's sum by
// exp(chunk shift − row shift)) and writes its chunk. PHASE 0 is unsplit.
//
// TypeScript writes in front (kernels/softmax.ts): V = f32, In / Out (f32, or
// f16 with shader-f16; computed in f32), LOG, PHASE, PER_INVOCATION, SUBGROUPS;
// before it go the sg_* helpers (subgroup_ops.wgsl or subgroup_none.wgsl) and
// elementwise_lib.wgsl (NaN-aware max, exp, log).
override WG: u32 = 64;
const SUM_BLOCK = 64u;

struct Params {
  /** Workgroups' shares: rows (× parts when split). */
  outer: u32,
  inner: u32,
  parts: u32,
  chunk: u32,
}

@group(0) @binding(0) var<storage, read> x: array<In>;
@group(0) @binding(1) var<storage, read_write> out: array<Out>;
@group(0) @binding(2) var<uniform> params: Params;
/** PHASE 1 / 2: (max, Σ exp(x − shift)) of each chunk, [outer, parts]. */
@group(0) @binding(3) var<storage, read_write> stats: array<vec2<f32>>;

var<workgroup> partial: array<f32, WG>;
var<workgroup> filled: atomic<u32>;
var<workgroup> shared_result: f32;
var<workgroup> row_stats: vec2<f32>;

fn combine(a: f32, b: f32, is_max: bool) -> f32 { return select(a + b, max_f32(a, b), is_max); }

/** The workgroup's max (is_max) or sum of v, in every invocation. */
fn all_combine(v: f32, lid: u32, is_max: bool) -> f32 {
  if (SUBGROUPS) {
    // (Subgroup ops must run in subgroup-uniform control flow: all computed, then selected.)
    let s = select(sg_add(v), select(sg_max(v), nan_f32(), sg_any(is_nan(v))), is_max);
    if (lid == 0u) { atomicStore(&filled, 0u); }
    workgroupBarrier();
    if (sg_elect()) { partial[atomicAdd(&filled, 1u)] = s; }
    workgroupBarrier();
    if (lid == 0u) {
      var acc = partial[0];
      let n = atomicLoad(&filled);
      for (var k = 1u; k < n; k++) { acc = combine(acc, partial[k], is_max); }
      shared_result = acc;
    }
    workgroupBarrier();
    return shared_result;
  }
  partial[lid] = v;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width = width / 2u) {
    if (lid < width) { partial[lid] = combine(partial[lid], partial[lid + width], is_max); }
    workgroupBarrier();
  }
  let result = partial[0];
  workgroupBarrier();
  return result;
}

fn finite(v: f32) -> bool { return !is_nan(v) && abs(v) != inf_f32(); }

/** What rows (and chunks) are shifted by: their max where finite, else 0 (as the js backend does). */
fn shift_of(m: f32) -> f32 { return select(0.0, m, finite(m)); }

/** PHASE 2: a row's (shift, Σ exp(x − shift)) from its chunks' stats. */
fn combine_chunks(row: u32) -> vec2<f32> {
  var m = -inf_f32();
  for (var p = 0u; p < params.parts; p++) { m = max_f32(m, stats[row * params.parts + p].x); }
  let shift = shift_of(m);
  var s = 0.0;
  for (var p = 0u; p < params.parts; p++) {
    let c = stats[row * params.parts + p];
    // An empty sum stays 0 (0 · exp(huge) would be NaN); NaN tested by bits,
    // as `!=` may be compiled as an ordered comparison.
    if (is_nan(c.y) || c.y != 0.0) { s += c.y * exp_f32(shift_of(c.x) - shift); }
  }
  return vec2<f32>(shift, s);
}

/**
 * Σ exp(x − shift) over elements start, start + step, … before end of a row,
 * in blocks of SUM_BLOCK terms each added to the total: the rounding error
 * grows with SUM_BLOCK + n / SUM_BLOCK terms rather than n (rows of 4096
 * summed one term at a time put softmax 2.5e-6 off float64; reduce.wgsl sums
 * the same way).
 */
fn sum_exp(base: u32, start: u32, end: u32, step: u32, shift: f32) -> f32 {
  var s = 0.0;
  for (var first = start; first < end; first += SUM_BLOCK * step) {
    let last = min(end, first + SUM_BLOCK * step);
    var partial_sum = 0.0;
    for (var i = first; i < last; i += step) { partial_sum += exp_f32(f32(x[base + i]) - shift); }
    s += partial_sum;
  }
  return s;
}

/** Writes elements start, start + step, … before end of a row from its shift and Σ exp(x − shift). */
fn write_range(base: u32, start: u32, end: u32, step: u32, shift: f32, s: f32) {
  let log_s = log_f32(s);
  for (var i = start; i < end; i += step) {
    let shifted = f32(x[base + i]) - shift;
    if (LOG) { out[base + i] = Out(shifted - log_s); } else { out[base + i] = Out(exp_f32(shifted) / s); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let group = wg.x + wg.y * groups.x;
  let inner = params.inner;
  if (PER_INVOCATION) {
    let row = group * WG + lid;
    if (row < params.outer) {
      let base = row * inner;
      var m = -inf_f32();
      for (var i = 0u; i < inner; i++) { m = max_f32(m, f32(x[base + i])); }
      let shift = shift_of(m);
      write_range(base, 0u, inner, 1u, shift, sum_exp(base, 0u, inner, 1u, shift));
    }
    return;
  }
  let live = group < params.outer;
  // This workgroup's share: elements [begin, end) of row `row`.
  let row = group / params.parts;
  let base = row * inner;
  let begin = (group % params.parts) * params.chunk;
  let end = min(inner, begin + params.chunk);
  if (PHASE == 2u) {
    if (lid == 0u && live) { row_stats = combine_chunks(row); }
    workgroupBarrier();
    let rs = row_stats;
    if (live) { write_range(base, begin + lid, end, WG, rs.x, rs.y); }
    return;
  }
  var m = -inf_f32();
  if (live) { for (var i = begin + lid; i < end; i += WG) { m = max_f32(m, f32(x[base + i])); } }
  m = all_combine(m, lid, true);
  let shift = shift_of(m);
  var s = 0.0;
  if (live) { s = sum_exp(base, begin + lid, end, WG, shift); }
  s = all_combine(s, lid, false);
  if (PHASE == 1u) {
    if (lid == 0u && live) { stats[group] = vec2<f32>(m, s); }
    return;
  }
  if (live) { write_range(base, begin + lid, end, WG, shift, s); }
}
