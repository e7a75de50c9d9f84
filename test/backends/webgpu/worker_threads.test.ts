// A worker thread that used the webgpu backend can be ended (worker.terminate())
// once its own reads have settled, without taking the process down. Dawn's
// Node binding aborts the whole process when a thread ends with one of its
// promises pending ("Promise not resolved or rejected: popErrorScope()"), or
// when the garbage collector's callbacks call into it while the thread is
// being torn down ("FATAL ERROR: Error::ThrowAsJavaScriptException"): so the
// library leaves nothing pending of its own (a new pipeline's errors come
// through the device's uncapturederror event, not an error scope), and frees
// the storage of collected tensors at the next op, not in the collector's
// callback. Each case ends several threads in a fresh process. The second
// case aborted every time before the change; whether the first reaches the
// collector's path depends on when V8 collects (a build of 2026-12-05 aborted
// there four runs in four, others never did), so it guards without proving.
// What the library starts in the background (a matmul tile timed for a
// product's shape, on GPU timestamps read back) is awaited by
// tm.synchronize(), which a thread calls before it is ended, as it awaits its
// own reads: a pending mapAsync() aborts the same way.
import { expect, it } from 'vitest';
import { runScript, tmnnBundle } from '../../helpers/isolated.js';

/** A script that starts `threads` workers one after another, each running `body` with tm on webgpu, then ends it. */
function endThreads(body: string, threads = 4): string {
  // An ES module, as the script is (eval'd workers take the parent's --input-type).
  const worker = `
    import { parentPort } from 'node:worker_threads';
    import * as tm from ${JSON.stringify(tmnnBundle())};
    try {
      await tm.init({ backend: 'webgpu' });
      ${body}
      parentPort.postMessage('done');
    } catch (e) {
      parentPort.postMessage('failed: ' + e.message);
    }
  `;
  return `
    import { Worker } from 'node:worker_threads';
    for (let i = 0; i < ${threads}; i++) {
      const w = new Worker(${JSON.stringify(worker)}, { eval: true });
      const said = await new Promise((resolve, reject) => { w.on('message', resolve); w.on('error', reject); });
      if (said !== 'done') throw new Error(said);
      await w.terminate();
    }
    console.log('ended ${threads} threads');
  `;
}

function expectEnded(body: string, env: Record<string, string> = {}): void {
  const r = runScript(endThreads(body), env, 120_000);
  // Dawn prints why it aborts on stdout, node's fatal errors go to stderr: both are shown when it fails.
  const tail = (text: string) => text.slice(-2000);
  expect({ status: r.status, signal: r.signal, stdout: tail(r.stdout).trim(), stderr: r.status === 0 ? '' : tail(r.stderr) }).toEqual({
    status: 0,
    signal: null,
    stdout: 'ended 4 threads',
    stderr: '',
  });
}

it('ends a thread holding tensors it never disposed (garbage the collector finds as the thread is torn down)', () => {
  expectEnded(`
    const x = tm.tensor([1, 2, 3, 4]);
    await x.add(1).exp().data();
    tm.randn([64, 64]).matmul(tm.randn([64, 64]));
  `);
}, 180_000);

it('ends a thread right after its last op compiled a kernel no read waited on', () => {
  // A fused chain this thread has not run yet and a cumulative sum, both launched (cumsum
  // needs the chain's values): two pipelines made now, and nothing read after them.
  expectEnded(`
    const x = tm.tensor([1, 2, 3, 4]);
    await x.add(1).data();
    tm.tidy(() => x.mul(3).sin().sqrt().cumsum(0)).dispose();
    x.dispose();
  `);
}, 180_000);

it('ends a thread after tm.synchronize(), whose matmuls had started timing tiles in the background', () => {
  // TMNN_CACHE=0: every thread measures afresh rather than recall an earlier process's choice. Without the
  // synchronize, the thread ends with a measurement's read pending and Dawn aborts (mapAsync()).
  expectEnded(`
    const x = tm.randn([96, 80]), w = tm.randn([80, 72]);
    for (let i = 0; i < 3; i++) await x.matmul(w).data();
    await tm.synchronize();
  `, { TMNN_CACHE: '0' });
}, 180_000);
