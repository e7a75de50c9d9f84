// Timing kernels against each other on a device, for the choices measured
// per adapter (matmul tile, int8 dot product, quantized way). Rounds
// interleave the candidates and each keeps its best time, so a burst of load
// on a shared machine slows one round of all of them rather than one
// candidate's runs. Where the device has timestamp queries a run is timed on
// the GPU (its kernels only: work the program records meanwhile, a submit or
// a wake-up from waiting is not counted); elsewhere from the submit until the
// GPU has finished it.
import type { Runtime } from './runtime.js';

/** Each run's best time in ms over `rounds` interleaved rounds; a run records its kernels (dispatches only), this submits and waits. */
export async function bestTimes(rt: Runtime, runs: readonly (() => void)[], rounds: number): Promise<number[]> {
  const best = runs.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    for (const [i, run] of runs.entries()) best[i] = Math.min(best[i], await timeRun(rt, run));
  }
  return best;
}

async function timeRun(rt: Runtime, run: () => void): Promise<number> {
  if (rt.ctx.features.timestampQuery) return rt.commands.timeRecorded(run);
  const start = performance.now();
  run();
  rt.commands.flush();
  await rt.ctx.wait(rt.ctx.device.queue.onSubmittedWorkDone());
  return performance.now() - start;
}
