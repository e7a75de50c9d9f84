// Arg-reduction: out[r] = the first index of the largest (LARGEST) or
// smallest value of row r of x seen as [outer, inner]; NaN counts as the
// extreme (the first NaN wins); an empty row gives 0, as on the js backend.
//
// PER_INVOCATION (short rows): invocation r scans row r. Otherwise one
// workgroup per row: each invocation scans its strided share keeping the
// first best (value, index); with SUBGROUPS each subgroup finds its best with
// subgroup max/min (the value, then the least index holding it), one
// invocation appends it to workgroup memory and invocation 0 picks among
// those; without subgroups the pairs are combined as a tree. Ties always go
// to the lower index.
//
// Long rows among few rows are split (as in reduce.wgsl): a first launch
// gives each of `parts` workgroups per row a chunk, workgroup g writing the
// index in its row of the best of chunk g % parts of row g / parts; a second
// (GATHER) launch picks per row among those candidates, reading element
// x[row·x_inner + cand[row·inner + i]] and naming it by its own index, so ties
// still go to the first. Unsplit: parts = 1, chunk = inner.
//
// TypeScript writes in front (kernels/reduce.ts): V (f32, or i32 for ints),
// In (stored type), LARGEST, IS_FLOAT, PER_INVOCATION, GATHER, SUBGROUPS;
// before it go the sg_* helpers (subgroup_ops.wgsl or subgroup_none.wgsl)
// and elementwise_lib.wgsl.
override WG: u32 = 64;

const NONE = 0xffffffffu;

struct Params {
  /** Rows of results: rows of x (× parts when split). */
  outer: u32,
  /** Elements per row scanned (GATHER: candidates per row). */
  inner: u32,
  parts: u32,
  chunk: u32,
  /** GATHER: the row length of x. */
  x_inner: u32,
}

@group(0) @binding(0) var<storage, read> x: array<In>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<uniform> params: Params;
/** GATHER: the first launch's candidate indices, [outer, inner]. */
@group(0) @binding(3) var<storage, read> cand: array<i32>;

var<workgroup> best_value: array<V, WG>;
var<workgroup> best_index: array<u32, WG>;
var<workgroup> filled: atomic<u32>;

fn nan_bits(v: V) -> bool { return IS_FLOAT && (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

/** The value every real one beats or ties: −∞ for argmax (int: i32 min), +∞ for argmin. */
fn worst() -> V {
  if (LARGEST) { return select(V(-2147483647 - 1), V(-inf_f32()), IS_FLOAT); }
  return select(V(2147483647), V(inf_f32()), IS_FLOAT);
}

// Whether (b, j) beats (a, i); index NONE is "nothing yet".
fn beats(b: V, j: u32, a: V, i: u32) -> bool {
  if (j == NONE) { return false; }
  if (i == NONE) { return true; }
  let na = nan_bits(a);
  let nb = nan_bits(b);
  if (na || nb) { return nb && (!na || j < i); }
  if (a == b) { return j < i; }
  if (LARGEST) { return b > a; }
  return b < a;
}

struct Best { value: V, index: u32 }

/** The best of elements start, start + step, … of result g's share: part g % parts of row g / parts. */
fn scan(g: u32, start: u32, step: u32) -> Best {
  let row = g / params.parts;
  let begin = (g % params.parts) * params.chunk;
  let end = min(params.inner, begin + params.chunk);
  var best = Best(worst(), NONE);
  for (var i = begin + start; i < end; i += step) {
    var j = i;
    var v: V;
    if (GATHER) {
      j = u32(cand[row * params.inner + i]);
      v = V(x[row * params.x_inner + j]);
    } else {
      v = V(x[row * params.inner + i]);
    }
    if (beats(v, j, best.value, best.index)) { best = Best(v, j); }
  }
  return best;
}

/** The subgroup's best pair, in every invocation of it. */
fn subgroup_best(b: Best) -> Best {
  // (Every subgroup op is called unconditionally: they must run in
  // subgroup-uniform control flow, and the validator cannot see a
  // subgroupAny result to be uniform.)
  let is_nan = nan_bits(b.value) && b.index != NONE;
  let any_nan = sg_any(is_nan);
  let first_nan = sg_min_u32(select(NONE, b.index, is_nan));
  // Invocations with nothing hold worst(), which cannot beat a real value; the index picks among equals.
  var top: V;
  if (LARGEST) { top = sg_max(b.value); } else { top = sg_min(b.value); }
  let first_top = sg_min_u32(select(NONE, b.index, b.value == top));
  if (any_nan) { return Best(V(nan_f32()), first_nan); }
  return Best(top, first_top);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let group = wg.x + wg.y * groups.x;
  if (PER_INVOCATION) {
    let row = group * WG + lid;
    if (row < params.outer) {
      let b = scan(row, 0u, 1u);
      out[row] = select(i32(b.index), 0, b.index == NONE);
    }
    return;
  }
  let live = group < params.outer;
  var mine = Best(worst(), NONE);
  if (live) { mine = scan(group, lid, WG); }
  var result = Best(worst(), NONE);
  if (SUBGROUPS) {
    let s = subgroup_best(mine);
    if (lid == 0u) { atomicStore(&filled, 0u); }
    workgroupBarrier();
    if (sg_elect()) {
      let k = atomicAdd(&filled, 1u);
      best_value[k] = s.value;
      best_index[k] = s.index;
    }
    workgroupBarrier();
    if (lid == 0u) {
      let n = atomicLoad(&filled);
      for (var k = 0u; k < n; k++) {
        if (beats(best_value[k], best_index[k], result.value, result.index)) { result = Best(best_value[k], best_index[k]); }
      }
    }
  } else {
    best_value[lid] = mine.value;
    best_index[lid] = mine.index;
    workgroupBarrier();
    for (var width = WG / 2u; width > 0u; width = width / 2u) {
      if (lid < width && beats(best_value[lid + width], best_index[lid + width], best_value[lid], best_index[lid])) {
        best_value[lid] = best_value[lid + width];
        best_index[lid] = best_index[lid + width];
      }
      workgroupBarrier();
    }
    result = Best(best_value[0], best_index[0]);
  }
  if (lid == 0u && live) { out[group] = select(i32(result.index), 0, result.index == NONE); }
}
