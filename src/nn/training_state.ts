// A training checkpoint: what a run needs to go on later where it stopped —
// the model's weights (and its seeded dropouts' places), the optimizer's
// buffers and counts, the schedule's place, a weight average, setSeed's
// sequence, a tm.data pipeline's shuffles — in one safetensors file (PyTorch's
// torch.save({'model': ..., 'optimizer': ...}), tf.train.Checkpoint). The
// tensors are entries named by part (`model.0.weight`, `optimizer.3.m`,
// `averages.0`); the counts and rates are JSON in the metadata, beside the
// caller's own `extra` (the epoch, say). A load checks every part before it
// changes any, so a file refused leaves the model and optimizer as they were.
import { Dataset, prepareDatasetLoad, type DatasetState } from '../data/dataset.js';
import { ValueError, formatValue } from '../errors.js';
import { CorruptFileError } from '../io/errors.js';
import { readFileBytes, writeFileAtomic } from '../io/file.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsEntry } from '../io/safetensors.js';
import { LBFGS } from '../optim/lbfgs.js';
import { EpochScheduler } from '../optim/schedules.js';
import { Optimizer } from '../optim/optimizer.js';
import { ReduceLROnPlateau } from '../optim/plateau.js';
import { WeightAverage } from '../optim/averaging.js';
import type { EpochSchedulerState, LBFGSState, OptimizerState, PlateauState, StateTensor, WeightAverageState } from '../optim/state.js';
import type { Tensor } from '../tensor.js';
import { VERSION } from '../version.js';
import { getRandomState, readRandomState, setRandomState, type RandomState } from '../random.js';
import { Module } from './module.js';
import { loadState } from './state_dict.js';
import { readEntries } from './state_entries.js';
import { refuseUnbuilt } from './unbuilt.js';

const FORMAT = 'tmnn-training-state';

/** A value JSON holds (numbers may be ±Infinity or NaN: the file keeps them). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The parts of a training run a checkpoint holds; each is optional. */
export interface TrainingStateParts {
  /** Its parameters and buffers by name (stateDict's names), and how many masks each seeded dropout has drawn (Module.drawCounts). */
  model?: Module;
  optimizer?: Optimizer | LBFGS;
  /** An epoch schedule (SequentialLR's turns included) or ReduceLROnPlateau. */
  scheduler?: EpochScheduler | ReduceLROnPlateau;
  /** An EMA or SWA of the weights. */
  averages?: WeightAverage;
  /**
   * true: setSeed's sequence (tm.getRandomState), which unseeded draws —
   * dropout masks, fit's shuffle seed — come from; loaded, it is put back
   * (tm.setRandomState), so a resumed run draws what an unbroken one would.
   */
  random?: boolean;
  /** A tm.data pipeline: its shuffles' seeds and passes (Dataset.stateDict), so a resumed fit draws the orders an unbroken one would. */
  data?: Dataset<unknown>;
}

/** What saveTrainingState writes: the parts, and anything else the run resumes from, as JSON (the epoch, the best score). */
export interface TrainingState extends TrainingStateParts {
  extra?: JsonValue;
}

/** What the metadata's JSON holds: every part but its tensors. */
interface Header {
  /** true in files written before the draw counts were kept (2026-12-05): their dropouts are left as they are. */
  model?: true | { draws: Record<string, number> };
  optimizer?:
    | (Omit<OptimizerState, 'params'> & { params: { updates: number; values: Record<string, number>; buffers: string[] }[] })
    | (Omit<LBFGSState, 'direction' | 'prevFlatGrad' | 'steps' | 'gradChanges'> & { direction: boolean; prevFlatGrad: boolean; history: number });
  scheduler?: EpochSchedulerState | PlateauState;
  averages?: Omit<WeightAverageState, 'averages'> & { count: number };
  /** Null where no seed was set (Math.random's draws). */
  random?: RandomState | null;
  data?: DatasetState;
  extra?: JsonValue;
}

const PARTS = ['model', 'optimizer', 'scheduler', 'averages', 'random', 'data'] as const;

/** The checkpoint's bytes (a safetensors file), for saveTrainingState or to keep wherever you like (a page's IndexedDB). */
export async function trainingStateToBytes(state: TrainingState): Promise<Uint8Array> {
  const where = 'saveTrainingState';
  checkParts(where, state, true);
  // A lazy layer not built yet has no tensors: the file would lack them, and its optimizer has none of them either.
  if (state.model) refuseUnbuilt(where, state.model);
  const header: Header = {};
  const tensors: Record<string, Tensor> = {};
  const copies: Tensor[] = [];
  if (state.model) {
    header.model = { draws: drawCountsOf(state.model) };
    for (const [name, t] of Object.entries(state.model.namedState())) tensors[`model.${name}`] = t;
  }
  if (state.optimizer instanceof LBFGS) {
    const { direction, prevFlatGrad, steps, gradChanges, ...rest } = state.optimizer.stateDict();
    header.optimizer = { ...rest, direction: !!direction, prevFlatGrad: !!prevFlatGrad, history: steps.length };
    const vectors: [string, Tensor | null][] = [['direction', direction], ['prevFlatGrad', prevFlatGrad], ...steps.map((t, i) => [`steps.${i}`, t] as [string, Tensor]), ...gradChanges.map((t, i) => [`gradChanges.${i}`, t] as [string, Tensor])];
    for (const [name, t] of vectors) if (t) copies.push((tensors[`optimizer.${name}`] = t));
  } else if (state.optimizer) {
    const { params, ...rest } = state.optimizer.stateDict();
    header.optimizer = { ...rest, params: params.map(({ updates, values, buffers }) => ({ updates, values, buffers: Object.keys(buffers) })) };
    params.forEach(({ buffers }, i) => {
      for (const [name, t] of Object.entries(buffers)) copies.push((tensors[`optimizer.${i}.${name}`] = t));
    });
  }
  if (state.scheduler) header.scheduler = state.scheduler.stateDict();
  if (state.averages) {
    const { averages, ...rest } = state.averages.stateDict();
    header.averages = { ...rest, count: averages.length };
    averages.forEach((t, i) => copies.push((tensors[`averages.${i}`] = t)));
  }
  if (state.random) header.random = getRandomState();
  if (state.data) header.data = state.data.stateDict();
  if (state.extra !== undefined) header.extra = state.extra;
  let json: string;
  try {
    json = JSON.stringify(header, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? { nonFinite: String(value) } : value));
  } catch (err) {
    for (const t of copies) t.dispose();
    throw new ValueError(`${where}: extra must be JSON (numbers, strings, arrays, plain objects): ${(err as Error).message}`);
  }
  try {
    // Every tensor's read starts here, before an await: a step taken meanwhile changes none of what is written.
    const entries = await readEntries(where, tensors);
    return encodeSafetensors(entries, { format: FORMAT, tmnn_version: VERSION, state: json });
  } finally {
    for (const t of copies) t.dispose();
  }
}

/** Writes a training checkpoint to `path` atomically (Node): the model, optimizer, schedule and average given, and `extra`. */
export async function saveTrainingState(path: string | URL, state: TrainingState): Promise<void> {
  const bytes = trainingStateToBytes(state);
  await writeFileAtomic(path, await bytes);
}

/**
 * Loads a checkpoint saveTrainingState wrote (a path in Node, or its bytes)
 * into the parts given, made as they were when it was saved (the same
 * layers, an optimizer of the same kind over model.parameters(), the same
 * schedule): weights, buffers, counts and rates. A part given that the file
 * lacks is an error; a part the file holds and is not given is left
 * unread (the model alone, to evaluate). Gives back the `extra` saved.
 */
export async function loadTrainingState(source: string | URL | Uint8Array, parts: TrainingStateParts): Promise<{ extra: JsonValue | undefined }> {
  const where = 'loadTrainingState';
  checkParts(where, parts, false);
  const bytes = source instanceof Uint8Array ? source : await readFileBytes(source);
  const { entries, metadata } = decodeSafetensors(bytes);
  const header = readHeader(metadata);
  for (const part of PARTS) {
    if (parts[part] && header[part] === undefined) throw new ValueError(`${where}: the file holds no ${part} state (it holds ${PARTS.filter((p) => header[p] !== undefined).join(', ') || 'none'})`);
  }
  const entry = (name: string): SafetensorsEntry => {
    if (!Object.hasOwn(entries, name)) throw new CorruptFileError(`${where}: the file's header lists ${name}, which is not among its tensors`);
    return entries[name];
  };
  const loads: (() => void)[] = [];
  if (parts.optimizer instanceof LBFGS) {
    const { direction, prevFlatGrad, history, ...rest } = header.optimizer as Extract<Header['optimizer'], { history: number }>;
    const count = Number.isSafeInteger(history) ? history : 0;
    const list = (name: string) => Array.from({ length: count }, (_, i) => entry(`optimizer.${name}.${i}`));
    loads.push(parts.optimizer.prepareLoad({
      ...rest,
      direction: direction ? entry('optimizer.direction') : null,
      prevFlatGrad: prevFlatGrad ? entry('optimizer.prevFlatGrad') : null,
      steps: list('steps'),
      gradChanges: list('gradChanges'),
    }));
  } else if (parts.optimizer) {
    const saved = header.optimizer as Extract<Header['optimizer'], { params: unknown }>;
    // Another kind's state (LBFGS's has no params) is named by prepareLoad.
    const params = Array.isArray(saved.params)
      ? saved.params.map(({ updates, values, buffers }, i) => ({
          updates,
          values,
          buffers: Object.fromEntries((Array.isArray(buffers) ? buffers : []).map((name) => [name, entry(`optimizer.${i}.${name}`)])),
        }))
      : saved.params;
    loads.push(parts.optimizer.prepareLoad({ ...saved, params } as OptimizerState<StateTensor>));
  }
  if (parts.scheduler) {
    // Each kind's prepareLoad names the other's state when they differ.
    const scheduler = parts.scheduler;
    const saved = header.scheduler!;
    loads.push(scheduler instanceof ReduceLROnPlateau ? scheduler.prepareLoad(saved as PlateauState) : scheduler.prepareLoad(saved as EpochSchedulerState));
  }
  if (parts.averages) {
    const saved = header.averages!;
    const count = Number.isSafeInteger(saved.count) ? saved.count : 0;
    loads.push(parts.averages.prepareLoad({ ...saved, averages: Array.from({ length: count }, (_, i) => entry(`averages.${i}`)) }));
  }
  if (parts.random) {
    const saved = header.random!;
    if (saved !== null) readRandomState(`${where}: the file's random state`, saved);
    loads.push(() => setRandomState(saved));
  }
  if (parts.data) loads.push(prepareDatasetLoad(`${where}: data`, parts.data, header.data!));
  // The model's load checks its names and shapes before it writes; the other parts are checked already and written after it.
  if (parts.model) {
    const model: Record<string, SafetensorsEntry> = {};
    for (const [name, e] of Object.entries(entries)) if (name.startsWith('model.')) model[name.slice('model.'.length)] = e;
    const saved = header.model!;
    const draws = saved === true ? null : checkDrawCounts(parts.model, saved.draws);
    loadState(parts.model, model, { strict: true });
    if (draws) setDrawCountsOf(parts.model, draws);
  }
  for (const load of loads) load();
  return { extra: header.extra };
}

/** The `extra` a checkpoint's bytes hold, read without loading anything (CorruptFileError where they are not a checkpoint). */
export function trainingStateExtra(bytes: Uint8Array): JsonValue | undefined {
  return readHeader(decodeSafetensors(bytes).metadata).extra;
}

function checkParts(where: string, parts: TrainingState, saving: boolean): void {
  if (parts === null || typeof parts !== 'object') throw new ValueError(`${where}: expects { ${PARTS.join(', ')}${saving ? ', extra' : ''} }, got ${formatValue(parts)}`);
  const known: readonly string[] = saving ? [...PARTS, 'extra'] : PARTS;
  const unknown = Object.keys(parts).filter((k) => !known.includes(k));
  if (unknown.length) throw new ValueError(`${where}: unknown part${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the parts are ${known.join(', ')}`);
  if (!PARTS.some((p) => parts[p]) && !(saving && parts.extra !== undefined)) throw new ValueError(`${where}: no part given (${PARTS.join(', ')})`);
  for (const p of PARTS) {
    const [isKind, kind] = KINDS[p];
    if (parts[p] !== undefined && !isKind(parts[p])) throw new ValueError(`${where}: ${p} is ${formatValue(parts[p])}, not ${kind}`);
  }
}

/** What each part must be, and its name in an error. */
const KINDS: Record<(typeof PARTS)[number], [(v: unknown) => boolean, string]> = {
  model: [(v) => v instanceof Module, 'a tm.nn.Module'],
  optimizer: [(v) => v instanceof Optimizer || v instanceof LBFGS, 'a tm.optim optimizer'],
  scheduler: [(v) => v instanceof EpochScheduler || v instanceof ReduceLROnPlateau, 'a tm.optim schedule'],
  averages: [(v) => v instanceof WeightAverage, 'a tm.optim.EMA or SWA'],
  random: [(v) => typeof v === 'boolean', 'true or false'],
  data: [(v) => v instanceof Dataset, 'a tm.data.Dataset'],
};

function readHeader(metadata: Record<string, string>): Header {
  if (metadata.format !== FORMAT || typeof metadata.state !== 'string') {
    throw new CorruptFileError(`loadTrainingState: not a training checkpoint (saveTrainingState's); its metadata's format is ${formatValue(metadata.format)}`);
  }
  try {
    const header: unknown = JSON.parse(metadata.state, (_key, value: unknown) =>
      value !== null && typeof value === 'object' && Object.keys(value).length === 1 && typeof (value as { nonFinite?: unknown }).nonFinite === 'string'
        ? Number((value as { nonFinite: string }).nonFinite)
        : value,
    );
    if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error('not an object');
    return header as Header;
  } catch (err) {
    throw new CorruptFileError(`loadTrainingState: the checkpoint's state is not valid JSON (${(err as Error).message})`);
  }
}

/** The model's seeded streams' draw counts (Module.drawCounts), each under its layer's path: `3.masks`, `1.dropout.0.masks`. */
function drawCountsOf(model: Module): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [path, layer] of model.namedModules()) for (const [name, n] of Object.entries(layer.drawCounts())) out[path ? `${path}.${name}` : name] = n;
  return out;
}

/** Saved draw counts checked against the model's streams: the same names, each a count. */
function checkDrawCounts(model: Module, saved: unknown): Record<string, number> {
  const where = 'loadTrainingState';
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) throw new CorruptFileError(`${where}: the file's model draw counts are ${formatValue(saved)}, not an object`);
  const counts = saved as Record<string, unknown>;
  const ours = Object.keys(drawCountsOf(model));
  const theirs = Object.keys(counts);
  const missing = ours.filter((name) => !Object.hasOwn(counts, name));
  const extra = theirs.filter((name) => !ours.includes(name));
  if (missing.length || extra.length) {
    const list = (names: string[]) => names.join(', ') || 'none';
    throw new ValueError(
      `${where}: the model's seeded random streams differ from the file's — the model's not in the file: ${list(missing)}; the file's not in the model: ${list(extra)} ` +
        '(a seeded dropout is in one and not the other, or unseeded in one: build the model with the seeds it was saved with)',
    );
  }
  for (const name of theirs) {
    const n = counts[name];
    if (!Number.isSafeInteger(n) || (n as number) < 0) throw new CorruptFileError(`${where}: the file's draw count for ${name} is ${formatValue(n)}, not a count`);
  }
  return counts as Record<string, number>;
}

/** Puts checked counts (checkDrawCounts) back into the model's layers. */
function setDrawCountsOf(model: Module, counts: Record<string, number>): void {
  for (const [path, layer] of model.namedModules()) {
    const names = Object.keys(layer.drawCounts());
    if (names.length) layer.setDrawCounts(Object.fromEntries(names.map((name) => [name, counts[path ? `${path}.${name}` : name]])));
  }
}
