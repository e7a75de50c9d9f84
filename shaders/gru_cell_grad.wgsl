// The GRU step's gradient (recurrent_cells.ts's gruCellGrad) from xw, hw [B, 3H],
// h [B, H] and dy = dh' [B, H]: out holds dxw [B, 3H], dhw [B, 3H], then
// dh [B, H], the gates recomputed (gru_cell_gates.wgsl). The pre-activations'
// gradients are the same on the input and hidden sides but for n's, which r
// scales on the hidden side. One invocation per unit, in f32, stored as T.
override WORKGROUP: u32 = 256;

struct Params {
  size: u32,
  hidden: u32,
}

@group(0) @binding(0) var<storage, read> xw: array<T>;
@group(0) @binding(1) var<storage, read> hw: array<T>;
@group(0) @binding(2) var<storage, read> h: array<T>;
@group(0) @binding(3) var<storage, read> dy: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.size) { return; }
  let hidden = params.hidden;
  let b = i / hidden;
  let j = i % hidden;
  let q = gates_at(b, j, hidden);
  let d = f32(dy[i]);
  let dn = d * (1.0 - q.z) * (1.0 - q.n * q.n);
  let dr = dn * q.hn * q.r * (1.0 - q.r);
  let dz = d * (f32(h[i]) - q.n) * q.z * (1.0 - q.z);
  let at = b * 3u * hidden + j;
  let dhw = 3u * params.size;
  out[at] = T(dr);
  out[at + hidden] = T(dz);
  out[at + 2u * hidden] = T(dn);
  out[dhw + at] = T(dr);
  out[dhw + at + hidden] = T(dz);
  out[dhw + at + 2u * hidden] = T(dn * q.r);
  out[6u * params.size + i] = T(d * q.z);
}
