// The garbage collector on demand, for tests of what is freed once garbage
// (FinalizationRegistry callbacks run only after a collection, in a task of
// their own that a busy machine may run after a short timer).
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tm from '../../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let sentinelsFinalized = 0;
const sentinels = new FinalizationRegistry<null>(() => void sentinelsFinalized++);

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
// Not inline in the async function below: its registers, kept across each
// await, would hold the sentinel alive through the collection.
const plantSentinel = () => void sentinels.register({}, null);

/**
 * One full collection, returning once its finalizers have had their turn: a
 * sentinel made just before it is seen finalized, then the loop turns once more
 * so the library's registries, cleaned up in the same pass, run too.
 */
async function collectOnce(): Promise<void> {
  const before = sentinelsFinalized;
  plantSentinel();
  gc();
  for (let waited = 0; sentinelsFinalized === before && waited < 2000; waited++) await tick();
  await tick();
}

/** Collects until the finalizers have run and the count of live tensors holds still for three passes: that count. */
export async function collected(): Promise<number> {
  let last = -1;
  let still = 0;
  for (let round = 0; round < 50 && still < 2; round++) {
    await collectOnce();
    const now = tm.memory().numTensors;
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}
