// conv2d.wgsl's product for the input's gradient (also convTranspose2d's
// forward), dx from a = dy [N, F, OH, OW] and b = w [F, C/g, KH, KW]: per
// group, a row is one of its C/g channels, a column one input pixel (image
// n, iy, ix: N·H·W of them), a term k one tap of one of the group's filters
// (f, ky, kx: F/g·KH·KW of them). L is w read in place; R gathers, for the
// pixel, the output position whose window put that tap on it: dy[n, f, oy,
// ox] where oy·stride + ky·dilation − pad = iy (likewise x), 0 where no
// position does (between strides, past the edges). A transposed
// convolution as a gather over the positions that touch each pixel: no
// scatter, no atomics, every dx written once. With a stride s, all but
// 1/s² of R's terms are 0 (read as such, not skipped).
struct Row {
  // Where the channel's taps start in a filter's weights.
  w: u32,
}

struct Col {
  // Where the image starts in dy, and the pixel moved by the padding (iy + pad, ix + pad).
  dy: u32,
  y: i32,
  x: i32,
}

struct Step {
  // Where the tap's weight starts in w (the filter's, plus the tap's), where the filter's plane starts in an image of dy; the tap, and its offset.
  w: u32,
  plane: u32,
  ky: u32,
  kx: u32,
  dy: i32,
  dx: i32,
}

fn row_at(group: u32, r: u32) -> Row {
  return Row(r * conv.kernel_h * conv.kernel_w);
}

fn col_at(group: u32, c: u32) -> Col {
  let pixels = conv.height * conv.width;
  let p = c % pixels;
  return Col((c / pixels) * conv.filters * conv.out_h * conv.out_w, i32(p / conv.width + conv.pad_top), i32(p % conv.width + conv.pad_left));
}

fn step_at(group: u32, k: u32) -> Step {
  let taps = conv.kernel_h * conv.kernel_w;
  let f = group * (conv.filters / conv.groups) + k / taps;
  let t = k % taps;
  let ky = t / conv.kernel_w;
  let kx = t % conv.kernel_w;
  return Step(f * (conv.channels / conv.groups) * taps + t, f * conv.out_h * conv.out_w, ky, kx, i32(ky * conv.dilation_h), i32(kx * conv.dilation_w));
}

// The next tap: along the row, then down, then the next filter's first (past the other channels' taps in w).
fn step_next(s: Step) -> Step {
  var n = s;
  n.w += 1u;
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
      n.w += (conv.channels / conv.groups - 1u) * conv.kernel_h * conv.kernel_w;
      n.plane += conv.out_h * conv.out_w;
    }
  }
  return n;
}

fn left(row: Row, s: Step) -> f32 {
  return f32(b[row.w + s.w]);
}

fn right(col: Col, s: Step) -> f32 {
  let y = col.y - s.dy;
  let x = col.x - s.dx;
  if (y < 0 || x < 0) { return 0.0; }
  var oy = u32(y);
  var ox = u32(x);
  if (STRIDED) {
    oy /= conv.stride_h;
    ox /= conv.stride_w;
    if (oy * conv.stride_h != u32(y) || ox * conv.stride_w != u32(x)) { return 0.0; }
  }
  if (oy >= conv.out_h || ox >= conv.out_w) { return 0.0; }
  return f32(a[col.dy + s.plane + oy * conv.out_w + ox]);
}

// dx[n, group's channel r, iy, ix]
fn out_at(group: u32, r: u32, c: u32) -> u32 {
  let pixels = conv.height * conv.width;
  return ((c / pixels) * conv.channels + group * (conv.channels / conv.groups) + r) * pixels + c % pixels;
}
