// The sg_* helpers of the row kernels without subgroups: pass-throughs, so the
// kernels compile unchanged; their `if (SUBGROUPS)` branches are then dead and
// the workgroup tree does all the combining.
fn sg_add(v: V) -> V { return v; }
fn sg_mul(v: V) -> V { return v; }
fn sg_max(v: V) -> V { return v; }
fn sg_min(v: V) -> V { return v; }
fn sg_min_u32(v: u32) -> u32 { return v; }
fn sg_any(b: bool) -> bool { return b; }
fn sg_elect() -> bool { return true; }
