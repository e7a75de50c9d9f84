// Reading N-API arguments into the kernels' terms. A typed array becomes a
// pointer into its own memory (no copy) and its dtype follows from its type:
// Float32Array f32, Uint16Array f16 (bit patterns), Int8Array i8, Int32Array
// i32. Every size is checked here, before any kernel reads or writes: a
// wrong call from JS is a TypeError/RangeError, never a stray write.
#pragma once
#include <napi.h>

#include <string>

#include "strided.h"

namespace tmnn {

[[noreturn]] inline void type_error(const Napi::Env& env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] inline void range_error(const Napi::Env& env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

inline Array array(const Napi::Value& v, const char* what) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (!v.IsTypedArray() || napi_get_typedarray_info(v.Env(), v, &type, &length, &data, nullptr, nullptr) != napi_ok)
    type_error(v.Env(), std::string(what) + " must be a typed array");
  DType dtype;
  switch (type) {
    case napi_float32_array: dtype = F32; break;
    case napi_uint16_array: dtype = F16; break;
    case napi_int8_array: dtype = I8; break;
    case napi_int32_array: dtype = I32; break;
    default: type_error(v.Env(), std::string(what) + " must be a Float32Array, Uint16Array, Int8Array or Int32Array");
  }
  return Array{data, dtype, int64_t(length)};
}

inline int64_t integer(const Napi::Value& v, const char* what, int64_t min = 0) {
  if (!v.IsNumber()) type_error(v.Env(), std::string(what) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= double(min)) || d > 9007199254740991.0 || d != double(int64_t(d)))
    range_error(v.Env(), std::string(what) + " must be an integer ≥ " + std::to_string(min));
  return int64_t(d);
}

inline bool boolean(const Napi::Value& v, const char* what) {
  if (!v.IsBoolean()) type_error(v.Env(), std::string(what) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

inline Shape ints(const Napi::Value& v, const char* what, int64_t min = 0) {
  if (!v.IsArray()) type_error(v.Env(), std::string(what) + " must be an array of integers");
  const auto arr = v.As<Napi::Array>();
  Shape out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) out[i] = integer(arr.Get(i), what, min);
  return out;
}

inline int64_t size_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

inline void require(bool ok, const Napi::Env& env, const std::string& msg) {
  if (!ok) range_error(env, msg);
}

// A batched product's arguments: (a, b, out, batchA, batchB, m, n, k, transposeA, transposeB).
struct GemmArgs {
  Array a, b, out;
  GemmShape shape;
};
GemmArgs gemm_args(const Napi::CallbackInfo& info);

void RegisterGemm(Napi::Env env, Napi::Object exports);
/** captureStderr (stderr_capture.cc). */
void RegisterStderrCapture(Napi::Env env, Napi::Object exports);
/** setMallocReuse (malloc_reuse.cc). */
void RegisterMallocReuse(Napi::Env env, Napi::Object exports);

}  // namespace tmnn
