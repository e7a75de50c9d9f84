// Row reduction: out[r] = op(x[r, 0..inner)) for op = sum, mean, max, min or
// prod (OP = 0, 1, 2, 3, 4), x seen as [outer, inner]: element i of row r is
// x[r · row_stride + i · elem_stride], so the same kernel reduces the columns
// of a row-major [inner, outer] matrix (row_stride 1, elem_stride outer: a sum
// over a batch) without a transposed copy.
//
// PER_INVOCATION (short rows): invocation r folds row r serially.
// Otherwise one workgroup per row (rows past 65535 go to the grid's y
// dimension): invocation lid folds elements lid, lid + WG, lid + 2·WG… of the
// row; with SUBGROUPS each subgroup combines its partial results with a
// subgroup operation and one invocation of each appends the subgroup's result
// to workgroup memory (slot taken with an atomic, so nothing is assumed about
// how invocations map to subgroups), and invocation 0 folds those; without
// subgroups the WG partial results are combined as a tree in workgroup memory.
//
// Long rows among few rows (which would leave most of the GPU idle) are
// split: TypeScript launches this kernel twice — first `parts` workgroups per
// row, workgroup g folding elements [p·chunk, (p+1)·chunk) of row g / parts
// (p = g % parts) into a partial result (Out = V; a mean sums), then once
// more over the [outer, parts] partial results (In = V), dividing a mean by
// `divisor`, the original row length. Unsplit: parts = 1, chunk = divisor = inner.
//
// Element i of x comes from `load(i)`: reduce_load.wgsl reads it from the
// buffer x (binding 0); reduce_load_fused.wgsl computes it from an
// elementwise chain fusion.ts generates (bindings from 3 on), so a reduction
// of a pending chain (`x.abs().max()`, a loss's sum) is one launch.
//
// TypeScript writes in front (kernels/reduce.ts): V (the value type:
// f32 for floats, f16 loaded as f32; i32 for ints), In (stored input type),
// Out, the consts OP, IS_FLOAT, PER_INVOCATION, SUBGROUPS; before it go the
// sg_* helpers (subgroup_ops.wgsl or subgroup_none.wgsl) and
// elementwise_lib.wgsl (inf/nan), after it one of the two load files.
//
// Float sums accumulate in f32, each invocation's share in blocks of
// SUM_BLOCK terms; float products in f32, in whatever order the invocations
// combine; int sums and products wrap in i32; max and min propagate
// NaN (tested by bits: ordered comparisons would drop it). Empty rows give what the js backend does: sum 0,
// mean NaN, prod 1, max −∞ / min +∞ for floats and 0 for ints.
// (The mean of ints, computed from the exact sum, is reduce_mean_int.wgsl.)
override WG: u32 = 64;
const SUM_BLOCK = 64u;

struct Params {
  /** Rows of results: rows of x (× parts when split). */
  outer: u32,
  inner: u32,
  parts: u32,
  chunk: u32,
  /** What a mean divides by. */
  divisor: u32,
  /** Where rows start and how far apart their elements are: (inner, 1) for rows, (1, outer) for columns. */
  row_stride: u32,
  elem_stride: u32,
}

@group(0) @binding(1) var<storage, read_write> out: array<Out>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<V, WG>;
var<workgroup> filled: atomic<u32>;

fn nan_bits(v: V) -> bool { return IS_FLOAT && (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

fn identity() -> V {
  if (OP == 2u) { return select(V(-2147483647 - 1), V(-inf_f32()), IS_FLOAT); }
  if (OP == 3u) { return select(V(2147483647), V(inf_f32()), IS_FLOAT); }
  if (OP == 4u) { return V(1); }
  return V(0);
}

fn combine(a: V, b: V) -> V {
  if (OP <= 1u) { return a + b; }
  if (OP == 4u) { return a * b; }
  if (nan_bits(a)) { return a; }
  if (nan_bits(b)) { return b; }
  if (OP == 2u) { return max(a, b); }
  return min(a, b);
}

/** op over elements start, start + step, … of result g's share: part g % parts of row g / parts. */
fn fold(g: u32, start: u32, step: u32) -> V {
  let row = g / params.parts;
  let begin = (g % params.parts) * params.chunk;
  let end = min(params.inner, begin + params.chunk);
  let base = row * params.row_stride;
  var acc = identity();
  if (IS_FLOAT && OP <= 1u) {
    // A float sum in blocks of SUM_BLOCK terms, each block's sum then added to
    // the total: the rounding error grows with SUM_BLOCK + n / SUM_BLOCK terms
    // rather than n (rows of 4096 summed one term at a time were 3e-6 off).
    for (var first = begin + start; first < end; first += SUM_BLOCK * step) {
      let last = min(end, first + SUM_BLOCK * step);
      var partial_sum = V(0);
      for (var i = first; i < last; i += step) { partial_sum += load(base + i * params.elem_stride); }
      acc += partial_sum;
    }
    return acc;
  }
  for (var i = begin + start; i < end; i += step) { acc = combine(acc, load(base + i * params.elem_stride)); }
  return acc;
}

/** The stored result from a row's combined value. */
fn finish(acc: V) -> Out {
  let inner = params.divisor;
  // An empty int row's max or min: the js backend's ±Infinity stored in an int array, 0.
  if (inner == 0u && !IS_FLOAT && (OP == 2u || OP == 3u)) { return Out(0); }
  if (OP == 1u) {
    if (inner == 0u) { return Out(nan_f32()); }
    return Out(f32(acc) / f32(inner));
  }
  return Out(acc);
}

/** The subgroup's combined value, in every invocation of it (NaN-aware: subgroupMax/Min leave NaN undefined). */
fn subgroup_combine(v: V) -> V {
  if (OP <= 1u) { return sg_add(v); }
  if (OP == 4u) { return sg_mul(v); }
  // Subgroup ops must run in subgroup-uniform control flow, which the
  // validator cannot see a subgroupAny result to be: computed, then selected.
  let any_nan = sg_any(nan_bits(v));
  var r: V;
  if (OP == 2u) { r = sg_max(v); } else { r = sg_min(v); }
  return select(r, V(nan_f32()), any_nan);
}

/** The workgroup's combined value; valid in invocation 0. */
fn workgroup_combine(v: V, lid: u32) -> V {
  if (SUBGROUPS) {
    let s = subgroup_combine(v);
    // (Workgroup memory starts zeroed; reset anyway, for implementations that skip that.)
    if (lid == 0u) { atomicStore(&filled, 0u); }
    workgroupBarrier();
    if (sg_elect()) { partial[atomicAdd(&filled, 1u)] = s; }
    workgroupBarrier();
    var acc = identity();
    if (lid == 0u) {
      let n = atomicLoad(&filled);
      for (var k = 0u; k < n; k++) { acc = combine(acc, partial[k]); }
    }
    return acc;
  }
  partial[lid] = v;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width = width / 2u) {
    if (lid < width) { partial[lid] = combine(partial[lid], partial[lid + width]); }
    workgroupBarrier();
  }
  return partial[0];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let group = wg.x + wg.y * groups.x;
  if (PER_INVOCATION) {
    let row = group * WG + lid;
    if (row < params.outer) { out[row] = finish(fold(row, 0u, 1u)); }
    return;
  }
  let live = group < params.outer;
  var acc = identity();
  if (live) { acc = fold(group, lid, WG); }
  let total = workgroup_combine(acc, lid);
  if (lid == 0u && live) { out[group] = finish(total); }
}
