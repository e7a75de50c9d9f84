// CTC (Graves et al. 2006), kernels.ts's ctc: for each sample n, −log p of
// its target given log-probabilities lp [T, N, C], and with with_grad its
// gradient with respect to lp, written after the N losses in out.
//
// One workgroup per sample. The target is read interleaved with blanks
// (state s: the blank when s is even, label s / 2 when odd; 2S + 1 states
// for S labels). The forward variables α, then the backward β, go frame by
// frame, each frame's states shared among the invocations, a barrier
// between frames; both are kept for every frame in scratch buffers [N, T,
// 2·labels + 1]. The gradient at (t, c) is −Σ over c's states of the
// posterior occupancy exp(α + β − lp − log p) (α and β both hold the frame's
// lp): one invocation per frame adds its states in order, no atomics. In
// f32 and log space, log 0 held as a finite NONE (no ∞ arithmetic on the
// device); a loss past it is +∞ (the frames cannot spell the target), a
// label that is not a class gives NaN. TypeScript writes nothing in front;
// WG is an override.
override WG: u32 = 64;

struct Params {
  frames: u32,
  batch: u32,
  classes: u32,
  labels: u32,
  blank: u32,
  with_grad: u32,
}

@group(0) @binding(0) var<storage, read> lp: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
// [2N]: each sample's frames, then each sample's target length.
@group(0) @binding(2) var<storage, read> lengths: array<i32>;
@group(0) @binding(3) var<storage, read_write> alpha: array<f32>;
@group(0) @binding(4) var<storage, read_write> beta: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

const NONE: f32 = -1e30;

var<workgroup> steps_of: u32;
var<workgroup> states_of: u32;
var<workgroup> bad_label: atomic<u32>;
var<workgroup> bad_of: u32;
var<workgroup> log_likelihood: f32;

fn inf_f32() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }

// log(e^a + e^b), NONE (or less: a −∞ log-probability) counting as log 0.
fn log_add(a: f32, b: f32) -> f32 {
  if (a <= NONE) { return b; }
  if (b <= NONE) { return a; }
  return max(a, b) + log(1.0 + exp(-abs(a - b)));
}

// The class of state s of sample n's target.
fn class_of(n: u32, s: u32) -> i32 {
  if ((s & 1u) == 1u) { return targets[n * params.labels + s / 2u]; }
  return i32(params.blank);
}

// Whether state s may also be entered from s − 2: not a blank, and not the label two back.
fn skips(n: u32, s: u32) -> bool {
  if (s < 2u || (s & 1u) == 0u) { return false; }
  return class_of(n, s) != class_of(n, s - 2u);
}

fn emission(n: u32, t: u32, s: u32) -> f32 {
  return lp[(t * params.batch + n) * params.classes + u32(class_of(n, s))];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = wid.x + wid.y * groups.x;
  if (n >= params.batch) { return; }
  let frames = params.frames;
  let batch = params.batch;
  let classes = params.classes;
  let span = 2u * params.labels + 1u;
  let base = n * frames * span;
  if (lid == 0u) {
    steps_of = u32(lengths[n]);
    states_of = 2u * u32(lengths[batch + n]) + 1u;
    atomicStore(&bad_label, 0u);
  }
  let steps = workgroupUniformLoad(&steps_of);
  let states = workgroupUniformLoad(&states_of);
  for (var s = 1u + 2u * lid; s < states; s += 2u * WG) {
    let c = class_of(n, s);
    if (c < 0 || u32(c) >= classes) { atomicOr(&bad_label, 1u); }
  }
  workgroupBarrier();
  if (lid == 0u) { bad_of = atomicLoad(&bad_label); }
  let bad = workgroupUniformLoad(&bad_of);

  // The gradient's rows of this sample start at 0 (the buffer is reused), NaN for a bad label within its frames.
  if (params.with_grad == 1u) {
    for (var i = lid; i < frames * classes; i += WG) {
      let t = i / classes;
      out[batch + (t * batch + n) * classes + i % classes] = select(0.0, nan_f32(), bad == 1u && t < steps);
    }
  }
  if (bad == 1u) {
    if (lid == 0u) { out[n] = nan_f32(); }
    return;
  }

  for (var s = lid; s < states; s += WG) { alpha[base + s] = select(NONE, emission(n, 0u, s), s < 2u); }
  storageBarrier();
  for (var t = 1u; t < steps; t++) {
    for (var s = lid; s < states; s += WG) {
      let prev = base + (t - 1u) * span + s;
      var sum = alpha[prev];
      if (s >= 1u) { sum = log_add(sum, alpha[prev - 1u]); }
      if (skips(n, s)) { sum = log_add(sum, alpha[prev - 2u]); }
      alpha[prev + span] = select(NONE, sum + emission(n, t, s), sum > NONE);
    }
    storageBarrier();
  }
  if (lid == 0u) {
    let last = base + (steps - 1u) * span;
    var ll = alpha[last + states - 1u];
    if (states > 1u) { ll = log_add(ll, alpha[last + states - 2u]); }
    log_likelihood = ll;
    out[n] = select(-ll, inf_f32(), ll <= NONE);
  }
  let ll = workgroupUniformLoad(&log_likelihood);
  if (params.with_grad == 0u || ll <= NONE) { return; }

  let last = base + (steps - 1u) * span;
  for (var s = lid; s < states; s += WG) { beta[last + s] = select(NONE, emission(n, steps - 1u, s), s + 2u >= states); }
  storageBarrier();
  for (var t = steps - 1u; t > 0u; t--) {
    for (var s = lid; s < states; s += WG) {
      let next = base + t * span + s;
      var sum = beta[next];
      if (s + 1u < states) { sum = log_add(sum, beta[next + 1u]); }
      if (s + 2u < states && skips(n, s + 2u)) { sum = log_add(sum, beta[next + 2u]); }
      beta[next - span] = select(NONE, sum + emission(n, t - 1u, s), sum > NONE);
    }
    storageBarrier();
  }

  for (var t = lid; t < steps; t += WG) {
    let row = (t * batch + n) * classes;
    for (var s = 0u; s < states; s++) {
      let a = alpha[base + t * span + s];
      let b = beta[base + t * span + s];
      if (a <= NONE || b <= NONE) { continue; }
      let c = u32(class_of(n, s));
      out[batch + row + c] -= exp(a + b - ll - lp[row + c]);
    }
  }
}
