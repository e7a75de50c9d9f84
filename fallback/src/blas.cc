// Matrix products through OpenBLAS's cblas_sgemm, and what OpenBLAS says
// about itself (the core it tuned for, its build config, its threads).
#include <cblas.h>

#include "tmnn.h"

namespace tmnn {

// sgemm(a, b, out, batchA, batchB, m, n, k, transposeA, transposeB): each
// operand is batch 1 (reused for every output) or the full batch, row-major.
static Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  const float* a = data<float>(info[0]);
  const float* b = data<float>(info[1]);
  float* out = data<float>(info[2]);
  const int64_t batchA = info[3].As<Napi::Number>().Int64Value();
  const int64_t batchB = info[4].As<Napi::Number>().Int64Value();
  const int m = info[5].As<Napi::Number>().Int32Value();
  const int n = info[6].As<Napi::Number>().Int32Value();
  const int k = info[7].As<Napi::Number>().Int32Value();
  const bool ta = info[8].As<Napi::Boolean>().Value();
  const bool tb = info[9].As<Napi::Boolean>().Value();
  const int64_t batch = batchA > batchB ? batchA : batchB;
  if (m == 0 || n == 0) return info.Env().Undefined();
  for (int64_t t = 0; t < batch; t++) {
    const float* at = a + (batchA == 1 ? 0 : t) * int64_t(m) * k;
    const float* bt = b + (batchB == 1 ? 0 : t) * int64_t(k) * n;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, at,
                ta ? m : k, bt, tb ? k : n, 0.0f, out + t * int64_t(m) * n, n);
  }
  return info.Env().Undefined();
}

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("corename", openblas_get_corename());
  o.Set("config", openblas_get_config());
  o.Set("threads", openblas_get_num_threads());
  o.Set("parallel", openblas_get_parallel());
  return o;
}

static Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  openblas_set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
}

void RegisterBlas(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemm", Napi::Function::New(env, Sgemm));
  exports.Set("blasInfo", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
}

}  // namespace tmnn
