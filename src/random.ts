// Seeded random numbers: the same seed gives the same tensor on every backend
// and machine, because the values are drawn here in JS, not on the device.
import { ValueError, formatValue } from './errors.js';

/** mulberry32's step: the state after `state`. */
const advance = (state: number): number => (state + 0x6d2b79f5) >>> 0;

/** mulberry32's output for a state, in [0, 1). */
function output(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** mulberry32: a small, fast 32-bit generator with good statistical quality for init and shuffling. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => output((s = advance(s)));
}

/** setSeed's sequence: the generator's state (the seed, moved on a step per draw), or null when unseeded (Math.random). */
let global: number | null = null;

/**
 * Makes every later unseeded draw (randn without a seed, layer initialisation,
 * shuffling, dropout) reproducible: the same seed gives the same run.
 */
export function setSeed(seed: number): void {
  global = checkSeed('setSeed', seed);
}

/** Where setSeed's sequence stands (getRandomState), to go on from later with setRandomState. */
export interface RandomState {
  readonly generator: 'mulberry32';
  /** The generator's 32-bit state: the seed, moved on by every draw since. */
  readonly state: number;
}

/**
 * Where setSeed's sequence stands: the unseeded draws made from here on
 * (dropout masks, initial weights, shuffles without a seed) are the ones
 * setRandomState(this) brings back (torch.get_rng_state). Null when no seed
 * was set and draws come from Math.random, whose state cannot be read.
 */
export function getRandomState(): RandomState | null {
  return global === null ? null : { generator: 'mulberry32', state: global };
}

/** Puts setSeed's sequence back where getRandomState found it; null makes draws unseeded again (Math.random). */
export function setRandomState(state: RandomState | null): void {
  global = state === null ? null : readRandomState('setRandomState', state);
}

/** The generator's state in what getRandomState gave, checked. */
export function readRandomState(where: string, state: unknown): number {
  const { generator, state: value } = (state !== null && typeof state === 'object' ? state : {}) as Partial<RandomState>;
  if (generator !== 'mulberry32' || !Number.isInteger(value) || value! < 0 || value! >= 2 ** 32) {
    throw new ValueError(`${where}: expects what getRandomState gave ({ generator: 'mulberry32', state: an integer in [0, 2^32) }) or null, got ${formatValue(state)}`);
  }
  return value!;
}

/**
 * A seed as given to a draw: an integer the generator holds whole, in
 * [0, 2³²). A string or NaN read as some other seed, a fraction as its
 * integer part, and 2³² + 1 as 1.
 */
export function checkSeed(where: string, seed: unknown): number {
  if (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) >= 2 ** 32) {
    throw new ValueError(`${where}: seed must be an integer in [0, 2^32), got ${formatValue(seed)}`);
  }
  return seed as number;
}

/** The seed a draw was given, checked; a fresh one where it was given none. */
export function seedFor(where: string, seed: unknown): number {
  return seed === undefined ? freshSeed() : checkSeed(where, seed);
}

/**
 * A seed for stream `stream` of `seed`, mixed (murmur3's finaliser) so that
 * nearby seeds and streams give unrelated ones: a layer's dropout draws
 * away from its weights' seed, and a dropout's k-th mask away from another's
 * (k+1)-th, where seed + k met. Always within [0, 2³²).
 */
export function derivedSeed(seed: number, stream: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul((stream >>> 0) + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** derivedSeed for a seed that may not have been given: none stays none (the draw then takes a fresh one). */
export function seedStream(seed: number | undefined, stream: number): number | undefined {
  return seed === undefined ? undefined : derivedSeed(seed, stream);
}

/**
 * Runs `fn` with setSeed's sequence where it was before, whatever unseeded
 * draws fn makes: a model loaded from a file draws initial weights the file
 * then overwrites, which must not shift the user's reproducible sequence.
 */
export function keepingGlobalSequence<T>(fn: () => T): T {
  const kept = global;
  if (kept !== null) global = 0;
  try {
    return fn();
  } finally {
    global = kept;
  }
}

/** A seed for a draw that was given none: from setSeed's sequence when set, else from Math.random. */
export function freshSeed(): number {
  return drawnSeed(() => Math.floor((global === null ? Math.random() : output((global = advance(global)))) * 4294967296));
}

/** Seeds drawn while a checkpoint's forward pass runs, and where its recomputation is in replaying them. */
let recorded: number[] | null = null;
let replay: { readonly seeds: readonly number[]; next: number } | null = null;

/**
 * The seed `draw` gives, for a draw whose seed changes from call to call
 * (an unseeded one, or a seeded dropout's next mask): recorded while a
 * checkpoint's forward runs, and given again in order, `draw` not called,
 * while it recomputes, so its dropout masks are the first pass's.
 */
export function drawnSeed(draw: () => number): number {
  if (replay) {
    if (replay.next >= replay.seeds.length) throw new ValueError(`checkpoint: the recomputed forward pass drew more random numbers than the first (${replay.seeds.length} draws); the function must do the same on both`);
    // Recorded too: a checkpoint nested in the one recomputing records its own pass's draws.
    const seed = replay.seeds[replay.next++];
    recorded?.push(seed);
    return seed;
  }
  const seed = draw();
  recorded?.push(seed);
  return seed;
}

/** `fn`'s result and the seeds its draws took (drawnSeed). */
export function recordingSeeds<T>(fn: () => T): { result: T; seeds: number[] } {
  const outer = recorded;
  const seeds: number[] = [];
  recorded = seeds;
  try {
    return { result: fn(), seeds };
  } finally {
    recorded = outer;
    if (outer) outer.push(...seeds);
  }
}

/** Runs `fn` with its draws given `seeds` in order (drawnSeed). */
export function replayingSeeds<T>(seeds: readonly number[], fn: () => T): T {
  const outer = replay;
  replay = { seeds, next: 0 };
  try {
    return fn();
  } finally {
    replay = outer;
  }
}

/**
 * Runs `fn` with its draws outside any checkpoint's record and replay
 * (drawnSeed): for a draw made on one pass only — a lazy layer's weights,
 * drawn where the first pass builds it and not when the recomputation runs
 * it built — which recorded would shift the seeds replayed to the draws
 * made on both (a dropout's mask). Its draws take setSeed's sequence as
 * they would outside a checkpoint.
 */
export function unrecorded<T>(fn: () => T): T {
  const [outerRecorded, outerReplay] = [recorded, replay];
  recorded = null;
  replay = null;
  try {
    return fn();
  } finally {
    recorded = outerRecorded;
    replay = outerReplay;
  }
}

/** Uniform values in [min, max). */
export function uniform(n: number, min: number, max: number, seed: number): Float64Array {
  const next = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = min + (max - min) * next();
  return out;
}

/** Normal values (Box–Muller, both outputs used). */
export function normal(n: number, mean: number, std: number, seed: number): Float64Array {
  const next = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - next(); // (0, 1]: keeps log finite
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = mean + std * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** A seeded random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, seed: number): Int32Array {
  const next = rng(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
