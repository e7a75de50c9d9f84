// The tree-walk kernel (src/backends/tree_walk.ts, through ops/tree_walk.ts)
// against a float64 walk written here that takes every one of `depth` steps
// and folds the leaves' values tree by tree, on every backend: random
// forests of odd sizes whose thresholds the values hit exactly (±0 among
// them), NaN values and NaN thresholds, subnormals and infinities, depth-0
// forests (every tree a lone leaf), and a batch large enough that the native
// kernel splits its rows among threads. The leaves reached are checked
// exactly (each node's value its own index, min and max over the trees), the
// sum in f32 to 1e-6 (the kernels add one tree at a time in f32, as the
// reference does), min and max over values with NaN among them exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { treeWalk, type TreeReduction } from '../../src/ops/tree_walk.js';
// The library's seeded generator (mulberry32), so that a failure repeats.
import { rng as random } from '../../src/random.js';

/** Values the samples and the thresholds share, so that many comparisons are equal. */
const GRID = [-2, -1, -0.5, -0, 0, 0.25, 0.5, 1, 3, 1e-45, -1e-45, Infinity, -Infinity];

interface Forest {
  features: Int32Array;
  thresholds: Float32Array;
  next: Int32Array;
  roots: Int32Array;
  depth: number;
}

/** T random trees of at most maxDepth levels over F features; NaN thresholds at some branches. */
function randomForest(rand: () => number, trees: number, features: number, maxDepth: number): Forest {
  const f: number[] = [], th: number[] = [], next: number[] = [], roots: number[] = [];
  let depth = 0;
  const node = (level: number): number => {
    const i = f.length;
    f.push(0);
    th.push(0);
    next.push(i, i, i, i);
    if (level >= maxDepth || (level > 0 && rand() < 0.25)) {
      th[i] = rand() * 4 - 2; // a leaf's threshold, never read
      depth = Math.max(depth, level);
      return i;
    }
    f[i] = Math.floor(rand() * features);
    th[i] = rand() < 0.08 ? NaN : rand() < 0.7 ? GRID[Math.floor(rand() * GRID.length)] : rand() * 4 - 2;
    const left = node(level + 1), right = node(level + 1);
    for (let r = 0; r < 4; r++) next[i * 4 + r] = rand() < 0.5 ? left : right;
    return i;
  };
  for (let t = 0; t < trees; t++) roots.push(node(0));
  // Roots listed in a shuffled order: a tree's nodes need not follow its root.
  for (let t = trees - 1; t > 0; t--) {
    const j = Math.floor(rand() * (t + 1));
    [roots[t], roots[j]] = [roots[j], roots[t]];
  }
  return { features: Int32Array.from(f), thresholds: Float32Array.from(th), next: Int32Array.from(next), roots: Int32Array.from(roots), depth };
}

/** Samples [N, F] from the grid, uniform values and NaN, rounded to f32. */
function randomSamples(rand: () => number, n: number, features: number): Float32Array {
  return Float32Array.from({ length: n * features }, () => {
    const u = rand();
    return u < 0.1 ? NaN : u < 0.6 ? GRID[Math.floor(rand() * GRID.length)] : rand() * 6 - 3;
  });
}

/** Every one of `depth` steps from each root, in float64 (the values are f32, so exact). */
function walkRef(x: Float32Array, [n, cols]: number[], forest: Forest): Int32Array {
  const t = forest.roots.length;
  const out = new Int32Array(n * t);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < t; k++) {
      let at = forest.roots[k];
      for (let step = 0; step < forest.depth; step++) {
        const value = x[r * cols + forest.features[at]], threshold = forest.thresholds[at];
        const relation = Number.isNaN(value) ? 3 : (value > threshold ? 2 : 0) + (value === threshold ? 1 : 0);
        at = forest.next[at * 4 + relation];
      }
      out[r * t + k] = at;
    }
  }
  return out;
}

/** out [N, K]: each row's leaves' values folded over the trees in order, in f32, a NaN passed on by min and max. */
function reduceRef(leaves: Int32Array, [n, t]: number[], values: Float32Array, k: number, reduction: TreeReduction): Float32Array {
  const out = new Float32Array(n * k).fill(reduction === 'sum' ? 0 : reduction === 'min' ? Infinity : -Infinity);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < t; j++) {
      for (let c = 0; c < k; c++) {
        const held = out[r * k + c], v = values[leaves[r * t + j] * k + c];
        if (reduction === 'sum') out[r * k + c] = held + v;
        else if (Number.isNaN(v) || (reduction === 'min' ? v < held : v > held)) out[r * k + c] = v;
      }
    }
  }
  return out;
}

const CASES = [
  { what: 'odd sizes', n: 7, trees: 5, features: 3, maxDepth: 4, seed: 1 },
  { what: 'one row, one tree, one feature', n: 1, trees: 1, features: 1, maxDepth: 6, seed: 2 },
  { what: 'deep trees over many features', n: 33, trees: 9, features: 17, maxDepth: 11, seed: 3 },
  { what: 'depth 0 (every tree a lone leaf)', n: 5, trees: 7, features: 3, maxDepth: 0, seed: 4 },
  { what: 'no rows', n: 0, trees: 3, features: 2, maxDepth: 3, seed: 5 },
  { what: 'a batch the native kernel splits among threads', n: 1001, trees: 37, features: 13, maxDepth: 8, seed: 6 },
];

describe.each(BACKENDS)('tree walk on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(CASES)('reaches the leaf each tree leads each row to, as a walk of every step: $what', async (c) => {
    const rand = random(c.seed);
    const forest = randomForest(rand, c.trees, c.features, c.maxDepth);
    const xs = randomSamples(rand, c.n, c.features);
    const leaves = walkRef(xs, [c.n, c.features], forest);
    const { x, tables } = upload(xs, [c.n, c.features], forest);
    // Each node's value its own index: the smallest and largest leaf reached.
    const m = forest.features.length;
    const ids = tm.tensor(Float32Array.from({ length: m }, (_, i) => i), [m, 1]);
    for (const reduction of ['min', 'max'] as const) {
      const got = treeWalk(x, tables, ids, reduction);
      expect(got.shape).toEqual([c.n, 1]);
      expect(got.dtype).toBe('f32');
      const want = reduceRef(leaves, [c.n, c.trees], await ids.data() as Float32Array, 1, reduction);
      expect(Array.from(await got.data())).toEqual(Array.from(want));
      got.dispose();
    }
    for (const t of [x, ids, ...Object.values(tables)]) if (t instanceof tm.Tensor) t.dispose();
  });

  it.each(CASES)('folds the leaves\' values over the trees: sum, min and max of 3 columns (41 for the large batch) with NaN among them: $what', async (c) => {
    const rand = random(c.seed + 100);
    const forest = randomForest(rand, c.trees, c.features, c.maxDepth);
    const xs = randomSamples(rand, c.n, c.features);
    const leaves = walkRef(xs, [c.n, c.features], forest);
    const { x, tables } = upload(xs, [c.n, c.features], forest);
    // Three columns; a classifier with many classes reads many more, each folded by the same loop (the last case).
    const m = forest.features.length, k = c.n > 1000 ? 41 : 3;
    const valueData = Float32Array.from({ length: m * k }, () => (rand() < 0.05 ? NaN : rand() * 4 - 2));
    const values = tm.tensor(valueData, [m, k]);
    for (const reduction of ['sum', 'min', 'max'] as const) {
      const got = await treeWalk(x, tables, values, reduction).data();
      const want = reduceRef(leaves, [c.n, c.trees], valueData, k, reduction);
      expect(got.length).toBe(want.length);
      want.forEach((w, i) => {
        if (Number.isNaN(w) || reduction !== 'sum') expect(got[i]).toBe(w);
        else expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(w)));
      });
    }
    for (const t of [x, values, ...Object.values(tables)]) if (t instanceof tm.Tensor) t.dispose();
  });
});

/** x and the forest's tables as tensors. */
function upload(xs: Float32Array, shape: number[], forest: Forest) {
  return {
    x: tm.tensor(xs, shape),
    tables: {
      features: tm.tensor(forest.features, [forest.features.length], { dtype: 'i32' }),
      thresholds: tm.tensor(forest.thresholds, [forest.thresholds.length]),
      next: tm.tensor(forest.next, [forest.next.length], { dtype: 'i32' }),
      roots: tm.tensor(forest.roots, [forest.roots.length], { dtype: 'i32' }),
      depth: forest.depth,
    },
  };
}
