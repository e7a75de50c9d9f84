// Dawn's notices that are not the user's business. On Vulkan drivers that
// report huge descriptor limits (lavapipe; NVIDIA's too), Dawn prints two
// lines to stderr on every discovery of the adapters — that it clamped
// maxDynamicUniformBuffersPerPipelineLayout and
// maxDynamicStorageBuffersPerPipelineLayout, limits tmnn never uses — which
// would open every run of the demo, the report and the tests. They come from
// native code, which JS cannot silence, so adapter discovery runs through the
// native addon's captureStderr (fallback/src/stderr_capture.cc) and whatever
// else Dawn wrote is passed on. Without the addon (not built, or in a page)
// the call runs as it is and the notices are printed.
import { loadAddon } from '../native/addon.js';

const CLAMPED_LIMIT = /^Warning: maxDynamic(?:Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/;

/** What Dawn wrote, less the notices of clamped limits (each kept line ends in a newline). */
export function withoutClampNotices(stderr: string): string {
  const lines = stderr.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.filter((line) => !CLAMPED_LIMIT.test(line)).map((line) => `${line}\n`).join('');
}

/** `call()` (a synchronous call into Dawn, such as requestAdapter), with the notices of clamped limits it prints dropped. */
export async function quietDawn<T>(call: () => T): Promise<T> {
  const addon = await loadAddon().catch(() => null);
  // An addon built before captureStderr existed has no such function.
  if (typeof addon?.captureStderr !== 'function') return call();
  const [result, stderr] = addon.captureStderr(call);
  const rest = withoutClampNotices(stderr);
  if (rest) process.stderr.write(rest);
  return result;
}
