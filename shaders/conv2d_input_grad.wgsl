// conv2d.wgsl's product for the input's gradient (also convTranspose2d's
// forward), dx from a = dy [N, F, OH, OW] and b = w [F, C/g, KH, KW]: per
// group, a row is one of its C/g channels, a column one input pixel (image
// n, iy, ix: N·H·W of them), a term k one tap of one of the group's filters
// (f, ky, kx: F/g·KH·KW of them). L is w read in place; R gathers, for the
// pixel, the output position whose window put that tap on it: dy[n, f, oy,
// ox] where oy·stride + ky·dilation − pad = iy (likewise x), 0 where no
// position does (between strides, past the edges). A transposed
// convolution as a gather over the positions that touch each pixel: no
// scatter, no atomics, every dx written once. Pixels and taps are kept as
// quotient and remainder by the stride, so that no lane divides per term.
// With a stride s, all but 1/s² of R's terms are 0 (read as such, not skipped).
struct Row {
  // Where the channel's taps start in a filter's weights.
  w: u32,
}

// A pixel moved by the padding (iy + pad, ix + pad) as quotient and remainder by the stride.
struct Col {
  // Where the image starts in dy.
  dy: u32,
  qy: i32,
  ry: u32,
  qx: i32,
  rx: u32,
}

struct Step {
  // Where the tap's weight starts in w (the filter's, plus the tap's), where the filter's plane starts in an image of dy.
  w: u32,
  plane: u32,
  ky: u32,
  kx: u32,
  // The tap's offset (ky·dilation, kx·dilation) as quotient and remainder by the stride.
  qy: i32,
  ry: u32,
  qx: i32,
  rx: u32,
}

fn row_at(group: u32, r: u32) -> Row {
  return Row(r * conv.kernel_h * conv.kernel_w);
}

fn col_at(group: u32, c: u32) -> Col {
  let pixels = conv.height * conv.width;
  let p = c % pixels;
  let y = p / conv.width + conv.pad_top;
  let x = p % conv.width + conv.pad_left;
  return Col((c / pixels) * conv.filters * conv.out_h * conv.out_w, i32(y / conv.stride_h), y % conv.stride_h, i32(x / conv.stride_w), x % conv.stride_w);
}

fn step_at(group: u32, k: u32) -> Step {
  let taps = conv.kernel_h * conv.kernel_w;
  let f = group * (conv.filters / conv.groups) + k / taps;
  let t = k % taps;
  let ky = t / conv.kernel_w;
  let kx = t % conv.kernel_w;
  let dy = ky * conv.dilation_h;
  let dx = kx * conv.dilation_w;
  return Step(f * (conv.channels / conv.groups) * taps + t, f * conv.out_h * conv.out_w, ky, kx,
              i32(dy / conv.stride_h), dy % conv.stride_h, i32(dx / conv.stride_w), dx % conv.stride_w);
}

// The next tap: along the row, then down, then the next filter's first (past the other channels' taps in w).
// The offsets move by the dilation, carried through quotient and remainder.
fn step_next(s: Step) -> Step {
  var n = s;
  n.w += 1u;
  n.kx += 1u;
  n.qx += i32(conv.dilation_w / conv.stride_w);
  n.rx += conv.dilation_w % conv.stride_w;
  if (n.rx >= conv.stride_w) { n.rx -= conv.stride_w; n.qx += 1; }
  if (n.kx == conv.kernel_w) {
    n.kx = 0u;
    n.qx = 0;
    n.rx = 0u;
    n.ky += 1u;
    n.qy += i32(conv.dilation_h / conv.stride_h);
    n.ry += conv.dilation_h % conv.stride_h;
    if (n.ry >= conv.stride_h) { n.ry -= conv.stride_h; n.qy += 1; }
    if (n.ky == conv.kernel_h) {
      n.ky = 0u;
      n.qy = 0;
      n.ry = 0u;
      n.w += (conv.channels / conv.groups - 1u) * conv.kernel_h * conv.kernel_w;
      n.plane += conv.out_h * conv.out_w;
    }
  }
  return n;
}

fn left(row: Row, s: Step) -> f32 {
  return f32(b[row.w + s.w]);
}

// The pixel minus the tap's offset is a whole number of strides where the remainders agree: oy = its quotient.
fn right(col: Col, s: Step) -> f32 {
  let oy = col.qy - s.qy;
  let ox = col.qx - s.qx;
  if (col.ry != s.ry || col.rx != s.rx || oy < 0 || ox < 0 || oy >= i32(conv.out_h) || ox >= i32(conv.out_w)) { return 0.0; }
  return f32(a[col.dy + s.plane + u32(oy) * conv.out_w + u32(ox)]);
}

// dx[n, group's channel r, iy, ix]
fn out_at(group: u32, r: u32, c: u32) -> u32 {
  let pixels = conv.height * conv.width;
  return ((c / pixels) * conv.channels + group * (conv.channels / conv.groups) + r) * pixels + c % pixels;
}
