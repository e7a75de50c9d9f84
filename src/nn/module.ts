// Module: the base of every layer. A layer is a small class a user could
// write: it owns parameters (tensors with requiresGrad) and sublayers, held
// in its fields, and maps a tensor to a tensor in `forward`.
import { ValueError, formatValue } from '../errors.js';
import { Tensor, type HookHandle } from '../tensor.js';
import { writeFileAtomic } from '../io/file.js';
import { loadState, type LoadStateOptions, type LoadStateResult, type StateEntry } from './state_dict.js';
import { readEntries } from './state_entries.js';
import { refuseUnbuilt } from './unbuilt.js';

/** Called before a layer's forward with its arguments; an array it returns replaces them (PyTorch's forward pre-hook). */
export type ForwardPreHook = (layer: Module, args: unknown[]) => unknown[] | void;
/** Called after a layer's forward with its arguments and output; a tensor it returns replaces the output (PyTorch's forward hook). */
export type ForwardHook = (layer: Module, args: unknown[], output: Tensor) => Tensor | void;

/**
 * The method that puts another tensor in place of one of a layer's own
 * (see Module's): a symbol, as it is for tm.nn's own use (functionalCall),
 * not a name a layer of one's own could clash with.
 */
export const REPLACE_OWN_TENSOR = Symbol('tmnn.replaceOwnTensor');

/** Layers whose dispose is running: a sublayer's own dispose that reaches one of them again (a layer holding its parent) stops there. */
const disposing = new Set<Module>();

/**
 * Each layer's forward hooks, off the layer itself: invisible to the field
 * scans (children, ownParameters), and a layer copied field by field
 * (quantizeDynamic's copy) works without them, as private fields would not.
 */
const preHooksOf = new WeakMap<Module, readonly ForwardPreHook[]>();
const hooksOf = new WeakMap<Module, readonly ForwardHook[]>();

/** Registers on `to` the forward hooks `from` has, in order (a copy of a layer keeps them, as PyTorch's deepcopy and swap_module do). */
export function copyHooks(from: Module, to: Module): void {
  for (const hook of preHooksOf.get(from) ?? []) to.registerForwardPreHook(hook);
  for (const hook of hooksOf.get(from) ?? []) to.registerForwardHook(hook);
}

// No JS #private fields here, nor in a layer a lazy layer becomes (lazy.ts): it takes that class by
// swapping its prototype, and an object made as another class has no slots for #fields.
export abstract class Module {
  /** Train mode (the default) enables dropout; eval mode turns it off. */
  training = true;

  abstract forward(x: Tensor): Tensor;

  /**
   * Calls `hook(layer, args)` before every forward of this layer, however it
   * is reached (a Sequential, a parent's forward, a direct call); an array
   * it returns becomes the arguments. For inspecting or rewriting inputs.
   */
  registerForwardPreHook(hook: ForwardPreHook): HookHandle {
    if (typeof hook !== 'function') throw new ValueError(`registerForwardPreHook: expects a function, got ${formatValue(hook)}`);
    this.hooked();
    preHooksOf.set(this, [...(preHooksOf.get(this) ?? []), hook]);
    return { remove: () => void preHooksOf.set(this, (preHooksOf.get(this) ?? []).filter((h) => h !== hook)) };
  }

  /**
   * Calls `hook(layer, args, output)` after every forward of this layer; a
   * tensor it returns becomes the output. For reading intermediate
   * activations (features, statistics) without changing the model's code.
   */
  registerForwardHook(hook: ForwardHook): HookHandle {
    if (typeof hook !== 'function') throw new ValueError(`registerForwardHook: expects a function, got ${formatValue(hook)}`);
    this.hooked();
    hooksOf.set(this, [...(hooksOf.get(this) ?? []), hook]);
    return { remove: () => void hooksOf.set(this, (hooksOf.get(this) ?? []).filter((h) => h !== hook)) };
  }

  /**
   * Puts the hooks around this layer's forward, once: an own property that
   * shadows the class's method (callers all call forward), not
   * enumerable, so the field scans never see it.
   */
  private hooked(): void {
    if (Object.prototype.hasOwnProperty.call(this, 'forward') && (this.forward as { hooks?: true }).hooks) return;
    const inner = this.forward as (...args: unknown[]) => Tensor;
    const withHooks = (...args: unknown[]): Tensor => {
      let given = args;
      for (const hook of preHooksOf.get(this) ?? []) {
        const replaced = hook(this, given);
        if (replaced === undefined) continue;
        if (!Array.isArray(replaced)) throw new ValueError(`forward: a pre-hook of ${this.constructor.name} must return the arguments as an array, or nothing; got ${formatValue(replaced)}`);
        given = replaced;
      }
      let output = inner.apply(this, given);
      for (const hook of hooksOf.get(this) ?? []) {
        const replaced = hook(this, given, output);
        if (replaced === undefined) continue;
        if (!(replaced instanceof Tensor)) throw new ValueError(`forward: a hook of ${this.constructor.name} must return a tensor, or nothing; got ${formatValue(replaced)}`);
        output = replaced;
      }
      return output;
    };
    Object.defineProperty(this, 'forward', { value: Object.assign(withHooks, { hooks: true as const }), writable: true, configurable: true, enumerable: false });
  }

  /**
   * Sublayers, for parameters() and train()/eval() to recurse into: by
   * default every layer held in a field (or in an array in a field), in the
   * order the fields were set, as PyTorch registers submodules.
   */
  children(): Module[] {
    const out: Module[] = [];
    for (const value of Object.values(this)) {
      if (value instanceof Module) out.push(value);
      else if (Array.isArray(value)) for (const v of value) if (v instanceof Module) out.push(v);
    }
    return out;
  }

  /**
   * children() with the name each has in paths (`0.weight`, namedModules):
   * by default its position, '0', '1'…; a ModuleDict's layers are named by
   * their keys, as PyTorch names them. Everything that builds a path from a
   * sublayer (namedParameters, functionalCall, quantizeDynamic's filter,
   * loadPytorch) names it from here, so an override changes them all.
   */
  namedChildren(): [string, Module][] {
    return this.children().map((child, i) => [String(i), child]);
  }

  /**
   * This layer's own parameters, named (the names saving uses): by default
   * every field holding a tensor with requiresGrad, so a custom layer's
   * weights are trained by fit and stepped by an optimizer of parameters().
   */
  ownParameters(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(this)) if (value instanceof Tensor && !value.isDisposed && value.requiresGrad) out[name] = value;
    return out;
  }

  /**
   * This layer's own state that is saved with it but not trained (PyTorch's
   * buffers: a BatchNorm's running statistics), named. None by default.
   */
  ownBuffers(): Record<string, Tensor> {
    return {};
  }

  /** Every parameter of this layer and its sublayers, each once (a layer or a tensor held in two places is shared, as PyTorch counts it). */
  parameters(): Tensor[] {
    return Object.values(this.namedParameters());
  }

  /** Parameters keyed by path: `0.weight`, `2.bias`… (the names in a saved file); a shared one under the first path that reaches it. */
  namedParameters(prefix = ''): Record<string, Tensor> {
    return this.named(prefix, (layer) => layer.ownParameters());
  }

  /** Buffers keyed by path, as namedParameters names parameters. */
  namedBuffers(prefix = ''): Record<string, Tensor> {
    return this.named(prefix, (layer) => layer.ownBuffers());
  }

  /** Parameters and buffers by path: what a model file holds. */
  namedState(prefix = ''): Record<string, Tensor> {
    const parameters = this.namedParameters(prefix);
    const buffers = this.namedBuffers(prefix);
    const clash = Object.keys(buffers).find((name) => Object.hasOwn(parameters, name));
    if (clash !== undefined) throw new ValueError(`namedState: ${clash} names both a parameter and a buffer`);
    return { ...parameters, ...buffers };
  }

  private named(prefix: string, own: (layer: Module) => Record<string, Tensor>): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const seen = new Set<Tensor>();
    for (const [path, layer] of this.walk(prefix)) {
      for (const [name, p] of Object.entries(own(layer))) {
        if (seen.has(p)) continue;
        seen.add(p);
        out[path + name] = p;
      }
    }
    return out;
  }

  /** This layer and every layer below it, each once (PyTorch's modules()). */
  modules(): Module[] {
    return [...this.walk('')].map(([, layer]) => layer);
  }

  /** modules() with each layer's path: '' for this one, then '0', '1.2'… (the prefix of its parameters' names), as PyTorch's named_modules(). */
  namedModules(): [string, Module][] {
    return [...this.walk('')].map(([prefix, layer]) => [prefix.slice(0, -1), layer]);
  }

  /**
   * The draws each of this layer's own seeded random streams has made (a
   * seeded dropout's masks so far), by name: a training checkpoint keeps
   * them, so that a resumed run draws what an unbroken one would. None by
   * default; a custom layer with a stream of its own gives its count here
   * and takes it back in setDrawCounts.
   */
  drawCounts(): Record<string, number> {
    return {};
  }

  /** Puts back counts drawCounts gave (the caller has checked they are its names). */
  setDrawCounts(_counts: Record<string, number>): void {}

  /**
   * Puts `t` in place of `own`, this layer's own parameter or buffer
   * `name` (as ownParameters or ownBuffers names it), as it is, unchecked,
   * and gives back what puts `own` back: functionalCall's swap. By default
   * the field of that name; null where `own` is not there (a layer that
   * names its tensors otherwise than its fields), which functionalCall
   * refuses. The parameter containers override it: theirs are in arrays.
   */
  [REPLACE_OWN_TENSOR](name: string, own: Tensor, t: Tensor): (() => void) | null {
    const fields = this as unknown as Record<string, unknown>;
    if (fields[name] !== own) return null;
    fields[name] = t;
    return () => void (fields[name] = own);
  }

  /** This layer and every sublayer below it, each once with the path of its parameters (a layer holding its parent does not loop). */
  private *walk(prefix: string, seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.walk(`${prefix}${name}.`, seen);
  }

  /**
   * A parameter in x's precision: an f16 x (mixed precision) computes with an
   * f16 copy of an f32 parameter, through a cast that passes the gradient back.
   */
  protected inPrecisionOf(x: Tensor, p: Tensor): Tensor {
    return x.dtype === 'f16' && p.dtype !== 'f16' ? p.cast('f16') : p;
  }

  /** Parameters and buffers by name (namedState; PyTorch's state_dict): the tensors themselves. */
  stateDict(): Record<string, Tensor> {
    return this.namedState();
  }

  /**
   * Writes `state`'s values (tensors on this module's backend, or the
   * entries of tm.decodeSafetensors) into the parameters and buffers of the
   * same names, each cast to the module's dtype: PyTorch's load_state_dict.
   * Strict by default: names missing on either side are an error; with {
   * strict: false } they are left alone and listed. A shape that differs is
   * an error naming both, and nothing is changed.
   */
  loadStateDict(state: Record<string, StateEntry>, options: LoadStateOptions = {}): LoadStateResult {
    return loadState(this, state, options);
  }

  /** The parameters and buffers as a safetensors file's bytes, for any module (a custom one included); loadWeights reads them. */
  async weightsToBytes(): Promise<Uint8Array> {
    // A lazy layer not yet built has no tensors: the file would lack them, and load back into nothing.
    refuseUnbuilt('saveWeights', this);
    // Read from this call on, before the file format loads (state_entries.ts).
    const entries = readEntries('saveWeights', this.namedState());
    return (await import('./state_file.js')).stateToBytes(entries);
  }

  /** Writes weightsToBytes() to `path` atomically (Node). tm.nn.load needs a model file (Sequential.save); this fills a module you build. */
  async saveWeights(path: string | URL): Promise<void> {
    const bytes = this.weightsToBytes();
    await writeFileAtomic(path, await bytes);
  }

  /** Loads the weights of a file (a path in Node, or its bytes) saveWeights wrote, or any safetensors file of this module's names (loadStateDict's rules). */
  async loadWeights(source: string | URL | Uint8Array, options: LoadStateOptions = {}): Promise<LoadStateResult> {
    return (await import('./state_file.js')).loadStateFile(this, source, options);
  }

  /**
   * Sets requiresGrad on every parameter (PyTorch's requires_grad_): false
   * freezes the layer for fine-tuning (backward leaves its weights without
   * gradients and optimizers skip them), true thaws it. The built-in layers
   * keep listing frozen weights in parameters() and saving them; a custom
   * layer that relies on the default ownParameters lists only tensors with
   * requiresGrad, so it should keep a frozen one in a buffer or list it itself.
   */
  requiresGrad(on = true): this {
    if (typeof on !== 'boolean') throw new ValueError(`requiresGrad: expects true or false, got ${formatValue(on)}`);
    // A lazy layer's parameters, not built yet, would be built trainable: refused, as PyTorch's requires_grad_ on an uninitialized parameter.
    if (!on) refuseUnbuilt('requiresGrad(false)', this, ', then freeze it');
    for (const p of this.parameters()) p.requiresGrad = on;
    return this;
  }

  /** Frees and clears every parameter's gradient (optimizer.zeroGrad() for the parameters it steps). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Calls fn on every sublayer, then on this layer (PyTorch's apply: custom initialisation by layer type). */
  apply(fn: (layer: Module) => void): this {
    if (typeof fn !== 'function') throw new ValueError(`apply: expects a function of a layer, got ${formatValue(fn)}`);
    const seen = new Set<Module>();
    const visit = (layer: Module): void => {
      if (seen.has(layer)) return;
      seen.add(layer);
      for (const child of layer.children()) visit(child);
      fn(layer);
    };
    visit(this);
    return this;
  }

  train(on = true): this {
    for (const layer of this.modules()) layer.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** A plain description from which `tm.nn.load` rebuilds the layer. */
  abstract config(): LayerConfig;

  /**
   * Frees every parameter (and its gradient) and buffer of this layer and the
   * layers below it. A sublayer with a dispose of its own is freed by it too,
   * so what it holds besides them goes as well (the computed weight of a layer
   * under tm.nn.utils.weightNorm or spectralNorm, in a Sequential).
   */
  dispose(): void {
    if (disposing.has(this)) return;
    disposing.add(this);
    try {
      for (const p of this.parameters()) {
        p.grad?.dispose();
        p.dispose();
      }
      for (const b of Object.values(this.namedBuffers())) b.dispose();
      for (const layer of this.modules()) if (layer !== this && layer.dispose !== Module.prototype.dispose) layer.dispose();
    } finally {
      disposing.delete(this);
    }
  }
}

export type LayerConfig = { type: string; [key: string]: unknown };

/**
 * Runs `body` with every layer of `model` in eval mode, then gives each layer
 * back the mode it had: a BatchNorm frozen with eval() inside a model in
 * train mode stays frozen after predict or evaluate.
 */
export function inEvalMode<T>(model: Module, body: () => T): T {
  const modes = model.modules().map((layer) => [layer, layer.training] as const);
  model.eval();
  try {
    return body();
  } finally {
    for (const [layer, training] of modes) layer.training = training;
  }
}

/**
 * Refuses arguments given to a layer that takes none: JavaScript would pass
 * them by silently (PyTorch's Flatten(2) or ReLU(inplace=True) habits).
 */
export function refuseArguments(layer: string, args: readonly unknown[], hint = ''): void {
  if (args.length) throw new ValueError(`${layer}: takes no arguments, got ${args.map((a) => formatValue(a)).join(', ')}${hint}`);
}
