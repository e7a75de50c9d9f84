// The end of the passes that give DynamicQuantizeLinear's scale and zero
// point (quantize_scale.wgsl from the range pass's partials,
// quantize_range_scale.wgsl from x itself): the outputs and the count of what
// binding 0 holds, and the workgroup's fold of its invocations' ranges into
// the scale and zero point (quantize_range_lib.wgsl's workgroup_range and
// scale_and_zero). TypeScript appends this file after the pass's own.

struct Params {
  /** Elements of binding 0: partial ranges, or x's values. */
  count: u32,
}

@group(0) @binding(1) var<storage, read_write> scale_out: array<f32>;
@group(0) @binding(2) var<storage, read_write> zero_point_out: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

/** Folds every invocation's `mine` and writes the scale and zero point (called by all of the workgroup). */
fn write_scale_and_zero(lid: u32, mine: Range) {
  let range = workgroup_range(lid, mine);
  if (lid != 0u) { return; }
  let found = scale_and_zero(range);
  scale_out[0] = found.scale;
  zero_point_out[0] = found.zero_point;
}
