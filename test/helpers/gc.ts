// The garbage collector on demand, for tests of what is freed once garbage
// (FinalizationRegistry callbacks run only after a collection, between tasks).
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tm from '../../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Collects until the finalizers have run and the count of live tensors holds still: that count. */
export async function collected(): Promise<number> {
  let last = -1;
  for (let round = 0; round < 20; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = tm.memory().numTensors;
    if (now === last) return now;
    last = now;
  }
  return last;
}
