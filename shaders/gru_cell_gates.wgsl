// The gates of one GRU unit, which gru_cell.wgsl and gru_cell_grad.wgsl
// share (included after elementwise_lib.wgsl, whose sigmoid_f32 and tanh_f32
// keep their digits near 0 where lavapipe's builtins do not): unit j of row b
// read from xw and hw [B, 3H] (the gates r, z, n side by side; both kernels
// bind them by these names), in f32 whatever T is, as PyTorch's
// r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r·hn); hn comes back too,
// for the gradient of r.
struct Gates {
  r: f32,
  z: f32,
  n: f32,
  hn: f32,
}

fn gates_at(b: u32, j: u32, hidden: u32) -> Gates {
  let at = b * 3u * hidden + j;
  let r = sigmoid_f32(f32(xw[at]) + f32(hw[at]));
  let z = sigmoid_f32(f32(xw[at + hidden]) + f32(hw[at + hidden]));
  let hn = f32(hw[at + 2u * hidden]);
  return Gates(r, z, tanh_f32(f32(xw[at + 2u * hidden]) + r * hn), hn);
}
