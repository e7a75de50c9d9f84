// reduce.wgsl's input computed as it is read: `value(i)`, the elementwise
// chain that fusion.ts generates after this file (its bindings numbered from
// 3, after reduce.wgsl's out and params). reduce.wgsl reads each element
// once, so the intermediates of the chain a live tensor holds, which value(i)
// writes as it goes, are written once each.
fn load(i: u32) -> V { return V(value(i)); }
