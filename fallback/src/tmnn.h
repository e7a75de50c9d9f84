// The native backend's pieces, each in its own file and registered in addon.cc.
// Every entry point takes typed arrays that JS allocated (inputs and output)
// and works on their memory in place: no copies cross the boundary.
#pragma once
#include <napi.h>

// Hot loops are compiled for several instruction sets and picked at load time
// (GCC function multiversioning), so one binary runs anywhere x86-64 does and
// uses AVX-512 where the CPU has it.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TMNN_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TMNN_MULTIVERSION
#endif

namespace tmnn {

template <typename T>
T* data(const Napi::Value& v) {
  auto a = v.As<Napi::TypedArray>();
  return reinterpret_cast<T*>(static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset());
}

inline size_t length(const Napi::Value& v) { return v.As<Napi::TypedArray>().ElementLength(); }

inline std::vector<int64_t> ints(const Napi::Value& v) {
  auto arr = v.As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) out[i] = arr.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

void RegisterBlas(Napi::Env env, Napi::Object exports);
void RegisterCpuFeatures(Napi::Env env, Napi::Object exports);
void RegisterElementwise(Napi::Env env, Napi::Object exports);
void RegisterF16(Napi::Env env, Napi::Object exports);
void RegisterGather(Napi::Env env, Napi::Object exports);
void RegisterInt8Gemm(Napi::Env env, Napi::Object exports);
void RegisterReduce(Napi::Env env, Napi::Object exports);

}  // namespace tmnn
