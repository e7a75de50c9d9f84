// A training checkpoint: what a run needs to go on later where it stopped —
// the model's weights, the optimizer's buffers and counts, the schedule's
// place, a weight average — in one safetensors file (PyTorch's
// torch.save({'model': ..., 'optimizer': ...}), tf.train.Checkpoint). The
// tensors are entries named by part (`model.0.weight`, `optimizer.3.m`,
// `averages.0`); the counts and rates are JSON in the metadata, beside the
// caller's own `extra` (the epoch, say). A load checks every part before it
// changes any, so a file refused leaves the model and optimizer as they were.
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
import { Module } from './module.js';
import { loadState } from './state_dict.js';
import { readEntries } from './state_entries.js';

const FORMAT = 'tmnn-training-state';

/** A value JSON holds (numbers may be ±Infinity or NaN: the file keeps them). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The parts of a training run a checkpoint holds; each is optional. */
export interface TrainingStateParts {
  /** Its parameters and buffers by name (stateDict's names). */
  model?: Module;
  optimizer?: Optimizer | LBFGS;
  /** An epoch schedule (SequentialLR's turns included) or ReduceLROnPlateau. */
  scheduler?: EpochScheduler | ReduceLROnPlateau;
  /** An EMA or SWA of the weights. */
  averages?: WeightAverage;
}

/** What saveTrainingState writes: the parts, and anything else the run resumes from, as JSON (the epoch, the best score). */
export interface TrainingState extends TrainingStateParts {
  extra?: JsonValue;
}

/** What the metadata's JSON holds: every part but its tensors. */
interface Header {
  model?: true;
  optimizer?:
    | (Omit<OptimizerState, 'params'> & { params: { updates: number; values: Record<string, number>; buffers: string[] }[] })
    | (Omit<LBFGSState, 'direction' | 'prevFlatGrad' | 'steps' | 'gradChanges'> & { direction: boolean; prevFlatGrad: boolean; history: number });
  scheduler?: EpochSchedulerState | PlateauState;
  averages?: Omit<WeightAverageState, 'averages'> & { count: number };
  extra?: JsonValue;
}

const PARTS = ['model', 'optimizer', 'scheduler', 'averages'] as const;

/** The checkpoint's bytes (a safetensors file), for saveTrainingState or to keep wherever you like (a page's IndexedDB). */
export async function trainingStateToBytes(state: TrainingState): Promise<Uint8Array> {
  const where = 'saveTrainingState';
  checkParts(where, state, true);
  const header: Header = {};
  const tensors: Record<string, Tensor> = {};
  const copies: Tensor[] = [];
  if (state.model) {
    header.model = true;
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
    if (parts[part] && !header[part]) throw new ValueError(`${where}: the file holds no ${part} state (it holds ${PARTS.filter((p) => header[p]).join(', ') || 'none'})`);
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
  // The model's load checks its names and shapes before it writes; the other parts are checked already and written after it.
  if (parts.model) {
    const model: Record<string, SafetensorsEntry> = {};
    for (const [name, e] of Object.entries(entries)) if (name.startsWith('model.')) model[name.slice('model.'.length)] = e;
    loadState(parts.model, model, { strict: true });
  }
  for (const load of loads) load();
  return { extra: header.extra };
}

function checkParts(where: string, parts: TrainingState, saving: boolean): void {
  if (parts === null || typeof parts !== 'object') throw new ValueError(`${where}: expects { model, optimizer, scheduler, averages${saving ? ', extra' : ''} }, got ${formatValue(parts)}`);
  const known: readonly string[] = saving ? [...PARTS, 'extra'] : PARTS;
  const unknown = Object.keys(parts).filter((k) => !known.includes(k));
  if (unknown.length) throw new ValueError(`${where}: unknown part${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the parts are ${known.join(', ')}`);
  if (!PARTS.some((p) => parts[p]) && !(saving && parts.extra !== undefined)) throw new ValueError(`${where}: no part given (model, optimizer, scheduler, averages)`);
  const kinds: Record<(typeof PARTS)[number], (v: unknown) => boolean> = {
    model: (v) => v instanceof Module,
    optimizer: (v) => v instanceof Optimizer || v instanceof LBFGS,
    scheduler: (v) => v instanceof EpochScheduler || v instanceof ReduceLROnPlateau,
    averages: (v) => v instanceof WeightAverage,
  };
  for (const p of PARTS) {
    if (parts[p] !== undefined && !kinds[p](parts[p])) throw new ValueError(`${where}: ${p} is ${formatValue(parts[p])}, not ${p === 'model' ? 'a tm.nn.Module' : p === 'optimizer' ? 'a tm.optim optimizer' : p === 'scheduler' ? 'a tm.optim schedule' : 'a tm.optim.EMA or SWA'}`);
  }
}

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
