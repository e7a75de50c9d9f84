// The engine: which backend is active, how tensors' storages are counted and
// freed, and tidy scopes. Tensors and ops talk to backends only through here;
// which backend becomes active is selection.ts's business.
import { createJsBackend } from './backends/js/index.js';
import type { Backend, BackendName } from './backends/kernels.js';
import { BackendMismatchError, ValueError, formatValue } from './errors.js';

/** A backend storage shared by a tensor and its views (reshape), freed when the last one goes. */
export interface DataRef {
  readonly backend: Backend;
  readonly storage: unknown;
  readonly bytes: number;
  refs: number;
}

export interface BackendSelection {
  readonly backend: BackendName;
  readonly reason: string;
  /** Backends passed over, and why each was. */
  readonly passedOver: readonly { readonly name: BackendName; readonly why: string }[];
}

export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
  backends: Partial<Record<BackendName, { numTensors: number; numBytes: number }>>;
}

export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
  /** No tidy scope holds it any more: from now on only `dispose()` or the garbage collector frees it. */
  untracked?(): void;
}

let active: Backend | null = null;
let selection: BackendSelection | null = null;
const scopes: Set<Disposable>[] = [];
const counts = new Map<BackendName, { numTensors: number; numBytes: number }>();
/** Storages alive on each backend instance, which memory()'s counts by name cannot tell apart. */
const storagesOn = new Map<Backend, number>();
/** Backends waiting for their last storage to be freed, to be released then (releaseWhenUnused). */
const replaced = new Set<Backend>();

/** Makes `backend` the one new tensors and ops use (selection.ts decides which). */
export function setActive(backend: Backend, why: BackendSelection): void {
  active = backend;
  selection = why;
}

/**
 * Gives `backend` back (a GPU device, its buffers) now if no storage lives on
 * it, else when the last one is freed: a backend a later init() replaced keeps
 * working for the tensors made on it until then.
 */
export function releaseWhenUnused(backend: Backend): void {
  if (storagesOn.has(backend)) replaced.add(backend);
  else backend.release?.();
}

/** While an op makes tensors for inputs of its own (creatingOn), the backend those live on. */
let creating: Backend | null = null;

/**
 * Runs `make` with new tensors made on `backend` rather than the active one:
 * an op that makes tensors for its inputs (backward's first gradient, Adam's
 * moments, Dropout's mask, pad's sides) makes them where the inputs live,
 * which after a later tm.init() is not the active backend.
 */
export function creatingOn<T>(backend: Backend, make: () => T): T {
  const outer = creating;
  creating = backend;
  try {
    return make();
  } finally {
    creating = outer;
  }
}

/** The backend new tensors go to: the inputs' backend inside creatingOn, else the active one. */
export function creationBackend(): Backend {
  return creating ?? activeBackend();
}

/** The active backend; before `init()` the js backend starts on first use, so scripts work without it. */
export function activeBackend(): Backend {
  if (!active) {
    active = createJsBackend();
    selection = { backend: 'js', reason: 'tm.init() was not called; the js backend started on first use', passedOver: [] };
  }
  return active;
}

export function backend(): BackendName {
  return activeBackend().name;
}

export function backendSelection(): BackendSelection {
  activeBackend();
  return selection!;
}

/** The backend an op runs on: all its inputs must live there. */
export function backendFor(op: string, refs: readonly DataRef[]): Backend {
  const b = refs.length ? refs[0].backend : activeBackend();
  const i = refs.findIndex((r) => r.backend !== b);
  if (i < 0) return b;
  // Which input is stranded matters: in a layer's x·W, x is usually on the active backend and W not.
  const where = (x: Backend) => (x === active ? `the active ${x.name} backend` : `a ${x.name} backend no longer active`);
  throw new BackendMismatchError(
    `${op}: input 0 lives on ${where(b)}, input ${i} on ${where(refs[i].backend)}: tensors made before a later tm.init() stay where they were made; ` +
      'make a tensor again on the active one with tm.tensor(await t.data(), t.shape, { dtype: t.dtype }), a model with tm.nn.fromBytes(await model.toBytes())',
  );
}

export function newRef(backend: Backend, storage: unknown, bytes: number): DataRef {
  freeCollected();
  const c = counts.get(backend.name) ?? { numTensors: 0, numBytes: 0 };
  c.numBytes += bytes;
  counts.set(backend.name, c);
  storagesOn.set(backend, (storagesOn.get(backend) ?? 0) + 1);
  return { backend, storage, bytes, refs: 0 };
}

export function retain(ref: DataRef): void {
  ref.refs++;
  counts.get(ref.backend.name)!.numTensors++;
}

export function release(ref: DataRef): void {
  ref.refs--;
  const c = counts.get(ref.backend.name)!;
  c.numTensors--;
  if (ref.refs === 0) {
    c.numBytes -= ref.bytes;
    ref.backend.free(ref.storage);
    const left = storagesOn.get(ref.backend)! - 1;
    if (left > 0) storagesOn.set(ref.backend, left);
    else {
      storagesOn.delete(ref.backend);
      if (replaced.delete(ref.backend)) ref.backend.release?.();
    }
  }
}

/**
 * Storages whose tensors the garbage collector found unreachable, freed at the
 * next new storage or memory() rather than in the collector's callback: that
 * callback may run while a worker thread is being ended, and a call into
 * Dawn's binding then (the pool reading a buffer's size) aborts the whole
 * process instead of throwing.
 */
const collectedRefs: DataRef[] = [];

/** What a FinalizationRegistry calls with the storage of a tensor that became garbage (see collectedRefs). */
export function releaseCollected(ref: DataRef): void {
  collectedRefs.push(ref);
}

function freeCollected(): void {
  while (collectedRefs.length) release(collectedRefs.pop()!);
}

/** Registers a new tensor with the innermost tidy scope, or outside any, tells it that it is untracked. */
export function track(t: Disposable): void {
  const scope = scopes[scopes.length - 1];
  if (scope) scope.add(t);
  else t.untracked?.();
}

/** Takes a tensor out of tidy's reach: it outlives the scope it was made in. */
export function keep<T extends Disposable>(t: T): T {
  if (t === null || typeof t !== 'object' || typeof t.dispose !== 'function') {
    throw new ValueError(`keep: expects a tensor (or a quantized one), got ${formatValue(t)}`);
  }
  untrack(t);
  t.untracked?.();
  return t;
}

/** Takes a tensor out of tidy's reach for a caller that frees it itself, on every path (no finalizer is needed). */
export function untrack<T extends Disposable>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/** Every tensor reachable from `value` through arrays, plain objects, Maps and Sets. */
function collect(value: unknown, into: Set<unknown>, seen = new Set<unknown>()): void {
  // A typed array holds numbers, no tensors: walking its elements one by one would cost as much as the array is long.
  if (value === null || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) return;
  seen.add(value);
  if ('dispose' in value && 'isDisposed' in value) {
    into.add(value);
    return;
  }
  const children = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Array.isArray(value) ? value : Object.values(value);
  for (const v of children) collect(v, into, seen);
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns
 * (directly, or anywhere inside arrays, objects, Maps and Sets). Returned tensors move to the
 * enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new ValueError(`tidy: expects a function to run, got ${typeof fn}`);
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw err;
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    for (const t of scope) if (!t.isDisposed) t.dispose();
    // The async function goes on after its first await, on tensors freed here: its failure is
    // expected, and must not end the process as an unhandled rejection.
    result.catch(() => undefined);
    throw new ValueError('tidy: the function returned a Promise; tidy is synchronous (await outside it, or dispose by hand)');
  }
  const kept = new Set<unknown>();
  collect(result, kept);
  for (const t of scope) {
    if (kept.has(t)) track(t);
    else if (!t.isDisposed) t.dispose();
  }
  return result;
}

/**
 * Runs `fn` (synchronous) and returns its result with every tensor it made,
 * none of them left to an enclosing tidy: the caller frees them once it is
 * done with what fn returned (tm.data's flatMap, whose function's result may
 * read the tensors it made long after fn returns). On an error they are freed.
 */
export function madeBy<T>(fn: () => T): { result: T; made: Set<Disposable> } {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  try {
    return { result: fn(), made: scope };
  } catch (err) {
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw err;
  } finally {
    scopes.pop();
  }
}

/**
 * Resolves once no backend holding tensors, nor the active one, has work under
 * way: every kernel issued has run, every read has finished, and so have the
 * measurements the webgpu backend runs in the background (a tile timed for a
 * product's shape). Await it before ending a Node worker thread that used
 * webgpu (worker.terminate()): Dawn's binding aborts the whole process when a
 * thread ends with one of its promises pending.
 */
export async function synchronize(): Promise<void> {
  freeCollected();
  const backends = new Set([activeBackend(), ...storagesOn.keys()]);
  await Promise.all([...backends].map((b) => b.settled?.()));
}

export function memory(): MemoryInfo {
  freeCollected();
  const info: MemoryInfo = { numTensors: 0, numBytes: 0, backends: {} };
  for (const [name, c] of counts) {
    info.backends[name] = { ...c };
    info.numTensors += c.numTensors;
    info.numBytes += c.numBytes;
  }
  return info;
}
