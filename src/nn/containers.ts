// PyTorch's containers: ModuleList, ModuleDict, ParameterList and
// ParameterDict. A custom layer's sublayers and parameters are found by
// scanning its fields (module.ts), which sees a layer, an array of layers or
// a tensor, but not a dictionary of layers nor tensors in a list or a
// dictionary. A container is a layer, so the scan finds it, and it gives
// what it holds as its children (ModuleList, ModuleDict: the scan of their
// own fields finds the array of them) or as its own parameters
// (ParameterList, ParameterDict); parameters(), stateDict, saveWeights,
// train()/eval(), apply and dispose then reach through it. Paths name what
// a list holds by position and what a dictionary holds by key, as PyTorch's
// do (namedChildren, ownParameters).
//
// A container has no forward: the layer holding it calls what is in it. Nor
// is it saved in model files: tm.nn.load rebuilds a Sequential of known
// layers, and a container serves the forward of a layer of your own, which
// load cannot rebuild anyway; config() describes it, under a type load
// refuses by name. saveWeights and loadWeights keep the weights of a model
// that holds containers.
//
// tmnn has no Parameter type (a parameter is a tensor with requiresGrad),
// so where PyTorch wraps a tensor put in a parameter container in
// nn.Parameter, here the tensor itself gets requiresGrad: one frozen before
// is then trained wherever else it is used.
//
// What a container holds sits in plain array fields, and each change puts a
// new array there rather than changing one: quantizeDynamic swaps a layer in
// an array field of its holder, and copy_module.ts copies arrays of layers
// or tensors but shares any other array (a dictionary's keys, an empty
// list), which a change in place would then change in both copies.
import { isFloat } from '../dtype.js';
import { DTypeError, DisposedTensorError, ValueError, formatValue } from '../errors.js';
import { Tensor } from '../tensor.js';
import { Module, REPLACE_OWN_TENSOR, type LayerConfig } from './module.js';

/** Entries for a dictionary container: [key, value] pairs (a Map, another container of the kind) or a plain object. */
export type ContainerEntries<T> = Iterable<readonly [string, T]> | Readonly<Record<string, T>>;

/** A layer's type as its config names it (class names do not survive the browser bundle's minifier). */
function typeOf(layer: Module): string {
  try {
    return layer.config().type;
  } catch {
    // A config that throws (a container holding itself): the class's name is what is left.
    return layer.constructor.name;
  }
}

/** A value as a container's errors show it: a layer by its type (formatValue would write out its fields). */
function shown(value: unknown): string {
  return value instanceof Module ? `a ${typeOf(value)} layer` : formatValue(value);
}

const isIterable = (value: unknown): value is Iterable<unknown> =>
  value !== null && typeof value === 'object' && typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';

/** `values` as an array; an error where it is no collection (one layer given where a list of them goes). */
function listed(op: string, values: unknown, what: string): unknown[] {
  if (!isIterable(values)) throw new ValueError(`${op}: expects an array (or other iterable) of ${what}, got ${shown(values)}`);
  return [...values];
}

/** The [key, value] pairs of `entries`, in order: a plain object's in JavaScript's order (integer-like keys first, ascending). */
function pairsOf(op: string, entries: unknown, what: string): [unknown, unknown][] {
  if (isIterable(entries)) {
    return [...entries].map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new ValueError(`${op}: entry ${i} is ${shown(pair)}, not a [key, value] pair`);
      return [pair[0], pair[1]];
    });
  }
  const proto: unknown = entries !== null && typeof entries === 'object' ? Object.getPrototypeOf(entries) : undefined;
  if (proto === Object.prototype || proto === null) return Object.entries(entries as object);
  throw new ValueError(`${op}: expects ${what} by key (an object, a Map or [key, value] pairs), got ${shown(entries)}`);
}

/**
 * A key of a dictionary container, refused where it could not name an entry
 * in a path: a parameter's name is its holders' joined by '.' (`heads.enc.weight`),
 * so a key with a '.' would read as two names. PyTorch refuses it too.
 */
function checkKey(op: string, key: unknown): string {
  if (typeof key !== 'string') throw new ValueError(`${op}: a key must be a string, got ${formatValue(key)}`);
  if (key === '') throw new ValueError(`${op}: a key cannot be empty`);
  if (key.includes('.')) throw new ValueError(`${op}: key ${formatValue(key)} contains ".", which separates the names in a parameter's path (0.weight); use another character`);
  // A record of tensors by name (namedParameters, a state dict) would take it as its prototype, not as a name.
  if (key === '__proto__') throw new ValueError(`${op}: key "__proto__" cannot name an entry (JavaScript objects give it a meaning of their own)`);
  return key;
}

/** Keys for an error: the first five of many. */
function keysListed(keys: readonly string[]): string {
  const first = keys.slice(0, 5).map((k) => formatValue(k)).join(', ');
  return keys.length === 0 ? 'none' : keys.length > 5 ? `${first}, … (${keys.length} keys)` : first;
}

/** Position `i` of `length` (negative from the end, as Python's); `end` lets it be one past the last (insert's). */
function position(op: string, i: unknown, length: number, what: string, end = false): number {
  if (!Number.isSafeInteger(i)) throw new ValueError(`${op}: an index must be an integer, got ${formatValue(i)}`);
  const at = (i as number) < 0 ? (i as number) + length : (i as number);
  if (at < 0 || at > (end ? length : length - 1)) throw new ValueError(`${op}: index ${i} is out of range for ${length} ${length === 1 ? what.slice(0, -1) : what}`);
  return at;
}

/**
 * A container's items by name, then what a subclass of it holds in fields
 * of its own: a name in both would be one path for two, refused.
 */
function joined<V>(kind: string, items: readonly (readonly [string, V])[], fields: readonly (readonly [string, V])[]): [string, V][] {
  const clash = fields.find(([name]) => items.some(([key]) => key === name));
  if (clash) throw new ValueError(`${kind}: ${formatValue(clash[0])} names both one of its entries and what a field of its own holds; rename the key or the field`);
  return [...items, ...fields].map(([name, value]) => [name, value]);
}

/** A layer, as a layer container takes one. */
function checkLayer(op: string, value: unknown, where: string): Module {
  if (!(value instanceof Module)) throw new ValueError(`${op}: expects layers (a tm.nn.Module), got ${shown(value)}${where}`);
  return value;
}

/**
 * A tensor, as a parameter container takes one: a float leaf it can train
 * (an int tensor can have no gradient; one computed from parameters would
 * pass its gradient on to them, where PyTorch's nn.Parameter detaches it).
 */
function checkParameter(op: string, value: unknown, where: string): Tensor {
  if (!(value instanceof Tensor)) throw new ValueError(`${op}: expects tensors, got ${shown(value)}${where}`);
  if (value.isDisposed) throw new DisposedTensorError(`${op}: the tensor${where} was disposed`);
  if (!isFloat(value.dtype)) throw new DTypeError(`${op}: the tensor${where} is ${value.dtype}; a parameter is trained, so f32 or f16: cast it, or keep it out of the parameters (a buffer, ownBuffers)`);
  if (value.gradFn !== null) throw new ValueError(`${op}: the tensor${where} was computed from tensors with gradients; a parameter is a tensor of its own: pass t.detach()`);
  return value;
}

/** Which container a class is: its name and what it holds, with how it checks, takes in and describes each. */
interface Kind<T> {
  /** The class's name, for errors and config (a string, as class names do not survive minifying). */
  readonly name: string;
  /** What the items are called in errors. */
  readonly what: 'layers' | 'tensors';
  /** How a forward reaches what it holds, for the error of the container's own forward. */
  readonly use: string;
  /** `value`, checked to be an item; `where` says which, for the error. */
  checked(op: string, value: unknown, where: string): T;
  /** Takes `item` in, once every item of a change was checked. */
  adopt(item: T): void;
  /** The config field describing the items, and one item's description there. */
  readonly field: 'modules' | 'parameters';
  describe(item: T): unknown;
}

const layers = (name: string, use: string): Kind<Module> => ({ name, use, what: 'layers', checked: checkLayer, adopt: () => {}, field: 'modules', describe: (m) => m.config() });

/** As PyTorch wraps a plain tensor in nn.Parameter, a tensor a parameter container takes is trained (see the file's comment). */
const tensors = (name: string, use: string): Kind<Tensor> => ({
  name, use, what: 'tensors', checked: checkParameter, field: 'parameters', describe: (t) => ({ shape: [...t.shape], dtype: t.dtype }),
  adopt: (t) => {
    if (!t.requiresGrad) t.requiresGrad = true;
  },
});

const MODULE_LIST = layers('ModuleList', 'for (const layer of list) x = layer.forward(x)');
const MODULE_DICT = layers('ModuleDict', "dict.get('name').forward(x)");
const PARAMETER_LIST = tensors('ParameterList', 'x.mul(list.at(0))');
const PARAMETER_DICT = tensors('ParameterDict', "x.mul(dict.get('scale'))");

/** Containers whose config() is running: one met again holds itself, and is refused rather than described forever. */
const describing = new Set<Module>();

/** The four containers' shared part: items checked and taken in as they come, each with a name; no forward; config. */
abstract class Container<T> extends Module {
  /** What it holds, in order; the field scan finds a layer container's layers here. */
  protected items: readonly T[] = [];

  /** Which container it is (a method, so the field scans see no field for it). */
  protected abstract kind(): Kind<T>;
  /** Each item's name in paths, in order: its position, or its key. */
  protected abstract itemNames(): readonly string[];
  /** The items as config() lays them out (in order, or by key), each as `describe` gives it. */
  protected abstract described(describe: (item: T) => unknown): unknown[];

  /** Every value of [where, value] checked, then every one taken in: a change refused leaves everything as it was. */
  protected adopted(op: string, values: readonly (readonly [string, unknown])[]): T[] {
    const kind = this.kind();
    const items = values.map(([where, value]) => kind.checked(op, value, where));
    for (const item of items) kind.adopt(item);
    return items;
  }

  /** How many items it holds (PyTorch's len). */
  get length(): number {
    return this.items.length;
  }

  forward(..._args: unknown[]): never {
    const { name, use } = this.kind();
    throw new ValueError(`${name}: a container has no forward; call what it holds in the forward of the layer that holds it (${use})`);
  }

  /** A description of what it holds (layers' configs, tensors' shapes and dtypes); tm.nn.load refuses it, as it does every layer outside a Sequential's forward. */
  config(): LayerConfig {
    const { name, field, describe } = this.kind();
    if (describing.has(this)) throw new ValueError(`${name}.config: the ${name} holds itself (directly or through a layer inside it), so a description of it would never end`);
    describing.add(this);
    try {
      return { type: name, [field]: this.described(describe) };
    } finally {
      describing.delete(this);
    }
  }

  /** A parameter container's ownParameters: its tensors by name (a disposed one left out, frozen ones kept), then the tensors of `fields`. */
  protected tensorsByName(this: Container<Tensor>, fields: Record<string, Tensor>): Record<string, Tensor> {
    const names = this.itemNames();
    const own = this.items.flatMap((t, i) => (t.isDisposed ? [] : [[names[i], t] as const]));
    return Object.fromEntries(joined(this.kind().name, own, Object.entries(fields)));
  }

  /** A parameter container's REPLACE_OWN_TENSOR for its item `name`; null where none of them is `own` under that name. */
  protected replaceItem(this: Container<Tensor>, name: string, own: Tensor, t: Tensor): (() => void) | null {
    const at = this.itemNames().indexOf(name);
    if (at < 0 || this.items[at] !== own) return null;
    const swap = (from: Tensor, to: Tensor) => void (this.items = this.items.map((v, j) => (j === at && v === from ? to : v)));
    swap(own, t);
    return () => swap(t, own);
  }
}

/** The list containers' shared part: items in order, named by position. */
abstract class ListContainer<T> extends Container<T> {
  constructor(values: Iterable<T> = []) {
    super();
    this.items = this.all(this.kind().name, values);
  }

  /** Every value of `values` checked, then taken in. */
  private all(op: string, values: unknown): T[] {
    return this.adopted(op, listed(op, values, this.kind().what).map((value, i) => [` at index ${i}`, value] as const));
  }

  protected itemNames(): string[] {
    return this.items.map((_, i) => String(i));
  }

  protected described(describe: (item: T) => unknown): unknown[] {
    return this.items.map((item) => describe(item));
  }

  /** The item at `i`; negative counts from the end. Out of range is an error (PyTorch's IndexError), not undefined. */
  at(i: number): T {
    return this.items[position(`${this.kind().name}.at`, i, this.items.length, this.kind().what)];
  }

  /** Puts `value` at `i` in place of the item there (PyTorch's list[i] = value). */
  set(i: number, value: T): this {
    const op = `${this.kind().name}.set`;
    const at = position(op, i, this.items.length, this.kind().what);
    const [item] = this.adopted(op, [['', value]]);
    this.items = this.items.map((v, j) => (j === at ? item : v));
    return this;
  }

  /** Adds `value` at the end. */
  append(value: T): this {
    this.items = [...this.items, ...this.adopted(`${this.kind().name}.append`, [['', value]])];
    return this;
  }

  /** Adds every value of `values` at the end, in order (none, where one is refused). */
  extend(values: Iterable<T>): this {
    this.items = [...this.items, ...this.all(`${this.kind().name}.extend`, values)];
    return this;
  }

  /** Puts `value` before the item at `i` (negative from the end; `length` appends), as Python's list.insert. */
  insert(i: number, value: T): this {
    const op = `${this.kind().name}.insert`;
    const at = position(op, i, this.items.length, this.kind().what, true);
    this.items = [...this.items.slice(0, at), ...this.adopted(op, [['', value]]), ...this.items.slice(at)];
    return this;
  }

  /** Removes the item at `i` (by default the last) and gives it back. */
  pop(i = -1): T {
    const at = position(`${this.kind().name}.pop`, i, this.items.length, this.kind().what);
    const item = this.items[at];
    this.items = this.items.filter((_, j) => j !== at);
    return item;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.items.values();
  }
}

/** The dictionary containers' shared part: items by key, in the order the keys were first set. */
abstract class DictContainer<T> extends Container<T> {
  /** The keys: items[i] is the value of names[i]. */
  protected names: readonly string[] = [];

  constructor(entries?: ContainerEntries<T>) {
    super();
    if (entries !== undefined) this.merge(this.kind().name, entries);
  }

  /** Sets every entry, each checked first: a change refused leaves everything as it was. */
  private merge(op: string, entries: unknown): void {
    const pairs = pairsOf(op, entries, this.kind().what).map(([key, value]) => [checkKey(op, key), value] as const);
    const values = this.adopted(op, pairs.map(([name, value]) => [` for key ${formatValue(name)}`, value] as const));
    const [names, items] = [[...this.names], [...this.items]];
    pairs.forEach(([name], i) => {
      const at = names.indexOf(name);
      if (at >= 0) items[at] = values[i];
      else {
        names.push(name);
        items.push(values[i]);
      }
    });
    [this.names, this.items] = [names, items];
  }

  /** Where `key` is; a key it does not hold is an error naming the keys it does (PyTorch's KeyError). */
  private indexOf(op: string, key: string): number {
    const at = this.names.indexOf(key);
    if (at < 0) throw new ValueError(`${this.kind().name}.${op}: no key ${formatValue(key)}; it holds ${keysListed(this.names)}`);
    return at;
  }

  protected itemNames(): readonly string[] {
    return this.names;
  }

  protected described(describe: (item: T) => unknown): unknown[] {
    return this.entries().map(([key, item]) => [key, describe(item)]);
  }

  has(key: string): boolean {
    return this.names.includes(key);
  }

  /** The value of `key`; a key it does not hold is an error, not undefined: ask has(key) first. */
  get(key: string): T {
    return this.items[this.indexOf('get', key)];
  }

  /** Sets `key` to `value`: a new key goes last, a key it holds keeps its place (as a Map and a Python dict do). */
  set(key: string, value: T): this {
    this.merge(`${this.kind().name}.set`, [[key, value]]);
    return this;
  }

  /** Sets every entry of `entries` as set does, in their order (PyTorch's update). */
  update(entries: ContainerEntries<T>): this {
    this.merge(`${this.kind().name}.update`, entries);
    return this;
  }

  /** Removes `key`; false where it held no such key (as a Map's delete). */
  delete(key: string): boolean {
    const at = this.names.indexOf(key);
    if (at < 0) return false;
    this.names = this.names.filter((_, j) => j !== at);
    this.items = this.items.filter((_, j) => j !== at);
    return true;
  }

  /** Removes `key` and gives its value back; a key it does not hold is an error, as get's. */
  pop(key: string): T {
    const value = this.items[this.indexOf('pop', key)];
    this.delete(key);
    return value;
  }

  /** Removes every entry. */
  clear(): void {
    [this.names, this.items] = [[], []];
  }

  /** The keys, in order: an array, a copy that later changes leave as it is (as are values() and entries()). */
  keys(): string[] {
    return [...this.names];
  }

  values(): T[] {
    return [...this.items];
  }

  entries(): [string, T][] {
    return this.names.map((name, i) => [name, this.items[i]]);
  }

  /** [key, value] pairs, in order, as a Map's (PyTorch's iterates keys: use keys() for those). */
  [Symbol.iterator](): IterableIterator<[string, T]> {
    return this.entries().values();
  }
}

/**
 * Layers in a list, as PyTorch's nn.ModuleList: a custom layer holding one
 * in a field has them as sublayers, in order, their parameters named by
 * position below the list's (`0.2.weight`: the list is its holder's first
 * sublayer). A subclass's own fields are scanned as any layer's: a layer
 * there is a sublayer too, after the list's.
 *
 *     class Net extends tm.nn.Module {
 *       blocks = new tm.nn.ModuleList([new tm.nn.Dense(8, 8), new tm.nn.Dense(8, 8)]);
 *       forward(x: tm.Tensor) { for (const block of this.blocks) x = block.forward(x).relu(); return x; }
 *       config() { return { type: 'Net' }; }
 *     }
 */
export class ModuleList<M extends Module = Module> extends ListContainer<M> {
  protected kind(): Kind<M> {
    return MODULE_LIST as Kind<M>;
  }

  /** Items start to end (before end; negative from the end) in a new ModuleList of the same layers (PyTorch's list[start:end]). */
  slice(start?: number, end?: number): ModuleList<M> {
    return new ModuleList(this.items.slice(start, end));
  }
}

/**
 * Layers by name, as PyTorch's nn.ModuleDict: a custom layer holding one in
 * a field has them as sublayers, in the order their keys were first set,
 * and paths name them by key, as PyTorch's do (`1.enc.weight`: the dict is
 * its holder's second sublayer and holds a Dense under 'enc'), so a state
 * dict loads into a ModuleDict by key whatever order its keys were set in,
 * and loadPytorch finds PyTorch's `enc.weight`. get, set, has, delete, keys,
 * values and entries as a Map's (get of a missing key is an error),
 * iteration as a Map's ([key, layer] pairs).
 */
export class ModuleDict<M extends Module = Module> extends DictContainer<M> {
  protected kind(): Kind<M> {
    return MODULE_DICT as Kind<M>;
  }

  /** Its layers by key, then whatever a subclass holds in fields of its own, by position as any layer's sublayers. */
  override namedChildren(): [string, Module][] {
    // The field scan (children()) meets the entries first: theirs is a field of this base class, set before a subclass's.
    return joined(MODULE_DICT.name, this.entries(), super.namedChildren().slice(this.items.length));
  }
}

/**
 * Tensors in a list, trained as parameters, as PyTorch's nn.ParameterList:
 * a custom layer holding one in a field has them among its parameters,
 * named by position (`0.1`: the list is its holder's first sublayer). Each
 * must be an f32 or f16 tensor of its own (not computed from others with
 * gradients: pass t.detach()).
 *
 * A tensor put in one gets requiresGrad = true, as PyTorch wraps a tensor
 * in nn.Parameter; but tmnn has no separate Parameter type, so this is the
 * tensor itself: one frozen before (another layer's weight after its
 * requiresGrad(false)) is trained again, there too. To keep it frozen,
 * freeze it once it is in (`t.requiresGrad = false`, or
 * `list.requiresGrad(false)`): it stays listed and saved, as a built-in
 * layer's frozen weights do.
 */
export class ParameterList extends ListContainer<Tensor> {
  protected kind(): Kind<Tensor> {
    return PARAMETER_LIST;
  }

  /** Items start to end (before end; negative from the end) in a new ParameterList of the same tensors. */
  slice(start?: number, end?: number): ParameterList {
    return new ParameterList(this.items.slice(start, end));
  }

  /** Its tensors by position, '0', '1'… (a disposed one left out, the others keeping their names), then a subclass's own. */
  override ownParameters(): Record<string, Tensor> {
    return this.tensorsByName(super.ownParameters());
  }

  override [REPLACE_OWN_TENSOR](name: string, own: Tensor, t: Tensor): (() => void) | null {
    return this.replaceItem(name, own, t) ?? super[REPLACE_OWN_TENSOR](name, own, t);
  }
}

/**
 * Tensors by name, trained as parameters, as PyTorch's nn.ParameterDict: a
 * custom layer holding one in a field has them among its parameters under
 * their keys (`0.scale`). It takes tensors as ParameterList does, setting
 * requiresGrad on each (see there); the Map-like methods as ModuleDict's.
 */
export class ParameterDict extends DictContainer<Tensor> {
  protected kind(): Kind<Tensor> {
    return PARAMETER_DICT;
  }

  /** Its tensors by key (a disposed one left out), then a subclass's own. */
  override ownParameters(): Record<string, Tensor> {
    return this.tensorsByName(super.ownParameters());
  }

  override [REPLACE_OWN_TENSOR](name: string, own: Tensor, t: Tensor): (() => void) | null {
    return this.replaceItem(name, own, t) ?? super[REPLACE_OWN_TENSOR](name, own, t);
  }
}
