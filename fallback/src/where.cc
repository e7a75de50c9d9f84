// where(cond, a, b): a selection, so values are copied as raw elements of a's
// size and never re-rounded (f16 bit patterns pass through). A condition is
// true when non-zero: NaN is, -0 is not.
#include "strided.h"

namespace tmnn {

namespace {

template <typename C>
inline bool truthy(C c) { return c != 0; }
// f16 condition as bits: any bit outside the sign means non-zero (NaN included).
inline bool truthy_half(uint16_t h) { return (h & 0x7fff) != 0; }

template <typename C, typename T, typename P>
void select(const Walk<3>& w, const C* cond, const T* a, const T* b, T* out, P test) {
  const int64_t ic = w.inner_stride(0), ia = w.inner_stride(1), ib = w.inner_stride(2);
  w.rows({0, 0, 0}, [&](const std::array<int64_t, 3>& at, int64_t o, int64_t n) {
    const C* __restrict pc = cond + at[0];
    const T* __restrict pa = a + at[1];
    const T* __restrict pb = b + at[2];
    T* __restrict po = out + o;
    if (ic == 1 && ia == 1 && ib == 1) {
      for (int64_t j = 0; j < n; j++) po[j] = test(pc[j]) ? pa[j] : pb[j];
    } else {
      for (int64_t j = 0; j < n; j++) po[j] = test(pc[j * ic]) ? pa[j * ia] : pb[j * ib];
    }
  });
}

template <typename T>
void select_any(const Walk<3>& w, const Array& cond, const T* a, const T* b, T* out) {
  switch (cond.dtype) {
    case F32: select(w, cond.as<float>(), a, b, out, truthy<float>); break;
    case F16: select(w, cond.as<uint16_t>(), a, b, out, truthy_half); break;
    case I8: select(w, cond.as<int8_t>(), a, b, out, truthy<int8_t>); break;
    case I32: select(w, cond.as<int32_t>(), a, b, out, truthy<int32_t>); break;
  }
}

}  // namespace

void where(const Array& cond, const Shape& sc, const Array& a, const Shape& sa, const Array& b, const Shape& sb,
           const Shape& shape, const Array& out) {
  if (out.length == 0) return;
  const Walk<3> w(shape, {&sc, &sa, &sb});
  switch (dtype_size(a.dtype)) {
    case 1: select_any(w, cond, a.as<uint8_t>(), b.as<uint8_t>(), out.as<uint8_t>()); break;
    case 2: select_any(w, cond, a.as<uint16_t>(), b.as<uint16_t>(), out.as<uint16_t>()); break;
    case 4: select_any(w, cond, a.as<uint32_t>(), b.as<uint32_t>(), out.as<uint32_t>()); break;
  }
}

}  // namespace tmnn
