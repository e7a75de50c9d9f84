// The tree-walk kernel (src/backends/tree_walk.ts): out[n, t] = the leaf
// tree t's node tables lead row n of x [N, F] to, in at most `depth` steps
// from roots[t], each step taking next[node·4 + r] for the relation r of
// x[n, features[node]] to thresholds[node]: 0 less, 1 equal, 2 greater,
// 3 a NaN value; a NaN threshold is neither greater nor equal (less). A walk
// stops once a step stays on its node (a leaf leads to itself).
//
// One invocation per (row, tree), trees fastest: neighbouring invocations
// walk one row's trees (its values shared in cache) and write neighbouring
// outputs. Values are compared by their bits in an order that agrees with
// f32's (±0 equal), so that neither a NaN nor a flushed subnormal changes a
// relation. TypeScript writes nothing in front; WG is an override.
override WG: u32 = 64;

struct Params {
  size: u32,
  trees: u32,
  cols: u32,
  depth: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> features: array<i32>;
@group(0) @binding(2) var<storage, read> thresholds: array<f32>;
@group(0) @binding(3) var<storage, read> next: array<i32>;
@group(0) @binding(4) var<storage, read> roots: array<i32>;
@group(0) @binding(5) var<storage, read_write> out: array<i32>;
@group(0) @binding(6) var<uniform> params: Params;

fn is_nan_bits(b: u32) -> bool { return (b & 0x7fffffffu) > 0x7f800000u; }

/** A non-NaN f32's bits as a u32 ordered as the values are, both zeros the same. */
fn ordered(b: u32) -> u32 {
  if ((b & 0x7fffffffu) == 0u) { return 0x80000000u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.size) { return; }
  let row = (i / params.trees) * params.cols;
  var at = roots[i % params.trees];
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
  out[i] = at;
}
