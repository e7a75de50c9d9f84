// A kernel choice timed once per device on first use and remembered per
// adapter between processes (tuning_store.ts): the int8 kernel, the int8
// weight kernel's tile, the layout of row reductions. Concurrent first uses
// share one measurement; a new backend preloads what is remembered, so on a
// machine that has measured before, the first kernel runs on the choice.
import type { Runtime } from './runtime.js';
import { recall, recallOrMeasure } from './tuning_store.js';

export interface MeasuredChoice<T> {
  /** Sets the choice for a device, overriding the measurement; null forgets it (the next measure() recalls or times it again). */
  use(rt: Runtime, value: T | null): void;
  /** This device's choice once measured, recalled or set, else what an earlier process measured on the adapter; times nothing. */
  known(rt: Runtime): Promise<T | undefined>;
  /** The choice, timed on this device once (or recalled from an earlier process's timing). */
  measure(rt: Runtime): Promise<T>;
  /** What to run now: the choice if it is in, else `fallback` while the measurement (started by this call) runs. */
  current(rt: Runtime, fallback: T): T;
  /** Takes what an earlier process measured on the adapter, if anything, as this device's choice; times nothing. */
  preload(rt: Runtime): Promise<void>;
}

/**
 * `what` names the entry in the tuning store, `print` fingerprints what the
 * timing runs (a changed kernel is timed again), `parse` accepts a stored
 * value or rejects it, `time` measures.
 */
export function measuredChoice<T>(what: string, print: string, parse: (stored: unknown) => T | undefined, time: (rt: Runtime) => Promise<T>): MeasuredChoice<T> {
  const chosen = new WeakMap<GPUDevice, T>();
  const measuring = new WeakMap<GPUDevice, Promise<T>>();
  const measure = (rt: Runtime): Promise<T> => {
    const { device } = rt.ctx;
    const done = chosen.get(device);
    if (done !== undefined) return Promise.resolve(done);
    let running = measuring.get(device);
    if (!running) {
      running = recallOrMeasure(rt, what, print, parse, () => time(rt)).then(({ value }) => {
        if (!chosen.has(device)) chosen.set(device, value);
        return chosen.get(device)!;
      });
      measuring.set(device, running);
    }
    return running;
  };
  return {
    use(rt, value) {
      if (value !== null) return void chosen.set(rt.ctx.device, value);
      chosen.delete(rt.ctx.device);
      measuring.delete(rt.ctx.device);
    },
    known: async (rt) => chosen.get(rt.ctx.device) ?? (await recall(rt, what, print, parse))?.value,
    measure,
    async preload(rt) {
      const { device } = rt.ctx;
      const remembered = await recall(rt, what, print, parse);
      if (remembered && !chosen.has(device)) chosen.set(device, remembered.value);
    },
    current(rt, fallback) {
      const known = chosen.get(rt.ctx.device);
      if (known !== undefined) return known;
      measure(rt).catch(() => undefined); // a device lost meanwhile: the next call reports it
      return fallback;
    },
  };
}
