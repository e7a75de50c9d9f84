// Matrix products through OpenBLAS's cblas_sgemm (inline, or on a worker
// thread for large ones), and what OpenBLAS says about itself (the core it
// tuned for, its build config, its threads).
#include <cblas.h>

#include <condition_variable>
#include <memory>
#include <mutex>

#include "tmnn.h"

namespace tmnn {

struct Gemm {
  const float* a;
  const float* b;
  float* out;
  int64_t batchA, batchB;
  int m, n, k;
  bool ta, tb;

  void run() const {
    const int64_t batch = batchA > batchB ? batchA : batchB;
    if (m == 0 || n == 0) return;
    for (int64_t t = 0; t < batch; t++) {
      const float* at = a + (batchA == 1 ? 0 : t) * int64_t(m) * k;
      const float* bt = b + (batchB == 1 ? 0 : t) * int64_t(k) * n;
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, at,
                  ta ? m : k, bt, tb ? k : n, 0.0f, out + t * int64_t(m) * n, n);
    }
  }
};

static Gemm gemm_args(const Napi::CallbackInfo& info) {
  return Gemm{data<float>(info[0]), data<float>(info[1]), data<float>(info[2]),
              info[3].As<Napi::Number>().Int64Value(), info[4].As<Napi::Number>().Int64Value(),
              info[5].As<Napi::Number>().Int32Value(), info[6].As<Napi::Number>().Int32Value(),
              info[7].As<Napi::Number>().Int32Value(), info[8].As<Napi::Boolean>().Value(),
              info[9].As<Napi::Boolean>().Value()};
}

// A GEMM running on libuv's thread pool. JS may wait for it synchronously
// (when a kernel needs its output) or through the callback (readback), so
// completion is signalled both ways.
struct Done {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
};

class GemmWorker : public Napi::AsyncWorker {
 public:
  GemmWorker(const Napi::CallbackInfo& info, std::shared_ptr<Done> done)
      : Napi::AsyncWorker(info[10].As<Napi::Function>()), gemm_(gemm_args(info)), done_(std::move(done)) {
    // The arrays must outlive the computation even if JS drops them.
    for (int i = 0; i < 3; i++) keep_[i] = Napi::Persistent(info[i].As<Napi::Object>());
  }

  void Execute() override {
    gemm_.run();
    std::lock_guard<std::mutex> lock(done_->mutex);
    done_->done = true;
    done_->cv.notify_all();
  }

 private:
  Gemm gemm_;
  std::shared_ptr<Done> done_;
  Napi::ObjectReference keep_[3];
};

// sgemm(a, b, out, batchA, batchB, m, n, k, transposeA, transposeB): each
// operand is batch 1 (reused for every output) or the full batch, row-major.
static Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  gemm_args(info).run();
  return info.Env().Undefined();
}

// sgemmAsync(...sgemm's arguments, callback): starts the GEMM off the event
// loop and returns a handle for waitGemm; callback() runs when it is done.
static Napi::Value SgemmAsync(const Napi::CallbackInfo& info) {
  auto done = std::make_shared<Done>();
  (new GemmWorker(info, done))->Queue();
  return Napi::External<std::shared_ptr<Done>>::New(
      info.Env(), new std::shared_ptr<Done>(done), [](Napi::Env, std::shared_ptr<Done>* p) { delete p; });
}

// waitGemm(handle): blocks until that GEMM has finished (a kernel needs its output now).
static Napi::Value WaitGemm(const Napi::CallbackInfo& info) {
  Done& done = **info[0].As<Napi::External<std::shared_ptr<Done>>>().Data();
  std::unique_lock<std::mutex> lock(done.mutex);
  done.cv.wait(lock, [&] { return done.done; });
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
  exports.Set("sgemmAsync", Napi::Function::New(env, SgemmAsync));
  exports.Set("waitGemm", Napi::Function::New(env, WaitGemm));
  exports.Set("blasInfo", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
}

}  // namespace tmnn
