// A Sequential's summary, as Keras's model.summary() prints it: each layer's
// type, the shape of what it gives for an input shape (from a forward pass
// on a batch of two zeros — ids for an Embedding or EmbeddingBag first, and two samples so
// that a BatchNorm without running estimates has a variance — in eval mode,
// without gradients; the batch shown as N), and its parameter count; the
// totals below.
import { tidy } from '../engine.js';
import { ShapeError } from '../errors.js';
import { zeros } from '../ops/index.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { BYTES_PER_ELEMENT } from '../dtype.js';
import { takesIds } from './id_inputs.js';
import { isQuantized } from './quantized_layers.js';
import { inEvalMode, type Module } from './module.js';
import { refuseUnbuilt } from './unbuilt.js';

/** Lines of a table: the layers of `layers` in order; with `inputShape` (one sample's, without the batch), each one's output shape. */
export function summarize(model: Module, layers: readonly Module[], inputShape?: readonly number[]): string {
  // Even with inputShape, whose forward would build a lazy layer: a summary describes the model, it does not change it.
  refuseUnbuilt('summary', model);
  const shapes = inputShape ? outputShapes(model, layers, inputShape) : null;
  const rows = layers.map((layer, i) => {
    const count = [...layer.parameters(), ...quantizedWeights(layer)].reduce((n, p) => n + p.size, 0);
    return [`${i}  ${layer.config().type}`, ...(shapes ? [`[N${shapes[i].slice(1).map((d) => `,${d}`).join('')}]`] : []), count.toLocaleString('en-US')];
  });
  const header = ['layer', ...(shapes ? ['output shape'] : []), 'parameters'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  // Counts right-aligned (the last column), the rest left.
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('   ');
  const all = model.parameters();
  const quantized = quantizedWeights(model);
  const total = [...all, ...quantized].reduce((n, p) => n + p.size, 0);
  const trainable = all.filter((p) => p.requiresGrad).reduce((n, p) => n + p.size, 0);
  const int8 = quantized.filter((t) => t.dtype === 'i8').reduce((n, t) => n + t.size, 0);
  // The quantized layers' scales are memory, not parameters: in the bytes only.
  const scales = model.modules().flatMap((layer) => (isQuantized(layer) ? layer.weightScales() : []));
  const bytes = [...all, ...quantized, ...scales].reduce((n, p) => n + p.size * BYTES_PER_ELEMENT[p.dtype], 0);
  return [
    line(header),
    '-'.repeat(line(header).length),
    ...rows.map(line),
    '-'.repeat(line(header).length),
    `parameters: ${total.toLocaleString('en-US')} (${trainable.toLocaleString('en-US')} trainable${int8 ? `, ${int8.toLocaleString('en-US')} int8` : ''}), ${(bytes / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} KiB`,
  ].join('\n');
}

/**
 * The weights and biases of the quantized layers in `layer` (QuantizedDense, QuantizedLSTM, the quantized cells…):
 * parameters of the model as its float form had them, counted as such
 * though they are buffers (not trained), so a model shows the same count
 * before and after tm.nn.quantizeDynamic and its bytes drop.
 */
function quantizedWeights(layer: Module): Tensor[] {
  return layer.modules().flatMap((m) => (isQuantized(m) ? m.weightsAndBiases() : []));
}

/** Each layer's output shape for a batch of two samples of `inputShape`. */
function outputShapes(model: Module, layers: readonly Module[], inputShape: readonly number[]): number[][] {
  return inEvalMode(model, () => noGrad(() => tidy(() => {
    let h: Tensor = zeros([2, ...inputShape], { dtype: takesIds(layers[0]) ? 'i32' : 'f32' });
    const shapes: number[][] = [];
    for (const [i, layer] of layers.entries()) {
      try {
        h = layer.forward(h);
      } catch (err) {
        throw new ShapeError(`summary: layer ${i} (${layer.config().type}) refuses its input: ${(err as Error).message}`);
      }
      shapes.push([...h.shape]);
    }
    return shapes;
  })));
}
