// Shared by shaders/gather.wgsl and shaders/scatter_add.wgsl: element t of
// the picked rows [outer, k, inner] and where it sits in the tensor
// [outer, n, inner] they are picked from (row indices[j] of each outer
// block). A negative index counts from the end of the axis. The tensor may
// be bound as a window of rows [first, first + rows) of its one outer block
// (one past the binding limit, windows.ts), each window a launch of its own;
// unwindowed, first is 0 and rows is n.
struct Params {
  size: u32,
  n: u32,
  k: u32,
  inner: u32,
  first: u32,
  rows: u32,
}

// The j whose index element t reads.
fn index_of(t: u32) -> u32 { return (t / params.inner) % params.k; }

// Where element t sits in the bound rows, its row named by `index`; -1
// where the index is outside the axis, -2 where the row is in another window.
fn source_of(t: u32, index: i32) -> i32 {
  let row = select(index, index + i32(params.n), index < 0);
  if (row < 0 || row >= i32(params.n)) { return -1; }
  if (u32(row) < params.first || u32(row) - params.first >= params.rows) { return -2; }
  let o = t / (params.inner * params.k);
  return i32((o * params.rows + u32(row) - params.first) * params.inner + t % params.inner);
}
