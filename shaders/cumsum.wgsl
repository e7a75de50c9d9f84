// Running sums along an axis: out[o, j, i] = Σ_{j' ≤ j} x[o, j', i], for x
// and out read as [outer, n, inner]. One invocation per (o, i) line, walking
// its n elements in order: floats summed in f32 (an f16 tensor is widened
// first and narrowed after), ints in i32, wrapping (an i8 one widened).
// Neighbouring invocations read neighbouring columns, so each step of the
// walk reads a contiguous run across the workgroup.
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
  var acc = T(0);
  for (var j = 0u; j < params.n; j++) {
    acc += x[at];
    out[at] = acc;
    at += params.inner;
  }
}
