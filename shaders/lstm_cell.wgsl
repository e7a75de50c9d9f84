// One LSTM step after its products (recurrent_cells.ts's lstmCell): out
// [2, B, H] holds h' = σ(o)·tanh(c') then c' = σ(f)·c + σ(i)·tanh(g), from
// z [B, 4H] and c [B, H], the gates from lstm_cell_gates.wgsl. One
// invocation per unit of the state, in f32, stored as T: neighbouring
// invocations read neighbouring units of a row of each gate and of c, and
// write neighbouring units of h' and of c'. c' is kept in f32 for h', so h'
// rounds once, as the js backend's does.
override WORKGROUP: u32 = 256;

struct Params {
  size: u32,
  hidden: u32,
}

@group(0) @binding(0) var<storage, read> z: array<T>;
@group(0) @binding(1) var<storage, read> c: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let u = gid.x + gid.y * groups.x * WORKGROUP;
  if (u >= params.size) { return; }
  let q = gates_at(u / params.hidden, u % params.hidden, params.hidden);
  let next = q.f * f32(c[u]) + q.i * q.g;
  out[u] = T(q.o * tanh_f32(next));
  out[params.size + u] = T(next);
}
