// Running sums and products along an axis (cumsum, cumprod): x and out read
// as [outer, n, inner], each of the outer × inner lines walked in order, as
// the js backend's loop walks it, to the bit: floats accumulate in double and
// each running value is rounded once into out (an f16 one through
// round-to-odd f32, so that its f16 rounding is the only one); ints wrap at
// each step as C's unsigned arithmetic does (an i8's low bits are those of
// the i32 result). The inner positions of a step are neighbours in memory,
// so the loop runs across them with one accumulator each.
#include <vector>

#include "half.h"
#include "tmnn.h"

namespace tmnn {

namespace {

template <typename Acc, typename Load, typename Step, typename Store>
void lines(int64_t outer, int64_t n, int64_t inner, Acc start, Load load, Step step, Store store) {
  std::vector<Acc> acc(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; o++) {
    acc.assign(size_t(inner), start);
    for (int64_t j = 0; j < n; j++) {
      const int64_t row = (o * n + j) * inner;
      for (int64_t i = 0; i < inner; i++) {
        acc[size_t(i)] = step(acc[size_t(i)], load(row + i));
        store(row + i, acc[size_t(i)]);
      }
    }
  }
}

template <typename Load, typename Store>
void float_lines(bool product, int64_t outer, int64_t n, int64_t inner, Load load, Store store) {
  if (product) lines(outer, n, inner, 1.0, load, [](double a, double v) { return a * v; }, store);
  else lines(outer, n, inner, 0.0, load, [](double a, double v) { return a + v; }, store);
}

template <typename T>
void int_lines(bool product, int64_t outer, int64_t n, int64_t inner, const T* x, T* out) {
  const auto load = [x](int64_t k) { return uint32_t(x[k]); };
  const auto store = [out](int64_t k, uint32_t a) { out[k] = T(a); };
  if (product) lines(outer, n, inner, 1u, load, [](uint32_t a, uint32_t v) { return a * v; }, store);
  else lines(outer, n, inner, 0u, load, [](uint32_t a, uint32_t v) { return a + v; }, store);
}

}  // namespace

void scan(int op, const Array& x, int64_t outer, int64_t inner, const Array& out) {
  const bool product = op == SCAN_PROD;
  const int64_t n = outer * inner == 0 ? 0 : out.length / (outer * inner);
  switch (x.dtype) {
    case F32: {
      const float* in = x.as<float>();
      float* to = out.as<float>();
      float_lines(product, outer, n, inner, [in](int64_t k) { return double(in[k]); }, [to](int64_t k, double a) { to[k] = float(a); });
      break;
    }
    case F16: {
      const uint16_t* in = x.as<uint16_t>();
      uint16_t* to = out.as<uint16_t>();
      float_lines(product, outer, n, inner, [in](int64_t k) { return double(half_to_float(in[k])); },
                  [to](int64_t k, double a) { to[k] = float_to_half(narrow_odd(a)); });
      break;
    }
    case I32: int_lines(product, outer, n, inner, x.as<int32_t>(), out.as<int32_t>()); break;
    case I8: int_lines(product, outer, n, inner, x.as<int8_t>(), out.as<int8_t>()); break;
  }
}

}  // namespace tmnn
