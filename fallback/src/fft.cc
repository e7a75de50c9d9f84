// The discrete Fourier transforms behind tm.fft (src/ops/fft), batched over
// rows: KissFFT's mixed-radix transforms (radix 4, 2, 3, 5 and a generic
// butterfly for other primes), O(n log n) in f32 with twiddle factors
// computed in double. The complex transform of each row, or a real row's
// half spectrum (kiss_fftr: the complex transform of half the length and
// one pass pairing bins k and n/2 − k), and back. KissFFT's transforms are
// unnormalised; `scale` is applied after. Plans (twiddle tables) are kept
// between calls, per length.
//
// Built only when pkg-config finds KissFFT (binding.gyp defines
// TMNN_KISSFFT): without it the addon has no fft functions and tm.fft
// composes its transforms of matrix products, as on the other backends.
#ifdef TMNN_KISSFFT
#include <kiss_fft.h>
#include <kiss_fftr.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

namespace {

struct KissFree {
  void operator()(void* plan) const { kiss_fft_free(plan); }
};
using RealPlan = std::unique_ptr<kiss_fftr_state, KissFree>;

// Plans are kept between calls, by (n, direction): making one costs n/2 sines and cosines in double (~20 ms at
// n = 2^20, as long as a transform of a row). A complex plan only is read (kiss_fft), so calls and threads share
// it; kiss_fftr and kiss_fftri write scratch inside theirs, so a real plan is lent to one thread at a time, and
// given back as a spare while the spares' lengths add up to at most SPARE_VALUES (a plan holds ~2.5n floats: some
// 40 MB in all; a thread with none makes its own, in parallel with the others). The KEPT (n, direction) pairs used
// last are kept; a plan in use outlives its eviction. Plans are made outside the lock, so a long one holds up no
// other call.
constexpr size_t KEPT = 32;
constexpr int64_t SPARE_VALUES = int64_t(1) << 22;
using Key = std::pair<int64_t, bool>;

struct Kept {
  std::shared_ptr<kiss_fft_state> complex;
  std::vector<RealPlan> spares;
  uint64_t used = 0;
};

std::mutex plans_mutex;
std::map<Key, Kept> kept_plans;
uint64_t clock_ticks = 0;
int64_t spare_values = 0;  // Σ n over the spares kept

// The entry for key, made (after evicting the one used longest ago past KEPT) and marked used; under the lock.
Kept& entry(const Key& key) {
  auto found = kept_plans.find(key);
  if (found == kept_plans.end()) {
    if (kept_plans.size() >= KEPT) {
      auto oldest = std::min_element(kept_plans.begin(), kept_plans.end(), [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
      spare_values -= oldest->first.first * int64_t(oldest->second.spares.size());
      kept_plans.erase(oldest);
    }
    found = kept_plans.emplace(key, Kept{}).first;
  }
  found->second.used = ++clock_ticks;
  return found->second;
}

std::shared_ptr<kiss_fft_state> complex_plan(int64_t n, bool inverse) {
  {
    const std::lock_guard<std::mutex> lock(plans_mutex);
    if (auto plan = entry({n, inverse}).complex) return plan;
  }
  std::shared_ptr<kiss_fft_state> made(kiss_fft_alloc(int(n), inverse ? 1 : 0, nullptr, nullptr), KissFree{});
  if (!made) return nullptr;
  const std::lock_guard<std::mutex> lock(plans_mutex);
  Kept& e = entry({n, inverse});
  if (!e.complex) e.complex = made;  // else another call made one meanwhile: share that
  return e.complex;
}

// These two run inside a thread's part, where an exception would end the process: a failure to keep or find a
// plan (memory for the map) only means making one, or freeing it.
RealPlan borrow_real_plan(int64_t n, bool inverse) {
  try {
    const std::lock_guard<std::mutex> lock(plans_mutex);
    if (Kept& e = entry({n, inverse}); !e.spares.empty()) {
      RealPlan plan = std::move(e.spares.back());
      e.spares.pop_back();
      spare_values -= n;
      return plan;
    }
  } catch (...) {
  }
  return RealPlan(kiss_fftr_alloc(int(n), inverse ? 1 : 0, nullptr, nullptr));
}

// Keeps the plan as a spare while they fit SPARE_VALUES; else the caller's goes, outside the lock.
void give_back(int64_t n, bool inverse, RealPlan& plan) {
  try {
    const std::lock_guard<std::mutex> lock(plans_mutex);
    auto found = kept_plans.find({n, inverse});
    if (found == kept_plans.end() || spare_values + n > SPARE_VALUES) return;
    found->second.spares.push_back(std::move(plan));
    spare_values += n;
  } catch (...) {
  }
}

// Rows split among threads once a part has ~2^16 butterflies' work: below
// that a thread's start-up costs more than it saves.
int parts_for(int64_t rows, int64_t n) {
  const double work = double(rows) * double(n) * std::max(1.0, std::log2(double(n)));
  return thread_parts(std::min<int64_t>(rows, int64_t(work / 65536.0)));
}

void scale_by(float* y, int64_t count, float scale) {
  if (scale != 1.0f)
    for (int64_t i = 0; i < count; i++) y[i] *= scale;
}

const kiss_fft_cpx* as_complex(const float* x) { return reinterpret_cast<const kiss_fft_cpx*>(x); }
kiss_fft_cpx* as_complex(float* x) { return reinterpret_cast<kiss_fft_cpx*>(x); }

}  // namespace

bool fft_complex(const float* x, float* y, int64_t rows, int64_t n, bool inverse, float scale) {
  const std::shared_ptr<kiss_fft_state> plan = complex_plan(n, inverse);
  if (!plan) return false;
  const int parts = parts_for(rows, n);
  parallel(parts, [&](int t) {
    const auto [begin, end] = share(rows, parts, t);
    for (int64_t r = begin; r < end; r++) kiss_fft(plan.get(), as_complex(x + 2 * n * r), as_complex(y + 2 * n * r));
    scale_by(y + 2 * n * begin, 2 * n * (end - begin), scale);
  });
  return true;
}

// Each part borrows a plan of its own (made there, in parallel, when none is kept).
template <typename Transform>
bool fft_real(int64_t rows, int64_t n, bool inverse, Transform transform) {
  const int parts = parts_for(rows, n);
  std::atomic<bool> ok{true};
  parallel(parts, [&](int t) {
    RealPlan plan = borrow_real_plan(n, inverse);
    if (!plan) {
      ok = false;
      return;
    }
    const auto [begin, end] = share(rows, parts, t);
    transform(plan.get(), begin, end);
    give_back(n, inverse, plan);
  });
  return ok;
}

bool fft_real_forward(const float* x, float* y, int64_t rows, int64_t n, float scale) {
  const int64_t bins = n / 2 + 1;
  return fft_real(rows, n, false, [&](kiss_fftr_cfg plan, int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r++) kiss_fftr(plan, x + n * r, as_complex(y + 2 * bins * r));
    scale_by(y + 2 * bins * begin, 2 * bins * (end - begin), scale);
  });
}

bool fft_real_inverse(const float* x, float* y, int64_t rows, int64_t n, float scale) {
  const int64_t bins = n / 2 + 1;
  return fft_real(rows, n, true, [&](kiss_fftr_cfg plan, int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r++) kiss_fftri(plan, as_complex(x + 2 * bins * r), y + n * r);
    scale_by(y + n * begin, n * (end - begin), scale);
  });
}

}  // namespace tmnn

#endif  // TMNN_KISSFFT
