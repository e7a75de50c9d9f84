// What an optimizer, a schedule and a weight average carry from one training
// session to the next (PyTorch's state_dict and load_state_dict), and the
// checks a state passes before it is loaded: a load refused leaves the
// optimizer as it was. tm.nn.saveTrainingState writes these into a file.
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import type { SafetensorsEntry } from '../io/safetensors.js';
import { fromStorageArray, onBackendOf } from '../ops/util.js';
import { Tensor } from '../tensor.js';

/** A tensor of a state: a Tensor (stateDict's), or a file's entry (a safetensors file's, as tm.nn.loadTrainingState reads). */
export type StateTensor = Tensor | SafetensorsEntry;

/** One parameter's share of an optimizer's state, in the order the optimizer was given its parameters. */
export interface ParamState<T extends StateTensor = Tensor> {
  /** The updates it has had (PyTorch's state['step']); 0 for one not updated yet, which has no buffers. */
  updates: number;
  /** Its buffers by name (Adam's m and v, SGD's velocity…): the parameter's shape, f32 or its dtype. */
  buffers: Record<string, T>;
  /** Numbers kept for it beside the buffers: ASGD's eta and mu, NAdam's muProduct; none for the others. */
  values: Record<string, number>;
}

/** An optimizer's state (Optimizer.stateDict), loaded by an optimizer of the same kind over the same parameters. */
export interface OptimizerState<T extends StateTensor = Tensor> {
  /** Its kind: 'Adam', 'SGD'… */
  optimizer: string;
  /** The learning rate when it was taken (a schedule may have moved it). */
  lr: number;
  /** The steps taken. */
  steps: number;
  params: ParamState<T>[];
}

/** LBFGS's state (PyTorch's): its counts, the last step and loss, and the (s, y) history with ρ = 1/(s·y). */
export interface LBFGSState<T extends StateTensor = Tensor> {
  optimizer: 'LBFGS';
  lr: number;
  /** Iterations and closure evaluations over all steps. */
  iterations: number;
  evaluations: number;
  stepLength: number;
  /** H₀'s scale, s·y / y·y of the newest pair. */
  hDiag: number;
  prevLoss: number;
  rho: number[];
  /** The last direction and gradient, f32 vectors of every parameter's elements in turn; null before the first iteration. */
  direction: T | null;
  prevFlatGrad: T | null;
  /** The history, oldest first: the steps s and the gradients' changes y, vectors as direction. */
  steps: T[];
  gradChanges: T[];
}

/** An epoch schedule's state (StepLR, CosineAnnealingLR, SequentialLR…): its count and the rate its formula starts from. */
export interface EpochSchedulerState {
  scheduler: string;
  lastEpoch: number;
  baseLr: number;
  /** SequentialLR's: those of the schedules it takes turns with. */
  schedulers?: EpochSchedulerState[];
}

/** ReduceLROnPlateau's state: the best value seen and its counters. */
export interface PlateauState {
  scheduler: 'ReduceLROnPlateau';
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
}

/** An EMA's or SWA's state: the updates folded in and the averages (f32, in the order of the tensors followed). */
export interface WeightAverageState<T extends StateTensor = Tensor> {
  average: string;
  updates: number;
  averages: T[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Tensor);
}

/** A state's top level checked to be an object of the kind named by `field`, or an error saying what it is. */
export function stateOf(where: string, state: unknown, field: string, kind: string): Record<string, unknown> {
  if (!isRecord(state)) throw new ValueError(`${where}: expects a state object (stateDict()), got ${formatValue(state)}`);
  if (state[field] !== kind) throw new ValueError(`${where}: the state is ${formatValue(state[field])}'s, not ${kind}'s; a state loads into one of its own kind`);
  return state;
}

/** A count in a state: an integer ≥ 0. */
export function stateCount(where: string, name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new ValueError(`${where}: ${name} must be an integer ≥ 0, got ${formatValue(value)}`);
  return value as number;
}

/**
 * A state's tensor checked against the tensor it goes with (`like`: the
 * parameter, or the tensor averaged): its shape (or `wanted`), a float dtype
 * among `dtypes`, on like's backend. Gives what makes the loaded copy there, so
 * that nothing is made until every check of a load has passed.
 */
export function stateTensor(where: string, entry: unknown, like: Tensor, dtypes: readonly string[], wanted?: readonly number[]): () => Tensor {
  const want = wanted ?? like.shape;
  let shape: readonly number[];
  let dtype: string;
  if (entry instanceof Tensor) {
    if (entry.isDisposed) throw new ValueError(`${where} was disposed`);
    if (entry.dataRef(where).backend !== like.dataRef(where).backend) {
      throw new ValueError(`${where} lives on ${entry.backend}, the tensor it belongs to on ${like.backend}`);
    }
    [shape, dtype] = [entry.shape, entry.dtype];
  } else if (isRecord(entry) && Array.isArray(entry.shape) && ArrayBuffer.isView(entry.data) && typeof entry.dtype === 'string') {
    [shape, dtype] = [entry.shape as number[], entry.dtype];
  } else {
    throw new ValueError(`${where} must be a Tensor or a safetensors entry { dtype, shape, data }, got ${formatValue(entry)}`);
  }
  if (shape.length !== want.length || shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(`${where} is ${formatShape(shape)}; ${wanted ? 'it must be' : 'the tensor it belongs to is'} ${formatShape(want)}`);
  }
  if (!dtypes.includes(dtype)) throw new DTypeError(`${where} is ${dtype}; here it must be ${[...new Set(dtypes)].join(' or ')}`);
  if (entry instanceof Tensor) return () => entry.clone();
  const { data } = entry as unknown as SafetensorsEntry;
  return () => onBackendOf(where, like, () => fromStorageArray(data, shape, dtype as SafetensorsEntry['dtype']));
}
