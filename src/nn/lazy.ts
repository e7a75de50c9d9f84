// PyTorch's lazy modules: LazyLinear, LazyConv1d/2d/3d,
// LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d and
// LazyInstanceNorm1d/2d/3d. Each takes its layer's arguments but the input
// size (a Dense's inputs, a convolution's inChannels, a norm's features),
// which it reads from its first input on the axis that layer checks.
//
// The first forward builds the real layer (the arguments given, the
// initialisation that layer draws) and this object becomes it: it takes
// the layer's fields and its class, keeping its identity, train/eval mode,
// forward hooks and any field a user set on it, as PyTorch's lazy module
// takes its cls_to_become. From then on it is a Dense (a Conv2d…) to
// everything: instanceof, config() and so saving and tm.nn.load,
// loadPytorch's layouts, the ONNX exporters, quantizeDynamic, the fusions
// and reparametrizations, each of which looks at a layer's class. Holding
// the real layer and delegating to it would have needed a special case in
// each, and in user code that picks layers by class (an init by apply).
// That swap of class is why neither Module nor the classes built here may
// hold JS #private fields: the object made as a lazy layer has no slots
// for the real class's.
//
// What the lazy layer knows before then (its arguments, how to read the
// input size) is kept off it, in unbuilt.ts's registry, not in its fields
// or TypeScript members: a member the real class lacks or declares
// otherwise (a private one) would make `layer instanceof tm.nn.Conv2d`
// narrow a LazyConv2d to `never`, and fields would have to be told from a
// user's when it becomes the real layer.
//
// Until then (unbuilt.ts) it has no parameters, where PyTorch's has
// UninitializedParameters: saving, summary and ONNX export refuse it, fit
// builds it by a dry run when it makes its own optimizer, and a load builds
// it from the shapes of the state (PyTorch's lazy load hook).
//
// Its weights are drawn when its first input comes, in the order the
// forward reaches the lazy layers, as PyTorch draws them: after any draw
// made since the model was built (a real layer's initialisation, a random
// input, a dropout mask). Under tm.setSeed they are so the real model's only
// where nothing draws in between — a model of lazy layers alone, run at
// once — or where each layer has its own seed.
import { keep } from '../engine.js';
import { DisposedTensorError, ShapeError, TmnnError, ValueError, formatShape, formatValue } from '../errors.js';
import type { SafetensorsEntry } from '../io/safetensors.js';
import { IMAGES, SEQUENCES, type Size2d } from '../ops/windows.js';
import { VOLUMES, type Size3d } from '../ops/volumes.js';
import { keepingGlobalSequence, unrecorded } from '../random.js';
import { Tensor } from '../tensor.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormOptions } from './batch_norm.js';
import { Conv1d, Conv2d, type Conv1dLayerOptions, type Conv2dLayerOptions } from './conv.js';
import { Conv3d, type Conv3dLayerOptions } from './conv3d.js';
import { ConvTranspose1d, ConvTranspose2d, type ConvTranspose1dLayerOptions, type ConvTranspose2dLayerOptions } from './conv_transpose.js';
import { ConvTranspose3d, type ConvTranspose3dLayerOptions } from './conv_transpose3d.js';
import { Dense, type DenseOptions } from './dense.js';
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type InstanceNormOptions } from './instance_norm.js';
import { Module, type LayerConfig } from './module.js';
import { sourceOf, type Source } from './pytorch_layout.js';
import type { StateEntry } from './state_dict.js';
import { setUnbuilt, unbuiltName, unbuiltOf, type Sizing, type Unbuilt } from './unbuilt.js';

/**
 * What a lazy layer is made of (LazyModule's constructor).
 * @internal
 */
export interface LazySpec<L extends Module> {
  /** The lazy class's name ('LazyLinear'), for errors: constructor.name does not survive minification. */
  readonly lazyName: string;
  /** The real layer's type ('Dense'), whose errors ('Dense: units must…') are reworded as this one's. */
  readonly becomes: string;
  /** The real layer for an input size, with the arguments given. */
  readonly build: (inputSize: number) => L;
  /** The smallest input size those arguments allow, at which a layer is built when this one is made. */
  readonly smallest: number;
  /** The input size x gives the real layer, read where that layer checks it; a ShapeError for an x it takes in no form. */
  readonly inputSizeOf: (x: Tensor) => number;
  /** The input size the real layer's tensor `name` of `shape` implies; null where it implies none (a bias) or no such layer has that shape. */
  readonly inputSizeIn: (name: string, shape: readonly number[]) => number | null;
}

/** Runs `fn` drawing nothing that counts: setSeed's sequence is left where it was, and no checkpoint records its draws. */
const aside = <T>(fn: () => T): T => keepingGlobalSequence(() => unrecorded(fn));

/** What a lazy layer not built yet knows: its arguments (spec), and what it learnt by building one at the smallest size. */
class LazyState<L extends Module> implements Unbuilt {
  /** dispose() was called before an input built it: it refuses inputs and loads from then on, as a disposed layer does. */
  disposed = false;

  /**
   * `probed`: the real layer's state names (its stateDict's keys) with
   * their shapes at the smallest input size, and `pytorchSources` where
   * PyTorch keeps each: known before the input is.
   */
  private constructor(
    readonly spec: LazySpec<L>, readonly probed: Readonly<Record<string, readonly number[]>>, readonly pytorchSources: ReadonlyMap<string, Source>,
  ) {}

  /** The state of a layer just made: the real layer built once at the smallest size, and freed. */
  static made<L extends Module>(spec: LazySpec<L>): LazyState<L> {
    // Bad arguments are so refused when the layer is made, as PyTorch's are. Its draws go aside: making a lazy layer draws nothing.
    const probe = aside(() => namedAsLazy(spec, () => spec.build(spec.smallest)));
    try {
      const probed = Object.fromEntries(Object.entries(probe.stateDict()).map(([name, t]) => [name, [...t.shape]]));
      return new LazyState(spec, probed, new Map(Object.keys(probed).map((name) => [name, sourceOf(probe, name)])));
    } finally {
      probe.dispose();
    }
  }

  get lazyName(): string {
    return this.spec.lazyName;
  }

  get becomes(): string {
    return this.spec.becomes;
  }

  copied(): LazyState<L> {
    const copy = new LazyState(this.spec, this.probed, this.pytorchSources);
    copy.disposed = this.disposed;
    return copy;
  }

  /** The real layer for x (see LazySpec), built with its draws unrecorded: a checkpoint's recomputation, which finds it built, draws nothing in its place. */
  buildFor(x: Tensor): L {
    if (this.disposed) throw new DisposedTensorError(`${this.lazyName}: this layer was disposed before an input built it, so it has no weights to compute with`);
    if (!(x instanceof Tensor)) throw new ValueError(`${this.lazyName}: forward expects a tensor, got ${formatValue(x)}`);
    const size = this.spec.inputSizeOf(x);
    return unrecorded(() => namedAsLazy(this.spec, () => this.spec.build(size)));
  }

  sizeFromState(layer: Module, state: Readonly<Record<string, StateEntry>>, prefix: string, where: string): Sizing {
    const { spec, probed } = this;
    const names = Object.keys(probed);
    const given = names.filter((name) => Object.hasOwn(state, prefix + name)).map((name) => ({ name, shape: shapeOf(state[prefix + name], prefix + name, where) }));
    if (!given.length) return { missing: names.map((name) => prefix + name), undo: () => {} };
    const which = unbuiltName(prefix.slice(0, -1), this);
    if (this.disposed) throw new DisposedTensorError(`${where}: ${which} was disposed before an input built it; nothing was loaded`);
    const sized = given.flatMap(({ name, shape }) => {
      const size = spec.inputSizeIn(name, shape);
      return size === null ? [] : [{ name, shape, size }];
    })[0];
    if (!sized) {
      const by = names.filter((name) => spec.inputSizeIn(name, probed[name]) !== null).map((name) => prefix + name);
      const shown = given.map(({ name, shape }) => `${prefix}${name} ${formatShape(shape)}`).join(', ');
      throw new ShapeError(`${where}: ${which} has not seen an input yet, and the state's ${shown} does not give its input size (a ${spec.becomes}'s ${by.join(' or ')} would); run a forward on a batch first`);
    }
    const { name, shape, size } = sized;
    // The state's values replace the initial weights: drawing them goes aside (as tm.nn.load's).
    const real = reworded(
      () => aside(() => namedAsLazy(spec, () => spec.build(size))),
      (message) => `${where}: ${prefix}${name} ${formatShape(shape)} gives ${which} the input size ${size}, which it refuses: ${message}`,
    );
    return { missing: [], undo: become(layer, this, real) };
  }
}

/** The state of `layer` if it is a lazy layer not built yet. */
function lazyState(layer: Module): LazyState<Module> | undefined {
  const unbuilt = unbuiltOf(layer);
  return unbuilt instanceof LazyState ? unbuilt : undefined;
}

/**
 * A layer that builds itself (an `L`) on its first input, which gives it
 * its input size, and becomes it (see the file's comment). Before that,
 * parameters() is empty, as PyTorch's holds only uninitialized ones: an
 * optimizer made then has nothing of this layer to step, and the
 * parameters built later are not in it (PyTorch's documented pitfall).
 * Run a forward on a batch first (PyTorch's "dry run"), then make the
 * optimizer; fit does that dry run itself when it makes the optimizer,
 * and refuses a layer still unbuilt with an optimizer given. Once built,
 * `layer instanceof tm.nn.Dense` (the class it becomes) is true and
 * `instanceof LazyModule` false, and `layer.weight` is reached through that
 * narrowing. A second input of another size meets the real layer's shape
 * error. A load (loadStateDict, loadWeights, loadPytorch) builds it from
 * the shape of the state's weight (a norm's: any of its tensors) before
 * writing the values, and unbuilds it again if the load is refused.
 * requiresGrad(false) is refused before the build (PyTorch refuses
 * requires_grad_ on an uninitialized parameter); dispose() before it makes
 * later inputs refused, as a disposed layer's are.
 *
 * The weights are drawn at the first input, in forward order (see the
 * file's comment): equal to the real layer's under tm.setSeed only with a
 * seed of the layer's own or with no draw in between.
 */
export abstract class LazyModule<L extends Module = Module> extends Module {
  /**
   * Checks the arguments by building the real layer once at the smallest
   * input size; makes no draw that counts.
   * @internal
   */
  protected constructor(spec: LazySpec<L>) {
    super();
    setUnbuilt(this, LazyState.made(spec));
  }

  /** The first call builds the real layer for x and becomes it; every call then runs that layer's forward. */
  forward(x: Tensor): Tensor {
    const state = lazyState(this);
    if (state) become(this, state, state.buildFor(x));
    // By the class, not this.forward: forward hooks wrap the forward found when they were registered, this
    // one, which so runs after the change too, and this.forward would be that wrapper again.
    const type = Object.getPrototypeOf(this) as Module;
    if (type.forward === LazyModule.prototype.forward) {
      // Not built and no state: copied by hand (Object.create and its fields), without what it knows.
      throw new ValueError(`${this.constructor.name}: this lazy layer has lost its arguments (a copy made field by field?); make it anew`);
    }
    return type.forward.call(this, x);
  }

  /** None before the first input (PyTorch's are uninitialized), so that nothing trains or saves a tensor the real layer will not have. */
  override ownParameters(): Record<string, Tensor> {
    return {};
  }

  config(): LayerConfig {
    const { lazyName, becomes } = lazyState(this)?.spec ?? { lazyName: this.constructor.name, becomes: 'layer' };
    throw new ValueError(`${lazyName}: has not seen an input yet, so the ${becomes} it becomes has no input size to describe: run a forward on a batch first (PyTorch's dry run)`);
  }

  /** Before the first input there is nothing to free: marks the layer so that an input or a load is refused from then on, as a disposed layer refuses them. */
  override dispose(): void {
    const state = lazyState(this);
    if (state) state.disposed = true;
    else super.dispose();
  }
}

/** The real layer's own fields that `layer` keeps its own of when it becomes it: its train/eval mode, and its forward hooks' wrapper (module.ts), which calls LazyModule's forward. */
const KEPT_FIELDS: ReadonlySet<PropertyKey> = new Set(['training', 'forward']);

/**
 * Gives `layer` the fields and class of `real` (see the file's comment); a
 * field of its own (a user's) stays unless the real layer has one of the
 * same name. Gives back how to be the lazy layer `state` again, freeing
 * what was built.
 */
function become<L extends Module>(layer: Module, state: LazyState<L>, real: L): () => void {
  // A first forward inside tm.tidy (a user's, evaluate's) would otherwise free the weights with its scope's temporaries.
  for (const t of Object.values(real.namedState())) keep(t);
  const fields = layer as unknown as Record<PropertyKey, unknown>;
  const lazyType = Object.getPrototypeOf(layer) as object;
  // What the layer had under each name it takes (nearly always nothing), to put back.
  const had = new Map<PropertyKey, PropertyDescriptor | undefined>();
  for (const key of Reflect.ownKeys(real)) {
    if (KEPT_FIELDS.has(key)) continue;
    had.set(key, Object.getOwnPropertyDescriptor(layer, key));
    Object.defineProperty(layer, key, Object.getOwnPropertyDescriptor(real, key)!);
  }
  Object.setPrototypeOf(layer, Object.getPrototypeOf(real) as object);
  setUnbuilt(layer, null);
  return () => {
    layer.dispose();
    for (const [key, before] of had) {
      if (before) Object.defineProperty(layer, key, before);
      else delete fields[key];
    }
    Object.setPrototypeOf(layer, lazyType);
    setUnbuilt(layer, state);
  };
}

/** Runs `fn`; a tmnn error it throws is thrown again, of its class, with the message `reword` makes of its own (itself where that is the same). */
function reworded<T>(fn: () => T, reword: (message: string) => string): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof TmnnError)) throw err;
    const message = reword(err.message);
    if (message === err.message) throw err;
    throw new (err.constructor as new (message: string) => TmnnError)(message);
  }
}

/** Runs `make`; an error it throws about the real layer ('Dense: units must…') is reworded as the lazy layer's ('LazyLinear: units must…'). */
function namedAsLazy<T>(spec: LazySpec<Module>, make: () => T): T {
  const prefix = `${spec.becomes}: `;
  return reworded(make, (message) => (message.startsWith(prefix) ? `${spec.lazyName}: ${message.slice(prefix.length)}` : message));
}

/** A state entry's shape; one that is neither a tensor nor an entry is refused as loadStateDict refuses it. */
function shapeOf(entry: StateEntry, name: string, where: string): readonly number[] {
  const shape = entry instanceof Tensor ? entry.shape : (entry as Partial<SafetensorsEntry> | null)?.shape;
  if (!Array.isArray(shape)) throw new ValueError(`${where}: ${name} must be a Tensor or a safetensors entry { dtype, shape, data }, got ${formatValue(entry)}`);
  return shape;
}

/**
 * A copy of an argument (a kernel size, an options object), its arrays and
 * plain objects copied at every depth: the real layer reads its arguments
 * when it is made, so changing them afterwards (a stride array reused for
 * the next layer) must not change the layer this one builds later.
 */
function snapshot<T>(value: T): T {
  if (Array.isArray(value)) return value.map(snapshot) as T;
  if (value === null || typeof value !== 'object') return value;
  const type = Object.getPrototypeOf(value) as object | null;
  if (type !== Object.prototype && type !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, snapshot(v)])) as T;
}

/**
 * The groups of a lazy convolution, checked against outChannels here: the
 * real layer's error would name the inChannels of the layer built to check
 * the arguments, which the user never gave. A non-integer is left to that
 * layer, whose error names it; the input's channels are checked when known.
 */
function groupsOf(lazyName: string, outChannels: number, options: { groups?: number } | undefined): number {
  const groups = options !== null && typeof options === 'object' ? (options.groups ?? 1) : 1;
  if (!Number.isSafeInteger(groups) || groups < 1) return 1;
  if (Number.isSafeInteger(outChannels) && outChannels > 0 && outChannels % groups) {
    throw new ValueError(`${lazyName}: groups must divide outChannels ${outChannels} (and the input's channels), got ${groups}`);
  }
  return groups;
}

/**
 * What the lazy convolutions share: inChannels read from x's channels (axis
 * 1, or 0 of one sample), or from a state's weight. `spatial`: the axes the
 * window slides along; `form`: the x the layer takes, for errors;
 * `transposed`: a weight laid out [inChannels, outChannels/groups, ...kernel].
 */
function convolution<L extends Module>(
  lazyName: string, becomes: string, build: (inChannels: number) => L, spatial: number, form: string, transposed: boolean, groups: number,
): LazySpec<L> {
  return {
    lazyName, becomes, build, smallest: groups,
    inputSizeOf: (x) => {
      if (x.rank !== spatial + 1 && x.rank !== spatial + 2) throw new ShapeError(`${lazyName}: x must be ${form}, got ${formatShape(x.shape)}`);
      return x.shape[x.rank - spatial - 1];
    },
    inputSizeIn: (name, shape) => {
      if (name !== 'weight' || shape.length !== spatial + 2) return null;
      // [outChannels, inChannels/groups, ...kernel], or transposed [inChannels, outChannels/groups, ...kernel].
      return transposed ? shape[0] : shape[1] * groups;
    },
  };
}

/** What the lazy norms share: features read from x's axis 1 for the ranks the layer takes (`form`, for errors), or from any of a state's tensors (each is [features]). */
function norm<L extends Module>(lazyName: string, becomes: string, build: (features: number) => L, ranks: readonly number[], form: string): LazySpec<L> {
  return {
    lazyName, becomes, build, smallest: 1,
    inputSizeOf: (x) => {
      if (!ranks.includes(x.rank)) throw new ShapeError(`${lazyName}: x ${formatShape(x.shape)} is not ${form}`);
      return x.shape[1];
    },
    inputSizeIn: (_name, shape) => (shape.length === 1 ? shape[0] : null),
  };
}

/**
 * PyTorch's LazyInstanceNorm defaults: affine and trackRunningStats on
 * (torch 1.13 and 2.x build the layer so, whatever their documentation
 * says), where tm.nn.InstanceNorm's, as torch.nn.InstanceNorm's, are off.
 */
function instanceNormOptions(given: InstanceNormOptions): InstanceNormOptions {
  if (given === null || typeof given !== 'object') return given;
  return { ...given, affine: given.affine ?? true, trackRunningStats: given.trackRunningStats ?? true };
}

/** PyTorch's LazyLinear: a Dense(inputs, units, options) whose inputs are x's last axis. */
export class LazyLinear extends LazyModule<Dense> {
  constructor(units: number, options: DenseOptions = {}) {
    const given = snapshot(options);
    super({
      lazyName: 'LazyLinear', becomes: 'Dense', build: (inputs) => new Dense(inputs, units, given), smallest: 1,
      inputSizeOf: (x) => {
        if (x.rank === 0) throw new ShapeError('LazyLinear: x must have a last axis of features, got a scalar');
        return x.shape[x.rank - 1];
      },
      // Dense's weight is [inputs, units] (PyTorch's Linear's [out, in] transposed).
      inputSizeIn: (name, shape) => (name === 'weight' && shape.length === 2 ? shape[0] : null),
    });
  }
}

/** PyTorch's LazyConv1d: a Conv1d whose inChannels are x's channels, [batch, channels, length] or [channels, length]. */
export class LazyConv1d extends LazyModule<Conv1d> {
  constructor(outChannels: number, kernelSize: number, options: Conv1dLayerOptions = {}) {
    const given = snapshot(options);
    super(convolution('LazyConv1d', 'Conv1d', (inChannels) => new Conv1d(inChannels, outChannels, kernelSize, given), 1, SEQUENCES.x, false, groupsOf('LazyConv1d', outChannels, given)));
  }
}

/** PyTorch's LazyConv2d: a Conv2d whose inChannels are x's channels, [batch, channels, height, width] or [channels, height, width]. */
export class LazyConv2d extends LazyModule<Conv2d> {
  constructor(outChannels: number, kernelSize: Size2d, options: Conv2dLayerOptions = {}) {
    const [size, given] = [snapshot(kernelSize), snapshot(options)];
    super(convolution('LazyConv2d', 'Conv2d', (inChannels) => new Conv2d(inChannels, outChannels, size, given), 2, IMAGES.x, false, groupsOf('LazyConv2d', outChannels, given)));
  }
}

/** PyTorch's LazyConv3d: a Conv3d whose inChannels are x's channels, [batch, channels, depth, height, width] or one volume without the batch. */
export class LazyConv3d extends LazyModule<Conv3d> {
  constructor(outChannels: number, kernelSize: Size3d, options: Conv3dLayerOptions = {}) {
    const [size, given] = [snapshot(kernelSize), snapshot(options)];
    super(convolution('LazyConv3d', 'Conv3d', (inChannels) => new Conv3d(inChannels, outChannels, size, given), 3, VOLUMES, false, groupsOf('LazyConv3d', outChannels, given)));
  }
}

/** PyTorch's LazyConvTranspose1d: a ConvTranspose1d whose inChannels are x's channels. */
export class LazyConvTranspose1d extends LazyModule<ConvTranspose1d> {
  constructor(outChannels: number, kernelSize: number, options: ConvTranspose1dLayerOptions = {}) {
    const given = snapshot(options);
    super(convolution(
      'LazyConvTranspose1d', 'ConvTranspose1d', (inChannels) => new ConvTranspose1d(inChannels, outChannels, kernelSize, given), 1, SEQUENCES.x, true,
      groupsOf('LazyConvTranspose1d', outChannels, given),
    ));
  }
}

/** PyTorch's LazyConvTranspose2d: a ConvTranspose2d whose inChannels are x's channels. */
export class LazyConvTranspose2d extends LazyModule<ConvTranspose2d> {
  constructor(outChannels: number, kernelSize: Size2d, options: ConvTranspose2dLayerOptions = {}) {
    const [size, given] = [snapshot(kernelSize), snapshot(options)];
    super(convolution(
      'LazyConvTranspose2d', 'ConvTranspose2d', (inChannels) => new ConvTranspose2d(inChannels, outChannels, size, given), 2, IMAGES.x, true,
      groupsOf('LazyConvTranspose2d', outChannels, given),
    ));
  }
}

/** PyTorch's LazyConvTranspose3d: a ConvTranspose3d whose inChannels are x's channels. */
export class LazyConvTranspose3d extends LazyModule<ConvTranspose3d> {
  constructor(outChannels: number, kernelSize: Size3d, options: ConvTranspose3dLayerOptions = {}) {
    const [size, given] = [snapshot(kernelSize), snapshot(options)];
    super(convolution(
      'LazyConvTranspose3d', 'ConvTranspose3d', (inChannels) => new ConvTranspose3d(inChannels, outChannels, size, given), 3, VOLUMES, true,
      groupsOf('LazyConvTranspose3d', outChannels, given),
    ));
  }
}

/** PyTorch's LazyBatchNorm1d: a BatchNorm1d whose features are x's axis 1, of [batch, features] or [batch, features, length]. */
export class LazyBatchNorm1d extends LazyModule<BatchNorm1d> {
  constructor(options: BatchNormOptions = {}) {
    const given = snapshot(options);
    super(norm('LazyBatchNorm1d', 'BatchNorm1d', (features) => new BatchNorm1d(features, given), [2, 3], '[batch, features] or [batch, features, length]'));
  }
}

/** PyTorch's LazyBatchNorm2d: a BatchNorm2d whose features are the channels of x [batch, features, height, width]. */
export class LazyBatchNorm2d extends LazyModule<BatchNorm2d> {
  constructor(options: BatchNormOptions = {}) {
    const given = snapshot(options);
    super(norm('LazyBatchNorm2d', 'BatchNorm2d', (features) => new BatchNorm2d(features, given), [4], '[batch, features, height, width]'));
  }
}

/** PyTorch's LazyBatchNorm3d: a BatchNorm3d whose features are the channels of x [batch, features, depth, height, width]. */
export class LazyBatchNorm3d extends LazyModule<BatchNorm3d> {
  constructor(options: BatchNormOptions = {}) {
    const given = snapshot(options);
    super(norm('LazyBatchNorm3d', 'BatchNorm3d', (features) => new BatchNorm3d(features, given), [5], '[batch, features, depth, height, width]'));
  }
}

/**
 * PyTorch's LazyInstanceNorm1d: an InstanceNorm1d whose features are the
 * channels of x [batch, features, length]. Unlike tm.nn.InstanceNorm1d's,
 * its defaults are affine: true and trackRunningStats: true, as PyTorch's
 * LazyInstanceNorm1d builds it (its documentation says otherwise).
 */
export class LazyInstanceNorm1d extends LazyModule<InstanceNorm1d> {
  constructor(options: InstanceNormOptions = {}) {
    const given = instanceNormOptions(snapshot(options));
    super(norm('LazyInstanceNorm1d', 'InstanceNorm1d', (features) => new InstanceNorm1d(features, given), [3], '[batch, features, length]'));
  }
}

/** PyTorch's LazyInstanceNorm2d: an InstanceNorm2d whose features are the channels of x [batch, features, height, width]; affine and trackRunningStats by default, as LazyInstanceNorm1d. */
export class LazyInstanceNorm2d extends LazyModule<InstanceNorm2d> {
  constructor(options: InstanceNormOptions = {}) {
    const given = instanceNormOptions(snapshot(options));
    super(norm('LazyInstanceNorm2d', 'InstanceNorm2d', (features) => new InstanceNorm2d(features, given), [4], '[batch, features, height, width]'));
  }
}

/** PyTorch's LazyInstanceNorm3d: an InstanceNorm3d whose features are the channels of x [batch, features, depth, height, width]; affine and trackRunningStats by default, as LazyInstanceNorm1d. */
export class LazyInstanceNorm3d extends LazyModule<InstanceNorm3d> {
  constructor(options: InstanceNormOptions = {}) {
    const given = instanceNormOptions(snapshot(options));
    super(norm('LazyInstanceNorm3d', 'InstanceNorm3d', (features) => new InstanceNorm3d(features, given), [5], '[batch, features, depth, height, width]'));
  }
}
