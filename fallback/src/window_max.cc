// Max pooling (window_max) and its gradient over the index table that
// src/ops/windows.ts builds: [windows, taps] positions within a plane of n
// values, a position outside [0, n) in the padding. The table is all these
// kernels are told of the geometry, so they find it there: away from the
// padding a pooling's windows are one pattern of taps slid along the plane in
// equal steps, an output row at a time. Such a run of windows is read as
// base + k·step + offset, sixteen windows to a vector; only the windows that
// touch the padding (or a table with no pattern) are read through the table,
// one at a time. The gradient gives each window's dy to its taps equal to its
// max: where no position is in two windows, as one share written; else as js
// adds the shares, in double in the order of the windows, rounded once. Both
// give js's bits.
#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "parallel.h"
#include "tmnn.h"

// Helpers here return an f32x16: always inlined, they never return one the
// way GCC warns of for the baseline x86-64 clone. (They take vectors by
// reference, which the warning's notes are about.)
#pragma GCC diagnostic ignored "-Wpsabi"

namespace tmnn {

namespace {

constexpr int64_t LANES = 16;  // windows to an f32x16
typedef int32_t i32x8 __attribute__((vector_size(32)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef double f64x8 __attribute__((vector_size(64)));
typedef int64_t i64x8 __attribute__((vector_size(64)));
constexpr float NOT_A_NUMBER = std::numeric_limits<float>::quiet_NaN();

// Tap reads (planes × windows × taps) each thread must have: starting one
// costs 30–100 µs here (more while the other core is busy), and 2^21 reads
// take ~250 µs (a 2×2 pooling of 32×8×28² is 2^17.6 reads, 25 µs).
constexpr int64_t ONE_THREAD_TAPS = int64_t(1) << 21;

// Windows [first, first + count): if `regular`, all inside the plane, window
// first + k's taps at base + k·step + offsets[t]; else read through the table.
struct Run {
  int64_t first, count, base, step;
  bool regular;
};

struct Runs {
  std::vector<int64_t> offsets;  // [taps], from a regular window's first tap
  int64_t reach = 0;             // the largest offset
  bool paired = false;           // taps in pairs side by side: offsets 2i and 2i + 1 one apart
  bool ascending = false;        // offsets in increasing order
  std::vector<Run> runs;         // every window once, in order
};

bool inside(int32_t at, int64_t n) { return uint64_t(int64_t(at)) < uint64_t(n); }

bool follows(const int32_t* picks, int64_t taps, int64_t n, const std::vector<int64_t>& offsets) {
  if (offsets.empty()) return false;
  for (int64_t t = 0; t < taps; t++)
    if (!inside(picks[t], n) || picks[t] - picks[0] != offsets[t]) return false;
  return true;
}

// The runs of a table, the pattern taken from its first window inside the plane.
Runs runs_of(const int32_t* table, int64_t windows, int64_t taps, int64_t n) {
  Runs r;
  for (int64_t j = 0; j < windows && r.offsets.empty(); j++) {
    const int32_t* picks = table + j * taps;
    if (std::all_of(picks, picks + taps, [n](int32_t at) { return inside(at, n); }))
      for (int64_t t = 0; t < taps; t++) r.offsets.push_back(picks[t] - picks[0]);
  }
  for (int64_t offset : r.offsets) r.reach = std::max(r.reach, offset);
  r.paired = taps % 2 == 0 && !r.offsets.empty();
  for (int64_t t = 0; r.paired && t < taps; t += 2) r.paired = r.offsets[t + 1] == r.offsets[t] + 1;
  r.ascending = !r.offsets.empty() && std::adjacent_find(r.offsets.begin(), r.offsets.end(), std::greater_equal<int64_t>()) == r.offsets.end();
  const auto regular = [&](int64_t j) { return follows(table + j * taps, taps, n, r.offsets); };
  for (int64_t j = 0, end; j < windows; j = end) {
    end = j + 1;
    if (!regular(j)) {
      while (end < windows && !regular(end)) end++;
      r.runs.push_back({j, end - j, 0, 0, false});
      continue;
    }
    const int64_t base = table[j * taps], step = end < windows ? table[end * taps] - base : 0;
    while (end < windows && regular(end) && table[end * taps] == base + (end - j) * step) end++;
    r.runs.push_back({j, end - j, base, step, true});
  }
  return r;
}

using Stretches = std::vector<std::pair<int64_t, int64_t>>;

// Where no position of the plane is read twice, each gets one window's share
// or nothing: the stretches [begin, end) of positions no window reads, which
// the gradient zeros (it writes every other one); else nothing.
std::optional<Stretches> unread_if_disjoint(const int32_t* table, int64_t entries, int64_t n) {
  std::vector<bool> read(size_t(n), false);
  for (int64_t i = 0; i < entries; i++) {
    if (!inside(table[i], n)) continue;
    if (read[table[i]]) return std::nullopt;
    read[table[i]] = true;
  }
  Stretches unread;
  for (int64_t i = 0; i < n; i++)
    if (!read[i]) {
      if (unread.empty() || unread.back().second != i) unread.push_back({i, i});
      unread.back().second++;
    }
  return unread;
}

// Planes [first, last) of `outer` to each part, on as many threads as the work repays.
template <typename F>
void split_planes(int64_t outer, int64_t reads, F f) {
  const int parts = thread_parts(std::min(outer, reads / ONE_THREAD_TAPS));
  parallel(parts, [&](int part) {
    const auto [first, last] = share(outer, parts, part);
    f(first, last);
  });
}

// Sixteen windows' values at one tap, window k's at from[k·step].
template <int Step>
TMNN_INLINE f32x16 tap_lanes(const float* from) {
  f32x16 v;
  std::memcpy(&v, from, sizeof v);
  if (Step == 1) return v;
  f32x16 next;
  std::memcpy(&next, from + LANES, sizeof next);
  return __builtin_shuffle(v, next, i32x16{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30});
}

TMNN_INLINE f32x16 window_lanes(const float* p) {
  f32x16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Whether sixteen windows from `from` read as vectors at every tap stay within
// x (lanes past the run's windows read values never used). Vectors are never
// put together lane by lane: GCC 12 then compares them lane by lane too.
template <int Step>
TMNN_INLINE bool whole(const float* from, int64_t reach, const float* end) {
  return Step > 0 && end - from - reach >= Step * LANES;
}

// Lanes [0, m) of v to to[k·step], through memory: GCC compiles a lane read at
// a variable index into shuffles of registers, lane by lane.
TMNN_INLINE void store_lanes(const f32x16& v, int64_t m, int64_t step, float* to) {
  float lanes[LANES];
  std::memcpy(lanes, &v, sizeof v);
  for (int64_t k = 0; k < m; k++) to[k * step] = lanes[k];
}

// One window's max, its taps at from[offsets[t]]: NaN if any is.
TMNN_INLINE float max_at(const float* from, const int64_t* offsets, int64_t taps) {
  float best = -std::numeric_limits<float>::infinity();
  bool nan = false;
  for (int64_t t = 0; t < taps; t++) {
    const float v = from[offsets[t]];
    nan |= v != v;
    best = v > best ? v : best;
  }
  return nan ? NOT_A_NUMBER : best;
}

// One max per window of a run, into out up to `end` (the plane's last): a
// vector's lanes past the run land on the windows after it, written later.
template <int Step>
TMNN_INLINE void max_run(const float* row, const float* x_end, const Run& r, const Runs& plan, int64_t taps, float* out,
                         const float* out_end) {
  const int64_t* offsets = plan.offsets.data();
  for (int64_t k = 0; k < r.count; k += LANES) {
    const int64_t m = std::min(LANES, r.count - k);
    const float* from = row + r.base + k * r.step;
    float* to = out + r.first + k;
    if (!whole<Step>(from, plan.reach, x_end)) {
      for (int64_t l = 0; l < m; l++) to[l] = max_at(from + l * r.step, offsets, taps);
      continue;
    }
    f32x16 best = -std::numeric_limits<float>::infinity() - f32x16{};
    i32x16 nan = {};
    for (int64_t t = 0; t < taps; t++) {
      const f32x16 v = tap_lanes<Step>(from + offsets[t]);
      nan |= v != v;
      best = v > best ? v : best;
    }
    best = nan != 0 ? NOT_A_NUMBER - f32x16{} : best;
    if (out_end - to >= LANES) std::memcpy(to, &best, sizeof best);
    else store_lanes(best, m, 1, to);
  }
}

// Windows are small (a 2×2 pooling: four taps), so the loops over their taps
// are written without branches: whether a tap lies in the padding or ties
// the max is as good as random, and a mispredicted branch per tap cost more
// than the rest of the work. A tap in the padding reads position 0, its
// value unused.
TMNN_INLINE void max_listed(const float* row, int64_t n, const int32_t* table, int64_t taps, const Run& r, float* out) {
  for (int64_t j = r.first; j < r.first + r.count; j++) {
    const int32_t* picks = table + j * taps;
    float best = -std::numeric_limits<float>::infinity();
    bool nan = false;
    for (int64_t t = 0; t < taps; t++) {
      const bool in = inside(picks[t], n);
      const float v = row[in ? picks[t] : 0];
      nan |= in & (v != v);
      best = in & (v > best) ? v : best;
    }
    out[j] = nan ? NOT_A_NUMBER : best;
  }
}

TMNN_MULTIVERSION
void max_planes(const float* x, const float* x_end, int64_t n, const int32_t* table, int64_t windows, int64_t taps,
                const Runs& plan, int64_t first, int64_t last, float* out) {
  for (int64_t o = first; o < last; o++) {
    const float* row = x + o * n;
    float *to = out + o * windows, *to_end = to + windows;
    for (const Run& r : plan.runs) {
      if (!r.regular) max_listed(row, n, table, taps, r, to);
      else if (r.step == 1) max_run<1>(row, x_end, r, plan, taps, to, to_end);
      else if (r.step == 2) max_run<2>(row, x_end, r, plan, taps, to, to_end);
      else max_run<0>(row, x_end, r, plan, taps, to, to_end);
    }
  }
}

// A window's share of its dy, rounded as js rounds the sum 0 + share (a −0
// share gives +0): dy itself for a single max, dy / ties in double for more,
// NaN where no tap equals the max (a NaN one).
TMNN_INLINE float rounded_share(float dy, int64_t ties) {
  return ties == 1 ? dy + 0.0f : ties ? float(0.0 + double(dy) / double(ties)) : NOT_A_NUMBER;
}

// share with its lanes of more than one tie made dy / ties: ties are rare (bar
// ReLU's zeros), and a division per window would cost more than the rest.
TMNN_INLINE f32x16 tied_shares(const f32x16& share, const f32x16& dy, const i32x16& ties, int64_t m) {
  float shares[LANES], dys[LANES];
  int32_t counts[LANES];
  std::memcpy(shares, &share, sizeof share);
  std::memcpy(dys, &dy, sizeof dy);
  std::memcpy(counts, &ties, sizeof ties);
  for (int64_t l = 0; l < m; l++)
    if (counts[l] > 1) shares[l] = rounded_share(dys[l], counts[l]);
  f32x16 tied;
  std::memcpy(&tied, shares, sizeof tied);
  return tied;
}

// Halves or'ed together in registers (through memory, a vector store then
// narrower loads stalls).
TMNN_INLINE bool any_lane(const i32x16& mask) {
  const i32x8 half = __builtin_shufflevector(mask, mask, 0, 1, 2, 3, 4, 5, 6, 7) |
                     __builtin_shufflevector(mask, mask, 8, 9, 10, 11, 12, 13, 14, 15);
  const i32x4 quarter = __builtin_shufflevector(half, half, 0, 1, 2, 3) | __builtin_shufflevector(half, half, 4, 5, 6, 7);
  return (quarter[0] | quarter[1] | quarter[2] | quarter[3]) != 0;
}

// Lanes [0, m) of a and b interleaved into to[0, 2m): two taps side by side
// (a stride-2 pooling's), stored as whole vectors, the last one overlapping.
TMNN_INLINE void store_pair(const f32x16& a, const f32x16& b, int64_t m, float* to) {
  const f32x16 low = __builtin_shuffle(a, b, i32x16{0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23});
  const f32x16 high = __builtin_shuffle(a, b, i32x16{8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31});
  const int64_t count = 2 * m;
  if (count <= LANES) return store_lanes(low, count, 1, to);
  std::memcpy(to, &low, sizeof low);
  const i32x16 last = int32_t(count - LANES) + i32x16{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const f32x16 end = __builtin_shuffle(low, high, last);
  std::memcpy(to + count - LANES, &end, sizeof end);
}

// dx of one window whose taps no other window reads, at to[offsets[t]] for x's from[offsets[t]]: its share where
// the tap is the max, else 0.
TMNN_INLINE void grad_at_alone(const float* from, const int64_t* offsets, int64_t taps, float max, float dy, float* to) {
  int64_t ties = 0;
  for (int64_t t = 0; t < taps; t++) ties += from[offsets[t]] == max;
  const float share = rounded_share(dy, ties);
  for (int64_t t = 0; t < taps; t++)
    to[offsets[t]] = ties == 0 || from[offsets[t]] == max ? share : 0.0f;
}

// Sixteen windows' dx at one tap: the share where the tap is the max.
template <int Step>
TMNN_INLINE f32x16 tap_share(const float* from, const f32x16& max, const f32x16& share, const f32x16& otherwise) {
  return tap_lanes<Step>(from) == max ? share : otherwise;
}

// dx of a run's windows where no other window reads their taps: a tap equal
// to its window's max gets the window's share, the others 0.
template <int Step>
TMNN_INLINE void grad_run_alone(const float* row, const float* x_end, const Run& r, const Runs& plan, int64_t taps,
                                const float* y, const float* dy, const float* y_end, float* dx) {
  const int64_t* offsets = plan.offsets.data();
  for (int64_t k = 0; k < r.count; k += LANES) {
    const int64_t m = std::min(LANES, r.count - k), at = r.base + k * r.step;
    const float *from = row + at, *max_at = y + r.first + k, *dy_at = dy + r.first + k;
    if (!whole<Step>(from, plan.reach, x_end) || y_end - max_at < LANES) {
      for (int64_t l = 0; l < m; l++) grad_at_alone(from + l * r.step, offsets, taps, max_at[l], dy_at[l], dx + at + l * r.step);
      continue;
    }
    const f32x16 max = window_lanes(max_at), g = window_lanes(dy_at);
    i32x16 ties = {};
    for (int64_t t = 0; t < taps; t++) ties -= tap_lanes<Step>(from + offsets[t]) == max;
    f32x16 share = ties == 0 ? NOT_A_NUMBER - f32x16{} : g + 0.0f;
    if (any_lane(ties > 1)) share = tied_shares(share, g, ties, m);
    // A tap not the max gets nothing, or NaN where none is. (Not `ties == 0 ? share : 0`: GCC 12 folds that into
    // an or of two compares, and compiles the select on it lane by lane, with branches.)
    const f32x16 otherwise = ties == 0 ? NOT_A_NUMBER - f32x16{} : f32x16{};
    if (Step == 2 && plan.paired)
      for (int64_t t = 0; t < taps; t += 2)
        store_pair(tap_share<Step>(from + offsets[t], max, share, otherwise),
                   tap_share<Step>(from + offsets[t + 1], max, share, otherwise), m, dx + at + offsets[t]);
    else
      for (int64_t t = 0; t < taps; t++)
        store_lanes(tap_share<Step>(from + offsets[t], max, share, otherwise), m, Step, dx + at + offsets[t]);
  }
}

// dx of listed windows whose taps no other window reads: a tap inside the plane gets its window's share where it
// is the max, else 0.
TMNN_INLINE void grad_listed_alone(const float* row, const float* y, const float* dy, int64_t n, const int32_t* table,
                                   int64_t taps, const Run& r, float* dx) {
  for (int64_t j = r.first; j < r.first + r.count; j++) {
    const int32_t* picks = table + j * taps;
    int64_t ties = 0;
    for (int64_t t = 0; t < taps; t++) ties += inside(picks[t], n) && row[picks[t]] == y[j];
    const float share = rounded_share(dy[j], ties);
    for (int64_t t = 0; t < taps; t++)
      if (inside(picks[t], n)) dx[picks[t]] = ties == 0 || row[picks[t]] == y[j] ? share : 0.0f;
  }
}

TMNN_MULTIVERSION
void grad_planes_alone(const float* x, const float* x_end, const float* y, const float* dy, int64_t outer, int64_t n,
                       const int32_t* table, int64_t windows, int64_t taps, const Runs& plan, const Stretches& unread,
                       int64_t first, int64_t last, float* dx) {
  const float* y_end = y + outer * windows;
  for (int64_t o = first; o < last; o++) {
    const float *row = x + o * n, *yo = y + o * windows, *dyo = dy + o * windows;
    float* to = dx + o * n;
    for (const auto& [begin, end] : unread) std::fill(to + begin, to + end, 0.0f);
    for (const Run& r : plan.runs) {
      if (!r.regular) grad_listed_alone(row, yo, dyo, n, table, taps, r, to);
      else if (r.step == 1) grad_run_alone<1>(row, x_end, r, plan, taps, yo, dyo, y_end, to);
      else if (r.step == 2) grad_run_alone<2>(row, x_end, r, plan, taps, yo, dyo, y_end, to);
      else grad_run_alone<0>(row, x_end, r, plan, taps, yo, dyo, y_end, to);
    }
  }
}

// share where `take`, else +0, by masking its bits: GCC compiles a select
// between doubles on a float compare into a branch, mispredicted as often as
// a tap is the max. (+0 added to a sum leaves it as it was: a sum from +0
// is never −0.)
TMNN_INLINE double share_if(double share, bool take) {
  uint64_t bits;
  std::memcpy(&bits, &share, sizeof bits);
  bits &= -uint64_t(take);
  std::memcpy(&share, &bits, sizeof share);
  return share;
}

// One window's shares added into to[offsets[t]] for x's from[offsets[t]], in the order of its taps.
TMNN_INLINE void add_at(const float* from, const int64_t* offsets, int64_t taps, float max, float dy, double* to) {
  int64_t ties = 0;
  for (int64_t t = 0; t < taps; t++) ties += from[offsets[t]] == max;
  // No tap equals a NaN max: each tap of the window gets NaN.
  const double share = ties ? double(dy) / double(ties) : std::numeric_limits<double>::quiet_NaN();
  for (int64_t t = 0; t < taps; t++) to[offsets[t]] += share_if(share, ties == 0 || from[offsets[t]] == max);
}

// Sixteen windows' shares in double, unrounded as the sums take them (0 past
// the run's m windows): a division only for the rare windows that tie.
TMNN_INLINE void double_shares(const f32x16& dy, const i32x16& ties, int64_t m, f64x8 (&shares)[2]) {
  float dys[LANES];
  int32_t counts[LANES];
  double lanes[LANES];
  std::memcpy(dys, &dy, sizeof dy);
  std::memcpy(counts, &ties, sizeof ties);
  for (int64_t l = 0; l < LANES; l++) {
    const double g = dys[l];
    lanes[l] = l >= m ? 0.0 : counts[l] == 1 ? g : counts[l] ? g / counts[l] : std::numeric_limits<double>::quiet_NaN();
  }
  std::memcpy(shares, lanes, sizeof lanes);
}

TMNN_INLINE void add_to(double* sums, const f64x8& adds) {
  f64x8 v;
  std::memcpy(&v, sums, sizeof v);
  v += adds;
  std::memcpy(sums, &v, sizeof v);
}

// The lanes of `shares` (as bits) where `mask` (i32, −1 or 0) is set, 0 elsewhere.
TMNN_INLINE void masked(const f64x8 (&shares)[2], const i32x16& mask, i64x8 (&out)[2]) {
  out[0] = i64x8(shares[0]) & __builtin_convertvector(__builtin_shufflevector(mask, mask, 0, 1, 2, 3, 4, 5, 6, 7), i64x8);
  out[1] = i64x8(shares[1]) & __builtin_convertvector(__builtin_shufflevector(mask, mask, 8, 9, 10, 11, 12, 13, 14, 15), i64x8);
}

// sums[k·Step] += the share of window k where it hits (or, through `orphans`,
// where no tap does); with Step 2 the positions between get +0, so that the
// adds are whole vectors. (The hits are or'ed in as bits of the masked shares:
// GCC 12 compiles an or of a compare and another mask lane by lane.)
template <int Step>
TMNN_INLINE void add_lanes(const f64x8 (&shares)[2], const i32x16& hits, const i64x8 (&orphans)[2], double* sums) {
  i64x8 bits[2];
  masked(shares, hits, bits);
  const f64x8 adds[2] = {f64x8(bits[0] | orphans[0]), f64x8(bits[1] | orphans[1])};
  if (Step == 1) {
    add_to(sums, adds[0]);
    add_to(sums + 8, adds[1]);
    return;
  }
  for (int half = 0; half < 2; half++) {
    add_to(sums + 16 * half, __builtin_shufflevector(adds[half], f64x8{}, 0, 8, 1, 9, 2, 10, 3, 11));
    add_to(sums + 16 * half + 8, __builtin_shufflevector(adds[half], f64x8{}, 4, 12, 5, 13, 6, 14, 7, 15));
  }
}

// The shares of a run's windows added into sums (which run on 2·16 doubles
// past the plane: lanes past the run add +0 there). A position's shares must
// come in the order of their windows, as js adds them; sixteen windows are
// added a tap at a time, the last tap first: where window k's tap t and window
// k' > k's tap t' < t are one position (offsets ascending), k's comes first.
template <int Step>
TMNN_INLINE void add_run(const float* row, const float* x_end, const Run& r, const Runs& plan, int64_t taps,
                         const float* y, const float* dy, const float* y_end, double* sums) {
  const int64_t* offsets = plan.offsets.data();
  for (int64_t k = 0; k < r.count; k += LANES) {
    const int64_t m = std::min(LANES, r.count - k), at = r.base + k * r.step;
    const float *from = row + at, *max_at = y + r.first + k, *dy_at = dy + r.first + k;
    if (!plan.ascending || !whole<Step>(from, plan.reach, x_end) || y_end - max_at < LANES) {
      for (int64_t l = 0; l < m; l++) add_at(from + l * r.step, offsets, taps, max_at[l], dy_at[l], sums + at + l * r.step);
      continue;
    }
    const f32x16 max = window_lanes(max_at);
    i32x16 ties = {};
    for (int64_t t = 0; t < taps; t++) ties -= tap_lanes<Step>(from + offsets[t]) == max;
    f64x8 shares[2];
    double_shares(window_lanes(dy_at), ties, m, shares);
    // A window where no tap equals the max (a NaN one) gives each tap its NaN share.
    i64x8 orphans[2];
    masked(shares, ties == 0, orphans);
    for (int64_t t = taps - 1; t >= 0; t--)
      add_lanes<Step>(shares, tap_lanes<Step>(from + offsets[t]) == max, orphans, sums + at + offsets[t]);
  }
}

// Listed windows' shares added into sums. Their taps are written without
// branches: whether one lies in the padding or ties the max is as good as
// random. A tap in the padding adds +0 to position 0.
TMNN_INLINE void add_listed(const float* row, const float* y, const float* dy, int64_t n, const int32_t* table,
                            int64_t taps, const Run& r, double* sums) {
  for (int64_t j = r.first; j < r.first + r.count; j++) {
    const int32_t* picks = table + j * taps;
    int64_t ties = 0;
    for (int64_t t = 0; t < taps; t++) {
      const bool in = inside(picks[t], n);
      ties += in & (row[in ? picks[t] : 0] == y[j]);
    }
    const double share = ties ? double(dy[j]) / double(ties) : std::numeric_limits<double>::quiet_NaN();
    for (int64_t t = 0; t < taps; t++) {
      const bool in = inside(picks[t], n);
      const int64_t at = in ? picks[t] : 0;
      sums[at] += share_if(share, in & ((ties == 0) | (row[at] == y[j])));
    }
  }
}

// Each plane's shares summed in double and rounded once, as the js backend does: the two give the same bits.
TMNN_MULTIVERSION
void grad_planes_summed(const float* x, const float* x_end, const float* y, const float* dy, int64_t outer, int64_t n,
                        const int32_t* table, int64_t windows, int64_t taps, const Runs& plan, int64_t first,
                        int64_t last, float* dx) {
  const float* y_end = y + outer * windows;
  std::vector<double> sums(size_t(n + 2 * LANES));
  for (int64_t o = first; o < last; o++) {
    std::fill(sums.begin(), sums.end(), 0.0);
    const float *row = x + o * n, *yo = y + o * windows, *dyo = dy + o * windows;
    for (const Run& r : plan.runs) {
      if (!r.regular) add_listed(row, yo, dyo, n, table, taps, r, sums.data());
      else if (r.step == 1) add_run<1>(row, x_end, r, plan, taps, yo, dyo, y_end, sums.data());
      else if (r.step == 2) add_run<2>(row, x_end, r, plan, taps, yo, dyo, y_end, sums.data());
      else add_run<0>(row, x_end, r, plan, taps, yo, dyo, y_end, sums.data());
    }
    for (int64_t i = 0; i < n; i++) dx[o * n + i] = float(sums[i]);
  }
}

}  // namespace

void window_max(const float* x, int64_t outer, int64_t n, const int32_t* table, int64_t windows, int64_t taps, float* out) {
  const Runs plan = runs_of(table, windows, taps, n);
  split_planes(outer, outer * windows * taps, [&](int64_t first, int64_t last) {
    max_planes(x, x + outer * n, n, table, windows, taps, plan, first, last, out);
  });
}

void window_max_grad(const float* x, const float* y, const float* dy, int64_t outer, int64_t n, const int32_t* table,
                     int64_t windows, int64_t taps, float* dx) {
  // Where windows overlap, a position's shares add up in window order as js adds them; where none do, each is one share.
  if (const auto unread = unread_if_disjoint(table, windows * taps, n)) {
    const Runs plan = runs_of(table, windows, taps, n);
    split_planes(outer, outer * windows * taps, [&](int64_t first, int64_t last) {
      grad_planes_alone(x, x + outer * n, y, dy, outer, n, table, windows, taps, plan, *unread, first, last, dx);
    });
  } else {
    const Runs plan = runs_of(table, windows, taps, n);
    split_planes(outer, outer * windows * taps, [&](int64_t first, int64_t last) {
      grad_planes_summed(x, x + outer * n, y, dy, outer, n, table, windows, taps, plan, first, last, dx);
    });
  }
}

}  // namespace tmnn
