// The LSTM step's gradient (recurrent_cells.ts's lstmCellGrad) from z
// [B, 4H], c [B, H] and dy [2, B, H] (dh' then dc'): out holds dz [B, 4H]
// then dc [B, H], the gates recomputed (lstm_cell_gates.wgsl) rather than
// saved. c' feeds h' through tanh as well as the next step directly, so the
// cell's gradient sums both before it reaches the gates. One invocation per
// unit, in f32, stored as T: each reads its unit of the four gates, of c
// and of both halves of dy, and writes its unit of the four gates' rows of
// dz and of dc.
override WORKGROUP: u32 = 256;

struct Params {
  size: u32,
  hidden: u32,
}

@group(0) @binding(0) var<storage, read> z: array<T>;
@group(0) @binding(1) var<storage, read> c: array<T>;
@group(0) @binding(2) var<storage, read> dy: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let u = gid.x + gid.y * groups.x * WORKGROUP;
  if (u >= params.size) { return; }
  let hidden = params.hidden;
  let b = u / hidden;
  let j = u % hidden;
  let q = gates_at(b, j, hidden);
  let previous = f32(c[u]);
  let t = tanh_f32(q.f * previous + q.i * q.g);
  let dh = f32(dy[u]);
  let dc = f32(dy[params.size + u]) + dh * q.o * (1.0 - t * t);
  let at = b * 4u * hidden + j;
  out[at] = T(dc * q.g * q.i * (1.0 - q.i));
  out[at + hidden] = T(dc * previous * q.f * (1.0 - q.f));
  out[at + 2u * hidden] = T(dc * q.i * (1.0 - q.g * q.g));
  out[at + 3u * hidden] = T(dh * t * q.o * (1.0 - q.o));
  out[4u * params.size + u] = T(dc * q.f);
}
