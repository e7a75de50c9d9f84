// Sequential: layers applied in order, with the Keras-style conveniences a
// training script wants (fit, predict, evaluate, save). fit and evaluate (with
// tm.data and tm.metrics behind them) and the model file format load on first
// use: they return promises anyway, and a page that trains with its own loop
// then never downloads them (bundled with code splitting).
import { concat } from '../ops/index.js';
import { ValueError } from '../errors.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import type { Dataset } from '../data/dataset.js';
import { checkBatchSize, checkOptions } from '../options.js';
import type { Batch, EvaluateOptions, Evaluation, FitOptions, History } from './fit.js';
import { writeFileAtomic } from '../io/file.js';
import { Module, inEvalMode, type LayerConfig } from './module.js';
import { readEntries } from './state_entries.js';
import { summarize } from './summary.js';

export class Sequential extends Module {
  readonly layers: Module[];

  constructor(layers: Module[]) {
    super();
    if (!Array.isArray(layers) || layers.some((l) => !(l instanceof Module))) {
      throw new ValueError('Sequential: expects an array of layers (tm.nn.Dense, tm.nn.ReLU, …)');
    }
    this.layers = [...layers];
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers) {
      let next: Tensor;
      try {
        next = layer.forward(h);
      } catch (err) {
        if (h !== x) h.dispose();
        throw err;
      }
      // Intermediates can go at once (autograd holds what backward needs), unless the
      // layer handed its input back (an identity), which is then the next input.
      if (h !== x && h !== next) h.dispose();
      h = next;
    }
    return h === x ? x.reshape(x.shape) : h;
  }

  override children(): Module[] {
    return this.layers;
  }

  config(): LayerConfig {
    return { type: 'Sequential', layers: this.layers.map((l) => l.config()) };
  }

  /**
   * A table of the layers (type, parameter count, and with `inputShape` —
   * one sample's, without the batch — the shape each gives for a batch of
   * one) and the totals, as Keras's model.summary(). Print it.
   */
  summary(inputShape?: readonly number[]): string {
    return summarize(this, this.layers, inputShape);
  }

  /** Outputs for x in eval mode, without recording gradients, in batches. */
  predict(x: Tensor, options: { batchSize?: number } = {}): Tensor {
    const batchSize = checkOptions('predict', options, { batchSize: true }).batchSize ?? 1024;
    // 0 stepped through x forever; NaN sliced nothing.
    checkBatchSize('predict', batchSize);
    return inEvalMode(this, () =>
      noGrad(() => {
        // A 1-D x is one sample: its axis holds features, not samples to batch.
        if (x.rank <= 1 || x.shape[0] <= batchSize) return this.forward(x);
        const parts: Tensor[] = [];
        try {
          for (let from = 0; from < x.shape[0]; from += batchSize) {
            const xb = x.slice([from], [Math.min(batchSize, x.shape[0] - from)]);
            try {
              parts.push(this.forward(xb));
            } finally {
              xb.dispose();
            }
          }
          return concat(parts, 0);
        } finally {
          parts.forEach((p) => p.dispose());
        }
      }),
    );
  }

  /**
   * Trains on (x, y), or on a tm.data.Dataset of batches { x, y } or [x, y]
   * (an epoch is one pass over it; batch and shuffle it with its own methods);
   * see FitOptions. Resolves to the per-epoch history.
   */
  fit(x: Tensor, y: Tensor, options?: FitOptions): Promise<History>;
  fit(dataset: Dataset<Batch>, options?: FitOptions): Promise<History>;
  async fit(x: Tensor | Dataset<Batch>, y?: Tensor | FitOptions, options?: FitOptions): Promise<History> {
    return (await import('./fit.js')).fitModel(this, x, y, options);
  }

  /** Mean loss (and accuracy for classification losses) over (x, y), or over a tm.data.Dataset of batches. */
  evaluate(x: Tensor, y: Tensor, options?: EvaluateOptions): Promise<Evaluation>;
  evaluate(dataset: Dataset<Batch>, options?: EvaluateOptions): Promise<Evaluation>;
  async evaluate(x: Tensor | Dataset<Batch>, y?: Tensor | EvaluateOptions, options?: EvaluateOptions): Promise<Evaluation> {
    return (await import('./fit.js')).evaluateModel(this, x, y, options);
  }

  /** The model (architecture and weights) as safetensors bytes. */
  async toBytes(): Promise<Uint8Array> {
    // Read from this call on, before the file format loads: a step taken meanwhile is in no part of the file (state_entries.ts).
    const params = this.namedState();
    const entries = readEntries('save', params);
    return (await import('./serialize.js')).modelToBytes(this, params, entries);
  }

  /** Writes the model to a .safetensors file, atomically (a crash leaves the old file). */
  async save(path: string | URL): Promise<void> {
    const bytes = this.toBytes();
    await writeFileAtomic(path, await bytes);
  }
}
