// ONNX's DynamicQuantizeLinear in one call: x's range widened to hold 0,
// split into 255 steps, and x quantized to uint8 by it (onnx/ops/
// quantization.ts composes the same from a dozen tensor ops, each rounding to
// f32; each step here is the same f32 operation in the same order, so the
// result is the composed one bit for bit):
//   lo = min(min x, 0), hi = max(max x, 0)
//   scale = (hi − lo) / 255, or 1 where that is 0 (x all zeros)
//   zp = clip(round(clip(−(lo / scale), 0, 255)), 0, 255)
//   y  = clip(round(x / scale) + zp, 0, 255)
// round is half to even (nearbyint in the default rounding mode). A NaN or
// an infinity in x is left to the composed ops, whose NaN rules define it:
// the call returns false without writing.
#include <cmath>

#include "tmnn.h"

namespace tmnn {

namespace {

inline float clip255(float v) { return v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v; }

TMNN_MULTIVERSION
void quantize_all(const float* __restrict x, int64_t n, float scale, float zp, int32_t* __restrict y) {
  for (int64_t i = 0; i < n; i++) y[i] = int32_t(clip255(std::nearbyint(x[i] / scale) + zp));
}

}  // namespace

bool dynamic_quantize_uint8(const float* x, int64_t n, int32_t* y, float* scale, int32_t* zero_point) {
  if (n == 0) return false;
  const float largest = extreme_of(x, n, true), smallest = extreme_of(x, n, false);
  if (!std::isfinite(largest) || !std::isfinite(smallest)) return false;
  const float hi = largest > 0.0f ? largest : 0.0f, lo = smallest < 0.0f ? smallest : 0.0f;
  const float range = (hi - lo) / 255.0f;
  const float s = range == 0.0f ? 1.0f : range;
  const float zp = clip255(std::nearbyint(clip255(-(lo / s))));
  quantize_all(x, n, s, zp, y);
  *scale = s;
  *zero_point = int32_t(zp);
  return true;
}

}  // namespace tmnn
