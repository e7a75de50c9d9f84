// Sorting rows by a bitonic network, for sort, argsort and topk: `order`
// holds, for each row of x [rows, n], the positions 0…n−1 (and n…P−1 as
// padding, P the power of two ≥ n), and each launch is one stage of the
// network: every invocation compares one pair of positions j apart and swaps
// them into the order of their block (PHASE 1). The positions move, never
// the values: a comparison reads them from x. PHASE 0 fills `order`; PHASE 2
// writes the first k positions of each row to `out` (i32).
//
// The order is strict and total, so the result is the same on every
// backend: by value (descending when DESCENDING), NaN after every number
// ascending and before every number descending (PyTorch's), ties by
// position, the padding after everything. FLOAT is false for i32 values.
override WORKGROUP: u32 = 256;

struct Params {
  rows: u32,
  n: u32,
  padded: u32,
  block: u32,
  distance: u32,
  k: u32,
  unused0: u32,
  unused1: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> order: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

fn is_nan_value(v: T) -> bool {
  return FLOAT && (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

/** Whether position a of row `base` comes before position b. */
fn precedes(base: u32, a: u32, b: u32) -> bool {
  if (a >= params.n || b >= params.n) { return a < b; } // padding last, in position order
  let va = x[base + a];
  let vb = x[base + b];
  let nan_a = is_nan_value(va);
  let nan_b = is_nan_value(vb);
  if (nan_a || nan_b) {
    if (nan_a && nan_b) { return a < b; }
    return nan_a == DESCENDING;
  }
  if (va == vb) { return a < b; }
  return (va > vb) == DESCENDING;
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (PHASE == 0u) {
    if (i >= params.rows * params.padded) { return; }
    order[i] = i % params.padded;
    return;
  }
  if (PHASE == 2u) {
    if (i >= params.rows * params.k) { return; }
    let row = i / params.k;
    out[i] = i32(order[row * params.padded + i % params.k]);
    return;
  }
  let half = params.padded / 2u;
  if (i >= params.rows * half) { return; }
  let row = i / half;
  let h = i % half;
  let d = params.distance;
  let first = (h / d) * 2u * d + h % d;
  let at = row * params.padded;
  let a = order[at + first];
  let b = order[at + first + d];
  // Blocks of `block` alternate direction until the last stage, which runs one way.
  let forward = (first & params.block) == 0u;
  if (precedes(row * params.n, b, a) == forward) {
    order[at + first] = b;
    order[at + first + d] = a;
  }
}
