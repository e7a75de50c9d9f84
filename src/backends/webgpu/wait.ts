// Waiting for the GPU in Node without spinning a core. Dawn's Node binding
// learns that GPU work has finished by polling: while a mapAsync or an
// onSubmittedWorkDone is pending, a setImmediate callback calls into Dawn and
// queues itself again, so the main thread runs flat out for the whole wait
// (measured on lavapipe: ~140 ms of CPU in a 160 ms wait). A core spent
// polling is a core a software adapter's own threads do not get, and on a
// real GPU it is power and a core the application does not get.
//
// So past its first millisecond a wait sleeps the thread between Dawn's polls
// (Atomics.wait on a cell nobody writes: a timed sleep), each sleep a tenth of
// the time waited so far and at most 1 ms: a wait runs at most ~10% past the
// GPU's finish, and the thread is asleep for most of a long one. Browsers
// deliver GPU completions as events, and forbid Atomics.wait on their main
// thread: there the promise is awaited as it is.

const SPIN_MS = 1;
const MAX_SLEEP_MS = 1;
// Made on first use: a page that is not cross-origin isolated has no SharedArrayBuffer.
let cell: Int32Array | null = null;

/** `pending`'s value, sleeping the thread between Dawn's polls once the wait passes a millisecond. */
export async function sleepBetweenPolls<T>(pending: Promise<T>): Promise<T> {
  let settled = false;
  pending.then(() => (settled = true), () => (settled = true));
  const start = performance.now();
  while (!settled) {
    // One turn of the event loop: Dawn's poll (a setImmediate callback) runs in it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const waited = performance.now() - start;
    if (!settled && waited > SPIN_MS) Atomics.wait((cell ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, Math.min(MAX_SLEEP_MS, waited / 10));
  }
  return pending;
}

/** How this runtime waits for GPU promises: sleeping between polls under Node's Dawn binding, as they are in a browser. */
export function gpuWaiter(api: string): <T>(pending: Promise<T>) => Promise<T> {
  return api === 'browser' || typeof setImmediate !== 'function' ? (pending) => pending : sleepBetweenPolls;
}
