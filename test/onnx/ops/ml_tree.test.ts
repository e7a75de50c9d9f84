// ai.onnx.ml's TreeEnsembleRegressor and TreeEnsembleClassifier
// (src/onnx/ops/ml_tree.ts) on every backend, on random forests made here:
// trees of random depth up to 6 over odd feature counts, every branch mode
// (mixed, and all one mode), thresholds the samples hit exactly, NaN
// features with and without nodes_missing_value_tracks_true, node ids out
// of order, leaves with several weights (some on one target twice). Each
// is checked against a float64 loop written from onnxruntime's kernels
// (tree_ensemble_common.h's walk, tree_ensemble_aggregator.h's
// ScoreValue/has_score bookkeeping and binary classifier cases, ml_common.h's
// write_scores), and beside onnxruntime-web 1.30.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, randomInts, SEED, uniform } from '../../helpers/data.js';
import { onnxModel, type AttributeSpec } from '../../helpers/onnx.js';
import { runModel } from '../../helpers/onnx_run.js';
import { logistic, probit, transformRow, type Transform } from '../../helpers/ml_post_transform.js';
import { ortRun } from '../../helpers/ort.js';

const f32 = Math.fround;
const BRANCHES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'] as const;
type Mode = (typeof BRANCHES)[number] | 'LEAF';
type Aggregate = 'SUM' | 'AVERAGE' | 'MIN' | 'MAX';

/** A random number in [0, 1) from the tests' generator. */
const rand = (): number => uniform(1, 0, 1)[0];
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** The thresholds' grid: samples drawn from it land exactly on a threshold. */
const GRID = Array.from({ length: 17 }, (_, k) => (k - 8) * 0.25);

/** An ensemble as its attribute lists. */
interface Forest {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  modes: Mode[];
  values: number[];
  trueIds: number[];
  falseIds: number[];
  missing: number[];
  wTrees: number[];
  wNodes: number[];
  wIds: number[];
  wValues: number[];
}

interface ForestOptions {
  trees: number;
  features: number;
  /** Targets (regressor) or classes the weights go to. */
  targets: number;
  /** One mode for every branch, or a random one each. */
  mode?: Mode;
  /** The class ids a leaf's weights may take (default: any of the targets). */
  ids?: readonly number[];
  positive?: boolean;
  /** Every leaf writes every target once (no sparse leaves, no repeats). */
  dense?: boolean;
  /** The chance that a leaf has no weight at all. */
  bare?: number;
}

/** A random forest: trees of depth up to 6, node ids shuffled, each tree's root listed first as onnxruntime expects. */
function randomForest(o: ForestOptions): Forest {
  const f: Forest = { treeIds: [], nodeIds: [], featureIds: [], modes: [], values: [], trueIds: [], falseIds: [], missing: [], wTrees: [], wNodes: [], wIds: [], wValues: [] };
  const ids = o.ids ?? Array.from({ length: o.targets }, (_, k) => k);
  const weights: [number, number, number, number][] = [];
  for (let t = 0; t < o.trees; t++) {
    const treeId = t * 3 + 2;
    const maxDepth = 1 + Math.floor(rand() * 6);
    // Local nodes: [mode, feature, threshold, true, false, missing].
    const nodes: { mode: Mode; feature: number; value: number; yes: number; no: number; missing: number }[] = [];
    const grow = (depth: number): number => {
      const i = nodes.length;
      const leaf = depth === maxDepth || (depth > 0 && rand() < 0.25);
      // A leaf's nodes_values entry is what onnxruntime's one-output path reads when the leaf has no weight.
      nodes.push({ mode: 'LEAF', feature: 0, value: f32(uniform(1, -1, 1)[0]), yes: 0, no: 0, missing: 0 });
      if (leaf) return i;
      const node = nodes[i];
      node.mode = o.mode ?? pick(BRANCHES);
      node.feature = Math.floor(rand() * o.features);
      node.value = rand() < 0.8 ? pick(GRID) : f32(uniform(1, -2, 2)[0]);
      node.missing = rand() < 0.5 ? 1 : 0;
      node.yes = grow(depth + 1);
      node.no = grow(depth + 1);
      return i;
    };
    grow(0);
    // onnxruntime wants node ids below the number of nodes.
    const nodeIdOf = shuffle(nodes.map((_, i) => i));
    const order = [0, ...shuffle(nodes.map((_, i) => i).slice(1))];
    for (const i of order) {
      const n = nodes[i];
      f.treeIds.push(treeId);
      f.nodeIds.push(nodeIdOf[i]);
      f.featureIds.push(n.feature);
      f.modes.push(n.mode);
      f.values.push(n.value);
      f.trueIds.push(n.mode === 'LEAF' ? 0 : nodeIdOf[n.yes]);
      f.falseIds.push(n.mode === 'LEAF' ? 0 : nodeIdOf[n.no]);
      f.missing.push(n.missing);
      if (n.mode !== 'LEAF' || rand() < (o.bare ?? 0)) continue;
      const weight = () => f32(o.positive ? uniform(1, 0, 1)[0] : uniform(1, -1, 1)[0]);
      if (o.dense) {
        for (const id of ids) weights.push([treeId, nodeIdOf[i], id, weight()]);
        continue;
      }
      const chosen = ids.filter(() => rand() < 0.6);
      if (chosen.length === 0) chosen.push(pick(ids));
      if (rand() < 0.3) chosen.push(pick(chosen));
      for (const id of chosen) weights.push([treeId, nodeIdOf[i], id, weight()]);
    }
  }
  for (const [tree, node, id, w] of shuffle(weights)) {
    f.wTrees.push(tree);
    f.wNodes.push(node);
    f.wIds.push(id);
    f.wValues.push(w);
  }
  return f;
}

/** Samples [n, features]: many exactly on the grid (a threshold), some NaN, the rest anywhere. */
function randomSamples(n: number, features: number): Float64Array {
  return Float64Array.from({ length: n * features }, () => {
    const r = rand();
    return r < 0.45 ? pick(GRID) : r < 0.6 ? NaN : f32(uniform(1, -2.2, 2.2)[0]);
  });
}

// ---- the float64 reference: onnxruntime's kernels, loop by loop ----

/** The leaf a tree sends sample x to, as TreeEnsembleCommon::ProcessTreeNodeLeave walks (C++ comparisons: false with NaN but !=). */
function leafOf(f: Forest, root: number, x: ArrayLike<number>, index: Map<string, number>): number {
  let i = root;
  while (f.modes[i] !== 'LEAF') {
    const v = x[f.featureIds[i]], t = f.values[i];
    const cmp = { BRANCH_LEQ: v <= t, BRANCH_LT: v < t, BRANCH_GTE: v >= t, BRANCH_GT: v > t, BRANCH_EQ: v === t, BRANCH_NEQ: v !== t }[f.modes[i] as (typeof BRANCHES)[number]];
    const yes = cmp || (f.missing[i] === 1 && Number.isNaN(v));
    i = index.get(`${f.treeIds[i]}/${yes ? f.trueIds[i] : f.falseIds[i]}`)!;
  }
  return i;
}

/** For each sample, the leaves reached (one per tree, trees in onnxruntime's root order). */
function walk(f: Forest, x: Float64Array, features: number): number[][] {
  const index = new Map(f.nodeIds.map((id, i) => [`${f.treeIds[i]}/${id}`, i]));
  const roots = f.treeIds.flatMap((t, i) => (i === 0 || t !== f.treeIds[i - 1] ? [i] : []));
  const n = x.length / features;
  return Array.from({ length: n }, (_, s) => roots.map((r) => leafOf(f, r, x.subarray(s * features, (s + 1) * features), index)));
}

/** A leaf's weights in onnxruntime's order (sorted by tree, node, then position). */
function leafWeights(f: Forest, leaf: number): { id: number; w: number }[] {
  const out: { id: number; w: number }[] = [];
  for (let k = 0; k < f.wIds.length; k++) if (f.wTrees[k] === f.treeIds[leaf] && f.wNodes[k] === f.nodeIds[leaf]) out.push({ id: f.wIds[k], w: f.wValues[k] });
  return out;
}

interface Score {
  score: number;
  has: boolean;
}

/** write_scores for two or more scores: an unset ScoreValue reads 0. */
function transformAll(scores: Score[], t: Transform): number[] {
  return transformRow(scores.map((s) => (s.has ? s.score : 0)), t);
}

/** A reached leaf: its weights in onnxruntime's order, and its nodes_values entry (what a weightless leaf gives on the one-output path). */
interface Reached {
  weights: { id: number; w: number }[];
  value: number;
}

/** TreeEnsembleRegressor's Y row by row, through TreeAggregator{Sum,Average,Min,Max}. */
function regressorRef(f: Forest, x: Float64Array, features: number, targets: number, agg: Aggregate, transform: Transform, base: number[]): number[] {
  const reached = walk(f, x, features).map((leaves) => leaves.map((leaf): Reached => ({ weights: leafWeights(f, leaf), value: f.values[leaf] })));
  return aggregateRef(reached, targets, agg, transform, base);
}

/** The regressors' aggregation of the leaves each sample reached (one per tree). */
function aggregateRef(reached: Reached[][], targets: number, agg: Aggregate, transform: Transform, base: number[]): number[] {
  const out: number[] = [];
  for (const leaves of reached) {
    if (targets === 1) {
      // The one-output path: a leaf's first weight, base_values[0] when it is the only one, PROBIT or nothing.
      let s: Score = { score: 0, has: false };
      for (const leaf of leaves) {
        const w = leaf.weights[0]?.w ?? leaf.value;
        if (agg === 'SUM' || agg === 'AVERAGE') s = { score: s.score + w, has: s.has };
        else s = { score: !s.has || (agg === 'MIN' ? w < s.score : w > s.score) ? w : s.score, has: true };
      }
      const origin = base.length === 1 ? base[0] : 0;
      let z = agg === 'AVERAGE' ? s.score / leaves.length + origin : s.has || agg === 'SUM' ? s.score + origin : origin;
      if (transform === 'PROBIT') z = probit(z);
      out.push(z);
      continue;
    }
    const scores: Score[] = Array.from({ length: targets }, () => ({ score: 0, has: false }));
    for (const leaf of leaves) {
      for (const { id, w } of leaf.weights) {
        const s = scores[id];
        if (agg === 'SUM' || agg === 'AVERAGE') s.score += w;
        else s.score = !s.has || (agg === 'MIN' ? w < s.score : w > s.score) ? w : s.score;
        s.has = true;
      }
    }
    const useBase = base.length === targets;
    scores.forEach((s, k) => {
      if (agg === 'AVERAGE') s.score = s.score / leaves.length + (useBase ? base[k] : 0);
      else s.score = s.score + (useBase ? base[k] : 0);
    });
    out.push(...transformAll(scores, transform));
  }
  return out;
}

/** Marks a score onnxruntime leaves unwritten (tmnn writes 0 there). */
const UNSET = Symbol('unset');
type Cell = number | typeof UNSET;

/** TreeEnsembleClassifier's labels and Z through TreeAggregatorClassifier.FinalizeScores and write_scores. */
function classifierRef(f: Forest, x: Float64Array, features: number, labels: number[], transform: Transform, base: number[]): { label: number[]; z: Cell[] } {
  const classes = labels.length;
  const binary = classes === 2 && new Set(f.wIds).size === 1;
  const allPositive = f.wValues.every((w) => !(w < 0));
  const label: number[] = [], z: Cell[] = [];
  for (const leaves of walk(f, x, features)) {
    if (classes === 1) {
      // FinalizeScores1: each leaf's first weight (or its nodes_values entry), base_values[0], the label 1 or 0 by sign.
      let s = leaves.reduce((acc, leaf) => acc + (leafWeights(f, leaf)[0]?.w ?? f.values[leaf]), 0);
      if (base.length === 1) s += base[0];
      label.push(s > 0 ? 1 : 0);
      z.push(transform === 'PROBIT' ? probit(s) : s);
      continue;
    }
    const p: Score[] = Array.from({ length: classes }, () => ({ score: 0, has: false }));
    for (const leaf of leaves) {
      for (const { id, w } of leafWeights(f, leaf)) {
        p[id].score += w;
        p[id].has = true;
      }
    }
    if (classes > 2) {
      base.forEach((b, k) => (p[k] = p[k].has ? { score: p[k].score + b, has: true } : { score: b, has: true }));
      let best = -1;
      p.forEach((s, k) => {
        if (s.has && (best === -1 || s.score > p[best].score)) best = k;
      });
      label.push(labels[best]);
      z.push(...transformAll(p, transform));
      continue;
    }
    let add = -1;
    let scores = p;
    if (base.length === 2) {
      if (p[1].has) {
        p[1].score = base[1] + p[0].score;
        p[0].score = -p[1].score;
      } else {
        p[1].score += base[1];
        p[0].score += base[0];
      }
    } else if (base.length === 1) {
      p[0].score += base[0];
      if (!p[1].has) scores = [p[0]];
    } else if (base.length === 0) {
      add = 3;
      if (!p[1].has) scores = [p[0]];
    }
    const pos = scores.length === 2 && scores[1].has ? scores[1].score : scores[0].has ? scores[0].score : 0;
    if (binary) {
      if (allPositive) {
        add = pos > 0.5 ? 0 : 1;
        label.push(pos > 0.5 ? labels[1] : labels[0]);
      } else {
        add = pos > 0 ? 2 : 3;
        label.push(pos > 0 ? labels[1] : labels[0]);
      }
    } else {
      label.push(pos > 0 ? 1 : 0);
    }
    if (scores.length === 2) {
      z.push(...transformAll(scores, transform));
      continue;
    }
    const s = scores[0].has ? scores[0].score : 0;
    if (transform === 'PROBIT') z.push(probit(s), UNSET);
    // onnxruntime-web 1.30 gives LOGISTIC's pair for cases 0 and 1 too (older ml_common.h wrote [1 − s, s] there).
    else if (add >= 0 && transform === 'LOGISTIC') z.push(logistic(-s), logistic(s));
    else if (add === 0 || add === 1) z.push(1 - s, s);
    else if (add === 2 || add === 3) z.push(-s, s);
    else z.push(s, UNSET);
  }
  return { label, z };
}

// ---- TreeEnsemble (ai.onnx.ml 5) ----

/** TreeEnsemble's attribute lists: branches and leaves apart, BRANCH_MEMBER (mode 6) sets in membership_values. */
interface ForestV5 {
  featureIds: number[];
  modes: number[];
  splits: number[];
  trueIds: number[];
  trueLeafs: number[];
  falseIds: number[];
  falseLeafs: number[];
  missing: number[];
  leafTargets: number[];
  leafWeights: number[];
  roots: number[];
  /** Each member node's set, in node order; membership_values joins them with NaN. */
  sets: number[][];
}

function randomForestV5(trees: number, features: number, targets: number): ForestV5 {
  for (;;) {
    const f: ForestV5 = { featureIds: [], modes: [], splits: [], trueIds: [], trueLeafs: [], falseIds: [], falseLeafs: [], missing: [], leafTargets: [], leafWeights: [], roots: [], sets: [] };
    const grow = (depth: number, maxDepth: number): { leaf: boolean; at: number } => {
      if (depth === maxDepth || (depth > 0 && rand() < 0.25)) {
        f.leafTargets.push(Math.floor(rand() * targets));
        f.leafWeights.push(f32(uniform(1, -1, 1)[0]));
        return { leaf: true, at: f.leafTargets.length - 1 };
      }
      const i = f.featureIds.length;
      const mode = Math.floor(rand() * 7);
      f.featureIds.push(Math.floor(rand() * features));
      f.modes.push(mode);
      f.splits.push(mode === 6 ? 0 : rand() < 0.8 ? pick(GRID) : f32(uniform(1, -2, 2)[0]));
      f.missing.push(rand() < 0.5 ? 1 : 0);
      // Integers: onnxruntime 1.30 refuses a set holding a fraction ('MemberShip values is only implemented for integers').
      if (mode === 6) f.sets.push([...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick([-2, -1, 0, 1, 2])))]);
      f.trueIds.push(0), f.trueLeafs.push(0), f.falseIds.push(0), f.falseLeafs.push(0);
      const yes = grow(depth + 1, maxDepth), no = grow(depth + 1, maxDepth);
      [f.trueIds[i], f.trueLeafs[i], f.falseIds[i], f.falseLeafs[i]] = [yes.at, yes.leaf ? 1 : 0, no.at, no.leaf ? 1 : 0];
      return { leaf: false, at: i };
    };
    for (let t = 0; t < trees; t++) f.roots.push(grow(0, 1 + Math.floor(rand() * 6)).at);
    // onnxruntime reads a root whose true and false ids are equal as a lone leaf: draw again rather than write one.
    if (f.roots.every((r) => f.trueIds[r] !== f.falseIds[r])) return f;
  }
}

/** The leaves each sample reaches, walking TreeEnsemble's layout as its definition reads (a member node: x in its set). */
function walkV5(f: ForestV5, x: Float64Array, features: number): Reached[][] {
  const setOf = new Map<number, number[]>();
  f.modes.forEach((m, i) => m === 6 && setOf.set(i, f.sets[setOf.size]));
  const n = x.length / features;
  return Array.from({ length: n }, (_, s) =>
    f.roots.map((root): Reached => {
      let i = root;
      for (;;) {
        const v = x[s * features + f.featureIds[i]], t = f.splits[i];
        const cmp = [v <= t, v < t, v >= t, v > t, v === t, v !== t, setOf.get(i)?.includes(v) ?? false][f.modes[i]];
        const yes = cmp || (f.missing[i] === 1 && Number.isNaN(v));
        const [to, leaf] = yes ? [f.trueIds[i], f.trueLeafs[i]] : [f.falseIds[i], f.falseLeafs[i]];
        if (leaf) return { weights: [{ id: f.leafTargets[to], w: f.leafWeights[to] }], value: 0 };
        i = to;
      }
    }),
  );
}

/**
 * The samples with every feature a BRANCH_MEMBER node reads made a whole
 * number, for onnxruntime: its 1.30 wasm build tests membership of a
 * fraction in two ways by the set (exactly for small non-negative sets,
 * truncated to an int32 for others: −1.5 is in {−1}, 31.5 in {31}), and
 * NaN as 0 in the latter (in {−2, 0, 2}, missing-value tracking or not),
 * where TreeEnsemble's definition, and tmnn, test membership exactly.
 */
function integralMembers(x: Float64Array, f: ForestV5, features: number): Float64Array {
  const read = new Set(f.featureIds.filter((_, i) => f.modes[i] === 6));
  return x.map((v, i) => (!read.has(i % features) ? v : Number.isNaN(v) ? 3 : Math.trunc(v)));
}

const floatTensor = (v: readonly number[]): AttributeSpec => ({ tensor: { type: 'float', shape: [v.length], values: v } });

function modelV5(f: ForestV5, n: number, features: number, extra: Record<string, AttributeSpec>): Uint8Array {
  const attributes: Record<string, AttributeSpec> = {
    nodes_featureids: f.featureIds,
    nodes_modes: { tensor: { type: 'uint8', shape: [f.modes.length], values: f.modes } },
    nodes_splits: floatTensor(f.splits),
    nodes_truenodeids: f.trueIds,
    nodes_trueleafs: f.trueLeafs,
    nodes_falsenodeids: f.falseIds,
    nodes_falseleafs: f.falseLeafs,
    nodes_missing_value_tracks_true: f.missing,
    leaf_targetids: f.leafTargets,
    leaf_weights: floatTensor(f.leafWeights),
    tree_roots: f.roots,
    ...extra,
  };
  if (f.sets.length) attributes.membership_values = floatTensor(f.sets.flatMap((set) => [...set, NaN]));
  return onnxModel({
    opset: 21,
    irVersion: 10,
    domains: { 'ai.onnx.ml': 5 },
    inputs: [{ name: 'X', type: 'float', shape: [n, features] }],
    outputs: [{ name: 'Y' }],
    nodes: [{ op: 'TreeEnsemble', domain: 'ai.onnx.ml', inputs: ['X'], outputs: ['Y'], attributes }],
  });
}

// ---- models ----

interface ModelOptions {
  forest: Forest;
  n: number;
  features: number;
  /** Write the float lists as opset 3's *_as_tensor attributes. */
  asTensor?: boolean;
  xType?: 'float' | 'int32';
  extra: Record<string, AttributeSpec>;
}

function forestAttributes(f: Forest, prefix: 'target' | 'class', asTensor: boolean): Record<string, AttributeSpec> {
  const floats = (name: string, v: number[]): Record<string, AttributeSpec> => (asTensor ? { [`${name}_as_tensor`]: { tensor: { type: 'float', shape: [v.length], values: v } } } : { [name]: { floats: v } });
  return {
    nodes_treeids: f.treeIds,
    nodes_nodeids: f.nodeIds,
    nodes_featureids: f.featureIds,
    nodes_modes: { strings: f.modes },
    ...floats('nodes_values', f.values),
    nodes_truenodeids: f.trueIds,
    nodes_falsenodeids: f.falseIds,
    nodes_missing_value_tracks_true: f.missing,
    [`${prefix}_treeids`]: f.wTrees,
    [`${prefix}_nodeids`]: f.wNodes,
    [`${prefix}_ids`]: f.wIds,
    ...floats(`${prefix}_weights`, f.wValues),
  };
}

function model(op: 'TreeEnsembleRegressor' | 'TreeEnsembleClassifier', o: ModelOptions): Uint8Array {
  const classifier = op === 'TreeEnsembleClassifier';
  return onnxModel({
    opset: 17,
    domains: { 'ai.onnx.ml': 3 },
    inputs: [{ name: 'X', type: o.xType ?? 'float', shape: [o.n, o.features] }],
    outputs: classifier ? [{ name: 'label', type: 'int64' }, { name: 'scores' }] : [{ name: 'Y' }],
    nodes: [{ op, domain: 'ai.onnx.ml', inputs: ['X'], outputs: classifier ? ['label', 'scores'] : ['Y'], attributes: { ...forestAttributes(o.forest, classifier ? 'class' : 'target', o.asTensor ?? false), ...o.extra } }],
  });
}

async function ortOutputs(bytes: Uint8Array, x: Float64Array, n: number, features: number, xType: 'float' | 'int32' = 'float'): Promise<number[][]> {
  const feed = xType === 'float' ? new ort.Tensor('float32', Float32Array.from(x), [n, features]) : new ort.Tensor('int32', Int32Array.from(x), [n, features]);
  const out = await ortRun(bytes, { X: feed });
  return Object.values(out).map((t) => Array.from(t.data as ArrayLike<number | bigint>, Number));
}

/** A transform's tolerance: PROBIT's quantile magnifies f32's rounding of p near 0 and 1 (its slope there is large). */
const tolOf = (t: Transform): number => (t === 'PROBIT' ? 2e-4 : 1e-5);

/**
 * The same against onnxruntime, whose float32 evaluation of Winitzki's formula
 * loses digits near p = ½ (1 − x² rounds to 1): its PROBIT steps by ~1e-3
 * there, and a p of ½ + 2e-4 comes out 0.
 */
const ortTolOf = (t: Transform): number => (t === 'PROBIT' ? 2e-3 : 1e-5);

/** got against want, a cell onnxruntime leaves unset counting as `unset` (0 for tmnn; skipped for onnxruntime). */
function expectCells(got: ArrayLike<number>, want: readonly Cell[], tol: number, scale: number, what: string, unset: 'zero' | 'skip'): void {
  const keep = want.map((w, i) => (w === UNSET ? (unset === 'zero' ? 0 : undefined) : w)).map((w, i) => [w, got[i]] as const).filter(([w]) => w !== undefined);
  expect(got.length, `${what} length (test seed ${SEED})`).toBe(want.length);
  expectClose(keep.map(([, g]) => g), keep.map(([w]) => w as number), tol, what, keep.map(() => scale));
}

describe.each(BACKENDS)('ai.onnx.ml tree ensembles on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  const AGGREGATES: Aggregate[] = ['SUM', 'AVERAGE', 'MIN', 'MAX'];
  for (const agg of AGGREGATES) {
    for (const targets of [1, 3]) {
      it(`TreeEnsembleRegressor ${agg}, ${targets} target${targets > 1 ? 's' : ''}, every post_transform, against float64 and onnxruntime`, async () => {
        const transforms: Transform[] = targets === 1 ? ['NONE', 'PROBIT', 'LOGISTIC'] : ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO', 'PROBIT'];
        for (const [c, n] of [1, 7, 33].entries()) {
          for (const transform of transforms) {
            const features = pick([3, 5, 7]);
            const trees = 1 + Math.floor(rand() * 7);
            const forest = randomForest({ trees, features, targets, mode: c === 2 ? pick(BRANCHES) : undefined, bare: 0.15 });
            const base = rand() < 0.6 ? Array.from(uniform(targets, -1, 1), f32) : [];
            const x = randomSamples(n, features);
            const asTensor = rand() < 0.5;
            const extra: Record<string, AttributeSpec> = { n_targets: targets, aggregate_function: agg, post_transform: transform };
            if (base.length) Object.assign(extra, asTensor ? { base_values_as_tensor: { tensor: { type: 'float', shape: [targets], values: base } } } : { base_values: { floats: base } });
            const bytes = model('TreeEnsembleRegressor', { forest, n, features, asTensor, extra });
            const want = regressorRef(forest, x, features, targets, agg, transform, base);
            const [y] = await runModel(bytes, [{ shape: [n, features], values: x }]);
            const what = `${agg} ${transform} n=${n} trees=${trees}${asTensor ? ' as tensors' : ''}`;
            expect(y.shape).toEqual([n, targets]);
            // Scores are sums of up to `trees` rounded terms; a PROBIT output is held to its own size (see tolOf).
            const scale = want.map((w) => (transform === 'PROBIT' ? Math.abs(w) : trees + 2));
            expectClose(y.v, want, tolOf(transform), what, scale);
            const [ortY] = await ortOutputs(bytes, x, n, features);
            expectClose(ortY, want, ortTolOf(transform), `onnxruntime ${what}`, scale);
          }
        }
      });
    }
  }

  // onnxruntime-web has no integer-input tree kernels ('Could not find an implementation'): float64 only.
  it('TreeEnsembleRegressor on int32 features, dense leaves, against float64', async () => {
    const features = 5, n = 33, targets = 2;
    const forest = randomForest({ trees: 4, features, targets, dense: true });
    forest.values = forest.values.map((v) => Math.round(v * 2));
    const x = Float64Array.from(randomInts(n * features, -4, 4));
    const bytes = model('TreeEnsembleRegressor', { forest, n, features, xType: 'int32', extra: { n_targets: targets } });
    const want = regressorRef(forest, x, features, targets, 'SUM', 'NONE', []);
    const [y] = await runModel(bytes, [{ shape: [n, features], values: x, type: 'int32' }]);
    expectClose(y.v, want, 1e-5, 'int32 X', want.map(() => 6));
  });

  it('TreeEnsembleClassifier, 4 classes: labels and every post_transform, with and without base_values, against float64 and onnxruntime', async () => {
    const labels = [10, -3, 7, 42];
    const transforms: Transform[] = ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO'];
    for (const n of [1, 7, 33]) {
      for (const transform of transforms) {
        for (const baseCount of [0, 4]) {
          const features = pick([3, 5, 7]);
          const trees = 1 + Math.floor(rand() * 7);
          const forest = randomForest({ trees, features, targets: 4, mode: rand() < 0.3 ? 'BRANCH_LEQ' : undefined });
          const base = Array.from(uniform(baseCount, -1, 1), f32);
          const x = randomSamples(n, features);
          const asTensor = rand() < 0.5;
          const extra: Record<string, AttributeSpec> = { classlabels_int64s: labels, post_transform: transform };
          if (base.length) extra.base_values = { floats: base };
          const bytes = model('TreeEnsembleClassifier', { forest, n, features, asTensor, extra });
          const want = classifierRef(forest, x, features, labels, transform, base);
          const [label, z] = await runModel(bytes, [{ shape: [n, features], values: x }]);
          const what = `${transform} base ${baseCount} n=${n} trees=${trees}`;
          expect(Array.from(label.v), `labels ${what} (seed ${SEED})`).toEqual(want.label);
          expect(z.shape).toEqual([n, 4]);
          expectCells(z.v, want.z, 1e-5, trees + 2, what, 'zero');
          const [ortLabel, ortZ] = await ortOutputs(bytes, x, n, features);
          expect(ortLabel, `onnxruntime labels ${what} (seed ${SEED})`).toEqual(want.label);
          expectCells(ortZ, want.z, 1e-5, trees + 2, `onnxruntime ${what}`, 'skip');
        }
      }
    }
  });

  it("TreeEnsembleClassifier, 2 classes: onnxruntime's binary cases (class ids, weight signs, base_values 0/1/2, post_transforms), against float64 and onnxruntime", async () => {
    const labels = [5, 9];
    const transforms: Transform[] = ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO', 'PROBIT'];
    let c = 0;
    for (const ids of [[0], [1], [0, 1]]) {
      for (const positive of [true, false]) {
        for (const baseCount of [0, 1, 2]) {
          const transform = transforms[c++ % transforms.length];
          const n = pick([7, 33]), features = pick([3, 5]), trees = 1 + Math.floor(rand() * 5);
          const forest = randomForest({ trees, features, targets: 2, ids, positive });
          const base = Array.from(uniform(baseCount, -1, 1), f32);
          const x = randomSamples(n, features);
          const extra: Record<string, AttributeSpec> = { classlabels_int64s: labels, post_transform: transform };
          if (base.length) extra.base_values = { floats: base };
          const bytes = model('TreeEnsembleClassifier', { forest, n, features, extra });
          const want = classifierRef(forest, x, features, labels, transform, base);
          const [label, z] = await runModel(bytes, [{ shape: [n, features], values: x }]);
          const what = `ids ${ids} ${positive ? 'positive' : 'mixed'} base ${baseCount} ${transform} n=${n} trees=${trees}`;
          expect(Array.from(label.v), `labels ${what} (seed ${SEED})`).toEqual(want.label);
          expect(z.shape).toEqual([n, 2]);
          expectCells(z.v, want.z, tolOf(transform), trees + 2, what, 'zero');
          const [ortLabel, ortZ] = await ortOutputs(bytes, x, n, features);
          expect(ortLabel, `onnxruntime labels ${what} (seed ${SEED})`).toEqual(want.label);
          expectCells(ortZ, want.z, ortTolOf(transform), trees + 2, `onnxruntime ${what}`, 'skip');
        }
      }
    }
  });

  it('TreeEnsembleClassifier, 1 class: the one-output path (first weights, labels 1/0 by sign), against float64 and onnxruntime', async () => {
    for (const transform of ['NONE', 'LOGISTIC', 'PROBIT'] as Transform[]) {
      for (const baseCount of [0, 1]) {
        const n = 33, features = 5, trees = 1 + Math.floor(rand() * 5);
        const forest = randomForest({ trees, features, targets: 1, bare: 0.15 });
        const base = Array.from(uniform(baseCount, -0.5, 0.5), f32);
        const x = randomSamples(n, features);
        const extra: Record<string, AttributeSpec> = { classlabels_int64s: [8], post_transform: transform };
        if (base.length) extra.base_values = { floats: base };
        const bytes = model('TreeEnsembleClassifier', { forest, n, features, extra });
        const want = classifierRef(forest, x, features, [8], transform, base);
        const [label, z] = await runModel(bytes, [{ shape: [n, features], values: x }]);
        const what = `1 class ${transform} base ${baseCount}`;
        expect(Array.from(label.v), `labels ${what} (seed ${SEED})`).toEqual(want.label);
        expect(z.shape).toEqual([n, 1]);
        expectCells(z.v, want.z, tolOf(transform), trees + 2, what, 'zero');
        const [ortLabel, ortZ] = await ortOutputs(bytes, x, n, features);
        expect(ortLabel, `onnxruntime labels ${what} (seed ${SEED})`).toEqual(want.label);
        expectCells(ortZ, want.z, ortTolOf(transform), trees + 2, `onnxruntime ${what}`, 'skip');
      }
    }
  });

  const V5_AGGREGATES: Aggregate[] = ['AVERAGE', 'SUM', 'MIN', 'MAX'];
  // onnxruntime's reading of the codes (1 LOGISTIC, 2 SOFTMAX), the spec's swapped: see ml_tree.ts.
  const V5_TRANSFORMS: Transform[] = ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO', 'PROBIT'];
  it('TreeEnsemble (ai.onnx.ml 5): every aggregate and post_transform, BRANCH_MEMBER sets, against float64 and onnxruntime', async () => {
    for (const [a, agg] of V5_AGGREGATES.entries()) {
      for (const targets of [1, 3]) {
        for (const n of [1, 7, 33]) {
          const p = Math.floor(rand() * V5_TRANSFORMS.length), transform = V5_TRANSFORMS[p];
          const features = pick([3, 5, 7]), trees = 1 + Math.floor(rand() * 6);
          const forest = randomForestV5(trees, features, targets);
          const x = randomSamples(n, features);
          const bytes = modelV5(forest, n, features, { n_targets: targets, aggregate_function: a, post_transform: p });
          const want = aggregateRef(walkV5(forest, x, features), targets, agg, transform, []);
          const [y] = await runModel(bytes, [{ shape: [n, features], values: x }]);
          const what = `TreeEnsemble ${agg} ${transform} targets=${targets} n=${n} trees=${trees}`;
          expect(y.shape).toEqual([n, targets]);
          expectClose(y.v, want, tolOf(transform), what, want.map(() => trees + 2));
          const xOrt = integralMembers(x, forest, features);
          const wantOrt = aggregateRef(walkV5(forest, xOrt, features), targets, agg, transform, []);
          const [ortY] = await ortOutputs(bytes, xOrt, n, features);
          expectClose(ortY, wantOrt, ortTolOf(transform), `onnxruntime ${what}`, wantOrt.map(() => trees + 2));
        }
      }
    }
  });

  it("TreeEnsemble: onnx's own two examples (a single tree; set membership)", async () => {
    const single = modelV5(
      { featureIds: [0, 0, 0], modes: [0, 0, 0], splits: [3.14, 1.2, 4.2].map(f32), trueIds: [1, 0, 1], trueLeafs: [0, 1, 1], falseIds: [2, 2, 3], falseLeafs: [0, 1, 1], missing: [], leafTargets: [0, 1, 0, 1], leafWeights: [5.23, 12.12, -12.23, 7.21].map(f32), roots: [0], sets: [] },
      3, 2, { n_targets: 2, aggregate_function: 1, post_transform: 0 },
    );
    const [y] = await runModel(single, [{ shape: [3, 2], values: [1.2, 3.4, -0.12, 1.66, 4.14, 1.77] }]);
    expectClose(y.v, [5.23, 0, 5.23, 0, 0, 12.12].map(f32), 1e-6, 'single tree');
    const member = modelV5(
      { featureIds: [0, 0, 0], modes: [0, 6, 6], splits: [11, 232344, NaN], trueIds: [1, 0, 1], trueLeafs: [0, 1, 1], falseIds: [2, 2, 3], falseLeafs: [1, 0, 1], missing: [], leafTargets: [0, 1, 2, 3], leafWeights: [1, 10, 1000, 100], roots: [0], sets: [[1.2, 3.7, 8, 9].map(f32), [12, 7]] },
      6, 1, { n_targets: 4, aggregate_function: 1, post_transform: 0 },
    );
    const [z] = await runModel(member, [{ shape: [6, 1], values: [1.2, 3.4, -0.12, NaN, 12, 7].map(f32) }]);
    expect(Array.from(z.v)).toEqual([1, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 100, 0, 0, 1000, 0, 0, 0, 1000, 0, 0, 10, 0, 0]);
  });

  it('works out a hand-made stump exactly: ties on the threshold, NaN with and without missing-value tracking', async () => {
    // Tree 0: x0 <= 1 ? 10 : 20 (NaN goes true). Tree 1: x1 < 0 ? 1 : 2 (NaN goes false).
    const forest: Forest = {
      treeIds: [0, 0, 0, 1, 1, 1], nodeIds: [0, 1, 2, 0, 1, 2], featureIds: [0, 0, 0, 1, 0, 0],
      modes: ['BRANCH_LEQ', 'LEAF', 'LEAF', 'BRANCH_LT', 'LEAF', 'LEAF'], values: [1, 0, 0, 0, 0, 0],
      trueIds: [1, 0, 0, 1, 0, 0], falseIds: [2, 0, 0, 2, 0, 0], missing: [1, 0, 0, 0, 0, 0],
      wTrees: [0, 0, 1, 1], wNodes: [1, 2, 1, 2], wIds: [0, 0, 0, 0], wValues: [10, 20, 1, 2],
    };
    const x = Float64Array.from([1, 0, 1.5, -1, NaN, NaN, 0.5, -0.5]);
    const bytes = model('TreeEnsembleRegressor', { forest, n: 4, features: 2, extra: { n_targets: 1 } });
    const [y] = await runModel(bytes, [{ shape: [4, 2], values: x }]);
    expect(Array.from(y.v)).toEqual([12, 21, 12, 11]);
    // A NaN threshold: every comparison false but != (tree 0 BRANCH_LEQ NaN, true only for a NaN it tracks; tree 1
    // BRANCH_NEQ NaN, always true), beside onnxruntime.
    const nanSplit: Forest = { ...forest, modes: ['BRANCH_LEQ', 'LEAF', 'LEAF', 'BRANCH_NEQ', 'LEAF', 'LEAF'], values: [NaN, 0, 0, NaN, 0, 0] };
    const nanBytes = model('TreeEnsembleRegressor', { forest: nanSplit, n: 4, features: 2, extra: { n_targets: 1 } });
    const [z] = await runModel(nanBytes, [{ shape: [4, 2], values: x }]);
    expect(Array.from(z.v)).toEqual([21, 21, 11, 21]);
    expect((await ortOutputs(nanBytes, x, 4, 2))[0]).toEqual([21, 21, 11, 21]);
  });

  const stump = (): Forest => ({
    treeIds: [0, 0, 0], nodeIds: [0, 1, 2], featureIds: [0, 0, 0], modes: ['BRANCH_LEQ', 'LEAF', 'LEAF'], values: [0, 0, 0],
    trueIds: [1, 0, 0], falseIds: [2, 0, 0], missing: [], wTrees: [0, 0], wNodes: [1, 2], wIds: [0, 0], wValues: [1, 2],
  });
  const refused = async (forest: Forest, extra: Record<string, AttributeSpec>, message: RegExp, op: 'TreeEnsembleRegressor' | 'TreeEnsembleClassifier' = 'TreeEnsembleRegressor', features = 2): Promise<void> => {
    const bytes = model(op, { forest, n: 1, features, extra: op === 'TreeEnsembleRegressor' ? { n_targets: 1, ...extra } : { classlabels_int64s: [0, 1], ...extra } });
    await expect(runModel(bytes, [{ shape: [1, features], values: new Float64Array(features) }])).rejects.toThrow(message);
  };

  it('refuses bad models, naming the problem', async () => {
    await refused({ ...stump(), modes: ['BRANCH_XX', 'LEAF', 'LEAF'] as unknown as Mode[] }, {}, /nodes_modes\[0\] is "BRANCH_XX"/);
    await refused({ ...stump(), nodeIds: [0, 1, 1] }, {}, /node 1 of tree 0 is listed twice/);
    await refused({ ...stump(), trueIds: [5, 0, 0] }, {}, /true node 5, which tree 0 does not have/);
    await refused({ ...stump(), trueIds: [0, 0, 0] }, {}, /is its own true node/);
    await refused({ ...stump(), wNodes: [1, 5] }, {}, /target_nodeids\[1\] names node 5 of tree 0, which is not among the nodes/);
    await refused(stump(), { base_values: { floats: [1, 2] } }, /base_values has 2 entries; it has 0 or 1/);
    await refused(stump(), { base_values: { floats: [1, 2, 3] } }, /base_values has 3 entries; it has 0 or 1 or 2/, 'TreeEnsembleClassifier');
    await refused(stump(), { classlabels_int64s: [1, 2, 3], base_values: { floats: [1] } }, /base_values has 1 entries; it has 0 or 3/, 'TreeEnsembleClassifier');
    await refused({ ...stump(), wIds: [0, 3] }, {}, /target_ids\[1\] is 3, outside \[0, 1\)/);
    await refused({ ...stump(), featureIds: [4, 0, 0] }, {}, /reads feature 4, but X has 2 features/);
    await refused({ ...stump(), values: [0, 0] }, {}, /nodes_values has 2 entries where nodes_treeids has 3/);
    await refused(stump(), { aggregate_function: 'MEDIAN' }, /aggregate_function "MEDIAN" is not one of/);
    await refused(stump(), { post_transform: 'SQUARE' }, /post_transform SQUARE is not one of/);
    await refused(stump(), { n_targets: 0 }, /n_targets is 0/);
    await refused(stump(), { nodes_values_as_tensor: { tensor: { type: 'float', shape: [3], values: [0, 0, 0] } } }, /nodes_values and nodes_values_as_tensor are both given/);
    // A cycle: node 1 branches back to the root.
    const cyclic: Forest = { ...stump(), modes: ['BRANCH_LEQ', 'BRANCH_LEQ', 'LEAF'], trueIds: [1, 0, 0], falseIds: [2, 2, 0] };
    await refused(cyclic, {}, /form a cycle/);
    await refused(stump(), { classlabels_int64s: [0, 1], classlabels_strings: { strings: ['a', 'b'] } }, /has both classlabels_strings and classlabels_int64s; a classifier takes one of them/, 'TreeEnsembleClassifier');
    await refused(stump(), { classlabels_int64s: [] }, /attribute classlabels_int64s is required: the classifier's class labels are missing or empty/, 'TreeEnsembleClassifier');
    await refused(stump(), { classlabels_int64s: [0, 2 ** 31] }, /classlabels_int64s holds 2147483648, outside int32: tmnn holds int64 labels as int32/, 'TreeEnsembleClassifier');
    const v5: ForestV5 = { featureIds: [0], modes: [0], splits: [0], trueIds: [0], trueLeafs: [1], falseIds: [1], falseLeafs: [1], missing: [], leafTargets: [0, 0], leafWeights: [1, 2], roots: [0], sets: [] };
    const refusedV5 = async (f: ForestV5, extra: Record<string, AttributeSpec>, message: RegExp): Promise<void> => {
      await expect(runModel(modelV5(f, 1, 2, { n_targets: 1, ...extra }), [{ shape: [1, 2], values: [0, 0] }])).rejects.toThrow(message);
    };
    await refusedV5({ ...v5, modes: [9] }, {}, /nodes_modes\[0\] is 9; a mode is 0…6/);
    await refusedV5({ ...v5, falseIds: [2] }, {}, /node 0's false side is leaf 2, outside the 2 leaves/);
    await refusedV5({ ...v5, modes: [6] }, {}, /BRANCH_MEMBER with no membership value/);
    await refusedV5({ ...v5, roots: [1] }, {}, /tree_roots\[0\] is 1, outside the 1 nodes/);
    await refusedV5(v5, { aggregate_function: 7 }, /aggregate_function = 7 is not one of/);
    await refusedV5(v5, { post_transform: 5 }, /post_transform = 5 is not one of/);
    await refusedV5({ ...v5, leafTargets: [0, 2] }, {}, /leaf_targetids\[1\] is 2, outside \[0, 1\)/);
  });
});
