// Running sums or products along an axis: out[o, j, i] = Σ (OP = 0) or
// Π (OP = 1) over j' ≤ j of x[o, j', i], for x and out read as
// [outer, n, inner]. One invocation per (o, i) line, walking its n elements
// in order: floats in f32 (an f16 tensor is widened first and narrowed
// after), ints in i32, wrapping (an i8 one widened: the low bits of a
// wrapped i32 sum or product are the i8 one's). Neighbouring invocations
// read neighbouring columns, so each step of the walk reads a contiguous run
// across the workgroup. TypeScript writes T (f32 or i32) and OP in front.
override WORKGROUP: u32 = 256;

struct Params {
  lines: u32,
  n: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let line = gid.x + gid.y * groups.x * WORKGROUP;
  if (line >= params.lines) { return; }
  let i = line % params.inner;
  var at = (line / params.inner) * params.n * params.inner + i;
  var acc = select(T(0), T(1), OP == 1u);
  for (var j = 0u; j < params.n; j++) {
    if (OP == 1u) { acc *= x[at]; } else { acc += x[at]; }
    out[at] = acc;
    at += params.inner;
  }
}
