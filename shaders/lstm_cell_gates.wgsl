// The gates of one LSTM unit, which lstm_cell.wgsl and lstm_cell_grad.wgsl
// share (included after elementwise_lib.wgsl, whose sigmoid_f32 and tanh_f32
// keep their digits near 0 where lavapipe's builtins do not): unit j of row b
// read from z [B, 4H] (the pre-activations of the gates i, f, g, o side by
// side; both kernels bind it by that name), activated in f32 whatever T is:
// i, f, o = σ, g = tanh.
struct Gates {
  i: f32,
  f: f32,
  g: f32,
  o: f32,
}

fn gates_at(b: u32, j: u32, hidden: u32) -> Gates {
  let at = b * 4u * hidden + j;
  return Gates(
    sigmoid_f32(f32(z[at])),
    sigmoid_f32(f32(z[at + hidden])),
    tanh_f32(f32(z[at + 2u * hidden])),
    sigmoid_f32(f32(z[at + 3u * hidden])),
  );
}
