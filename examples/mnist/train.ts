// The MNIST example: an MLP 784-256-128-10 (or, with model 'cnn', two
// convolutions and a Dense; with model 'lstm', an LSTM reading each digit a
// row at a time, 28 steps of 28 pixels, and a Dense on its last state)
// trained on 8,000 real digits and tested on 2,000
// others. Prints what the machine offers, trains with a
// progress bar, reports accuracy (on the test digits, and on them moved a
// little: rotated, shifted, scaled) and the confusion matrix, saves the model
// and a chart of the training curves. With `augment`, each training batch is
// moved the same way by tm.vision first (augment.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tm from '../../src/index.js';
import { lineChartSvg } from '../chart.js';
import { augmentedBatches, movedTestDigits, TEST_MOVES, TRAIN_MOVES } from './augment.js';
import { loadDigits, withShiftedCopies } from './data.js';

/** 'mlp' (the default), 'cnn' or 'lstm', as the header says: the MLP has 235,146 weights, the CNN 9,098, the LSTM 24,714. */
export type MnistModel = 'mlp' | 'cnn' | 'lstm';
export const MODELS: readonly MnistModel[] = ['mlp', 'cnn', 'lstm'];

/** Each model, and the shape it reads a digit in. */
const ARCHITECTURES: Record<MnistModel, { input: number[]; describe: string; layers: () => tm.nn.Module[] }> = {
  mlp: {
    input: [784],
    describe: 'Dense 784→256→128→10',
    layers: () => [new tm.nn.Dense(784, 256, { activation: 'relu' }), new tm.nn.Dense(256, 128, { activation: 'relu' }), new tm.nn.Dense(128, 10)],
  },
  cnn: {
    input: [1, 28, 28], // a 1-channel 28×28 image
    describe: 'Conv2d 1→8, MaxPool2d, Conv2d 8→16, MaxPool2d, Dense 784→10',
    layers: () => [
      new tm.nn.Conv2d(1, 8, 3, { padding: 1 }), new tm.nn.ReLU(), new tm.nn.MaxPool2d(2),
      new tm.nn.Conv2d(8, 16, 3, { padding: 1 }), new tm.nn.ReLU(), new tm.nn.MaxPool2d(2),
      new tm.nn.Flatten(),
      new tm.nn.Dense(16 * 7 * 7, 10),
    ],
  },
  lstm: {
    input: [28, 28], // 28 steps (rows) of 28 pixels
    describe: 'LSTM 28→64 over the 28 rows, Dense 64→10 on its last state',
    layers: () => [new tm.nn.LSTM(28, 64, { output: 'last' }), new tm.nn.Dense(64, 10)],
  },
};

export interface MnistOptions {
  model?: MnistModel;
  backend?: tm.BackendName;
  train?: number;
  test?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Each training batch through tm.vision.RandomAffine (augment.ts) in a tm.data pipeline. Default false. */
  augment?: boolean;
  /** Where the model and the chart go. */
  outDir?: string;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface MnistResult {
  backend: tm.BackendName;
  testAccuracy: number;
  /** Accuracy on the test digits moved by a fixed seeded draw of augment.ts's moves. */
  movedAccuracy: number;
  confusion: number[][];
  history: tm.nn.History;
  samplesPerSecond: number;
  modelPath: string;
  chartPath: string;
}

export function formatConfusion(m: number[][]): string {
  const head = `true\\pred ${m.map((_, j) => String(j).padStart(5)).join('')}`;
  return [head, ...m.map((row, i) => `${String(i).padStart(9)} ${row.map((v) => String(v).padStart(5)).join('')}`)].join('\n');
}

export async function runMnist(options: MnistOptions = {}): Promise<MnistResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const backend = await tm.init(options.backend ? { backend: options.backend } : {});
  const selection = tm.backendSelection();
  log(`tmnn ${tm.VERSION} · backend ${backend} (${selection.reason})`);
  for (const p of selection.passedOver) log(`  passed over ${p.name}: ${p.why}`);

  const seed = options.seed ?? 7;
  tm.setSeed(seed);
  const { train: digits, test } = loadDigits({ train: options.train ?? 8000, test: options.test ?? 2000, seed });
  const train = withShiftedCopies(digits, seed, 2);
  log(`data: ${digits.count} training digits (plus two shifted copies of each) and ${test.count} test digits, from the mnist package`);

  const kind = options.model ?? 'mlp';
  const architecture = ARCHITECTURES[kind];
  const image = architecture.input;
  const xTrain = tm.tensor(train.images, [train.count, ...image]);
  const yTrain = tm.tensor(train.labels, [train.count]);
  const xTest = tm.tensor(test.images, [test.count, ...image]);
  const yTest = tm.tensor(test.labels, [test.count]);

  const model = new tm.nn.Sequential(architecture.layers());
  log(`model: ${architecture.describe} (${model.parameters().reduce((n, p) => n + p.size, 0).toLocaleString('en-US')} weights)`);
  // The LSTM learns faster at a larger rate, its gradients clipped as recurrent networks' are.
  const optimizer = new tm.optim.Adam(model.parameters(), { lr: options.lr ?? (kind === 'lstm' ? 3e-3 : 1e-3) });
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 64;
  const common = {
    epochs,
    loss: 'crossEntropy',
    optimizer,
    scheduler: new tm.optim.CosineAnnealingLR(optimizer, { tMax: epochs }),
    clipGradNorm: kind === 'lstm' ? 1 : undefined,
    validationData: [xTest, yTest],
    quiet: options.quiet, // else fit writes a line per epoch to stderr (val: the test digits), with a bar on a terminal
  } satisfies tm.nn.FitOptions;
  let history: tm.nn.History;
  if (options.augment) {
    log(`augmentation: each training batch through tm.vision.RandomAffine (${TRAIN_MOVES.text}), a new draw per digit each epoch`);
    history = await model.fit(augmentedBatches(xTrain, yTrain, { batchSize, seed }), common);
  } else {
    history = await model.fit(xTrain, yTrain, { ...common, batchSize, seed });
  }

  const logits = model.predict(xTest);
  const [matrix, accuracy] = [tm.metrics.confusionMatrix(logits, yTest), tm.metrics.accuracy(logits, yTest)];
  const confusion = (await matrix.array()) as number[][];
  const testAccuracy = await accuracy.item();
  for (const t of [logits, matrix, accuracy]) t.dispose();
  log(`test accuracy: ${(100 * testAccuracy).toFixed(2)}% on ${test.count} digits the model never saw`);
  const movedAccuracy = await accuracyOn(model, movedTestDigits(xTest, seed + 1), yTest);
  log(`moved test accuracy: ${(100 * movedAccuracy).toFixed(2)}% on the same digits ${TEST_MOVES.text}${options.augment ? '' : ' (--augment trains on moves like these)'}`);
  log(`confusion matrix (rows: true digit, columns: predicted):\n${formatConfusion(confusion)}`);

  const outDir = options.outDir ?? 'output/mnist';
  await mkdir(outDir, { recursive: true });
  const modelPath = join(outDir, 'model.safetensors');
  const chartPath = join(outDir, 'training.svg');
  await model.save(modelPath);
  await writeFile(chartPath, lineChartSvg([
    { title: 'loss', series: [{ name: 'train loss', values: history.loss, colour: '#1f77b4' }, { name: 'test loss', values: history.valLoss, colour: '#ff7f0e' }] },
    {
      title: 'accuracy',
      format: (v) => `${(100 * v).toFixed(1)}%`,
      series: [{ name: 'train', values: history.accuracy, colour: '#1f77b4' }, { name: 'test', values: history.valAccuracy, colour: '#ff7f0e' }],
    },
  ]));
  log(`saved the model to ${modelPath} and the training curves to ${chartPath}`);

  const samplesPerSecond = history.epochs.reduce((s, e) => s + e.samplesPerSecond, 0) / history.epochs.length;
  model.dispose();
  optimizer.dispose();
  for (const t of [xTrain, yTrain, xTest, yTest]) t.dispose();
  return { backend, testAccuracy, movedAccuracy, confusion, history, samplesPerSecond, modelPath, chartPath };
}

/** The model's accuracy on x, y; x is freed. */
async function accuracyOn(model: tm.nn.Sequential, x: tm.Tensor, y: tm.Tensor): Promise<number> {
  const logits = model.predict(x);
  const accuracy = tm.metrics.accuracy(logits, y);
  const value = await accuracy.item();
  for (const t of [x, logits, accuracy]) t.dispose();
  return value;
}
