// Matrix products from JS, inline or on libuv's thread pool. A large product
// runs off the event loop so a server or a progress bar stays responsive:
// matmulAsync returns a handle at once and the output array fills in the
// background. JS then either awaits the callback (readback) or, when a
// kernel needs that output now, blocks in waitGemm. The worker holds
// references to all three arrays, so dropping them in JS mid-product is safe.
#include <condition_variable>
#include <memory>
#include <mutex>

#include "binding.h"

namespace tmnn {

namespace {

// Completion, visible to both waitGemm (any time) and the JS callback (later).
struct Done {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  std::string error;
};

class GemmWorker : public Napi::AsyncWorker {
 public:
  GemmWorker(const Napi::CallbackInfo& info, GemmArgs args, std::shared_ptr<Done> done)
      : Napi::AsyncWorker(info[10].As<Napi::Function>(), "tmnn:gemm"), args_(args), done_(std::move(done)) {
    for (int i = 0; i < 3; i++) keep_[i] = Napi::Persistent(info[i].As<Napi::Object>());
  }

  void Execute() override {
    std::string error;
    try {
      matmul(args_.a, args_.b, args_.shape, args_.out);
    } catch (const std::exception& e) {  // bad_alloc of the packing buffers, in practice
      error = e.what();
      SetError(error);
    }
    std::lock_guard<std::mutex> lock(done_->mutex);
    done_->error = error;
    done_->done = true;
    done_->cv.notify_all();
  }

 private:
  GemmArgs args_;
  std::shared_ptr<Done> done_;
  Napi::ObjectReference keep_[3];
};

using Handle = std::shared_ptr<Done>;

// matmul(a, b, out, batchA, batchB, m, n, k, transposeA, transposeB): inline.
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  const GemmArgs g = gemm_args(info);
  matmul(g.a, g.b, g.shape, g.out);
  return info.Env().Undefined();
}

// matmulAsync(...matmul's arguments, done(error?)): starts the product on a worker thread; returns its handle.
Napi::Value MatmulAsync(const Napi::CallbackInfo& info) {
  const GemmArgs g = gemm_args(info);
  if (!info[10].IsFunction()) type_error(info.Env(), "matmulAsync: done must be a function");
  auto done = std::make_shared<Done>();
  (new GemmWorker(info, g, done))->Queue();
  return Napi::External<Handle>::New(info.Env(), new Handle(done), [](Napi::Env, Handle* h) { delete h; });
}

// waitGemm(handle): blocks until that product has finished; throws if it failed.
Napi::Value WaitGemm(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) type_error(info.Env(), "waitGemm: expected a handle from matmulAsync");
  Done& done = **info[0].As<Napi::External<Handle>>().Data();
  std::unique_lock<std::mutex> lock(done.mutex);
  done.cv.wait(lock, [&] { return done.done; });
  if (!done.error.empty()) throw Napi::Error::New(info.Env(), "matmul failed: " + done.error);
  return info.Env().Undefined();
}

}  // namespace

GemmArgs gemm_args(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  GemmArgs g{array(info[0], "a"), array(info[1], "b"), array(info[2], "out"), {}};
  GemmShape& s = g.shape;
  s.batch_a = integer(info[3], "batchA", 1);
  s.batch_b = integer(info[4], "batchB", 1);
  s.m = integer(info[5], "m");
  s.n = integer(info[6], "n");
  s.k = integer(info[7], "k");
  s.ta = boolean(info[8], "transposeA");
  s.tb = boolean(info[9], "transposeB");
  const int64_t batch = s.batch_a > s.batch_b ? s.batch_a : s.batch_b;
  require(s.batch_a == 1 || s.batch_a == batch, env, "matmul: batchA must be 1 or batchB");
  require(s.batch_b == 1 || s.batch_b == batch, env, "matmul: batchB must be 1 or batchA");
  const DType da = g.a.dtype, db = g.b.dtype, dout = g.out.dtype;
  const bool dtypes_ok = da == db && (da == I8 ? dout == I32 : dout == da);
  if (!dtypes_ok) type_error(env, "matmul: operands must share a dtype; the output is i32 for i8, else the same dtype");
  require(g.a.length >= s.batch_a * s.m * s.k && g.b.length >= s.batch_b * s.k * s.n && g.out.length == batch * s.m * s.n,
          env, "matmul: array lengths do not match the shapes");
  // BLAS takes int dimensions; a folded batch multiplies M.
  const int64_t limit = 2147483647;
  require(s.m <= limit && s.n <= limit && s.k <= limit && batch * s.m <= limit, env, "matmul: dimensions beyond 2^31");
  return g;
}

void RegisterGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, Matmul, "matmul"));
  exports.Set("matmulAsync", Napi::Function::New(env, MatmulAsync, "matmulAsync"));
  exports.Set("waitGemm", Napi::Function::New(env, WaitGemm, "waitGemm"));
}

}  // namespace tmnn
