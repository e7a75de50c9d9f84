// TensorFlow.js as a training peer: the same MLP, data, optimiser and batch
// size as tmnn's training benchmark, built and trained the way a tfjs user
// would — tfjs-layers Sequential + model.fit — on tfjs's cpu, wasm or webgpu
// backend.
//
// Timing, to be fair to tfjs:
// - Only model.fit is timed (plus one read of a small weight afterwards, so
//   that any queued GPU work counts). Building the model, uploading the data
//   and one-hot encoding the labels happen before the clock starts.
// - Warm-up: one untimed call of model.fit on the first samples of the data
//   (a warm-up of a few batches, not a whole epoch), so that no kernel
//   compilation is timed. Its size is chosen so that it runs every code path
//   the timed fit runs: at least one full batch, plus the size of the timed
//   run's last, partial batch when count is not a multiple of batchSize; and
//   on webgpu at least WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD (1,000) samples,
//   because tfjs-webgpu runs ops on tensors smaller than that on the CPU —
//   fit's shuffled index array among them — so a one-batch warm-up would leave
//   three pipelines (slice, cast, gather) to compile inside the timed epoch.
//   On 8,000 digits in batches of 128 that is 8 full batches and one of 64.
//   On webgpu, a warning is printed if the timed fit still compiled pipelines.
//   The warm-up trains a model of its own (same architecture, same seed) that
//   is then disposed, so the timed fit starts from freshly initialised weights
//   and a fresh Adam on every backend, and its final loss is comparable
//   across backends.
// - verbose 0 and no callbacks, so fit neither logs nor yields to the event
//   loop between batches; losses stay on the device until fit's end, as tfjs
//   does by default.
//
// Seeding: the Dense kernels use glorotUniform with a seed (biases start at
// zero), so the initial weights are reproducible. model.fit's shuffle uses
// Math.random and takes no seed, so while the timed fit runs Math.random is a
// generator seeded from the same seed (and put back after): the batch order,
// and so the final loss and test accuracy, repeat from run to run, as tmnn's
// do (its fit takes a seed), and a comparison of accuracies over a few seeds
// compares like with like.
//
// Exit: everything made here is disposed. With Dawn 0.6.2 a script that used
// the webgpu backend exits by itself; ending it with process.exit() is a
// harmless precaution should a Dawn build keep the event loop alive (see
// tfjs-webgpu-node.ts).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { rng } from '../../src/random.js';
import { useTfjs } from './tfjs.js';
import { useTfjsWebgpu } from './tfjs-webgpu-node.js';

export type TfjsTrainingBackend = 'cpu' | 'wasm' | 'webgpu';

export interface TfjsTrainingData {
  /** [count, 784] pixel values in [0, 1]. */
  images: Float32Array;
  /** [count] class labels 0–9. */
  labels: Int32Array;
  count: number;
}

export interface TfjsTrainingOptions {
  batchSize: number;
  epochs: number;
  /** Widths of the hidden (ReLU) layers, e.g. [256, 256]. */
  hidden: number[];
  /** Adam's learning rate. */
  lr: number;
  /** Seed for the weight initialisers (default 1). */
  seed?: number;
}

export interface TfjsTrainingResult {
  /** Training samples per second over the timed fit: count × epochs / seconds. */
  samplesPerSecond: number;
  /** Mean training loss (categorical cross-entropy) of the last epoch. */
  finalLoss: number;
  /** Fraction of `test` classified correctly after training, when `test` is given. */
  testAccuracy?: number;
}

const PIXELS = 784;
const CLASSES = 10;

async function activate(backend: TfjsTrainingBackend): Promise<void> {
  if (backend === 'wasm') await useTfjs('wasm');
  else if (backend === 'webgpu') await useTfjsWebgpu();
  else {
    if (!(await tf.setBackend('cpu'))) throw new Error("tfjs: the 'cpu' backend did not start");
    await tf.ready();
  }
  if (tf.getBackend() !== backend) throw new Error(`tfjs: asked for the '${backend}' backend, got '${tf.getBackend()}'`);
}

function inputs(data: TfjsTrainingData): { x: tf.Tensor2D; y: tf.Tensor2D } {
  if (data.images.length !== data.count * PIXELS || data.labels.length !== data.count) {
    throw new Error(`tfjs training data: expected ${data.count} × ${PIXELS} pixels and ${data.count} labels, got ${data.images.length} and ${data.labels.length}`);
  }
  const x = tf.tensor2d(data.images.subarray(0, data.count * PIXELS), [data.count, PIXELS]);
  // One-hot on the host: tf.cast(tf.oneHot(...)) would leave, on webgpu, a
  // float32 tensor over an int32 buffer, whose gather compiles its own pipeline.
  const oneHot = new Float32Array(data.count * CLASSES);
  data.labels.forEach((label, i) => {
    if (!(label >= 0 && label < CLASSES)) throw new Error(`tfjs training data: label ${label} at ${i} is not in 0–${CLASSES - 1}`);
    oneHot[i * CLASSES + label] = 1;
  });
  const y = tf.tensor2d(oneHot, [data.count, CLASSES]);
  return { x, y };
}

function buildModel(hidden: number[], seed: number): tfl.Sequential {
  const model = tfl.sequential();
  const widths = [...hidden, CLASSES];
  widths.forEach((units, i) => {
    model.add(
      tfl.layers.dense({
        units,
        activation: i < hidden.length ? 'relu' : 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }),
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [PIXELS] } : {}),
      }),
    );
  });
  return model;
}

/** Keys of tfjs-webgpu's pipeline cache (a private field, read for the warm-up check); none on other backends. */
function webgpuPipelines(): string[] {
  const cache = (tf.backend() as unknown as { pipelineCache?: object }).pipelineCache;
  return cache ? Object.keys(cache) : [];
}

async function accuracy(model: tfl.Sequential, test: TfjsTrainingData, batchSize: number): Promise<number> {
  const { x, y } = inputs(test);
  const correct = tf.tidy(() => {
    // Functional ops: the Node build of tfjs-core does not register chained ones.
    const predicted = tf.argMax(model.predict(x, { batchSize }) as tf.Tensor2D, 1);
    return tf.sum(tf.cast(tf.equal(predicted, tf.argMax(y, 1)), 'int32'));
  });
  const hits = (await correct.data())[0];
  tf.dispose([x, y, correct]);
  return hits / test.count;
}

/**
 * Trains a fresh tfjs-layers MLP 784-hidden…-10 (ReLU, softmax, categorical
 * cross-entropy, Adam) on `data` with model.fit for `options.epochs` epochs on
 * the given tfjs backend, and returns training samples per second over the
 * timed fit (after an untimed warm-up of a few batches; see the top of this
 * file), the
 * last epoch's mean loss and, when `test` is given, test accuracy.
 * Leaves the tfjs backend it used active.
 */
export async function tfjsTrainingSamplesPerSecond(
  backend: TfjsTrainingBackend,
  data: TfjsTrainingData,
  options: TfjsTrainingOptions,
  test?: TfjsTrainingData,
): Promise<TfjsTrainingResult> {
  const { batchSize, epochs, hidden, lr } = options;
  if (!(data.count > 0 && batchSize > 0 && epochs > 0)) throw new Error('tfjs training: count, batchSize and epochs must be positive');
  await activate(backend);
  const before = tf.memory().numTensors;

  const seed = options.seed ?? 1;
  const { x, y } = inputs(data);
  const compiled = (model: tfl.Sequential) => {
    const optimizer = tf.train.adam(lr);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    return optimizer;
  };
  // Reads the output layer's bias (10 floats): waits for all queued work.
  const settle = async (model: tfl.Sequential) => {
    await model.layers[model.layers.length - 1].getWeights()[1].data();
  };

  // Warm-up (untimed), on a model of its own that is then thrown away; see the
  // top of this file for its size.
  const partial = data.count % batchSize;
  const gpuHandoff = backend === 'webgpu' ? tf.env().getNumber('WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD') : 0;
  const fullBatches = Math.max(1, Math.ceil((Math.min(data.count, gpuHandoff) - partial) / batchSize));
  const warmCount = Math.min(data.count, fullBatches * batchSize + partial);
  {
    const warmModel = buildModel(hidden, seed);
    const warmOptimizer = compiled(warmModel);
    const warmX = tf.slice(x, [0, 0], [warmCount, PIXELS]);
    const warmY = tf.slice(y, [0, 0], [warmCount, CLASSES]);
    await warmModel.fit(warmX, warmY, { batchSize, epochs: 1, shuffle: true, verbose: 0 });
    await settle(warmModel);
    tf.dispose([warmX, warmY]);
    warmModel.dispose();
    warmOptimizer.dispose();
  }

  // The timed model: same seed, so the same initial weights as the warm-up's.
  const model = buildModel(hidden, seed);
  const optimizer = compiled(model);
  const pipelines = new Set(webgpuPipelines());
  const random = Math.random;
  Math.random = rng(seed); // tmnn's own generator (mulberry32), as its fit shuffles with
  const start = performance.now();
  let history: tfl.History;
  let seconds: number;
  try {
    history = await model.fit(x, y, { batchSize, epochs, shuffle: true, verbose: 0 });
    await settle(model); // the last Adam step included
    seconds = (performance.now() - start) / 1000;
  } finally {
    Math.random = random;
  }
  const missed = webgpuPipelines().filter((key) => !pipelines.has(key));
  if (missed.length > 0) console.warn(`tfjs training peer: webgpu compiled ${missed.length} pipeline(s) inside the timed fit, missed by the warm-up: ${missed.join(', ')}`);

  const losses = history.history.loss as number[];
  const result: TfjsTrainingResult = {
    samplesPerSecond: (data.count * epochs) / seconds,
    finalLoss: losses[losses.length - 1],
  };
  if (test) result.testAccuracy = await accuracy(model, test, batchSize);

  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  const leaked = tf.memory().numTensors - before;
  if (leaked > 0) console.warn(`tfjs training peer: ${leaked} tensors left undisposed on '${backend}'`);
  return result;
}
