// Timing kernels against each other on a device, for the choices measured
// per adapter (matmul tiles, int8 kernel, f16-way tile, row layout, quantized
// way), on scratch buffers of their own. Rounds
// interleave the candidates and each keeps its best time, so a burst of load
// on a shared machine slows one round of all of them rather than one
// candidate's runs. Where the device has timestamp queries a run is timed on
// the GPU (its kernels only: work the program records meanwhile, a submit or
// a wake-up from waiting is not counted); elsewhere from the submit until the
// GPU has finished it.
import type { Runtime } from './runtime.js';
import { BufferUsage } from './usage.js';

/**
 * Each run's best time in ms over `rounds` interleaved rounds; a run records
 * its kernels (dispatches only), this submits and waits. With `recording`,
 * a GPU time has the CPU time of recording the run added (a time on the wall
 * clock, where the device has no timestamps, has it anyway): runs that differ
 * in what they issue (one launch, or a chain of ops and three launches) cost
 * the program that too. Its first round builds the pipelines, which the best
 * of the rounds leaves out. With `budgetMs`, rounds go on past `rounds` (up
 * to MAX_EXTRA_ROUNDS times as many) until that long has passed: a run of a
 * millisecond or two swings by half between rounds on a busy software
 * adapter, and more rounds cost little.
 */
export async function bestTimes(rt: Runtime, runs: readonly (() => void)[], rounds: number, { recording = false, budgetMs = 0 } = {}): Promise<number[]> {
  const best = runs.map(() => Infinity);
  const start = performance.now();
  for (let round = 0; round < rounds || (round < rounds * MAX_EXTRA_ROUNDS && performance.now() - start < budgetMs); round++) {
    for (const [i, run] of runs.entries()) best[i] = Math.min(best[i], await timeRun(rt, run, recording));
  }
  return best;
}

const MAX_EXTRA_ROUNDS = 8;

async function timeRun(rt: Runtime, run: () => void, recording: boolean): Promise<number> {
  if (rt.ctx.features.timestampQuery) {
    let cpu = 0;
    const gpu = await rt.commands.timeRecorded(() => {
      const start = performance.now();
      run();
      if (recording) cpu = performance.now() - start;
    });
    return gpu + cpu;
  }
  const start = performance.now();
  run();
  rt.commands.flush();
  await rt.ctx.wait(rt.ctx.device.queue.onSubmittedWorkDone());
  return performance.now() - start;
}

/** The candidate whose run is fastest over `rounds` interleaved rounds (the first of equals). */
export async function fastest<T>(rt: Runtime, candidates: readonly T[], run: (candidate: T) => () => void, rounds: number): Promise<T> {
  const times = await bestTimes(rt, candidates.map(run), rounds);
  return candidates[times.indexOf(Math.min(...times))];
}

/**
 * Runs `use` with storage buffers of `bytes` each (rounded up to whole
 * words), of its own rather than the pool's, so that a measurement running in
 * the background leaves the program's memory as it was; destroyed after. A
 * device short of memory fails the measurement here, not the program's next
 * read, where an uncaught error would surface.
 */
export async function withScratchBuffers<T>(rt: Runtime, bytes: readonly number[], use: (buffers: GPUBuffer[]) => Promise<T>): Promise<T> {
  const { device } = rt.ctx;
  const usage = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
  device.pushErrorScope('out-of-memory');
  const buffers = bytes.map((n) => device.createBuffer({ size: Math.max(4, Math.ceil(n / 4) * 4), usage }));
  const outOfMemory = device.popErrorScope();
  try {
    const error = await rt.ctx.wait(outOfMemory);
    if (error) throw new Error(`webgpu: no memory for a timing run: ${error.message}`);
    return await use(buffers);
  } finally {
    for (const buffer of buffers) buffer.destroy();
  }
}
