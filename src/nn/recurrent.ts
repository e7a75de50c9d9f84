// Recurrent layers, as PyTorch's with batch_first=True: x [batch, time,
// inputSize] read step by step, each step's state h (and an LSTM's cell c)
// carried to the next, each step PyTorch's equations (recurrent_steps.ts).
// The weights are as Dense's (x·W): weightIh [input, gates·hidden], weightHh
// [hidden, gates·hidden], the gates in PyTorch's order; their names in a
// model file are PyTorch's in camel case (weightIhL0, biasHhL1Reverse…). Every
// weight and bias starts uniform in ±1/√hidden, as PyTorch's.
//
// The input side of every step is one matmul over the whole sequence before
// the loop; only h·Whh runs per step. Autograd records the steps like any ops.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { arange, concat, less, split, stack, tensor, where, zeros } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, seedStream } from '../random.js';
import { Tensor } from '../tensor.js';
import { DROPOUT_STREAM, Dropout, heldDrawCounts, setHeldDrawCounts } from './dropout.js';
import { Module, type LayerConfig } from './module.js';
import { checkNonlinearity, gruStep, initialWeight, inputSide, lstmStep, rnnStep, type CellWeights, type Nonlinearity, type StepState } from './recurrent_steps.js';

/** What forward gives: every step's output, or the top layer's last state (to feed a Dense). */
export type RecurrentOutput = 'sequence' | 'last';

export interface RecurrentOptions {
  /** Layers stacked, each reading the outputs of the one below. Default 1. */
  numLayers?: number;
  /** Default true. */
  bias?: boolean;
  /** A second pass from the last step to the first, its outputs beside the first pass's. Default false. */
  bidirectional?: boolean;
  /** Dropout on the outputs of every layer but the top one, in training (PyTorch's). Default 0. */
  dropout?: number;
  /**
   * 'sequence' (default, PyTorch's output): [batch, time, hidden × directions].
   * 'last': the top layer's final h, [batch, hidden × directions] (the
   * reverse pass's is its state after step 0).
   */
  output?: RecurrentOutput;
  /** Seed for the initial weights (see also tm.setSeed). */
  seed?: number;
}

export interface RNNOptions extends RecurrentOptions {
  /** Default 'tanh'. */
  nonlinearity?: Nonlinearity;
}

/** What a call may say about x beyond its values. */
export interface SequenceOptions {
  /**
   * Each sequence's length [batch] (numbers, or an int tensor), where x holds
   * sequences of different lengths padded at the end (PyTorch's
   * pack_padded_sequence): a sequence's state stops at its last step, and its
   * outputs past it are zeros; the reverse pass starts at its last step.
   * Default: every sequence runs the whole of x. Numbers are checked against
   * x's steps; a tensor's values are not read (an out-of-range one acts as 0
   * or the whole length).
   */
  lengths?: readonly number[] | Int32Array | Tensor;
}

const SEQUENCE_OPTIONS: OptionNames<SequenceOptions> = { lengths: true };

/** A recurrent layer's state between calls: h (and an LSTM's c), each [numLayers × directions, batch, hidden], PyTorch's h_n and c_n. */
export interface RecurrentState {
  h: Tensor;
  c?: Tensor;
}

export const RECURRENT_OPTIONS: OptionNames<RecurrentOptions> = {
  numLayers: true, bias: 'boolean', bidirectional: 'boolean', dropout: true, output: true, seed: true,
};
export const RNN_OPTIONS: OptionNames<RNNOptions> = { ...RECURRENT_OPTIONS, nonlinearity: true };

/** The suffix of one layer and direction's weights: L0, L0Reverse, L1… (PyTorch's _l0, _l0_reverse). */
export function cellSuffix(layer: number, direction: number): string {
  return `L${layer}${direction ? 'Reverse' : ''}`;
}

export abstract class Recurrent extends Module {
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly dropout: number;
  readonly output: RecurrentOutput;
  readonly bias: boolean;
  /** The seed given, kept in the config: a loaded layer draws its dropout masks as the saved one did. */
  readonly seed?: number;
  /** Not a field Module walks: dropout between layers holds no parameters and follows this layer's mode. */
  readonly #dropout: Dropout | null;

  protected constructor(
    protected readonly kind: string, protected readonly gates: number,
    readonly inputSize: number, readonly hiddenSize: number, options: RNNOptions, names: OptionNames<RecurrentOptions>,
    /** Whether to draw the float weights (a quantized layer holds int8 ones of its own instead). */
    drawWeights = true,
  ) {
    super();
    options = checkOptions(kind, options, names as OptionNames<RNNOptions>);
    for (const [name, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', options.numLayers ?? 1]] as const) {
      if (!Number.isSafeInteger(v) || (v as number) <= 0) throw new ValueError(`${kind}: ${name} must be a positive integer, got ${formatValue(v)}`);
    }
    const dropout = options.dropout ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new ValueError(`${kind}: dropout must be a number in [0, 1), got ${formatValue(dropout)}`);
    const output = options.output ?? 'sequence';
    if (output !== 'sequence' && output !== 'last') throw new ValueError(`${kind}: output must be 'sequence' or 'last', got ${formatValue(output)}`);
    if (options.seed !== undefined) checkSeed(kind, options.seed);
    this.numLayers = options.numLayers ?? 1;
    this.bidirectional = options.bidirectional ?? false;
    this.bias = options.bias ?? true;
    this.dropout = dropout;
    this.output = output;
    this.seed = options.seed;
    const seed = options.seed;
    this.#dropout = dropout > 0 && this.numLayers > 1 ? new Dropout(dropout, seedStream(seed, DROPOUT_STREAM)) : null;

    if (!drawWeights) return;
    // Fields in PyTorch's order (layer by layer, the reverse pass after the forward one), each from a stream of its own.
    let drawn = 0;
    const draw = (shape: number[]): Tensor => initialWeight(shape, hiddenSize, seedStream(seed, drawn++));
    const fields = this as unknown as Record<string, Tensor>;
    for (const { suffix, below } of this.cells()) {
      fields[`weightIh${suffix}`] = draw([below, gates * hiddenSize]);
      fields[`weightHh${suffix}`] = draw([hiddenSize, gates * hiddenSize]);
      if (this.bias) {
        fields[`biasIh${suffix}`] = draw([gates * hiddenSize]);
        fields[`biasHh${suffix}`] = draw([gates * hiddenSize]);
      }
    }
  }

  /** Each layer and direction in PyTorch's order: the suffix of its weights' names (L0, L0Reverse…), and the width of its input. */
  protected cells(): { suffix: string; below: number }[] {
    const out: { suffix: string; below: number }[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let direction = 0; direction < this.directions; direction++) {
        out.push({ suffix: cellSuffix(layer, direction), below: layer === 0 ? this.inputSize : this.hiddenSize * this.directions });
      }
    }
    return out;
  }

  get directions(): 1 | 2 {
    return this.bidirectional ? 2 : 1;
  }

  /** One step of the cell: xw is this step's x·Wih + bih, [batch, gates × hidden]. */
  protected abstract step(xw: Tensor, state: StepState, w: CellWeights): StepState;

  /** Whether the cell carries c beside h (an LSTM). */
  protected get hasCell(): boolean {
    return false;
  }

  /** 'sequence': every step's output; 'last': the top layer's final h (see the output option). */
  forward(x: Tensor, options: SequenceOptions = {}): Tensor {
    return tidy(() => {
      const { output, state } = this.run(x, undefined, options);
      if (this.output === 'sequence') return output;
      const top = split(state.h, 1, 0).slice(-this.directions).map((h) => h.reshape(h.shape.slice(1)));
      return top.length === 1 ? top[0] : concat(top, 1);
    });
  }

  /**
   * Every step's output [batch, time, hidden × directions] and the state
   * after the last step, from `initial` (zeros when not given): what
   * PyTorch's forward returns. Feed `state` back in to go on with a
   * sequence (generating text a step at a time). With `lengths`, each
   * sequence's state is the one after its own last step.
   */
  run(x: Tensor, initial?: RecurrentState, options: SequenceOptions = {}): { output: Tensor; state: RecurrentState } {
    this.checkInput(x, initial);
    const { lengths } = checkOptions(this.kind, options, SEQUENCE_OPTIONS);
    return tidy(() => {
      const [batch, time] = x.shape;
      // Per step, [batch, 1]: 1 where the step is within the sequence (null: every step is).
      const within = lengths === undefined ? null : split(this.stepMask(x, lengths), 1, 1);
      const stateShape = [this.numLayers * this.directions, batch, this.hiddenSize];
      const startH = initial ? split(initial.h, 1, 0) : null;
      const startC = initial?.c ? split(initial.c, 1, 0) : null;
      const finalH: Tensor[] = [];
      const finalC: Tensor[] = [];
      let input = x;
      for (let layer = 0; layer < this.numLayers; layer++) {
        const outputs: Tensor[] = [];
        for (let direction = 0; direction < this.directions; direction++) {
          const at = layer * this.directions + direction;
          const w = this.weights(layer, direction, x);
          const width = this.gates * this.hiddenSize;
          const xw = inputSide(input.reshape([batch * time, input.shape[2]]), w).reshape([batch, time, width]);
          const steps = split(xw, 1, 1).map((s) => s.reshape([batch, width]));
          const zero = (): Tensor => zeros([batch, this.hiddenSize], { dtype: x.dtype === 'f16' ? 'f16' : 'f32' });
          let state: StepState = {
            h: startH ? startH[at].reshape([batch, this.hiddenSize]) : zero(),
            c: this.hasCell ? (startC ? startC[at].reshape([batch, this.hiddenSize]) : zero()) : undefined,
          };
          const hs: Tensor[] = new Array(time);
          for (let i = 0; i < time; i++) {
            const t = direction === 0 ? i : time - 1 - i;
            const next = this.step(steps[t], state, w);
            if (within) {
              // Past its end a sequence keeps its state (the reverse pass its initial one until its last step) and outputs zeros.
              const m = within[t];
              state = { h: where(m, next.h, state.h), c: next.c && where(m, next.c, state.c!) };
              hs[t] = where(m, next.h, 0);
            } else {
              state = next;
              hs[t] = state.h;
            }
          }
          outputs.push(stack(hs, 1));
          finalH.push(state.h);
          if (state.c) finalC.push(state.c);
        }
        input = outputs.length === 1 ? outputs[0] : concat(outputs, 2);
        if (this.#dropout && layer < this.numLayers - 1) {
          this.#dropout.training = this.training;
          input = this.#dropout.forward(input);
        }
      }
      const state: RecurrentState = { h: stack(finalH, 0) };
      if (this.hasCell) state.c = stack(finalC, 0);
      return { output: input, state };
    });
  }

  /** [batch, time] in i32: 1 at the steps within each sequence's length. */
  private stepMask(x: Tensor, lengths: readonly number[] | Int32Array | Tensor): Tensor {
    const [batch, time] = x.shape;
    const shape = lengths instanceof Tensor ? lengths.shape : [lengths.length];
    if (shape.length !== 1 || shape[0] !== batch) throw new ShapeError(`${this.kind}: lengths must be [batch] = [${batch}] for x ${formatShape(x.shape)}, got ${formatShape(shape)}`);
    let counts: Tensor;
    if (lengths instanceof Tensor) {
      if (lengths.dtype !== 'i32' && lengths.dtype !== 'i8') throw new DTypeError(`${this.kind}: lengths must be an int tensor, got ${lengths.dtype}`);
      counts = lengths.cast('i32');
    } else {
      const bad = Array.from(lengths).findIndex((n) => !Number.isSafeInteger(n) || n < 1 || n > time);
      if (bad >= 0) throw new ValueError(`${this.kind}: lengths[${bad}] is ${formatValue(lengths[bad])}, not a length from 1 to x's ${time} steps`);
      counts = tensor(Int32Array.from(lengths), [batch], { dtype: 'i32' });
    }
    return less(arange(0, time, 1, { dtype: 'i32' }).reshape([1, time]), counts.reshape([batch, 1]));
  }

  private checkInput(x: Tensor, initial: RecurrentState | undefined): void {
    if (x.shape.length !== 3 || x.shape[2] !== this.inputSize) {
      throw new ShapeError(`${this.kind}: expects x of shape [batch, time, ${this.inputSize}], got ${formatShape(x.shape)}`);
    }
    if (x.shape[1] === 0) throw new ShapeError(`${this.kind}: x ${formatShape(x.shape)} has no steps`);
    if (initial === undefined) return;
    if (!this.hasCell && initial.c !== undefined) throw new ValueError(`${this.kind}: the initial state has a c, which only an LSTM has`);
    const want = [this.numLayers * this.directions, x.shape[0], this.hiddenSize];
    const dtype = x.dtype === 'f16' ? 'f16' : 'f32';
    const parts: [string, Tensor | undefined][] = this.hasCell ? [['h', initial.h], ['c', initial.c]] : [['h', initial.h]];
    for (const [name, t] of parts) {
      if (t === undefined) throw new ValueError(`${this.kind}: the initial state has no ${name}`);
      if (t.shape.length !== 3 || t.shape.some((d, i) => d !== want[i])) {
        throw new ShapeError(`${this.kind}: the initial ${name} must be [numLayers × directions, batch, hidden] = ${formatShape(want)}, got ${formatShape(t.shape)}`);
      }
      // A state in another precision would turn the whole sequence into it (an f32 h under f16 x: f32 out), silently.
      if (t.dtype !== dtype) throw new DTypeError(`${this.kind}: the initial ${name} is ${t.dtype}, x computes in ${dtype}: cast the state (${name}.cast('${dtype}'))`);
    }
  }

  /** One layer and direction's weights, in x's precision (an f16 x computes with f16 copies, as Dense does). */
  protected weights(layer: number, direction: number, x: Tensor): CellWeights {
    const fields = this as unknown as Record<string, Tensor | undefined>;
    const suffix = cellSuffix(layer, direction);
    const get = (name: string): Tensor | null => {
      const p = fields[`${name}${suffix}`];
      return p ? this.inPrecisionOf(x, p) : null;
    };
    return { weightIh: get('weightIh')!, weightHh: get('weightHh')!, biasIh: get('biasIh'), biasHh: get('biasHh') };
  }

  override drawCounts(): Record<string, number> {
    return heldDrawCounts('dropout', [this.#dropout]);
  }

  override setDrawCounts(counts: Record<string, number>): void {
    setHeldDrawCounts('dropout', [this.#dropout], counts);
  }

  config(): LayerConfig {
    return {
      type: this.kind, inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias,
      bidirectional: this.bidirectional, dropout: this.dropout, output: this.output, ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

/** Elman RNN: h' = tanh (or relu) of x·Wih + bih + h·Whh + bhh. */
export class RNN extends Recurrent {
  readonly nonlinearity: Nonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('RNN', 1, inputSize, hiddenSize, options, RNN_OPTIONS);
    this.nonlinearity = checkNonlinearity('RNN', options?.nonlinearity);
  }

  protected step(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return rnnStep(xw, state, w, this.nonlinearity);
  }

  override config(): LayerConfig {
    return { ...super.config(), nonlinearity: this.nonlinearity };
  }
}

/** Long short-term memory (Hochreiter & Schmidhuber), gates i, f, g, o as PyTorch's. */
export class LSTM extends Recurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('LSTM', 4, inputSize, hiddenSize, options, RECURRENT_OPTIONS);
  }

  protected override get hasCell(): boolean {
    return true;
  }

  protected step(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return lstmStep(xw, state, w);
  }
}

/** Gated recurrent unit (Cho et al.), gates r, z, n as PyTorch's: the reset gate applies to h·Whn + bhn. */
export class GRU extends Recurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', 3, inputSize, hiddenSize, options, RECURRENT_OPTIONS);
  }

  protected step(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return gruStep(xw, state, w);
  }
}
