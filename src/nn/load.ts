// Loading a model saved by tmnn: rebuild the layers from the architecture in
// the metadata, then fill their parameters from the entries. Every field of
// the file is checked; anything off is a CorruptFileError naming it.
import { BYTES_PER_ELEMENT } from '../dtype.js';
import { CorruptFileError } from '../io/errors.js';
import { readFileBytes } from '../io/file.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { DTypeError, ShapeError, ValueError, formatShape } from '../errors.js';
import { sameShape } from '../shape.js';
import { fromStorageArray } from '../ops/util.js';
import { GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh, type ActivationName } from './activations.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import type { Module } from './module.js';
import { Sequential } from './sequential.js';
import { FORMAT } from './serialize.js';

type Config = Record<string, unknown>;
type Entries = ReturnType<typeof decodeSafetensors>['entries'];

function field<T>(c: Config, key: string, check: (v: unknown) => v is T, what: string): T {
  const v = c[key];
  if (!check(v)) throw new CorruptFileError(`model file: layer ${String(c.type)} has ${key} = ${JSON.stringify(v)}, expected ${what}`);
  return v;
}

const isSafeInteger = (v: unknown): v is number => Number.isSafeInteger(v);
const isPositiveInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isString = (v: unknown): v is string => typeof v === 'string';
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);

/**
 * A saved parameter's entry, checked against the shape its layer will give
 * it before the layer allocates anything: a description of a huge layer
 * with no weights behind it is an error, not gigabytes of initial weights.
 */
function checkEntry(entries: Entries, name: string, shape: readonly number[]): void {
  const e = entries[name];
  if (!e) throw new CorruptFileError(`model file: parameter ${name} is missing`);
  if (!sameShape(e.shape, shape)) throw new CorruptFileError(`model file: parameter ${name} is ${formatShape(e.shape)}, the layer needs ${formatShape(shape)}`);
}

/** The layers a description names, their parameters' entries checked first (`prefix`: the path of their names, as namedParameters gives them). */
function build(c: unknown, entries: Entries, prefix = '', depth = 0): Module {
  if (!c || typeof c !== 'object' || Array.isArray(c) || depth > 16) throw new CorruptFileError(`model file: a layer description is not an object: ${JSON.stringify(c)?.slice(0, 80)}`);
  const cfg = c as Config;
  switch (cfg.type) {
    case 'Sequential': {
      const built: Module[] = [];
      try {
        for (const [i, l] of field(cfg, 'layers', isArray, 'an array').entries()) built.push(build(l, entries, `${prefix}${i}.`, depth + 1));
      } catch (err) {
        // Layers built before the bad one own parameters: free them.
        for (const m of built) m.dispose();
        throw err;
      }
      return new Sequential(built);
    }
    case 'Dense': {
      const [inputs, units] = [field(cfg, 'inputs', isPositiveInt, 'a positive integer'), field(cfg, 'units', isPositiveInt, 'a positive integer')];
      const bias = field(cfg, 'bias', isBool, 'true or false');
      checkEntry(entries, `${prefix}weight`, [inputs, units]);
      if (bias) checkEntry(entries, `${prefix}bias`, [units]);
      const dense = new Dense(inputs, units, {
        activation: field(cfg, 'activation', isString, 'an activation name') as ActivationName,
        bias,
        seed: 0, // overwritten by the saved weights
      });
      // A layer saved in f16 loads in f16 (a fresh one is f32): the values, and the memory, as saved.
      for (const key of ['weight', 'bias'] as const) {
        const p = dense[key];
        if (!p || entries[`${prefix}${key}`].dtype !== 'f16' || p.dtype === 'f16') continue;
        const half = p.cast('f16');
        half.requiresGrad = true;
        p.dispose();
        dense[key] = half;
      }
      return dense;
    }
    case 'ReLU': return new ReLU();
    case 'Sigmoid': return new Sigmoid();
    case 'Tanh': return new Tanh();
    case 'GELU': return new GELU();
    case 'Softmax': return new Softmax(field(cfg, 'axis', Number.isInteger as (v: unknown) => v is number, 'an integer'));
    case 'LeakyReLU': return new LeakyReLU(field(cfg, 'alpha', isNumber, 'a number'));
    case 'Dropout': return new Dropout(field(cfg, 'rate', isNumber, 'a number in [0, 1)'), cfg.seed === undefined ? undefined : field(cfg, 'seed', isSafeInteger, 'an integer'));
    default: throw new CorruptFileError(`model file: unknown layer type ${JSON.stringify(cfg.type)}`);
  }
}

/** Rebuilds a model from bytes written by `model.toBytes()` / `model.save()`. */
export function fromBytes(bytes: Uint8Array): Sequential {
  const { entries, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== FORMAT || typeof metadata.model !== 'string') {
    throw new CorruptFileError('model file: no tmnn model description in the metadata (was it saved by tmnn?)');
  }
  let config: unknown;
  try {
    config = JSON.parse(metadata.model);
  } catch (err) {
    throw new CorruptFileError(`model file: the model description is not valid JSON (${(err as Error).message})`);
  }
  let model: Module;
  try {
    model = build(config, entries);
  } catch (err) {
    // Layer constructors reject bad settings with their own errors; in a file that means corruption.
    // Anything else (a lost device, memory) is not the file's doing and passes as it is.
    if (err instanceof ShapeError || err instanceof ValueError || err instanceof DTypeError) throw new CorruptFileError(`model file: ${err.message}`);
    throw err;
  }
  if (!(model instanceof Sequential)) {
    model.dispose();
    throw new CorruptFileError('model file: the top-level model is not a Sequential');
  }
  try {
    const params = model.namedParameters();
    const extra = Object.keys(entries).filter((k) => !(k in params));
    if (extra.length) throw new CorruptFileError(`model file: tensors ${extra.join(', ')} belong to no layer`);
    for (const [name, p] of Object.entries(params)) {
      checkEntry(entries, name, p.shape);
      const e = entries[name];
      if (e.data.length * e.data.BYTES_PER_ELEMENT !== p.size * BYTES_PER_ELEMENT[e.dtype]) {
        throw new CorruptFileError(`model file: parameter ${name} has the wrong number of bytes`);
      }
      const value = fromStorageArray(e.data, e.shape, e.dtype);
      if (value.dtype !== p.dtype) {
        const cast = value.cast(p.dtype);
        value.dispose();
        p.assign(cast);
        cast.dispose();
      } else {
        p.assign(value);
        value.dispose();
      }
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** Loads a model saved with `model.save(path)`. */
export async function load(path: string): Promise<Sequential> {
  return fromBytes(await readFileBytes(path));
}
