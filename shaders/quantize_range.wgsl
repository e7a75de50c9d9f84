// First pass of ONNX's DynamicQuantizeLinear (ops/quantize_uint8.ts): each
// workgroup's part of x's range widened to hold 0, and whether it holds a
// NaN or an infinity. partials[g·4 ..] = lo, hi (as order keys, see
// `ordered`), a NaN seen (1/0), an infinity seen (1/0).
//
// Workgroups stride over x together (invocation i reads i, i + G·WG, …), so
// the second pass (quantize_uint8.wgsl) folds only G partials, G ≤ its
// workgroup size. Values are compared by order keys of their bits rather
// than as floats, so that a flushed subnormal still counts as what it is.
// TypeScript writes nothing in front; WG is an override.
override WG: u32 = 256;

struct Params {
  size: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> lo: atomic<u32>;
var<workgroup> hi: atomic<u32>;
var<workgroup> nan_seen: atomic<u32>;
var<workgroup> inf_seen: atomic<u32>;

/** A non-NaN f32's bits as a u32 ordered as the values are, both zeros the same (0x80000000). */
fn ordered(b: u32) -> u32 {
  if ((b & 0x7fffffffu) == 0u) { return 0x80000000u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  if (lid == 0u) {
    atomicStore(&lo, 0x80000000u);
    atomicStore(&hi, 0x80000000u);
  }
  workgroupBarrier();
  // The range starts at [0, 0]: DynamicQuantizeLinear widens it to hold 0.
  var my_lo = 0x80000000u;
  var my_hi = 0x80000000u;
  var my_nan = 0u;
  var my_inf = 0u;
  for (var i = wid.x * WG + lid; i < params.size; i += groups.x * WG) {
    let b = bitcast<u32>(x[i]);
    let magnitude = b & 0x7fffffffu;
    if (magnitude > 0x7f800000u) {
      my_nan = 1u;
    } else if (magnitude == 0x7f800000u) {
      my_inf = 1u;
    } else {
      let key = ordered(b);
      my_lo = min(my_lo, key);
      my_hi = max(my_hi, key);
    }
  }
  atomicMin(&lo, my_lo);
  atomicMax(&hi, my_hi);
  atomicMax(&nan_seen, my_nan);
  atomicMax(&inf_seen, my_inf);
  workgroupBarrier();
  if (lid == 0u) {
    partials[wid.x * 4u] = atomicLoad(&lo);
    partials[wid.x * 4u + 1u] = atomicLoad(&hi);
    partials[wid.x * 4u + 2u] = atomicLoad(&nan_seen);
    partials[wid.x * 4u + 3u] = atomicLoad(&inf_seen);
  }
}
