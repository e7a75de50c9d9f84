// Single-step recurrent cells, as PyTorch's RNNCell, LSTMCell and GRUCell:
// for loops a user writes around the step (a decoder that attends to its
// encoder between steps, an agent that acts between observations). Each step
// is the recurrent layers' (recurrent_steps.ts), x [batch, input] or
// unbatched [input] (its state then unbatched too, as PyTorch's).
// The weights are a one-layer RNN/LSTM/GRU's without the suffix: weightIh
// [input, gates·hidden], weightHh [hidden, gates·hidden], biasIh and biasHh
// [gates·hidden], drawn from the same streams of the seed, so a cell holds
// the weights of a one-layer layer of the same seed; in a model file PyTorch's
// weight_ih, weight_hh, bias_ih, bias_hh (camel case).
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { zeros } from '../ops/index.js';
import { checkTensor } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, seedStream } from '../random.js';
import { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';
import { checkNonlinearity, gruStep, initialWeight, inputSide, lstmStep, rnnStep, type CellWeights, type Nonlinearity, type StepState } from './recurrent_steps.js';

export interface RecurrentCellOptions {
  /** Default true. */
  bias?: boolean;
  /** Seed for the initial weights (see also tm.setSeed). */
  seed?: number;
}

export interface RNNCellOptions extends RecurrentCellOptions {
  /** Default 'tanh'. */
  nonlinearity?: Nonlinearity;
}

/** An RNNCell's or GRUCell's state: h [batch, hidden], or [hidden] beside an unbatched x. */
export interface CellState {
  h: Tensor;
}

/** An LSTMCell's state: h and the cell c, each [batch, hidden], or [hidden] beside an unbatched x. */
export interface LSTMCellState extends CellState {
  c: Tensor;
}

export const CELL_OPTIONS: OptionNames<RecurrentCellOptions> = { bias: 'boolean', seed: true };
export const RNN_CELL_OPTIONS: OptionNames<RNNCellOptions> = { ...CELL_OPTIONS, nonlinearity: true };

/** What the three cells share: the weights, the checks of x and the state, and how a step is batched and typed. */
export abstract class RecurrentCell<S extends CellState = CellState> extends Module {
  readonly bias: boolean;
  /** The seed given, kept in the config. */
  readonly seed?: number;
  // Set by the constructor, or by a quantized cell's (which holds int8 ones of its own instead).
  weightIh!: Tensor;
  weightHh!: Tensor;
  biasIh!: Tensor | null;
  biasHh!: Tensor | null;

  protected constructor(
    protected readonly kind: string, gates: number, readonly inputSize: number, readonly hiddenSize: number,
    options: RNNCellOptions, names: OptionNames<RecurrentCellOptions>,
    /** Whether to draw the float weights (a quantized cell holds int8 ones of its own instead). */
    drawWeights = true,
  ) {
    super();
    options = checkOptions(kind, options, names as OptionNames<RNNCellOptions>);
    for (const [name, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new ValueError(`${kind}: ${name} must be a positive integer, got ${formatValue(v)}`);
    }
    if (options.seed !== undefined) checkSeed(kind, options.seed);
    this.bias = options.bias ?? true;
    this.seed = options.seed;
    if (!drawWeights) return;
    // Streams 0 to 3 of the seed, in PyTorch's order: a one-layer layer's.
    const width = gates * hiddenSize;
    this.weightIh = initialWeight([inputSize, width], hiddenSize, seedStream(options.seed, 0));
    this.weightHh = initialWeight([hiddenSize, width], hiddenSize, seedStream(options.seed, 1));
    this.biasIh = this.bias ? initialWeight([width], hiddenSize, seedStream(options.seed, 2)) : null;
    this.biasHh = this.bias ? initialWeight([width], hiddenSize, seedStream(options.seed, 3)) : null;
  }

  /** This kind's step, on a batch (see recurrent_steps.ts). */
  protected abstract advance(xw: Tensor, state: StepState, w: CellWeights): StepState;

  /** Whether the state carries c beside h (an LSTMCell's). */
  protected get hasCell(): boolean {
    return false;
  }

  /**
   * One step from `state` (zeros when not given): the next state, in x's
   * precision (an f16 x computes with f16 copies of the weights, the
   * gradients reaching them through the casts). x [batch, input] gives a
   * state [batch, hidden]; an unbatched x [input] takes and gives [hidden].
   */
  step(x: Tensor, state?: S): S {
    const batched = this.checkStep(x, state);
    return tidy(() => {
      const rows = batched ? x : x.reshape([1, this.inputSize]);
      const shape = [rows.shape[0], this.hiddenSize];
      const dtype = x.dtype === 'f16' ? 'f16' : 'f32';
      const start = (t: Tensor | undefined): Tensor => (t ? t.reshape(shape) : zeros(shape, { dtype }));
      const given = state as Partial<LSTMCellState> | undefined;
      const w = this.weights(x);
      const next = this.advance(inputSide(rows, w), { h: start(given?.h), c: this.hasCell ? start(given?.c) : undefined }, w);
      const out = (t: Tensor): Tensor => (batched ? t : t.reshape([this.hiddenSize]));
      return (this.hasCell ? { h: out(next.h), c: out(next.c!) } : { h: out(next.h) }) as S;
    });
  }

  /** x of the input size, batched or not (the answer), and the state, if given, of the shape and dtype x calls for. */
  private checkStep(x: Tensor, state: S | undefined): boolean {
    checkTensor(this.kind, x);
    const batched = x.shape.length === 2;
    if (!(batched || x.shape.length === 1) || x.shape[x.shape.length - 1] !== this.inputSize) {
      throw new ShapeError(`${this.kind}: expects x of shape [batch, ${this.inputSize}] or unbatched [${this.inputSize}], got ${formatShape(x.shape)}`);
    }
    if (state === undefined) return batched;
    const parts = this.hasCell ? '{ h, c }' : '{ h }';
    if (state === null || typeof state !== 'object' || state instanceof Tensor) {
      const alone = this.hasCell ? '' : ' (forward(x, h) takes h alone)';
      throw new ValueError(`${this.kind}: the state must be ${parts}, got ${state instanceof Tensor ? `a tensor ${formatShape(state.shape)}${alone}` : formatValue(state)}`);
    }
    const given = state as Partial<LSTMCellState>;
    if (!this.hasCell && given.c !== undefined) throw new ValueError(`${this.kind}: the state has a c, which only an LSTMCell has`);
    const want = batched ? [x.shape[0], this.hiddenSize] : [this.hiddenSize];
    const dtype = x.dtype === 'f16' ? 'f16' : 'f32';
    for (const name of this.hasCell ? ['h', 'c'] as const : ['h'] as const) {
      const t = given[name];
      if (t === undefined) throw new ValueError(`${this.kind}: the state has no ${name} (it is ${parts})`);
      checkTensor(this.kind, t, name);
      if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
        throw new ShapeError(`${this.kind}: ${name} must be ${formatShape(want)} (${batched ? '[batch, hidden]' : '[hidden], as x is unbatched'}), got ${formatShape(t.shape)}`);
      }
      // A state in another precision would turn the step into it (an f32 h under an f16 x: an f32 h'), silently.
      if (t.dtype !== dtype) throw new DTypeError(`${this.kind}: ${name} is ${t.dtype}, x computes in ${dtype}: cast the state (${name}.cast('${dtype}'))`);
    }
    return batched;
  }

  /** The weights in x's precision (an f16 x computes with f16 copies, as Dense does). */
  protected weights(x: Tensor): CellWeights {
    const get = (p: Tensor | null): Tensor | null => (p ? this.inPrecisionOf(x, p) : null);
    return { weightIh: get(this.weightIh)!, weightHh: get(this.weightHh)!, biasIh: get(this.biasIh), biasHh: get(this.biasHh) };
  }

  config(): LayerConfig {
    return { type: this.kind, inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.bias, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}

/** PyTorch's RNNCell: h' = tanh (or relu) of x·Wih + bih + h·Whh + bhh. */
export class RNNCell extends RecurrentCell {
  readonly nonlinearity: Nonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super('RNNCell', 1, inputSize, hiddenSize, options, RNN_CELL_OPTIONS);
    this.nonlinearity = checkNonlinearity('RNNCell', options?.nonlinearity);
  }

  /** h' from x and h (zeros when not given), as PyTorch's forward; step(x, { h }) gives { h: h' }. */
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h === undefined ? undefined : { h }).h;
  }

  protected advance(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return rnnStep(xw, state, w, this.nonlinearity);
  }

  override config(): LayerConfig {
    return { ...super.config(), nonlinearity: this.nonlinearity };
  }
}

/** PyTorch's LSTMCell, gates i, f, g, o: step(x, { h, c }) gives the next { h, c }. */
export class LSTMCell extends RecurrentCell<LSTMCellState> {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentCellOptions = {}) {
    super('LSTMCell', 4, inputSize, hiddenSize, options, CELL_OPTIONS);
  }

  protected override get hasCell(): boolean {
    return true;
  }

  /** The next h alone, from { h, c } (zeros when not given): what a Sequential passes on. step gives the next c too, to carry to the next step. */
  forward(x: Tensor, state?: LSTMCellState): Tensor {
    return tidy(() => this.step(x, state).h);
  }

  protected advance(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return lstmStep(xw, state, w);
  }
}

/** PyTorch's GRUCell, gates r, z, n: the reset gate applies to h·Whn + bhn. */
export class GRUCell extends RecurrentCell {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentCellOptions = {}) {
    super('GRUCell', 3, inputSize, hiddenSize, options, CELL_OPTIONS);
  }

  /** h' from x and h (zeros when not given), as PyTorch's forward; step(x, { h }) gives { h: h' }. */
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h === undefined ? undefined : { h }).h;
  }

  protected advance(xw: Tensor, state: StepState, w: CellWeights): StepState {
    return gruStep(xw, state, w);
  }
}
