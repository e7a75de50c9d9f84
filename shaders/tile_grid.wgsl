// Which output tile a workgroup of a matrix product computes, for every
// matmul kernel: x counts tiles across N, y down M, z the batch. TypeScript
// launches a product's tiles as one flat count folded into workgroups x and y
// (kernels/matmul_kernel.ts `tileLaunch`, runtime.ts `grid`), because M, N or
// the batch alone can pass the 65,535 workgroups a dimension allows (a batch
// of 70,000 small products, a million rows on one-row workgroups). The fold
// can launch a few workgroups past the last tile: their z is then at least
// the batch count, and the kernel returns (uniformly: the whole workgroup).
fn tile_of(wg: vec3u, groups: vec3u, tiles_x: u32, tiles_y: u32) -> vec3u {
  let flat = wg.x + wg.y * groups.x;
  return vec3u(flat % tiles_x, (flat / tiles_x) % tiles_y, flat / (tiles_x * tiles_y));
}
