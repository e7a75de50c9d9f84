// One GRU step after its products (recurrent_cells.ts's gruCell): h' = (1 − z)·n +
// z·h [B, H] from xw, hw [B, 3H] and h [B, H], the gates from
// gru_cell_gates.wgsl. One invocation per unit of the output, in f32,
// stored as T: neighbouring invocations read neighbouring units of a row of
// each gate.
override WORKGROUP: u32 = 256;

struct Params {
  size: u32,
  hidden: u32,
}

@group(0) @binding(0) var<storage, read> xw: array<T>;
@group(0) @binding(1) var<storage, read> hw: array<T>;
@group(0) @binding(2) var<storage, read> h: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.size) { return; }
  let q = gates_at(i / params.hidden, i % params.hidden, params.hidden);
  out[i] = T(q.n + q.z * (f32(h[i]) - q.n));
}
