// conv2d.wgsl's product for the forward, y from a = x [N, C, H, W] and b =
// w [F, C/g, KH, KW]: per group, a row is one of its F/g filters, a column
// one output position (image n, oy, ox: N·OH·OW of them), a term k one of
// the filter's taps (its channel c, ky, kx: C/g·KH·KW of them). L is w read
// in place; R is the tap's pixel x[n, c, oy·stride + ky·dilation − pad, …],
// 0 in the padding. Neighbouring invocations take neighbouring columns
// (ox), so they read neighbouring pixels and write neighbouring outputs.
struct Row {
  // Where the filter's weights start in w.
  w: u32,
}

struct Col {
  // Where the group's first channel of the image starts in x, and the window's corner (negative in the padding).
  x: u32,
  y0: i32,
  x0: i32,
}

struct Step {
  k: u32,
  // Where the tap's channel starts from the group's first; the tap, and its offset from the corner.
  plane: u32,
  ky: u32,
  kx: u32,
  dy: i32,
  dx: i32,
}

fn row_at(group: u32, r: u32) -> Row {
  return Row((group * (conv.filters / conv.groups) + r) * conv.K);
}

fn col_at(group: u32, c: u32) -> Col {
  let positions = conv.out_h * conv.out_w;
  let n = c / positions;
  let p = c % positions;
  let image = (n * conv.channels + group * (conv.channels / conv.groups)) * conv.height * conv.width;
  return Col(image, i32((p / conv.out_w) * conv.stride_h) - i32(conv.pad_top), i32((p % conv.out_w) * conv.stride_w) - i32(conv.pad_left));
}

fn step_at(group: u32, k: u32) -> Step {
  let taps = conv.kernel_h * conv.kernel_w;
  let t = k % taps;
  let ky = t / conv.kernel_w;
  let kx = t % conv.kernel_w;
  return Step(k, (k / taps) * conv.height * conv.width, ky, kx, i32(ky * conv.dilation_h), i32(kx * conv.dilation_w));
}

// The next tap: along the row, then down, then the next channel.
fn step_next(s: Step) -> Step {
  var n = s;
  n.k += 1u;
  n.kx += 1u;
  n.dx += i32(conv.dilation_w);
  if (n.kx == conv.kernel_w) {
    n.kx = 0u;
    n.dx = 0;
    n.ky += 1u;
    n.dy += i32(conv.dilation_h);
    if (n.ky == conv.kernel_h) {
      n.ky = 0u;
      n.dy = 0;
      n.plane += conv.height * conv.width;
    }
  }
  return n;
}

fn left(row: Row, s: Step) -> f32 {
  return f32(b[row.w + s.k]);
}

fn right(col: Col, s: Step) -> f32 {
  let y = col.y0 + s.dy;
  let x = col.x0 + s.dx;
  if (y < 0 || x < 0 || y >= i32(conv.height) || x >= i32(conv.width)) { return 0.0; }
  return f32(a[col.x + s.plane + u32(y) * conv.width + u32(x)]);
}

// y[n, group's filter r, oy, ox]
fn out_at(group: u32, r: u32, c: u32) -> u32 {
  let positions = conv.out_h * conv.out_w;
  return ((c / positions) * conv.filters + group * (conv.filters / conv.groups) + r) * positions + c % positions;
}
