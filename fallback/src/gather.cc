// The strided gather behind transpose, slice and broadcastTo, for any element
// size: out[idx] = x[offset + Σ idx[d]·strides[d]]. Raw bytes are copied, so
// f16 patterns and ints pass through untouched.
#include <cstring>

#include "tmnn.h"

namespace tmnn {

template <typename T>
static void gather(const T* x, const int64_t* strides, const int64_t* shape, int rank, int64_t offset, T* out) {
  const int64_t inner = rank ? shape[rank - 1] : 1;
  const int64_t step = rank ? strides[rank - 1] : 0;
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
  std::vector<int64_t> index(rank > 1 ? rank - 1 : 1, 0);
  int64_t at = offset;
  for (int64_t r = 0; r < outer; r++) {
    T* o = out + r * inner;
    if (step == 1) std::memcpy(o, x + at, inner * sizeof(T));
    else for (int64_t j = 0; j < inner; j++) o[j] = x[at + j * step];
    for (int d = rank - 2; d >= 0; d--) {
      index[d]++;
      at += strides[d];
      if (index[d] < shape[d]) break;
      at -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

// gather(x, outShape, strides, offset, out): x and out typed arrays of the same element size.
static Napi::Value Gather(const Napi::CallbackInfo& info) {
  const auto shape = ints(info[1]);
  const auto strides = ints(info[2]);
  const int64_t offset = info[3].As<Napi::Number>().Int64Value();
  const int rank = int(shape.size());
  switch (info[0].As<Napi::TypedArray>().ElementSize()) {
    case 1: gather(data<uint8_t>(info[0]), strides.data(), shape.data(), rank, offset, data<uint8_t>(info[4])); break;
    case 2: gather(data<uint16_t>(info[0]), strides.data(), shape.data(), rank, offset, data<uint16_t>(info[4])); break;
    case 4: gather(data<uint32_t>(info[0]), strides.data(), shape.data(), rank, offset, data<uint32_t>(info[4])); break;
    default: Napi::TypeError::New(info.Env(), "gather: unsupported element size").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

void RegisterGather(Napi::Env env, Napi::Object exports) {
  exports.Set("gather", Napi::Function::New(env, Gather));
}

}  // namespace tmnn
