// What native code writes to stderr (file descriptor 2) during one
// synchronous JS call, captured instead of printed. JS has no way to point a
// file descriptor elsewhere, and Dawn (the `webgpu` package) prints notices
// there that are not errors: on Vulkan drivers that report huge descriptor
// limits (lavapipe, NVIDIA's) two lines about clamping
// maxDynamic*BuffersPerPipelineLayout, on every discovery of the adapters,
// which would open every run of tmnn. The webgpu backend calls
// requestAdapter through captureStderr and writes back all but those lines
// (src/backends/webgpu/dawn_notices.ts).
//
// fd 2 points at a temporary file for the call. If the call throws, what it
// wrote is copied back to the real stderr before the exception goes on, so
// nothing is ever lost; if the temporary file cannot be made, the call runs
// with stderr as it is.
#include <cstdio>
#include <string>

#ifndef _WIN32
#include <unistd.h>
#endif

#include "binding.h"

namespace tmnn {

namespace {

#ifndef _WIN32
class StderrToFile {
 public:
  StderrToFile() {
    std::fflush(stderr);
    file_ = std::tmpfile();
    if (!file_) return;
    saved_ = dup(2);
    if (saved_ >= 0 && dup2(fileno(file_), 2) < 0) {
      close(saved_);
      saved_ = -1;
    }
  }

  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;

  // Reached without finish() only when the call threw: its output goes where it would have gone.
  ~StderrToFile() {
    if (saved_ >= 0) {
      std::string text = finish();
      for (size_t done = 0; done < text.size();) {
        const ssize_t n = write(2, text.data() + done, text.size() - done);
        if (n <= 0) break;
        done += size_t(n);
      }
    }
    if (file_) std::fclose(file_);
  }

  /** Points fd 2 back at the real stderr and gives what was written meanwhile. */
  std::string finish() {
    if (saved_ < 0) return "";
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
    std::string text;
    char chunk[4096];
    std::rewind(file_);
    for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, file_)) > 0;) text.append(chunk, n);
    return text;
  }

 private:
  std::FILE* file_ = nullptr;
  int saved_ = -1;
};
#else
// No capture on Windows: Dawn's notices there are printed as they are.
struct StderrToFile {
  std::string finish() { return ""; }
};
#endif

/** captureStderr(fn): [fn's result, what was written to fd 2 while it ran]. */
Napi::Value CaptureStderr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) type_error(env, "captureStderr: expected a function");
  StderrToFile capture;
  Napi::Value result = info[0].As<Napi::Function>().Call({});
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, result);
  out.Set(1u, Napi::String::New(env, capture.finish()));
  return out;
}

}  // namespace

void RegisterStderrCapture(Napi::Env env, Napi::Object exports) {
  exports.Set("captureStderr", Napi::Function::New(env, CaptureStderr, "captureStderr"));
}

}  // namespace tmnn
