// reduce.wgsl's input read from memory: x stored as In, each element
// loaded as V.
@group(0) @binding(0) var<storage, read> x: array<In>;

fn load(i: u32) -> V { return V(x[i]); }
