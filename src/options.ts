// The options object every public call takes last. JavaScript callers get no
// type checking, and habits from other libraries misfire silently there:
// `tm.zeros([2], 'f16')` and `tm.init('native')` (NumPy and positional
// habits) read as no options at all, `fit(..., { batch_size: 64 })` (Keras)
// as an unknown key nobody reads. Each is an error that names the options
// the call has.
import { ValueError, formatValue } from './errors.js';

/**
 * Every option of T, listed once beside the call (the compiler checks the
 * list is complete and has no extras): 'boolean' for a flag checked here (a
 * string 'false' read as true), true for one the call checks where it uses it.
 */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true | 'boolean' };

/** `value` as the call's options: an object whose keys are all in `names`; undefined or null read as none given. */
export function checkOptions<T extends object>(where: string, value: T | null | undefined, names: OptionNames<T>): T {
  if (value === undefined || value === null) return {} as T;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValueError(`${where}: options must be an object with any of ${Object.keys(names).join(', ')}, got ${describe(value)}`);
  }
  // for…in, not Object.keys: ops check their options on every call, and this allocates nothing.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (Object.hasOwn(names, key)) {
      const given = (value as Record<string, unknown>)[key];
      if (names[key as keyof T] === 'boolean' && given !== undefined && typeof given !== 'boolean') {
        throw new ValueError(`${where}: ${key} must be true or false, got ${formatValue(given)}`);
      }
      continue;
    }
    const known = Object.keys(names);
    const near = known.find((name) => loose(name) === loose(key) || OTHER_SPELLINGS[unpunctuated(key)] === name);
    throw new ValueError(`${where}: unknown option ${JSON.stringify(key)}${near ? ` (did you mean ${near}?)` : ''}; the options are ${known.join(', ')}`);
  }
  return value;
}

/** Names other libraries give options that no loosening of the name finds (PyTorch's eps, Keras's restore_best_weights), unpunctuated. */
const OTHER_SPELLINGS: Readonly<Record<string, string>> = { eps: 'epsilon', restorebestweights: 'restoreBest' };

/** A name in lower case without `_` and `-`. */
function unpunctuated(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** A name with case, `_`, `-` and a plural `s` ignored: batch_size, keepdim and from-logits find batchSize, keepDims and fromLogits. */
function loose(name: string): string {
  return unpunctuated(name).replace(/s$/, '');
}

function describe(value: unknown): string {
  return Array.isArray(value) ? `an array ${formatValue(value)}` : formatValue(value);
}

/** A batch size: a positive integer (0 would step through the data forever, NaN slice nothing). */
export function checkBatchSize(what: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`${what}: batchSize must be a positive integer, got ${formatValue(batchSize)}`);
}
