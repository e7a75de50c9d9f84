// ai.onnx.ml's tree ensembles: TreeEnsembleRegressor and
// TreeEnsembleClassifier (opsets 1 and 3, the nodes_* / target_* / class_*
// attribute lists and opset 3's *_as_tensor forms) and TreeEnsemble (opset
// 5: branches and leaves apart, BRANCH_MEMBER sets), as onnxruntime's CPU
// kernels compute them (tree_ensemble_common.h, tree_ensemble_aggregator.h,
// tree_ensemble_attribute.h, ml_common.h's write_scores), including the
// quirks of its one-output path and binary classifier, each checked against
// onnxruntime-web 1.30 where its code as read and its behaviour differed.
//
// How: the attributes are read on the host, once per node
// (call.fromAttributes), into flat node tables (feature, threshold, and the
// node each relation of a sample's value to the threshold leads to: less,
// equal, greater, NaN; a leaf leads to itself), made tensors once and kept
// with the model (call.kept, owned by the node). The backend's tree-walk
// kernel (ops/tree_walk.ts) then takes every sample down every tree and
// reduces the weight rows ([nodes, targets] tables) of the leaves it reaches
// over the trees (sum, min or max), in one pass on the device (no read back,
// so the synchronous run takes it); a second table counts which targets
// some leaf wrote (onnxruntime's has_score, which decides what an unwritten
// target outputs).
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { treeWalk, type ForestTables, type TreeReduction } from '../../ops/tree_walk.js';
import type { NodeCall } from '../node_call.js';
import { classLabels, withStringLabels } from './ml_class_labels.js';
import { postTransform, postTransformOf, probit, type PostTransform } from './ml_post_transform.js';
import { sampleRows } from './ml_samples.js';
import type { OnnxOp, OpTable } from './op.js';

const BRANCH_MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'] as const;
type BranchMode = (typeof BRANCH_MODES)[number];

/** The relations of a value to a threshold, in the order the next-node table is laid out. */
const LESS = 0, EQUAL = 1, GREATER = 2, NAN = 3;

/** For each mode, whether a value less than, equal to, greater than the threshold takes the true branch. */
const TRUE_WHEN: Record<BranchMode, readonly [boolean, boolean, boolean]> = {
  BRANCH_LEQ: [true, true, false],
  BRANCH_LT: [true, false, false],
  BRANCH_GTE: [false, true, true],
  BRANCH_GT: [false, false, true],
  BRANCH_EQ: [false, true, false],
  BRANCH_NEQ: [true, false, true],
};

/** The largest float32: the empty side of a min or max (a target no leaf wrote is masked out after). */
const F32_MAX = 3.4028234663852886e38;

/** One weight a leaf gives: to target (or class) `target`. */
interface LeafWeight {
  target: number;
  weight: number;
}

/** An ensemble read from a node's attributes: the flat tables the device walk gathers from. */
export interface Forest {
  /** Nodes, in the order of the nodes_* lists. */
  nodeCount: number;
  /** Each tree's root: the first node of each run of one tree id, as onnxruntime finds them. */
  roots: number[];
  /** The most steps from a root to a leaf. */
  depth: number;
  /** Each node's feature (0 for leaves, which read none). */
  features: Int32Array;
  /** Each node's nodes_values entry (a leaf's too). */
  thresholds: Float32Array;
  /** [node·4 + relation]: the node a value of that relation (LESS, EQUAL, GREATER, NAN) moves to; a leaf's own index. */
  next: Int32Array;
  maxFeature: number;
  /** Each leaf's weights, in the order onnxruntime keeps them (by tree, node, then position in the lists); [] for branches (and a leaf no entry names). */
  weights: LeafWeight[][];
}

/** A float list given as floats (`name`) or, from opset 3, as a tensor (`name_as_tensor`): never both. */
function floatList(call: NodeCall, name: string): number[] | undefined {
  const plain = call.floats(name);
  const tensor = call.tensorAttribute(`${name}_as_tensor`);
  if (plain && tensor) throw call.error(`${name} and ${name}_as_tensor are both given; a model gives one`);
  return plain ?? tensor?.values();
}

function sameLength(call: NodeCall, lists: Record<string, readonly unknown[] | undefined>, what: string): number {
  const entries = Object.entries(lists);
  const n = entries[0][1]?.length ?? 0;
  const off = entries.find(([, l]) => (l?.length ?? 0) !== n);
  if (off) throw call.error(`${off[0]} has ${off[1]?.length ?? 0} entries where ${entries[0][0]} has ${n}: ${what} lists are one entry per ${what === 'nodes_*' ? 'node' : 'weight'}`);
  return n;
}

/** One node of the walk: a leaf (with its nodes_values entry), or a branch and where each side leads (node indices). */
type WalkNode = { leaf: true; value: number } | { leaf: false; mode: BranchMode; feature: number; threshold: number; missingTrue: boolean; yes: number; no: number };

/** The device walk's tables for `nodes` (weights: each leaf's, in order), the depth found from `roots`. */
function buildForest(call: NodeCall, nodes: readonly WalkNode[], roots: number[], weights: LeafWeight[][], name: (i: number) => string): Forest {
  const m = nodes.length;
  const features = new Int32Array(m), thresholds = new Float32Array(m), next = new Int32Array(m * 4);
  let maxFeature = -1;
  nodes.forEach((node, i) => {
    if (node.leaf) {
      // A leaf keeps its nodes_values entry: onnxruntime's one-output path reads it for a leaf that has no weight.
      thresholds[i] = node.value;
      next.fill(i, i * 4, i * 4 + 4);
      return;
    }
    if (!Number.isInteger(node.feature) || node.feature < 0) throw call.error(`${name(i)} reads feature ${node.feature}; a feature is an index ≥ 0 into X's last axis`);
    features[i] = node.feature;
    maxFeature = Math.max(maxFeature, node.feature);
    thresholds[i] = node.threshold;
    // Against a NaN threshold every comparison is false but !=, whatever the value: no value is less, equal or greater.
    const when = Number.isNaN(node.threshold) ? ([node.mode === 'BRANCH_NEQ', node.mode === 'BRANCH_NEQ', node.mode === 'BRANCH_NEQ'] as const) : TRUE_WHEN[node.mode];
    next[i * 4 + LESS] = when[0] ? node.yes : node.no;
    next[i * 4 + EQUAL] = when[1] ? node.yes : node.no;
    next[i * 4 + GREATER] = when[2] ? node.yes : node.no;
    // A NaN compares false, except under != (BRANCH_NEQ is true for it, as in onnxruntime's C++ comparison);
    // nodes_missing_value_tracks_true sends it to the true branch whatever the mode.
    next[i * 4 + NAN] = node.mode === 'BRANCH_NEQ' || node.missingTrue ? node.yes : node.no;
  });
  const depth = deepest(call, roots, next, nodes.map((n) => n.leaf), name);
  return { nodeCount: m, roots, depth, features, thresholds, next, maxFeature, weights };
}

/** A target or class id, refused outside [0, targets) as onnxruntime's Init refuses it. */
function checkTarget(call: NodeCall, target: number, targets: number, what: string, of: string): number {
  if (!(Number.isInteger(target) && target >= 0 && target < targets)) throw call.error(`${what} is ${target}, outside [0, ${targets}) (the ${of})`);
  return target;
}

/**
 * Reads the nodes_* lists and the leaf weights (`prefix` target for the
 * regressor, class for the classifier) of opsets 1 and 3, checked as
 * onnxruntime's Init checks them; `targets` is the number of targets or
 * classes the weights index.
 */
export function readForest(call: NodeCall, prefix: 'target' | 'class', targets: number): Forest {
  const treeIds = call.ints('nodes_treeids', []);
  const nodeIds = call.ints('nodes_nodeids', []);
  const featureIds = call.ints('nodes_featureids', []);
  const modes = call.strings('nodes_modes') ?? [];
  const trueIds = call.ints('nodes_truenodeids', []);
  const falseIds = call.ints('nodes_falsenodeids', []);
  const values = floatList(call, 'nodes_values') ?? [];
  const missingTrue = call.ints('nodes_missing_value_tracks_true', []);
  const m = sameLength(call, { nodes_treeids: treeIds, nodes_nodeids: nodeIds, nodes_featureids: featureIds, nodes_modes: modes, nodes_truenodeids: trueIds, nodes_falsenodeids: falseIds, nodes_values: values }, 'nodes_*');
  if (m === 0) throw call.error('has no nodes (nodes_treeids is empty): an ensemble needs at least one tree');
  if (missingTrue.length > m) throw call.error(`nodes_missing_value_tracks_true has ${missingTrue.length} entries for ${m} nodes`);

  const key = (tree: number, node: number) => `${tree}/${node}`;
  const at = new Map<string, number>();
  for (let i = 0; i < m; i++) {
    const k = key(treeIds[i], nodeIds[i]);
    if (at.has(k)) throw call.error(`node ${nodeIds[i]} of tree ${treeIds[i]} is listed twice (entries ${at.get(k)} and ${i})`);
    at.set(k, i);
  }
  const child = (i: number, ids: readonly number[], side: string): number => {
    const j = at.get(key(treeIds[i], ids[i]));
    if (j === undefined) throw call.error(`node ${nodeIds[i]} of tree ${treeIds[i]} has ${side} ${ids[i]}, which tree ${treeIds[i]} does not have`);
    if (j === i) throw call.error(`node ${nodeIds[i]} of tree ${treeIds[i]} is its own ${side}`);
    return j;
  };
  const nodes = modes.map((mode, i): WalkNode => {
    if (mode === 'LEAF') return { leaf: true, value: values[i] };
    if (!(BRANCH_MODES as readonly string[]).includes(mode)) throw call.error(`nodes_modes[${i}] is ${JSON.stringify(mode)}; a node's mode is one of ${BRANCH_MODES.join(', ')}, LEAF`);
    return { leaf: false, mode: mode as BranchMode, feature: featureIds[i], threshold: values[i], missingTrue: missingTrue[i] === 1, yes: child(i, trueIds, 'true node'), no: child(i, falseIds, 'false node') };
  });

  // Roots as onnxruntime finds them: a new tree starts wherever the tree id differs from the previous node's.
  const roots: number[] = [];
  for (let i = 0; i < m; i++) if (i === 0 || treeIds[i] !== treeIds[i - 1]) roots.push(i);

  const weightIds = call.ints(`${prefix}_ids`, []);
  const weightTrees = call.ints(`${prefix}_treeids`, []);
  const weightNodes = call.ints(`${prefix}_nodeids`, []);
  const weightValues = floatList(call, `${prefix}_weights`) ?? [];
  const w = sameLength(call, { [`${prefix}_ids`]: weightIds, [`${prefix}_treeids`]: weightTrees, [`${prefix}_nodeids`]: weightNodes, [`${prefix}_weights`]: weightValues }, `${prefix}_*`);
  // onnxruntime sorts the weights by (tree, node, position) and hands each leaf its run of them.
  const order = Array.from({ length: w }, (_, i) => i).sort((a, b) => weightTrees[a] - weightTrees[b] || weightNodes[a] - weightNodes[b] || a - b);
  const weights: LeafWeight[][] = Array.from({ length: m }, () => []);
  for (const i of order) {
    const node = at.get(key(weightTrees[i], weightNodes[i]));
    if (node === undefined) throw call.error(`${prefix}_nodeids[${i}] names node ${weightNodes[i]} of tree ${weightTrees[i]}, which is not among the nodes`);
    const target = checkTarget(call, weightIds[i], targets, `${prefix}_ids[${i}]`, prefix === 'target' ? 'n_targets' : 'classes');
    // Weights on a branch are dropped, as onnxruntime does (old onnxmltools exports wrote some).
    if (!nodes[node].leaf) continue;
    weights[node].push({ target, weight: weightValues[i] });
  }
  return buildForest(call, nodes, roots, weights, (i) => `node ${nodeIds[i]} of tree ${treeIds[i]}`);
}

/** TreeEnsemble's nodes_modes codes (ai.onnx.ml 5); 6 is BRANCH_MEMBER. */
const V5_MODES = [...BRANCH_MODES, 'BRANCH_MEMBER'] as const;

/** An int list of TreeEnsemble, required. */
function requiredInts(call: NodeCall, name: string): number[] {
  const v = call.ints(name);
  if (!v) throw call.error(`attribute ${name} is required`);
  return v;
}

/** A tensor-valued list of TreeEnsemble (nodes_modes, nodes_splits, leaf_weights, membership_values): its values. */
function tensorList(call: NodeCall, name: string, required: boolean): number[] {
  const t = call.tensorAttribute(name);
  if (!t) {
    if (required) throw call.error(`attribute ${name} (a tensor) is required`);
    return [];
  }
  return t.values();
}

/**
 * Reads TreeEnsemble's (ai.onnx.ml 5) attributes into the walk's nodes:
 * branches 0…K−1 as listed, leaves K…K+L−1, each leaf with its one weight.
 * A BRANCH_MEMBER node becomes a chain of BRANCH_EQ nodes, one per value of
 * its set (membership_values, sets separated by NaN), each true side the
 * member's true side and each false side the next, the last one's the
 * member's false side — how onnxruntime's convert_to_v3 unrolls it (it
 * copies the true subtree per value; the walk shares it). A root whose
 * true and false ids are equal is read, as onnxruntime reads it, as a
 * tree of one leaf: leaf tree_roots[t].
 */
export function readForestV5(call: NodeCall, targets: number): Forest {
  const featureIds = requiredInts(call, 'nodes_featureids');
  const modeCodes = tensorList(call, 'nodes_modes', true);
  const splits = tensorList(call, 'nodes_splits', true);
  const trueIds = requiredInts(call, 'nodes_truenodeids');
  const trueLeafs = requiredInts(call, 'nodes_trueleafs');
  const falseIds = requiredInts(call, 'nodes_falsenodeids');
  const falseLeafs = requiredInts(call, 'nodes_falseleafs');
  const missingTrue = call.ints('nodes_missing_value_tracks_true', []);
  const k = sameLength(call, { nodes_featureids: featureIds, nodes_modes: modeCodes, nodes_splits: splits, nodes_truenodeids: trueIds, nodes_trueleafs: trueLeafs, nodes_falsenodeids: falseIds, nodes_falseleafs: falseLeafs }, 'nodes_*');
  if (missingTrue.length && missingTrue.length !== k) throw call.error(`nodes_missing_value_tracks_true has ${missingTrue.length} entries for ${k} nodes`);
  const leafTargets = requiredInts(call, 'leaf_targetids');
  const leafWeights = tensorList(call, 'leaf_weights', true);
  const l = sameLength(call, { leaf_targetids: leafTargets, leaf_weights: leafWeights }, 'leaf_*');
  const treeRoots = requiredInts(call, 'tree_roots');
  if (treeRoots.length === 0) throw call.error('tree_roots is empty: an ensemble needs at least one tree');

  // Each BRANCH_MEMBER node's set: the membership values up to the next NaN, in the order of the member nodes.
  const members = tensorList(call, 'membership_values', false);
  let cursor = 0;
  const sets = modeCodes.map((code, i) => {
    if (code !== 6) return [];
    const set: number[] = [];
    while (cursor < members.length && !Number.isNaN(members[cursor])) set.push(members[cursor++]);
    cursor++;
    if (set.length === 0) throw call.error(`node ${i} is a BRANCH_MEMBER with no membership value (membership_values holds a set per member node, separated by NaN)`);
    return set;
  });

  const nodes: WalkNode[] = [];
  const target = (side: 'true' | 'false', i: number, ids: readonly number[], leafs: readonly number[]): number => {
    const leaf = leafs[i] !== 0, j = ids[i];
    if (!(Number.isInteger(j) && j >= 0 && j < (leaf ? l : k))) throw call.error(`node ${i}'s ${side} side is ${leaf ? 'leaf' : 'node'} ${j}, outside the ${leaf ? `${l} leaves` : `${k} nodes`}`);
    return leaf ? k + j : j;
  };
  const chains: WalkNode[] = [];
  for (let i = 0; i < k; i++) {
    const code = modeCodes[i];
    if (!(Number.isInteger(code) && code >= 0 && code < V5_MODES.length)) throw call.error(`nodes_modes[${i}] is ${code}; a mode is 0…6 (${V5_MODES.join(', ')})`);
    const yes = target('true', i, trueIds, trueLeafs), no = target('false', i, falseIds, falseLeafs);
    const base = { leaf: false as const, feature: featureIds[i], missingTrue: missingTrue[i] === 1, yes };
    if (code !== 6) {
      nodes.push({ ...base, mode: V5_MODES[code] as BranchMode, threshold: splits[i], no });
      continue;
    }
    // The chain's later links go after the leaves: node i is its first link.
    const set = sets[i];
    const link = (v: number): number => k + l + chains.length + v - 1;
    nodes.push({ ...base, mode: 'BRANCH_EQ', threshold: set[0], no: set.length > 1 ? link(1) : no });
    const first = chains.length;
    for (let v = 1; v < set.length; v++) chains.push({ ...base, mode: 'BRANCH_EQ', threshold: set[v], no: v + 1 < set.length ? k + l + first + v : no });
  }
  const weights: LeafWeight[][] = Array.from({ length: k + l + chains.length }, () => []);
  for (let j = 0; j < l; j++) {
    nodes.push({ leaf: true, value: 0 });
    weights[k + j].push({ target: checkTarget(call, leafTargets[j], targets, `leaf_targetids[${j}]`, 'n_targets'), weight: leafWeights[j] });
  }
  nodes.push(...chains);
  const roots = treeRoots.map((r, t) => {
    if (!(Number.isInteger(r) && r >= 0 && r < k)) throw call.error(`tree_roots[${t}] is ${r}, outside the ${k} nodes`);
    if (trueIds[r] !== falseIds[r]) return r;
    if (r >= l) throw call.error(`tree_roots[${t}] is ${r}, a root whose true and false ids are equal, which onnxruntime reads as leaf ${r}; there are ${l} leaves`);
    return k + r;
  });
  return buildForest(call, nodes, roots, weights, (i) => (i < k ? `node ${i}` : i < k + l ? `leaf ${i - k}` : `node ${i - k - l} of a BRANCH_MEMBER chain`));
}

/** The most steps from any root to a leaf; a cycle (a tree that never ends) is refused. */
function deepest(call: NodeCall, roots: readonly number[], next: Int32Array, isLeaf: readonly boolean[], name: (i: number) => string): number {
  const memo = new Int32Array(isLeaf.length).fill(-1);
  const state = new Uint8Array(isLeaf.length); // 0 unseen, 1 on the current path, 2 done
  let most = 0;
  for (const root of roots) {
    // An explicit stack: a tree of a long chain must not overflow JavaScript's.
    const stack: number[] = [root];
    while (stack.length) {
      const i = stack[stack.length - 1];
      if (state[i] === 2) {
        stack.pop();
        continue;
      }
      if (isLeaf[i]) {
        memo[i] = 0;
        state[i] = 2;
        stack.pop();
        continue;
      }
      const children = [next[i * 4 + LESS], next[i * 4 + EQUAL], next[i * 4 + GREATER], next[i * 4 + NAN]];
      if (state[i] === 0) {
        state[i] = 1;
        for (const c of children) {
          if (state[c] === 1) throw call.error(`${name(i)} leads back to ${name(c)}: the nodes form a cycle, not a tree`);
          if (state[c] === 0) stack.push(c);
        }
        continue;
      }
      memo[i] = 1 + Math.max(...children.map((c) => memo[c]));
      state[i] = 2;
      stack.pop();
    }
    most = Math.max(most, memo[root]);
  }
  return most;
}

/** X as f32 rows [N, F], its features reaching the largest feature id a node reads. */
function samples(call: NodeCall, forest: Forest): Tensor {
  const x = sampleRows(call);
  if (forest.maxFeature >= x.shape[1]) throw call.error(`a node reads feature ${forest.maxFeature}, but X has ${x.shape[1]} features`);
  return x;
}

/** The forest's node tables as tensors, made on the first run and kept with the model. */
function forestTables(call: NodeCall, forest: Forest): ForestTables {
  const table = (key: string, make: () => Tensor) => call.kept(call.node, undefined, key, make);
  return {
    features: table('features', () => ops.tensor(forest.features, [forest.nodeCount], { dtype: 'i32' })),
    thresholds: table('thresholds', () => ops.tensor(forest.thresholds, [forest.nodeCount])),
    next: table('next', () => ops.tensor(forest.next, [forest.nodeCount * 4], { dtype: 'i32' })),
    roots: table('roots', () => ops.tensor(Int32Array.from(forest.roots), [forest.roots.length], { dtype: 'i32' })),
    depth: forest.depth,
  };
}

/**
 * Each node's weights per target, reduced as `reduction` (the empty value
 * where none): [nodes, targets]; and how many there are, [nodes, targets].
 * A leaf's several weights for one target add (sum) or are all compared
 * (min, max), as onnxruntime's ProcessTreeNodePrediction goes through them
 * one by one.
 */
function leafTables(forest: Forest, targets: number, reduction: TreeReduction): { weights: Float32Array; counts: Float32Array } {
  const empty = reduction === 'sum' ? 0 : reduction === 'min' ? F32_MAX : -F32_MAX;
  const weights = new Float32Array(forest.nodeCount * targets).fill(empty), counts = new Float32Array(forest.nodeCount * targets);
  forest.weights.forEach((list, node) => {
    for (const { target, weight } of list) {
      const k = node * targets + target;
      weights[k] = reduction === 'sum' ? weights[k] + weight : reduction === 'min' ? Math.min(weights[k], weight) : Math.max(weights[k], weight);
      counts[k]++;
    }
  });
  return { weights, counts };
}

/**
 * Per sample and target, the leaf weights reduced over the trees, and how
 * many leaves wrote to the target (onnxruntime's has_score where > 0):
 * [N, C] each, from the tree-walk kernel. A sum walks once, the weights and
 * counts tables side by side; a min or max walks again for the counts.
 */
function reduceLeaves(call: NodeCall, x: Tensor, forest: Forest, targets: number, reduction: TreeReduction): { value: Tensor; count: Tensor } {
  const m = forest.nodeCount;
  const tables = forestTables(call, forest);
  // Both tables come from one pass over the leaves, made on the first run only.
  let made: ReturnType<typeof leafTables> | undefined;
  const leafTablesOnce = () => (made ??= leafTables(forest, targets, reduction));
  const table = (which: 'weights' | 'counts') => ops.tensor(leafTablesOnce()[which], [m, targets]);
  const cols = (t: Tensor, from: number) => ops.slice(t, [0, from], [t.shape[0], targets]);
  if (reduction === 'sum') {
    const both = call.kept(call.node, undefined, `leaf weights and counts (${targets} targets)`, () => ops.concat([table('weights'), table('counts')], 1));
    const reduced = treeWalk(x, tables, both, 'sum');
    return { value: cols(reduced, 0), count: cols(reduced, targets) };
  }
  const weights = call.kept(call.node, undefined, `leaf weights (${reduction}, ${targets} targets)`, () => table('weights'));
  const counts = call.kept(call.node, undefined, `leaf counts (${targets} targets)`, () => table('counts'));
  return { value: treeWalk(x, tables, weights, reduction), count: treeWalk(x, tables, counts, 'sum') };
}

/**
 * base_values (or base_values_as_tensor), [] when absent, of a length
 * onnxruntime 1.30 accepts (its TreeEnsembleAttributesV3 refuses others):
 * `allowed` counts.
 */
function baseValues(call: NodeCall, allowed: readonly number[], what: string): number[] {
  const base = floatList(call, 'base_values') ?? [];
  if (!allowed.includes(base.length)) throw call.error(`base_values has ${base.length} entries; it has ${allowed.join(' or ')} (${what})`);
  return base;
}

/**
 * Each leaf's value in onnxruntime's one-output path (one target, one
 * class): its first weight only (TreeNodeElement.value_or_unique_weight),
 * or, for a leaf no weight names, its own nodes_values entry, which that
 * field started as.
 */
function firstWeights(forest: Forest): Tensor {
  const first = forest.weights.map((list, node) => (list.length ? list[0].weight : forest.thresholds[node]));
  return ops.tensor(Float32Array.from(first), [forest.nodeCount, 1]);
}

const AGGREGATES = ['SUM', 'AVERAGE', 'MIN', 'MAX'] as const;
type Aggregate = (typeof AGGREGATES)[number];

function aggregateOf(call: NodeCall): Aggregate {
  const name = call.string('aggregate_function', 'SUM');
  if (!(AGGREGATES as readonly string[]).includes(name)) throw call.error(`aggregate_function ${JSON.stringify(name)} is not one of ${AGGREGATES.join(', ')}`);
  return name as Aggregate;
}

/**
 * TreeEnsembleRegressor: Y [N, n_targets], each target the trees' leaf
 * weights aggregated (SUM, AVERAGE, MIN, MAX), plus base_values, then
 * post_transform. onnxruntime has two paths, followed here:
 * - one target: each leaf counts its first weight only, base_values[0] is
 *   added when base_values has one entry, and of the post_transforms only
 *   PROBIT is applied (FinalizeScores1 ignores the others);
 * - several: base_values count only when there is one per target, and a
 *   target no reached leaf wrote to outputs 0 before the transform, base
 *   value or not (write_scores reads an unset ScoreValue as 0).
 * A leaf no weight names is allowed (onnxruntime 1.30 runs it): on the
 * one-output path it gives its own nodes_values entry, on the other nothing.
 */
export function regressTrees(call: NodeCall, forest: Forest, targets: number, aggregate: Aggregate, transform: PostTransform, base: readonly number[]): Tensor {
  const x = samples(call, forest);
  const trees = forest.roots.length;
  const reduction: TreeReduction = aggregate === 'MIN' ? 'min' : aggregate === 'MAX' ? 'max' : 'sum';
  if (targets === 1) {
    let score = treeWalk(x, forestTables(call, forest), call.kept(call.node, undefined, 'first weights', () => firstWeights(forest)), reduction);
    if (aggregate === 'AVERAGE') score = ops.div(score, trees);
    if (base.length === 1) score = ops.add(score, base[0]);
    return transform === 'PROBIT' ? probit(score) : score;
  }
  const { value, count } = reduceLeaves(call, x, forest, targets, reduction);
  let score = aggregate === 'AVERAGE' ? ops.div(value, trees) : value;
  if (base.length === targets) score = ops.add(score, ops.tensor(Float32Array.from(base), [targets]));
  return postTransform(ops.where(ops.greater(count, 0), score, 0), transform);
}

const treeEnsembleRegressor: OnnxOp = {
  run: (call) => {
    const targets = call.int('n_targets');
    if (targets === undefined || !(targets > 0)) throw call.error(`n_targets is ${targets ?? 'missing'}; it must be a count ≥ 1 (onnxruntime requires it)`);
    const forest = call.fromAttributes(() => readForest(call, 'target', targets));
    return regressTrees(call, forest, targets, aggregateOf(call), postTransformOf(call), baseValues(call, [0, targets], 'none, or one per target'));
  },
};

/**
 * TreeEnsembleClassifier: labels Y [N] (int64) and scores Z [N, C]. The
 * class scores are the leaves' class weights summed over the trees
 * (aggregate_function does not apply), as onnxruntime's
 * TreeAggregatorClassifier finalizes them:
 * - more than two classes: base_values added (a class with a base value
 *   counts as written), the label that of the first highest written class,
 *   Z the post_transform of the scores with unwritten classes at 0 (a
 *   sample no class was written for, which onnxruntime fails on, gets
 *   labels[0]);
 * - two classes: see twoClasses, which follows its binary special cases;
 * - one class: the one-output path, the label the literal 1 or 0.
 */
const treeEnsembleClassifier: OnnxOp = {
  run: (call) => {
    const labels = classLabels(call, 'classlabels_int64s');
    const classes = labels.length;
    const forest = call.fromAttributes(() => readForest(call, 'class', classes));
    const transform = postTransformOf(call);
    const base = baseValues(call, classes === 2 ? [0, 1, 2] : [0, classes], classes === 2 ? 'none, one or two for two classes' : `none, or one per class`);
    const x = samples(call, forest);
    if (classes === 1) {
      // onnxruntime's one-output path (FinalizeScores1): the score of each leaf's first weight, the label the literal 1
      // or 0 by its sign (not the class label), Z the score (PROBIT's only, of the transforms).
      let score = treeWalk(x, forestTables(call, forest), call.kept(call.node, undefined, 'first weights', () => firstWeights(forest)), 'sum');
      if (base.length) score = ops.add(score, base[0]);
      const label = ops.reshape(ops.cast(ops.greater(score, 0), 'i32'), [x.shape[0]]);
      return [call.typed(label, 'int64'), transform === 'PROBIT' ? probit(score) : score];
    }
    const { value, count } = reduceLeaves(call, x, forest, classes, 'sum');
    const labelTable = ops.tensor(Int32Array.from(labels), [classes], { dtype: 'i32' });
    if (classes === 2) {
      const ids = call.ints('class_ids', []);
      const weights = floatList(call, 'class_weights') ?? [];
      const binary = new Set(ids).size === 1;
      const allPositive = !weights.some((w) => w < 0);
      const { label, scores } = twoClasses(value, count, base, binary, allPositive, transform, labelTable);
      return [call.typed(label, 'int64'), scores];
    }
    let scores = value, written = ops.greater(count, 0);
    if (base.length) {
      const padded = Float32Array.from({ length: classes }, (_, k) => base[k] ?? 0);
      const based = Float32Array.from({ length: classes }, (_, k) => (k < base.length ? 1 : 0));
      scores = ops.add(scores, ops.tensor(padded, [classes]));
      written = ops.maximum(written, ops.tensor(based, [classes]));
    }
    const winner = ops.argmax(ops.where(written, scores, -F32_MAX), 1);
    const label = call.typed(ops.gather(labelTable, winner), 'int64');
    return [label, postTransform(ops.where(written, scores, 0), transform)];
  },
};

/** Column k of [N, 2] as [N]. */
const column = (t: Tensor, k: number): Tensor => ops.reshape(ops.slice(t, [0, k], [t.shape[0], 1]), [t.shape[0]]);

/**
 * The two-class case of onnxruntime's TreeAggregatorClassifier.FinalizeScores
 * and write_scores, to the letter. Per sample: scores p0, p1 and whether a
 * leaf wrote each (h0, h1).
 * - base_values of 2: when class 1 was written, its score becomes
 *   base_values[1] + p0 (sic: p0, not p1) and class 0's its negative;
 *   otherwise each class adds its base value.
 * - base_values of 1: class 0 adds it. With 0 or 1 base values and class 1
 *   unwritten, the scores shrink to one (s, class 0's).
 * - The label: with the class weights all on one class id (onnxruntime's
 *   binary case), labels[1] when the positive score (class 1's if written,
 *   else class 0's) is > 0.5 (all weights ≥ 0) or > 0 (some negative), else
 *   labels[0]; otherwise the literal 1 or 0 by the positive score's sign.
 * - Z from one score s: PROBIT gives [probit(s), ·]; a binary case, or no
 *   base values, [σ(−s), σ(s)] under LOGISTIC, else [1 − s, s] (binary,
 *   weights all ≥ 0) or [−s, s]; otherwise [s, ·]. The unwritten second
 *   column (onnxruntime leaves it as it finds it) is 0 here. From two
 *   scores, post_transform applied to both, an unwritten class counting 0.
 *   (onnxruntime-web 1.30 checked: LOGISTIC's pair applies to the binary
 *   case of positive weights too, which older ml_common.h left [1 − s, s].)
 */
function twoClasses(value: Tensor, count: Tensor, base: readonly number[], binary: boolean, allPositive: boolean, transform: PostTransform, labelTable: Tensor): { label: Tensor; scores: Tensor } {
  const p0 = column(value, 0), p1 = column(value, 1);
  const h0 = ops.greater(column(count, 0), 0), h1 = ops.greater(column(count, 1), 0);
  let s0 = p0, s1 = p1;
  if (base.length === 2) {
    const shifted = ops.add(p0, base[1]);
    s1 = ops.where(h1, shifted, ops.add(p1, base[1]));
    s0 = ops.where(h1, ops.neg(shifted), ops.add(p0, base[0]));
  } else if (base.length === 1) {
    s0 = ops.add(p0, base[0]);
  }
  const w0 = ops.where(h0, s0, 0), w1 = ops.where(h1, s1, 0);
  const positive = ops.where(h1, s1, w0);
  let label: Tensor;
  if (binary) {
    const wins = ops.greater(positive, allPositive ? 0.5 : 0);
    label = ops.where(wins, ops.gather(labelTable, ops.tensor([1], [1], { dtype: 'i32' })), ops.gather(labelTable, ops.tensor([0], [1], { dtype: 'i32' })));
  } else {
    label = ops.cast(ops.greater(positive, 0), 'i32');
  }
  const both = postTransform(ops.stack([w0, w1], 1), transform);
  // Only with fewer than two base values can the scores shrink to one (where class 1 went unwritten).
  if (base.length >= 2) return { label, scores: both };
  const s = w0;
  let single: Tensor;
  if (transform === 'PROBIT') single = ops.stack([probit(s), ops.zerosLike(s)], 1);
  else if ((binary || base.length === 0) && transform === 'LOGISTIC') single = ops.stack([ops.sigmoid(ops.neg(s)), ops.sigmoid(s)], 1);
  else if (binary && allPositive) single = ops.stack([ops.sub(1, s), s], 1);
  else if (binary || base.length === 0) single = ops.stack([ops.neg(s), s], 1);
  else single = ops.stack([s, ops.zerosLike(s)], 1);
  return { label, scores: ops.where(ops.reshape(h1, [h1.shape[0], 1]), both, single) };
}

/** TreeEnsemble's aggregate_function codes. */
const V5_AGGREGATES: readonly Aggregate[] = ['AVERAGE', 'SUM', 'MIN', 'MAX'];
/**
 * TreeEnsemble's post_transform codes as onnxruntime reads them: 1 LOGISTIC
 * and 2 SOFTMAX, its own POST_EVAL_TRANSFORM order (ml_common.h), where the
 * operator's definition (and onnx's reference) has 1 SOFTMAX and 2 LOGISTIC.
 * Followed as the lead's rule asks (the runtime the models are checked
 * against); onnxruntime-web 1.30 checked. Swap the two to follow the spec.
 */
const V5_TRANSFORMS: readonly PostTransform[] = ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO', 'PROBIT'];

/**
 * TreeEnsemble (ai.onnx.ml 5): the regressor's computation on the new
 * attribute layout (readForestV5), with no base values, as onnxruntime runs
 * it (its convert_to_v3, then the same aggregators: one target takes the
 * one-output path, whose only post_transform is PROBIT).
 */
const treeEnsemble: OnnxOp = {
  run: (call) => {
    const targets = call.int('n_targets');
    if (targets === undefined || !(targets > 0)) throw call.error(`n_targets is ${targets ?? 'missing'}; it must be a count ≥ 1`);
    const aggregate = V5_AGGREGATES[call.int('aggregate_function', 1)];
    if (!aggregate) throw call.error(`aggregate_function = ${call.int('aggregate_function')} is not one of 0 (AVERAGE), 1 (SUM), 2 (MIN), 3 (MAX)`);
    const transform = V5_TRANSFORMS[call.int('post_transform', 0)];
    if (!transform) throw call.error(`post_transform = ${call.int('post_transform')} is not one of 0 (NONE), 1 (LOGISTIC as onnxruntime reads it; SOFTMAX in the spec), 2 (SOFTMAX; LOGISTIC in the spec), 3 (SOFTMAX_ZERO), 4 (PROBIT)`);
    return regressTrees(call, call.fromAttributes(() => readForestV5(call, targets)), targets, aggregate, transform, []);
  },
};

export const ML_TREE_OPS: OpTable = {
  TreeEnsembleRegressor: treeEnsembleRegressor,
  TreeEnsembleClassifier: withStringLabels(treeEnsembleClassifier),
  TreeEnsemble: treeEnsemble,
};
