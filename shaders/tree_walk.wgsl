// The tree-walk kernel (src/backends/tree_walk.ts): out[n, k] = the values
// values[leaf, k] of the leaves the trees lead row n of x [N, F] to, reduced
// over the trees in their order (REDUCTION 0 sum from 0, 1 min from +∞,
// 2 max from −∞; min and max pass a NaN on). Each walk goes at most `depth`
// steps from roots[t], each taking next[node·4 + r] for the relation r of
// x[n, features[node]] to thresholds[node]: 0 less, 1 equal, 2 greater,
// 3 a NaN value; a NaN threshold is neither greater nor equal (less). A walk
// stops once a step stays on its node (a leaf leads to itself).
//
// One invocation per row, walking its trees one after another and folding
// each leaf's values into the row's outputs, which only it writes: no leaf
// table [N, T] goes through memory (on lavapipe 1.5× faster than a walk per
// (row, tree) and a gather and sum after). On a GPU with tens of thousands
// of threads a small batch leaves most of them idle; trees split among
// invocations, with a second pass folding the parts, would fill it: not
// measured yet, for want of such a GPU. Values are compared by their bits in an
// order that agrees with f32's (±0 equal), so that neither a NaN nor a
// flushed subnormal changes a relation; min and max test NaN by bits too.
// TypeScript puts order_key_lib.wgsl (`ordered`) in front; WG and REDUCTION
// are overrides.
override WG: u32 = 64;
override REDUCTION: u32 = 0u;

struct Params {
  rows: u32,
  trees: u32,
  cols: u32,
  depth: u32,
  k: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> features: array<i32>;
@group(0) @binding(2) var<storage, read> thresholds: array<f32>;
@group(0) @binding(3) var<storage, read> next: array<i32>;
@group(0) @binding(4) var<storage, read> roots: array<i32>;
@group(0) @binding(5) var<storage, read> values: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

fn inf_f32() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }

fn is_nan_bits(b: u32) -> bool { return (b & 0x7fffffffu) > 0x7f800000u; }

/** The leaf tree t leads the row at x[row..] to. */
fn leaf(row: u32, t: u32) -> u32 {
  var at = roots[t];
  for (var step = 0u; step < params.depth; step++) {
    let v = bitcast<u32>(x[row + u32(features[at])]);
    let limit = bitcast<u32>(thresholds[at]);
    var relation = 0u;
    if (is_nan_bits(v)) {
      relation = 3u;
    } else if (!is_nan_bits(limit)) {
      let a = ordered(v);
      let b = ordered(limit);
      relation = select(select(0u, 1u, a == b), 2u, a > b);
    }
    let dest = next[u32(at) * 4u + relation];
    if (dest == at) { break; }
    at = dest;
  }
  return u32(at);
}

/** v folded into held: the sum, or the smaller (larger) with a NaN passed on and the held value kept between equals. */
fn combine(held: f32, v: f32) -> f32 {
  if (REDUCTION == 0u) { return held + v; }
  let v_nan = is_nan_bits(bitcast<u32>(v));
  if (REDUCTION == 1u) { return select(held, v, v < held || v_nan); }
  return select(held, v, v > held || v_nan);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let n = gid.x + gid.y * groups.x * WG;
  if (n >= params.rows) { return; }
  let base = n * params.k;
  let identity = select(select(-inf_f32(), inf_f32(), REDUCTION == 1u), 0.0, REDUCTION == 0u);
  for (var c = 0u; c < params.k; c++) { out[base + c] = identity; }
  for (var t = 0u; t < params.trees; t++) {
    let at = leaf(n * params.cols, t) * params.k;
    for (var c = 0u; c < params.k; c++) { out[base + c] = combine(out[base + c], values[at + c]); }
  }
}
