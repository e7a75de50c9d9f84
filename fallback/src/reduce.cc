// Row reductions and softmax on f32 [outer, inner] matrices. Sums accumulate
// in double: an f32 running sum over a long row loses digits the tests (and
// users) can see.
#include <cmath>
#include <limits>

#include "tmnn.h"

namespace tmnn {

enum Reduce { SUM, MEAN, MAX, MIN };

TMNN_MULTIVERSION
static double row_sum(const float* x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += x[i];
  return s;
}

static float row_extreme(const float* x, int64_t n, bool larger) {
  float best = larger ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; i++) {
    if (x[i] != x[i]) return x[i];
    if (larger ? x[i] > best : x[i] < best) best = x[i];
  }
  return best;
}

// reduceF32(op, x, outer, inner, out)
static Napi::Value ReduceF32(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const float* x = data<float>(info[1]);
  const int64_t outer = info[2].As<Napi::Number>().Int64Value();
  const int64_t inner = info[3].As<Napi::Number>().Int64Value();
  float* out = data<float>(info[4]);
  for (int64_t r = 0; r < outer; r++) {
    const float* row = x + r * inner;
    switch (op) {
      case SUM: out[r] = float(row_sum(row, inner)); break;
      case MEAN: out[r] = float(row_sum(row, inner) / double(inner)); break;
      case MAX: out[r] = row_extreme(row, inner, true); break;
      case MIN: out[r] = row_extreme(row, inner, false); break;
    }
  }
  return info.Env().Undefined();
}

// argReduceF32(largest, x, outer, inner, out: Int32Array): first index; NaN counts as extreme.
static Napi::Value ArgReduceF32(const Napi::CallbackInfo& info) {
  const bool larger = info[0].As<Napi::Boolean>().Value();
  const float* x = data<float>(info[1]);
  const int64_t outer = info[2].As<Napi::Number>().Int64Value();
  const int64_t inner = info[3].As<Napi::Number>().Int64Value();
  int32_t* out = data<int32_t>(info[4]);
  for (int64_t r = 0; r < outer; r++) {
    const float* row = x + r * inner;
    int64_t best = 0;
    for (int64_t i = 0; i < inner; i++) {
      if (row[i] != row[i]) { best = i; break; }
      if (larger ? row[i] > row[best] : row[i] < row[best]) best = i;
    }
    out[r] = int32_t(best);
  }
  return info.Env().Undefined();
}

// softmaxF32(x, outer, inner, log, out)
TMNN_MULTIVERSION
static void softmax_rows(const float* x, int64_t outer, int64_t inner, bool log, float* out) {
  for (int64_t r = 0; r < outer; r++) {
    const float* row = x + r * inner;
    float* y = out + r * inner;
    const float max = row_extreme(row, inner, true);
    // A row of -inf has no finite max: shifting by 0 gives 0/0 = NaN, as it should.
    const float shift = std::isfinite(max) ? max : 0.0f;
    double sum = 0;
    for (int64_t i = 0; i < inner; i++) sum += std::exp(double(row[i] - shift));
    if (log) {
      const float logSum = float(std::log(sum));
      for (int64_t i = 0; i < inner; i++) y[i] = row[i] - shift - logSum;
    } else {
      const double inv = 1.0 / sum;
      for (int64_t i = 0; i < inner; i++) y[i] = float(std::exp(double(row[i] - shift)) * inv);
    }
  }
}

static Napi::Value SoftmaxF32(const Napi::CallbackInfo& info) {
  softmax_rows(data<float>(info[0]), info[1].As<Napi::Number>().Int64Value(), info[2].As<Napi::Number>().Int64Value(),
               info[3].As<Napi::Boolean>().Value(), data<float>(info[4]));
  return info.Env().Undefined();
}

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduceF32", Napi::Function::New(env, ReduceF32));
  exports.Set("argReduceF32", Napi::Function::New(env, ArgReduceF32));
  exports.Set("softmaxF32", Napi::Function::New(env, SoftmaxF32));
}

}  // namespace tmnn
