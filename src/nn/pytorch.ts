// Weights trained in PyTorch, into a tmnn model of the same architecture:
// a safetensors file of a state_dict (`safetensors.torch.save_file(
// model.state_dict(), path)`) read by PyTorch's names and layouts. Each
// layer knows its PyTorch names: the same where the layouts agree
// (convolutions, LayerNorm, GroupNorm, Embedding, Bilinear's [out, in1,
// in2]), snake case for the running statistics of BatchNorm and
// InstanceNorm and for the recurrent
// weights (weight_ih_l0_reverse…, a cell's weight_ih…), and the weights tmnn
// keeps as x·W transposed back from PyTorch's W·x
// (Linear/Dense [out, in], the recurrent layers' and cells' [gates·hidden, in],
// attention's in_proj_weight [3·embed, embed] and out_proj.weight). A
// Sequential's layers are numbered as nn.Sequential numbers them; a
// TransformerEncoderLayer's sublayers are self_attn, linear1, linear2,
// norm1, norm2, a TransformerDecoderLayer's self_attn, multihead_attn,
// linear1, linear2, norm1, norm2, norm3, a TransformerEncoder's and
// TransformerDecoder's layers.{i} and norm, a Transformer's encoder and
// decoder, an AdaptiveLogSoftmaxWithLoss's head and tail.{i}. A layer under tm.nn.utils.weightNorm
// or spectralNorm reads torch.nn.utils.weight_norm's and spectral_norm's
// weight_g, weight_v, weight_orig, weight_u (or the newer
// torch.nn.utils.parametrizations' parametrizations.weight.original0 and
// original1, .original, .0._u and .0._v), one under tm.nn.utils.prune
// torch.nn.utils.prune's weight_orig and weight_mask, one under
// tm.nn.utils.orthogonal parametrizations.orthogonal's
// parametrizations.weight.original and parametrizations.weight.0.base. num_batches_tracked (BatchNorm's,
// InstanceNorm's) is read past.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import { decodeSafetensors, type SafetensorsEntry } from '../io/safetensors.js';
import { transpose } from '../ops/index.js';
import { fromStorageArray } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { AdaptiveLogSoftmaxWithLoss } from './adaptive_softmax.js';
import type { Module } from './module.js';
import { TransformerEncoderLayer } from './transformer.js';
import { TransformerDecoderLayer } from './transformer_decoder.js';
import { TransformerDecoder, TransformerEncoder } from './transformer_stack.js';
import { Transformer } from './transformer_model.js';
import { loaded } from './state_dict.js';
import { isUnbuilt, undoSizings, unbuiltName, unbuiltOf, type Sizing } from './unbuilt.js';
import { as, sourceOf, type Source } from './pytorch_layout.js';
import { reparametrizedFields } from './utils/reparametrize.js';

/** Entries PyTorch saves that a tmnn model has no use for. */
const IGNORED = /(^|\.)num_batches_tracked$/;

/** A layer's own tensors (parameters and buffers, by its names) and where PyTorch keeps each. */
function ownSources(layer: Module): Map<string, Source> {
  const own = Object.keys({ ...layer.ownParameters(), ...layer.ownBuffers() });
  // weight_norm's weight_g and weight_v, spectral_norm's weight_orig, weight_u and weight_v, in the weight's layout
  // (g [1, out] of a Dense is weight_g [out, 1]; u and v are vectors either way); orthogonal's
  // parametrizations.weight.original in it too, its base as it stands.
  const reparametrized = reparametrizedFields(layer);
  const sources = new Map<string, Source>();
  for (const name of own) {
    const of = reparametrized.get(name);
    const source = sourceOf(layer, of ? of.weight : name);
    if (!of) sources.set(name, source);
    else {
      const [first, ...others] = of.pytorch.names(source.name);
      sources.set(name, as(first, of.pytorch.asWeight && source.transposed, others));
    }
  }
  return sources;
}

/** The names of a layer's sublayers in PyTorch: a transformer layer's by role, any other's as tmnn names them (by position; a ModuleDict's by key). */
function childNames(layer: Module): string[] {
  if (layer instanceof TransformerEncoderLayer) return ['self_attn', 'linear1', 'linear2', 'norm1', 'norm2'];
  if (layer instanceof TransformerDecoderLayer) return ['self_attn', 'multihead_attn', 'linear1', 'linear2', 'norm1', 'norm2', 'norm3'];
  if (layer instanceof Transformer) return ['encoder', 'decoder'];
  if (layer instanceof AdaptiveLogSoftmaxWithLoss) return ['head', ...layer.tail.map((_, i) => `tail.${i}`)];
  if (layer instanceof TransformerEncoder || layer instanceof TransformerDecoder) return [...layer.layers.map((_, i) => `layers.${i}`), ...(layer.norm ? ['norm'] : [])];
  return layer.namedChildren().map(([name]) => name);
}

/** Every tensor of the model (by its tmnn path) and its source in a PyTorch state_dict. */
function sourcesOf(model: Module): Map<string, { tensor: Tensor; source: Source }> {
  const out = new Map<string, { tensor: Tensor; source: Source }>();
  const walk = (layer: Module, ours: string, theirs: string, seen: Set<Module>) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    const tensors = { ...layer.ownParameters(), ...layer.ownBuffers() };
    for (const [name, source] of ownSources(layer)) {
      out.set(`${ours}${name}`, { tensor: tensors[name], source: { ...source, name: `${theirs}${source.name}`, alsoAs: source.alsoAs.map((n) => `${theirs}${n}`) } });
    }
    const names = childNames(layer);
    layer.namedChildren().forEach(([name, child], i) => walk(child, `${ours}${name}.`, `${theirs}${names[i]}.`, seen));
  };
  walk(model, '', '', new Set());
  return out;
}

/**
 * Fills `model`'s parameters and buffers from a PyTorch state_dict saved as
 * safetensors (its bytes, or entries decoded already), every one checked
 * first: a tensor the file lacks, one of another shape, or one the model has
 * no place for (besides num_batches_tracked) is an error naming it, and the
 * model is left as it was. BF16, F64 and I64 entries are read widened to
 * f32 and i32. Values go into each tensor's own dtype. A lazy layer not
 * built yet (tm.nn.LazyLinear…) is built from the shapes of its tensors in
 * the file first, as loadStateDict builds it, and unbuilt again if the load
 * is refused.
 */
export function loadPytorch(model: Module, file: Uint8Array | Readonly<Record<string, SafetensorsEntry>>): void {
  const entries = file instanceof Uint8Array ? decodeSafetensors(file, { widen: true }).entries : file;
  const sizings = sizeFromPytorch(model, entries);
  try {
    loadBuilt(model, entries);
  } catch (err) {
    undoSizings(sizings);
    throw err;
  }
}

/**
 * The lazy layers of `model` not built yet, each with its path's prefix in
 * tmnn's names and in PyTorch's ('' or ending in '.'): walked as sourcesOf
 * walks the layers.
 */
function unbuiltLayersOf(model: Module): [Module, string, string][] {
  const out: [Module, string, string][] = [];
  const walk = (layer: Module, ours: string, theirs: string, seen: Set<Module>) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (isUnbuilt(layer)) out.push([layer, ours, theirs]);
    const names = childNames(layer);
    layer.namedChildren().forEach(([name, child], i) => walk(child, `${ours}${name}.`, `${theirs}${names[i]}.`, seen));
  };
  walk(model, '', '', new Set());
  return out;
}

/**
 * Builds each lazy layer of `model` not built yet from the shapes its
 * tensors have in `entries`, PyTorch's layout turned into tmnn's (a
 * Linear's [out, in] weight transposed), as loadStateDict builds one from a
 * state; one whose tensors the file lacks is refused, naming them. On an
 * error, unbuilds those it built.
 */
function sizeFromPytorch(model: Module, entries: Readonly<Record<string, SafetensorsEntry>>): Sizing[] {
  const done: Sizing[] = [];
  try {
    for (const [layer, ours, theirs] of unbuiltLayersOf(model)) {
      const unbuilt = unbuiltOf(layer)!;
      const state: Record<string, SafetensorsEntry> = {};
      for (const [name, source] of unbuilt.pytorchSources) {
        const found = [source.name, ...source.alsoAs].map((n) => theirs + n).find((n) => Object.hasOwn(entries, n));
        if (found !== undefined) state[ours + name] = { ...entries[found], shape: source.transposed ? [...entries[found].shape].reverse() : entries[found].shape };
      }
      const sizing = unbuilt.sizeFromState(layer, state, ours, 'loadPytorch');
      done.push(sizing);
      if (sizing.missing.length) {
        const names = [...unbuilt.pytorchSources.values()].map((source) => theirs + source.name);
        throw new ValueError(`loadPytorch: the state_dict has none of ${names.join(', ')}, which would give ${unbuiltName(ours.slice(0, -1), unbuilt)} its input size: it has not seen an input yet`);
      }
    }
  } catch (err) {
    undoSizings(done);
    throw err;
  }
  return done;
}

/** loadPytorch once every layer is built. */
function loadBuilt(model: Module, entries: Readonly<Record<string, SafetensorsEntry>>): void {
  const sources = sourcesOf(model);
  // Each tensor's name in this file: the first of its source's names the file has.
  const found = new Map<string, string>();
  for (const [ours, { tensor, source }] of sources) {
    const name = [source.name, ...source.alsoAs].find((n) => Object.hasOwn(entries, n));
    if (name === undefined) {
      const or = source.alsoAs.length ? ` (nor ${source.alsoAs.join(', ')})` : '';
      throw new ValueError(`loadPytorch: the state_dict has no ${source.name}${or} (for ${ours}, ${formatShape(tensor.shape)})`);
    }
    found.set(ours, name);
    const e = entries[name];
    const shape = source.transposed ? [...tensor.shape].reverse() : [...tensor.shape];
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`loadPytorch: ${name} is ${formatShape(e.shape)}, ${ours} needs ${formatShape(shape)} there${source.transposed ? ` (PyTorch's [out, in] of tmnn's ${formatShape(tensor.shape)})` : ''}`);
    }
  }
  const wanted = new Set(found.values());
  const extra = Object.keys(entries).filter((name) => !wanted.has(name) && !IGNORED.test(name));
  if (extra.length) throw new ValueError(`loadPytorch: the state_dict holds ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}, which the model has no place for (a different architecture?)`);
  for (const [ours, { tensor, source }] of sources) {
    const e = entries[found.get(ours)!];
    tidy(() => {
      const value = fromStorageArray(e.data, e.shape, e.dtype);
      const laid = source.transposed ? transpose(value) : value;
      tensor.assign(laid.dtype === tensor.dtype ? laid : laid.cast(tensor.dtype));
    });
  }
  loaded(model);
}
