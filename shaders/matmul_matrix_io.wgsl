// The bindings of the float product on subgroup matrices (matmul_matrix.wgsl),
// those of every float matmul kernel (matmul_dims.wgsl holds Dims), kept
// apart so that the bind-group layout is read from them alone: wgsl_reflect
// does not parse subgroup-matrix types.
@group(0) @binding(0) var<storage, read> a: array<In>;
@group(0) @binding(1) var<storage, read> b: array<In>;
@group(0) @binding(2) var<storage, read_write> out: array<Out>;
@group(0) @binding(3) var<uniform> dims: Dims;

// The sum matmul_store.wgsl hands the generated `value(i)`.
var<private> acc_value: Acc;
