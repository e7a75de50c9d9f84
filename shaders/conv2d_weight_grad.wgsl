// conv2d.wgsl's product for the weight's gradient, dw [F, C/g, KH, KW] from
// a = x [N, C, H, W] and b = dy [N, F, OH, OW]: per group, a row is one of
// its F/g filters, a column one tap of the filter (channel c, ky, kx: C/g·KH·KW
// of them), a term k one output position (image n, oy, ox: N·OH·OW of them,
// a long sum that TypeScript splits into runs: conv2d.wgsl). L is dy read
// in place; R is the tap's pixel at that position, x[n, c, oy·stride +
// ky·dilation − pad, …], 0 in the padding.
struct Row {
  // Where the filter's plane starts in an image of dy.
  dy: u32,
}

struct Col {
  // Where the tap's channel starts in an image of x, and the tap's offset from a window's corner.
  plane: u32,
  dy: i32,
  dx: i32,
}

struct Step {
  // Where the position is in dy (past the filter's plane), where its image starts in x; the position, and its window's corner.
  dy: u32,
  x: u32,
  oy: u32,
  ox: u32,
  y0: i32,
  x0: i32,
}

fn row_at(group: u32, r: u32) -> Row {
  return Row((group * (conv.filters / conv.groups) + r) * conv.out_h * conv.out_w);
}

fn col_at(group: u32, c: u32) -> Col {
  let taps = conv.kernel_h * conv.kernel_w;
  let t = c % taps;
  return Col((group * (conv.channels / conv.groups) + c / taps) * conv.height * conv.width, i32((t / conv.kernel_w) * conv.dilation_h), i32((t % conv.kernel_w) * conv.dilation_w));
}

fn step_at(group: u32, k: u32) -> Step {
  let positions = conv.out_h * conv.out_w;
  let n = k / positions;
  let p = k % positions;
  let oy = p / conv.out_w;
  let ox = p % conv.out_w;
  return Step(n * conv.filters * positions + p, n * conv.channels * conv.height * conv.width, oy, ox,
              i32(oy * conv.stride_h) - i32(conv.pad_top), i32(ox * conv.stride_w) - i32(conv.pad_left));
}

// The next position: along the row, then down, then the next image's first.
fn step_next(s: Step) -> Step {
  var n = s;
  n.dy += 1u;
  n.ox += 1u;
  n.x0 += i32(conv.stride_w);
  if (n.ox == conv.out_w) {
    n.ox = 0u;
    n.x0 = -i32(conv.pad_left);
    n.oy += 1u;
    n.y0 += i32(conv.stride_h);
    if (n.oy == conv.out_h) {
      n.oy = 0u;
      n.y0 = -i32(conv.pad_top);
      n.dy += (conv.filters - 1u) * conv.out_h * conv.out_w;
      n.x += conv.channels * conv.height * conv.width;
    }
  }
  return n;
}

fn left(row: Row, s: Step) -> f32 {
  return f32(b[row.dy + s.dy]);
}

fn right(col: Col, s: Step) -> f32 {
  let y = s.y0 + col.dy;
  let x = s.x0 + col.dx;
  if (y < 0 || x < 0 || y >= i32(conv.height) || x >= i32(conv.width)) { return 0.0; }
  return f32(a[s.x + col.plane + u32(y) * conv.width + u32(x)]);
}

// dw[group's filter r, tap c]
fn out_at(group: u32, r: u32, c: u32) -> u32 {
  return (group * (conv.filters / conv.groups) + r) * conv.N + c;
}
