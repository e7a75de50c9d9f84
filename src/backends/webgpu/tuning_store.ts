// Choices measured on an adapter (the matmul tile, the int8 dot product, the
// quantized way) remembered between processes in webgpu-tuning.json
// (machine_cache.ts), so that only the first process on a machine pays for
// the timing and later ones start on the tile it chose. An entry is keyed by
// tmnn's version, the adapter and the features granted, and what was
// measured; it also holds a fingerprint of what the measurement ran (kernel
// sources, candidate list), so a changed kernel is measured again rather than
// trusted. TMNN_CACHE=0 measures afresh in every process.
import { readCache, writeCacheEntry } from '../../machine_cache.js';
import { VERSION } from '../../version.js';
import type { Runtime } from './runtime.js';

const FILE = 'webgpu-tuning.json';

/** A choice and where it came from. */
export interface Tuned<T> {
  readonly value: T;
  /** 'measured' in this process, or 'remembered' from an earlier one. */
  readonly source: 'measured' | 'remembered';
  /** When it was measured (ISO 8601). */
  readonly measuredAt: string;
}

function key(rt: Runtime, what: string): string {
  const { adapter, description, features } = rt.ctx;
  const { vendor, architecture, device } = adapter.info;
  // Features by name, and numbers (the subgroup size) with their value.
  const granted = Object.entries(features).filter(([, on]) => on).map(([name, on]) => (on === true ? name : `${name}=${on}`)).join('+');
  return `${VERSION}|${description}|${vendor}/${architecture}/${device}|${granted}|${what}`;
}

/** A short hash (FNV-1a) of what a measurement ran. */
export function fingerprint(...parts: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193); // a separator, so ['ab', 'c'] and ['a', 'bc'] differ
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The remembered choice for `what` on this adapter, if an earlier process
 * measured it with the same fingerprint and `parse` accepts what it stored
 * (anything else, a hand-edited or corrupt entry included, reads as absent).
 */
export async function recall<T>(rt: Runtime, what: string, print: string, parse: (stored: unknown) => T | undefined): Promise<Tuned<T> | undefined> {
  return accept((await readCache(FILE))[key(rt, what)], print, parse);
}

/**
 * Every remembered choice on this adapter named `what` or `what` followed by
 * a space and more (a choice per product shape: "quantized-way 256x256x256"),
 * by its full name, as `recall` would give each.
 */
export async function recallAll<T>(rt: Runtime, what: string, print: string, parse: (stored: unknown) => T | undefined): Promise<Map<string, Tuned<T>>> {
  const found = new Map<string, Tuned<T>>();
  const prefix = key(rt, '');
  for (const [k, entry] of Object.entries(await readCache(FILE))) {
    const name = k.startsWith(prefix) ? k.slice(prefix.length) : '';
    if (name !== what && !name.startsWith(`${what} `)) continue;
    const tuned = accept(entry, print, parse);
    if (tuned) found.set(name, tuned);
  }
  return found;
}

function accept<T>(entry: unknown, print: string, parse: (stored: unknown) => T | undefined): Tuned<T> | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const { fingerprint: stored, measuredAt, value } = entry as Record<string, unknown>;
  if (stored !== print || typeof measuredAt !== 'string') return undefined;
  const parsed = parse(value);
  return parsed === undefined ? undefined : { value: parsed, source: 'remembered', measuredAt };
}

/** Keeps a choice just measured; returns it as this process's Tuned. */
export async function remember<T>(rt: Runtime, what: string, print: string, value: T): Promise<Tuned<T>> {
  const measuredAt = new Date().toISOString();
  await writeCacheEntry(FILE, key(rt, what), { fingerprint: print, measuredAt, value });
  return { value, source: 'measured', measuredAt };
}

/** The remembered choice if an earlier process measured it, else `measure()`'s, remembered for later ones. */
export function recallOrMeasure<T>(
  rt: Runtime, what: string, print: string, parse: (stored: unknown) => T | undefined, measure: () => Promise<T>,
): Promise<Tuned<T>> {
  const task = (async () => (await recall(rt, what, print, parse)) ?? remember(rt, what, print, await measure()))();
  running.add(task);
  const done = () => void running.delete(task);
  task.then(done, done);
  return task;
}

/** Measurements under way, on every device: most run in the background, started by the kernel that first needs their choice. */
const running = new Set<Promise<unknown>>();

/**
 * Resolves once no measurement is under way. A background measurement waits
 * on the GPU (a mapped read of its timestamps), and Dawn's Node binding
 * aborts the whole process when a worker thread is terminated with such a
 * wait pending ("Promise not resolved or rejected: mapAsync()"): a worker
 * awaits this before it is ended (the test harness does, after each file).
 */
export async function measurementsSettled(): Promise<void> {
  do {
    await Promise.allSettled([...running]);
    // A measurement queued behind one that just ended starts in that ending's
    // microtasks (matmul_tuning.ts queues shapes so): a macrotask later it has.
    await new Promise((resolve) => setTimeout(resolve, 0));
  } while (running.size);
}
