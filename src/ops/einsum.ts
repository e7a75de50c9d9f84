// Tensor contractions: einsum (NumPy's and PyTorch's) and tensordot. Both
// come down to one step, done pairwise: two operands whose axes carry labels
// are permuted into [batch, free, summed] and [batch, summed, free] and
// multiplied by ONE batched matmul (a transpose flag instead of a copy where
// an operand's axes already lie the other way round), rather than broadcast
// into their full product and summed, which would cost that product's size
// in memory. Before it, a label repeated within an operand takes its diagonal
// and a label no one else needs is summed away; a pair with nothing to sum is
// a broadcast mul (its product is the result). Every step is an op every
// backend has, so gradients come from them.
import { promoteTypes, type DType } from '../dtype.js';
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { normalizeAxis, sameShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { diagonal } from './diagonal.js';
import { mul } from './elementwise.js';
import { matmul } from './matmul.js';
import { reshape, transpose } from './movement.js';
import { sum } from './reduce.js';
import { checkTensor } from './util.js';

/** A tensor with a label per axis (no label twice, but within einsum's operands before their diagonals are taken). */
interface Labelled {
  readonly t: Tensor;
  readonly labels: readonly string[];
}

/** The labels of the axes an ellipsis stands for: '…0' the first of all E such axes, so that they line up from the right. */
const ellipsisLabel = (d: number) => `…${d}`;

/** One operand's (or the output's) subscripts: its letters, and where among them '...' stands (−1: nowhere). */
interface Term {
  readonly text: string;
  readonly letters: readonly string[];
  readonly ellipsisAt: number;
}

function parseTerm(equation: string, text: string): Term {
  const letters: string[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '.') {
      if (text.slice(i, i + 3) !== '...') throw new ValueError(`einsum: a '.' in ${formatValue(equation)} that is not part of an ellipsis '...'`);
      if (ellipsisAt >= 0) throw new ValueError(`einsum: ${formatValue(text)} in ${formatValue(equation)} has two ellipses; one '...' stands for all the broadcast axes`);
      ellipsisAt = letters.length;
      i += 2;
    } else if (/^[A-Za-z]$/.test(c)) {
      letters.push(c);
    } else {
      throw new ValueError(`einsum: ${formatValue(c)} in ${formatValue(equation)} is not a subscript; subscripts are letters (a–z, A–Z) and '...', with ',' between operands and '->' before the output`);
    }
  }
  return { text, letters, ellipsisAt };
}

/** The term's labels, its ellipsis standing for `count` axes, the last `count` of all `total`. */
function labelsOf(term: Term, count: number, total: number): string[] {
  const { letters, ellipsisAt } = term;
  if (ellipsisAt < 0) return [...letters];
  const spread = Array.from({ length: count }, (_, d) => ellipsisLabel(total - count + d));
  return [...letters.slice(0, ellipsisAt), ...spread, ...letters.slice(ellipsisAt)];
}

/**
 * The operands' labels, one per axis, and the output's, from the equation
 * and the operands' shapes; every shape checked against the subscripts and
 * each label's sizes against each other.
 */
function parseEquation(equation: string, operands: readonly Tensor[]): { inputs: string[][]; output: string[]; sizes: Map<string, number> } {
  const compact = equation.replace(/\s+/g, '');
  const sides = compact.split('->');
  if (sides.length > 2) throw new ValueError(`einsum: ${formatValue(equation)} has more than one '->'; the output follows the only one`);
  if (sides.length === 2 && sides[1].includes(',')) throw new ValueError(`einsum: the output of ${formatValue(equation)} is one term, without ','`);
  const terms = sides[0].split(',').map((text) => parseTerm(equation, text));
  if (terms.length !== operands.length) {
    throw new ValueError(`einsum: ${formatValue(equation)} has subscripts for ${terms.length} operand${terms.length === 1 ? '' : 's'}, but ${operands.length} ${operands.length === 1 ? 'was' : 'were'} given`);
  }
  terms.forEach(({ text, letters, ellipsisAt }, i) => {
    const x = operands[i];
    if (ellipsisAt < 0 ? x.rank !== letters.length : x.rank < letters.length) {
      throw new ShapeError(`einsum: operand ${i} ${formatShape(x.shape)} has ${x.rank} ax${x.rank === 1 ? 'is' : 'es'}, but its subscripts ${formatValue(text)} name ${ellipsisAt < 0 ? '' : 'at least '}${letters.length}`);
    }
  });
  const spreads = terms.map((t, i) => (t.ellipsisAt < 0 ? 0 : operands[i].rank - t.letters.length));
  const total = Math.max(0, ...spreads);
  const inputs = terms.map((t, i) => labelsOf(t, spreads[i], total));
  const sizes = checkSizes(equation, inputs, operands);

  if (sides.length === 1) {
    // Implicit output, as NumPy's and PyTorch's: the broadcast axes, then the letters seen once, in alphabetical (ASCII) order.
    const letters = inputs.flat().filter((l) => l.length === 1);
    const once = letters.filter((l) => letters.indexOf(l) === letters.lastIndexOf(l)).sort();
    return { inputs, output: [...labelsOf({ text: '...', letters: [], ellipsisAt: 0 }, total, total), ...once], sizes };
  }
  const out = parseTerm(equation, sides[1]);
  const known = new Set(inputs.flat());
  out.letters.forEach((l, i) => {
    if (!known.has(l)) throw new ValueError(`einsum: output index ${formatValue(l)} of ${formatValue(equation)} is in no input`);
    if (out.letters.indexOf(l) !== i) throw new ValueError(`einsum: output index ${formatValue(l)} appears twice in ${formatValue(equation)}`);
  });
  // An ellipsis missing from an explicit output sums its axes away, as PyTorch's does (NumPy refuses it).
  return { inputs, output: labelsOf(out, total, total), sizes };
}

/**
 * Each label's size: its axes in different operands broadcast (equal, or
 * 1), as PyTorch's letters and NumPy's ellipsis do, to the largest; a
 * letter repeated within one operand (a diagonal) must have one size there.
 */
function checkSizes(equation: string, inputs: readonly string[][], operands: readonly Tensor[]): Map<string, number> {
  const seen = new Map<string, { size: number; operand: number; axis: number }>();
  const where = (operand: number, axis: number) => `axis ${axis} of operand ${operand} ${formatShape(operands[operand].shape)}`;
  const refuse = (label: string, first: { size: number; operand: number; axis: number }, size: number, operand: number, axis: number): never => {
    const what = label.length === 1 ? `index ${formatValue(label)}` : "the axes '...' stands for";
    throw new ShapeError(`einsum: ${what} in ${formatValue(equation)} has size ${first.size} at ${where(first.operand, first.axis)} but ${size} at ${where(operand, axis)}`);
  };
  inputs.forEach((labels, operand) => labels.forEach((label, axis) => {
    const size = operands[operand].shape[axis];
    const before = labels.indexOf(label);
    if (before !== axis && operands[operand].shape[before] !== size) refuse(label, { size: operands[operand].shape[before], operand, axis: before }, size, operand, axis);
    const first = seen.get(label);
    if (!first || first.size === 1) seen.set(label, { size, operand, axis });
    else if (first.size !== size && size !== 1) refuse(label, first, size, operand, axis);
  }));
  return new Map([...seen].map(([label, { size }]) => [label, size]));
}

/**
 * The product of `operands` named by `equation` (NumPy's and PyTorch's
 * einsum): 'ij,jk->ik' a matmul, 'bij,bjk->bik' batched, 'ij->ji' a
 * transpose, 'ii->i' a diagonal, 'ii' a trace, 'i,j->ij' an outer product,
 * '...ij,...jk->...ik' over broadcast batch axes. Subscripts are letters
 * (case counts), '...' standing for leading axes that broadcast; spaces are
 * ignored. Without '->' the output is the broadcast axes, then the letters
 * that appear once, in alphabetical order. A letter's axes in different
 * operands broadcast (equal sizes, or 1), as PyTorch's. Operands are contracted left to right, two at a time, each pair by
 * one batched matmul; a letter that only one operand (and not the output)
 * has is summed first. Ints give i32 (i8 products accumulating exactly, as
 * matmul's); otherwise the operands' common dtype.
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (typeof equation !== 'string') throw new ValueError(`einsum: the equation must be a string such as 'ij,jk->ik', got ${formatValue(equation)}`);
  if (operands.length === 0) throw new ValueError(`einsum: ${formatValue(equation)} needs operands, and none were given`);
  operands.forEach((x, i) => checkTensor('einsum', x, `operand ${i}`));
  const { inputs, output, sizes } = parseEquation(equation, operands);
  const dtype = contractedDType(operands.map((x) => x.dtype));
  return tidy(() => {
    const prepared = operands.map((t, i): Labelled => takeDiagonals(unbroadcast({ t, labels: inputs[i] }, sizes)));
    let result = prepared[0];
    for (let j = 1; j < prepared.length; j++) {
      const later = new Set([...output, ...prepared.slice(j + 1).flatMap((p) => p.labels)]);
      const next = prepared[j];
      const a = sumAway(result, (l) => later.has(l) || next.labels.includes(l));
      const b = sumAway(next, (l) => later.has(l) || a.labels.includes(l));
      result = contractPair(a, b, later);
    }
    const y = arranged(sumAway(result, (l) => output.includes(l)), output);
    if (y.dtype !== dtype) return cast(y, dtype);
    // 'ij->ij' and the like: a view, not the operand itself, which the caller may dispose apart.
    return operands.includes(y) ? reshape(y, y.shape) : y;
  });
}

/**
 * The product of a and b summed over `axes` (NumPy's tensordot, torch's):
 * a number n pairs a's last n axes with b's first n (2 by default); a pair
 * of lists pairs a's axes[0][k] with b's axes[1][k]. The result has a's
 * other axes, then b's, in order. One matmul (a broadcast mul when
 * nothing is summed); dtype as einsum's.
 */
export function tensordot(a: Tensor, b: Tensor, axes: number | readonly [number | readonly number[], number | readonly number[]] = 2): Tensor {
  checkTensor('tensordot', a, 'a');
  checkTensor('tensordot', b, 'b');
  let [onA, onB] = [[] as number[], [] as number[]];
  if (typeof axes === 'number') {
    if (!Number.isInteger(axes) || axes < 0 || axes > a.rank || axes > b.rank) {
      throw new ShapeError(`tensordot: axes ${formatValue(axes)} must be a count of axes from 0 to the smaller rank of a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`);
    }
    onA = Array.from({ length: axes }, (_, k) => a.rank - axes + k);
    onB = Array.from({ length: axes }, (_, k) => k);
  } else {
    const list = (v: unknown) => (typeof v === 'number' ? [v] : v);
    const [la, lb] = Array.isArray(axes) && axes.length === 2 ? axes.map(list) : [];
    if (!Array.isArray(la) || !Array.isArray(lb) || la.length !== lb.length) {
      throw new ValueError(`tensordot: axes must be a count or a pair of equally long lists of axes (a's, then b's), got ${formatValue(axes)}`);
    }
    onA = la.map((axis: number) => normalizeAxis('tensordot', axis, a.rank));
    onB = lb.map((axis: number) => normalizeAxis('tensordot', axis, b.rank));
  }
  for (const [name, list] of [['a', onA], ['b', onB]] as const) {
    const twice = list.find((axis, k) => list.indexOf(axis) !== k);
    if (twice !== undefined) throw new ShapeError(`tensordot: axis ${twice} of ${name} is summed over twice in ${formatValue(axes)}`);
  }
  onA.forEach((axis, k) => {
    if (a.shape[axis] !== b.shape[onB[k]]) {
      throw new ShapeError(`tensordot: axis ${axis} of a ${formatShape(a.shape)} (size ${a.shape[axis]}) and axis ${onB[k]} of b ${formatShape(b.shape)} (size ${b.shape[onB[k]]}) are summed together but differ`);
    }
  });
  // Labels: a summed pair shares one, every other axis has its own.
  const aLabels = a.shape.map((_, i) => (onA.includes(i) ? `s${onA.indexOf(i)}` : `a${i}`));
  const bLabels = b.shape.map((_, i) => (onB.includes(i) ? `s${onB.indexOf(i)}` : `b${i}`));
  const kept = new Set([...aLabels, ...bLabels].filter((l) => !l.startsWith('s')));
  const dtype = contractedDType([a.dtype, b.dtype]);
  return tidy(() => {
    const y = contractPair({ t: a, labels: aLabels }, { t: b, labels: bLabels }, kept).t;
    return y.dtype === dtype ? y : cast(y, dtype);
  });
}

/** A contraction's dtype: matmul's (ints in i32, i8 × i8 accumulating into it exactly). */
function contractedDType(dtypes: readonly DType[]): DType {
  const common = dtypes.reduce(promoteTypes);
  return common === 'i8' ? 'i32' : common;
}

/**
 * x without the size-1 axes of its ellipsis that other operands broadcast to
 * more (`sizes`): x does not vary along them, so it simply lacks that label.
 */
function unbroadcast(x: Labelled, sizes: ReadonlyMap<string, number>): Labelled {
  const keep = (label: string, axis: number) => x.t.shape[axis] !== 1 || sizes.get(label) === 1;
  if (x.labels.every(keep)) return x;
  return { t: reshape(x.t, x.t.shape.filter((_, axis) => keep(x.labels[axis], axis))), labels: x.labels.filter(keep) };
}

/** x with each label it repeats replaced by that diagonal, at the end (einsum's 'ii->i'). */
function takeDiagonals(x: Labelled): Labelled {
  let { t, labels } = x;
  let again: number;
  while ((again = labels.findIndex((l, axis) => labels.indexOf(l) !== axis)) >= 0) {
    const first = labels.indexOf(labels[again]);
    t = diagonal(t, { axis1: first, axis2: again });
    labels = [...labels.filter((_, axis) => axis !== first && axis !== again), labels[first]];
  }
  return { t, labels };
}

/** x summed over the axes whose labels `keep` refuses. */
function sumAway(x: Labelled, keep: (label: string) => boolean): Labelled {
  const away = x.labels.flatMap((l, axis) => (keep(l) ? [] : [axis]));
  if (away.length === 0) return x;
  return { t: sum(x.t, away), labels: x.labels.filter((l) => keep(l)) };
}

/** x's tensor with its axes in the order of `labels`: itself when they already are, else a transposed copy. */
function arranged(x: Labelled, labels: readonly string[]): Tensor {
  const perm = labels.map((l) => x.labels.indexOf(l));
  return perm.every((axis, i) => axis === i) ? x.t : transpose(x.t, perm);
}

const sameLabels = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((l, i) => l === b[i]);

/**
 * How a pair is laid out for matmul: the order of its batch and summed
 * labels, and whether an operand is read transposed (so that its axes, as
 * they lie, need no copy).
 */
interface Layout {
  batch: string[];
  summed: string[];
  transposeA: boolean;
  transposeB: boolean;
  /** Entries copied to permute the operands into place: what the layout costs. */
  copied: number;
}

/** The layout of a pair whose shared labels go in `order`'s order, each operand read as it lies where it can be. */
function layoutFrom(a: Labelled, b: Labelled, freeA: readonly string[], freeB: readonly string[], kept: ReadonlySet<string>, order: readonly string[]): Layout {
  const shared = order.filter((l) => a.labels.includes(l) && b.labels.includes(l));
  const batch = shared.filter((l) => kept.has(l));
  const summed = shared.filter((l) => !kept.has(l));
  // a as [batch, free, summed], or [batch, summed, free] read transposed; b as [batch, summed, free] or [batch, free, summed].
  const transposeA = !sameLabels(a.labels, [...batch, ...freeA, ...summed]) && sameLabels(a.labels, [...batch, ...summed, ...freeA]);
  const transposeB = !sameLabels(b.labels, [...batch, ...summed, ...freeB]) && sameLabels(b.labels, [...batch, ...freeB, ...summed]);
  const inPlaceA = transposeA || sameLabels(a.labels, [...batch, ...freeA, ...summed]);
  const inPlaceB = transposeB || sameLabels(b.labels, [...batch, ...summed, ...freeB]);
  return { batch, summed, transposeA, transposeB, copied: (inPlaceA ? 0 : a.t.size) + (inPlaceB ? 0 : b.t.size) };
}

/**
 * a and b multiplied and summed over the labels they share that `kept`
 * lacks; those they share in `kept` are a batch. Every label only one of
 * them has must be in `kept` (sumAway the rest first). The result's labels:
 * the batch's, a's own, b's own.
 */
function contractPair(a: Labelled, b: Labelled, kept: ReadonlySet<string>): Labelled {
  const freeA = a.labels.filter((l) => !b.labels.includes(l));
  const freeB = b.labels.filter((l) => !a.labels.includes(l));
  // The shared labels in a's order or in b's, whichever leaves fewer entries to copy.
  const fromA = layoutFrom(a, b, freeA, freeB, kept, a.labels);
  const fromB = layoutFrom(a, b, freeA, freeB, kept, b.labels);
  const { batch, summed, transposeA, transposeB } = fromB.copied < fromA.copied ? fromB : fromA;
  const sizes = (labels: readonly string[]) => labels.map((l) => (a.labels.includes(l) ? a.t.shape[a.labels.indexOf(l)] : b.t.shape[b.labels.indexOf(l)]));
  const [nBatch, nA, nSummed, nB] = [batch, freeA, summed, freeB].map((labels) => sizeOf(sizes(labels)));
  let product: Tensor;
  if (summed.length === 0) {
    // Nothing to sum: the broadcast product is the result itself, one mul.
    let [ta, tb] = [reshape(arranged(a, [...batch, ...freeA]), [nBatch, nA, 1]), reshape(arranged(b, [...batch, ...freeB]), [nBatch, 1, nB])];
    if (ta.dtype === 'i8' && tb.dtype === 'i8') [ta, tb] = [cast(ta, 'i32'), cast(tb, 'i32')];
    product = mul(ta, tb);
  } else {
    const ta = transposeA ? reshape(arranged(a, [...batch, ...summed, ...freeA]), [nBatch, nSummed, nA]) : reshape(arranged(a, [...batch, ...freeA, ...summed]), [nBatch, nA, nSummed]);
    const tb = transposeB ? reshape(arranged(b, [...batch, ...freeB, ...summed]), [nBatch, nB, nSummed]) : reshape(arranged(b, [...batch, ...summed, ...freeB]), [nBatch, nSummed, nB]);
    product = matmul(ta, tb, { transposeA, transposeB });
  }
  const labels = [...batch, ...freeA, ...freeB];
  const shape = sizes(labels);
  return { t: sameShape(product.shape, shape) ? product : reshape(product, shape), labels };
}
