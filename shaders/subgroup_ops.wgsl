// The sg_* helpers of the row kernels (reduce, arg_reduce, softmax) on a
// device with subgroups: each combines a value across the invocation's
// subgroup. V is the kernel's accumulation type (an alias TypeScript writes).
// The compiler moves the `enable` line to the top of the assembled shader.
enable subgroups;

fn sg_add(v: V) -> V { return subgroupAdd(v); }
fn sg_mul(v: V) -> V { return subgroupMul(v); }
fn sg_max(v: V) -> V { return subgroupMax(v); }
fn sg_min(v: V) -> V { return subgroupMin(v); }
fn sg_min_u32(v: u32) -> u32 { return subgroupMin(v); }
fn sg_any(b: bool) -> bool { return subgroupAny(b); }
fn sg_elect() -> bool { return subgroupElect(); }
