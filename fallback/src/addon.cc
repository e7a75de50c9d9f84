#include "tmnn.h"

namespace tmnn {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RegisterBlas(env, exports);
  RegisterCpuFeatures(env, exports);
  RegisterElementwise(env, exports);
  RegisterF16(env, exports);
  RegisterGather(env, exports);
  RegisterInt8Gemm(env, exports);
  RegisterReduce(env, exports);
  return exports;
}

NODE_API_MODULE(tmnn_native, Init)

}  // namespace tmnn
