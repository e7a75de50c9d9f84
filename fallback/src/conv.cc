// 2-D convolution (NCHW) and its two gradients as sgemm over column blocks.
// Each image's windows are copied into a matrix cols [taps, positions]
// (im2col: a row per channel and tap, a column per output position), a few
// output rows at a time so that the block stays in cache, and multiplied by
// the filters [filters, taps]: the product lands in NCHW order with no
// transpose. The input's gradient is the same product transposed, its
// columns added back into the pixels they came from (col2im); the weight's
// sums dy · colsᵀ over every image and block. A 1×1 convolution with stride
// 1 and no padding reads the image itself as cols.
//
// ops/conv.ts computes the same thing from gather and matmul on backends
// without these kernels; holding every window at once there costs
// taps × positions values per image (9× the image for a 3×3 kernel).
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

namespace {

// Values of a cols block: 256 KiB of f32, within a core's L2.
constexpr int64_t BLOCK_VALUES = int64_t(1) << 16;

// Output rows per block: at least one, at most every row.
int64_t rows_per_block(const ConvGeometry& g) {
  return std::clamp<int64_t>(BLOCK_VALUES / (g.taps() * g.out_w), 1, g.out_h);
}

// Whether cols is the image itself: a 1×1 kernel reading every pixel once, in order.
bool pointwise(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
         g.out_h == g.height && g.out_w == g.width;
}

// The first and one-past-last output column whose tap at `offset` (kx·dilation − left) lands inside the row.
std::pair<int64_t, int64_t> columns_inside(const ConvGeometry& g, int64_t offset) {
  // ox·stride + offset ∈ [0, width)
  const int64_t lo = offset >= 0 ? 0 : (-offset + g.stride_w - 1) / g.stride_w;
  const int64_t last = g.width - 1 - offset;
  const int64_t hi = last < 0 ? 0 : std::min(g.out_w, last / g.stride_w + 1);
  return {std::min(lo, hi), hi};
}

// Visits every (row of cols, output row) of output rows [oy0, oy1) of one
// group's channels: visit(cols row pointer, image row pointer or null for a
// row of padding, lo, hi, offset) for the columns [lo, hi) that read the
// image at ox·stride + offset.
template <typename Image, typename Cols, typename Visit>
void each_row(Image image, Cols cols, const ConvGeometry& g, int64_t oy0, int64_t oy1, Visit visit) {
  const int64_t width = (oy1 - oy0) * g.out_w;
  int64_t k = 0;
  for (int64_t c = 0; c < g.per_group(); c++)
    for (int64_t ky = 0; ky < g.kh; ky++)
      for (int64_t kx = 0; kx < g.kw; kx++, k++) {
        const int64_t offset = kx * g.dilation_w - g.pad_left;
        const auto [lo, hi] = columns_inside(g, offset);
        for (int64_t oy = oy0; oy < oy1; oy++) {
          const int64_t iy = oy * g.stride_h + ky * g.dilation_h - g.pad_top;
          const bool inside = iy >= 0 && iy < g.height;
          visit(cols + k * width + (oy - oy0) * g.out_w, inside ? image + (c * g.height + iy) * g.width : nullptr, lo, hi, offset);
        }
      }
}

// cols [taps, (oy1 − oy0) · out_w] ← the windows of output rows [oy0, oy1) over one group's channels.
TMNN_MULTIVERSION
void im2col(const float* image, float* cols, const ConvGeometry& g, int64_t oy0, int64_t oy1) {
  const int64_t sw = g.stride_w;
  each_row(image, cols, g, oy0, oy1, [&](float* out, const float* row, int64_t lo, int64_t hi, int64_t offset) {
    if (!row) return (void)std::fill(out, out + g.out_w, 0.0f);
    std::fill(out, out + lo, 0.0f);
    if (sw == 1) std::memcpy(out + lo, row + lo + offset, (hi - lo) * sizeof(float));
    else
      for (int64_t ox = lo; ox < hi; ox++) out[ox] = row[ox * sw + offset];
    std::fill(out + hi, out + g.out_w, 0.0f);
  });
}

// im2col undone by adding: each value of cols into the pixel it was read from (the padding's dropped).
TMNN_MULTIVERSION
void col2im_add(const float* cols, float* image, const ConvGeometry& g, int64_t oy0, int64_t oy1) {
  const int64_t sw = g.stride_w;
  each_row(image, cols, g, oy0, oy1, [&](const float* in, float* row, int64_t lo, int64_t hi, int64_t offset) {
    if (!row) return;
    for (int64_t ox = lo; ox < hi; ox++) row[ox * sw + offset] += in[ox];
  });
}

// c [m, n] (row stride ldc) = op(a) · op(b) + beta · c, row-major.
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
          float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), 1.0f,
              a, int(lda), b, int(ldb), beta, c, int(ldc));
}

// Threads for a convolution: OpenBLAS's count, fewer for small work (a
// thread per ONE_THREAD_MACS at least) or few images.
int parts_for(const ConvGeometry& g) {
  const int64_t macs = g.batch * g.filters * g.positions() * g.taps();
  return thread_parts(std::min(g.batch, macs / ONE_THREAD_MACS));
}

// Runs f(part, image, group, oy0, oy1, cols) over every block of output
// rows [oy0, oy1) of every image and group, the images split among `parts`
// threads, each running its products on OpenBLAS with one thread: products
// this small lose more to OpenBLAS's hand-offs between its threads than
// they gain (32 images 8×28×28 by 16 3×3 filters: 3.3 ms on two threads,
// 1.1 ms on one). A block holds at least one output row: past BLOCK_VALUES
// where an image is wide and has many channels. cols is the block's windows
// of x (pointwise: the image's group itself), or with x null a buffer that
// size to write.
template <typename F>
void each_block(const float* x, const ConvGeometry& g, int parts, F f) {
  const bool direct = pointwise(g);
  const int64_t rows = direct ? g.out_h : rows_per_block(g);
  const int blas_threads = threads();
  // On one thread of ours (one image, or little work), a block's product large enough keeps OpenBLAS's threads.
  const int64_t block_macs = (g.filters / g.groups) * rows * g.out_w * g.taps();
  const bool alone = parts > 1 || block_macs < ONE_THREAD_MACS;
  if (alone) openblas_set_num_threads(1);
  parallel(parts, [&](int part) {
    std::vector<float> block(direct ? 0 : size_t(g.taps() * rows * g.out_w));
    const auto [first, last] = share(g.batch, parts, part);
    for (int64_t n = first; n < last; n++)
      for (int64_t grp = 0; grp < g.groups; grp++) {
        const float* image = x ? x + (n * g.channels + grp * g.per_group()) * g.height * g.width : nullptr;
        for (int64_t oy0 = 0; oy0 < g.out_h; oy0 += rows) {
          const int64_t oy1 = std::min(g.out_h, oy0 + rows);
          float* cols = block.data();
          if (image && direct) cols = const_cast<float*>(image);  // read only: x's callers take const cols
          else if (image) im2col(image, cols, g, oy0, oy1);
          f(part, n, grp, oy0, oy1, cols);
        }
      }
  });
  if (alone) openblas_set_num_threads(blas_threads);
}

}  // namespace

void conv2d(const float* x, const float* w, const ConvGeometry& g, float* y) {
  const int64_t fg = g.filters / g.groups, k = g.taps(), p = g.positions();
  std::lock_guard<std::mutex> hold(gemm_lock());
  each_block(x, g, parts_for(g), [&](int, int64_t n, int64_t grp, int64_t oy0, int64_t oy1, const float* cols) {
    const int64_t width = (oy1 - oy0) * g.out_w;
    gemm(false, false, fg, width, k, w + grp * fg * k, k, cols, width, 0.0f, y + (n * g.filters + grp * fg) * p + oy0 * g.out_w, p);
  });
}

void conv2d_input_grad(const float* dy, const float* w, const ConvGeometry& g, float* dx) {
  const int64_t fg = g.filters / g.groups, k = g.taps(), p = g.positions();
  const bool direct = pointwise(g);
  if (!direct) std::fill(dx, dx + g.batch * g.channels * g.height * g.width, 0.0f);
  std::lock_guard<std::mutex> hold(gemm_lock());
  each_block(nullptr, g, parts_for(g), [&](int, int64_t n, int64_t grp, int64_t oy0, int64_t oy1, float* cols) {
    const int64_t width = (oy1 - oy0) * g.out_w;
    float* image = dx + (n * g.channels + grp * g.per_group()) * g.height * g.width;
    // cols [taps, block] = w_groupᵀ · dy's block, added back into the pixels read (pointwise: they are the pixels)
    gemm(true, false, k, width, fg, w + grp * fg * k, k, dy + (n * g.filters + grp * fg) * p + oy0 * g.out_w, p, 0.0f,
         direct ? image : cols, width);
    if (!direct) col2im_add(cols, image, g, oy0, oy1);
  });
}

void conv2d_weight_grad(const float* x, const float* dy, const ConvGeometry& g, float* dw) {
  const int64_t fg = g.filters / g.groups, k = g.taps(), p = g.positions();
  const int parts = parts_for(g);
  // Each thread sums its images into its own copy of dw; the copies are added in order after.
  std::vector<float> partial(size_t((parts - 1) * g.filters * k), 0.0f);
  std::fill(dw, dw + g.filters * k, 0.0f);
  std::lock_guard<std::mutex> hold(gemm_lock());
  each_block(x, g, parts, [&](int part, int64_t n, int64_t grp, int64_t oy0, int64_t oy1, const float* cols) {
    const int64_t width = (oy1 - oy0) * g.out_w;
    float* sum = part == 0 ? dw : partial.data() + (part - 1) * g.filters * k;
    // dw_group [filters/groups, taps] += dy's block · colsᵀ
    gemm(false, true, fg, k, width, dy + (n * g.filters + grp * fg) * p + oy0 * g.out_w, p, cols, width, 1.0f, sum + grp * fg * k, k);
  });
  for (int part = 1; part < parts; part++)
    for (int64_t i = 0; i < g.filters * k; i++) dw[i] += partial[(part - 1) * g.filters * k + i];
}

}  // namespace tmnn
