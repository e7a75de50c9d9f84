// dawn_notices.ts as the browser bundle has it (scripts/browser-plugins.mjs):
// a page's WebGPU is the browser's, not Dawn's Node binding, and a page
// cannot reach file descriptors, so the call runs as it is.
export function quietDawn<T>(call: () => T): Promise<T> {
  return Promise.resolve(call());
}
