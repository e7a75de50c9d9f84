// Training throughput on the webgpu backend next to tfjs-webgpu on the same
// adapter, for the device kit (scripts/device-kit.sh), which carries no MNIST
// digits: the MLP, optimiser and batch of `npm run bench -- training`
// (bench/training.ts, bench/peers/tfjs-train.ts) on random data of MNIST's
// shape. Samples per second do not depend on the pixel values; the labels
// come from a fixed random linear map of the pixels, so the loss still falls.
import { TRAINING, tmnnTraining } from '../training.js';
import { printTable } from '../harness.js';
import { tfjsTrainingSamplesPerSecond } from '../peers/tfjs-train.js';
import type { Digits } from '../../examples/mnist/data.js';
import { rng } from '../../src/random.js';

const PIXELS = 784;
const CLASSES = 10;

/** `count` random images in [0, 1) with labels a linear map of them can learn. */
function randomDigits(count: number, seed: number): Digits {
  const next = rng(seed);
  const images = Float32Array.from({ length: count * PIXELS }, () => next());
  const map = Float32Array.from({ length: PIXELS * CLASSES }, () => next() - 0.5);
  const labels = Int32Array.from({ length: count }, (_, i) => {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let score = 0;
      for (let p = 0; p < PIXELS; p++) score += images[i * PIXELS + p] * map[p * CLASSES + c];
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    return best;
  });
  return { images, labels, count };
}

export async function webgpuTrainingTable(): Promise<void> {
  const data = randomDigits(8192, 5);
  const epochs = 2;
  const title = `training MLP 784-${TRAINING.hidden.join('-')}-10 (ReLU, softmax cross-entropy, Adam ${TRAINING.lr}, batch ${TRAINING.batchSize}) on webgpu, ${data.count} random samples of MNIST's shape, ${epochs} epochs`;
  let ours: Awaited<ReturnType<typeof tmnnTraining>>;
  try {
    ours = await tmnnTraining('webgpu', data, epochs);
  } catch (err) {
    console.log(`\n${title}: skipped, no adapter here: ${(err as Error).message}`);
    return;
  }
  const peer = await tfjsTrainingSamplesPerSecond('webgpu', data, { ...TRAINING, epochs, seed: 1 }).catch((err: Error) => err);
  printTable(
    title,
    ['', 'samples/s', 'final loss', '× tfjs-webgpu'],
    [
      ['tmnn webgpu', ours.samplesPerSecond, ours.finalLoss, peer instanceof Error ? '' : ours.samplesPerSecond / peer.samplesPerSecond],
      peer instanceof Error ? ['tfjs-webgpu', `failed: ${peer.message.slice(0, 60)}`, '', ''] : ['tfjs-webgpu', peer.samplesPerSecond, peer.finalLoss, 1],
    ],
    'Both on the same Dawn adapter, each after an untimed warm-up (pipelines, tile measurements); tmnn: Sequential.fit, tfjs: tfjs-layers model.fit. ' +
      'Random pixels: throughput only (`npm run bench -- training` trains on real MNIST digits).',
  );
}
