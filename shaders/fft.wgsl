// The complex DFT of each row (src/backends/fft.ts's complex kernel), for a
// power-of-two length N ≤ 2048: y[k] = scale · Σ_j x[j]·e^(sign·2πi·jk/N),
// x and y [rows, N] of (re, im) pairs. One workgroup per row: the row is
// read into workgroup memory in bit-reversed order (8N bytes: the 16 KiB
// every adapter gives holds N = 2048), then log2(N) radix-2 butterfly
// stages in place (Cooley–Tukey, decimation in time), a barrier after
// each, the WG invocations sharing a stage's N/2 butterflies; then written
// out scaled. The twiddle factors are a table (cos, sin)(2π·t/N), t < N/2,
// computed in float64 on the host: WGSL's sin and cos need only be good to
// 2^−11 absolute, too coarse for f32 transforms. The inverse's are the
// forward's conjugates (sin times sign). N, LOG_N and WG are overrides.
override N: u32 = 1024;
override LOG_N: u32 = 10;
override WG: u32 = 256;

struct Params {
  rows: u32,
  sign: f32,
  scale: f32,
  unused: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec2f>;
@group(0) @binding(1) var<storage, read> twiddles: array<vec2f>;
@group(0) @binding(2) var<storage, read_write> y: array<vec2f>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> row: array<vec2f, N>;

/** a·b for complex a, b. */
fn times(a: vec2f, b: vec2f) -> vec2f {
  return vec2f(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Rows past 65535 workgroups go on in y; the grid's last workgroups may have no row.
  let r = wid.x + wid.y * groups.x;
  if (r >= params.rows) { return; }
  let base = r * N;
  for (var i = lid; i < N; i += WG) {
    row[reverseBits(i) >> (32u - LOG_N)] = x[base + i];
  }
  workgroupBarrier();
  // Stage s joins pairs `half` apart: butterfly j (of N/2) has k = j mod half, a = 2·(j − k) + k, b = a + half,
  // twiddle e^(sign·2πi·k/(2·half)), the table's entry k·N/(2·half).
  for (var s = 0u; s < LOG_N; s++) {
    let half = 1u << s;
    let stride = N >> (s + 1u);
    for (var j = lid; j < N / 2u; j += WG) {
      let k = j & (half - 1u);
      let a = ((j - k) << 1u) + k;
      let t = twiddles[k * stride];
      let v = times(vec2f(t.x, params.sign * t.y), row[a + half]);
      let u = row[a];
      row[a] = u + v;
      row[a + half] = u - v;
    }
    workgroupBarrier();
  }
  for (var i = lid; i < N; i += WG) {
    y[base + i] = params.scale * row[i];
  }
}
