// einsum and tensordot on every backend against a float64 einsum written
// here, which loops over every value of every index: products, batches,
// sums, transposes, diagonals, traces, outer products, broadcast ellipses,
// chains of three and four operands, at odd sizes; ints exact, f16 within
// its rounding; the gradient with respect to each operand against the same
// loop's analytic one; memory left flat; bad equations refused with the
// problem named.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { TOL, asDType, expectClose, expectExact, intsOf, uniform } from '../helpers/data.js';
import { f64, size, type F64 } from '../helpers/float64.js';

/** What the float64 einsum gives: the result, Σ|terms| per entry (its rounding's scale) and, given r, Σ r·result's gradients. */
interface EinsumRef {
  y: F64;
  magnitude: Float64Array;
  grads: Float64Array[];
  gradMagnitudes: Float64Array[];
}

/**
 * einsum by brute force: every index (an ellipsis's axes as digits, lined up
 * from the right) runs over its whole range, a size-1 axis broadcast; each
 * assignment adds the operands' product into the output entry its output
 * indices pick and, with `r` (the output's weights in a loss Σ r·y), r times
 * the other operands' product into each operand's gradient at the entry it read.
 */
function einsumRef(equation: string, xs: F64[], r?: Float64Array): EinsumRef {
  const [lhs, rhs] = equation.replace(/\s/g, '').split('->');
  const terms = lhs.split(',');
  const spread = terms.map((t, k) => (t.includes('...') ? xs[k].shape.length - (t.length - 3) : 0));
  const total = Math.max(0, ...spread);
  const digits = (n: number) => Array.from({ length: n }, (_, d) => String(total - n + d)).join('');
  const subs = terms.map((t, k) => t.replace('...', digits(spread[k])));
  let out: string;
  if (rhs === undefined) {
    const letters = subs.join('').replace(/[0-9]/g, '');
    out = digits(total) + [...new Set(letters)].filter((c) => letters.split(c).length === 2).sort().join('');
  } else {
    out = rhs.replace('...', digits(total));
  }
  const extent = new Map<string, number>();
  subs.forEach((s, k) => [...s].forEach((c, axis) => extent.set(c, Math.max(extent.get(c) ?? 1, xs[k].shape[axis]))));
  const indices = [...extent.keys()];
  const outShape = [...out].map((c) => extent.get(c)!);
  const y = f64(outShape, new Float64Array(size(outShape)));
  const magnitude = new Float64Array(y.v.length);
  const grads = xs.map((x) => new Float64Array(x.v.length));
  const gradMagnitudes = xs.map((x) => new Float64Array(x.v.length));
  if (indices.some((c) => extent.get(c) === 0)) return { y, magnitude, grads, gradMagnitudes };
  // Where in the flat storage of operand k (or the output) an assignment of the indices reads.
  const offsetOf = (s: string, shape: number[], at: Map<string, number>) =>
    [...s].reduce((o, c, axis) => o * shape[axis] + (shape[axis] === 1 ? 0 : at.get(c)!), 0);
  const at = new Map(indices.map((c) => [c, 0]));
  for (;;) {
    const reads = subs.map((s, k) => offsetOf(s, xs[k].shape, at));
    const values = reads.map((o, k) => xs[k].v[o]);
    const o = offsetOf(out, outShape, at);
    const product = values.reduce((p, v) => p * v, 1);
    y.v[o] += product;
    magnitude[o] += Math.abs(product);
    if (r) {
      values.forEach((_, k) => {
        const others = values.reduce((p, v, m) => (m === k ? p : p * v), 1);
        grads[k][reads[k]] += r[o] * others;
        gradMagnitudes[k][reads[k]] += Math.abs(r[o] * others);
      });
    }
    // The next assignment, the last index running fastest.
    let d = indices.length - 1;
    for (; d >= 0; d--) {
      const c = indices[d];
      if (at.get(c)! + 1 < extent.get(c)!) {
        at.set(c, at.get(c)! + 1);
        break;
      }
      at.set(c, 0);
    }
    if (d < 0) break;
  }
  return { y, magnitude, grads, gradMagnitudes };
}

/** Fresh values for `shape` in `dtype` (ints over their whole range; floats in [−1, 1) as the dtype holds them). */
function draw(shape: number[], dtype: tm.DType = 'f32'): { x: F64; t: tm.Tensor } {
  const n = size(shape);
  const x = f64(shape, dtype === 'i8' || dtype === 'i32' ? intsOf(dtype, n) : asDType(uniform(n, -1, 1), dtype));
  return { x, t: tm.tensor(x.v, shape, { dtype }) };
}

/** Equations and operand shapes, each a case the float64 einsum checks. */
const CASES: [string, number[][]][] = [
  ['ij,jk->ik', [[7, 13], [13, 5]]],
  ['ij,jk', [[1, 7], [7, 1]]],
  [' i j , j k -> i k ', [[3, 31], [31, 2]]],
  ['ij,kj->ik', [[7, 13], [5, 13]]],
  ['ji,jk->ik', [[13, 7], [13, 5]]],
  ['ji,kj->ki', [[13, 7], [5, 13]]],
  ['ij,j->i', [[7, 13], [13]]],
  ['bij,bjk->bik', [[3, 7, 5], [3, 5, 13]]],
  ['bij,bkj->bki', [[3, 7, 5], [3, 13, 5]]],
  ['bn,anm,bm->ba', [[3, 7], [5, 7, 4], [3, 4]]],
  ['bhqd,bhkd->bhqk', [[2, 3, 7, 5], [2, 3, 13, 5]]],
  ['bhqk,bhkd->bhqd', [[2, 3, 7, 13], [2, 3, 13, 5]]],
  ['...ij,...jk->...ik', [[2, 1, 7, 5], [3, 5, 4]]],
  ['...ij,...jk', [[7, 5], [2, 5, 4]]],
  ['...i,...i->...', [[4, 1, 13], [5, 13]]],
  ['i...,i->...', [[3, 4, 5], [3]]],
  ['...ij->ij', [[2, 3, 7, 5]]],
  ['...ii->...i', [[2, 5, 5]]],
  ['ii->i', [[7, 7]]],
  ['ii', [[13, 13]]],
  ['iij->j', [[4, 4, 5]]],
  ['iji->j', [[4, 5, 4]]],
  ['ii,i->i', [[5, 5], [5]]],
  ['iii->i', [[4, 4, 4]]],
  ['ijij->ij', [[3, 4, 3, 4]]],
  ['ijji', [[3, 4, 4, 3]]],
  ['ij->', [[7, 13]]],
  ['i->', [[1]]],
  ['ij->ji', [[7, 13]]],
  ['ji', [[7, 13]]],
  ['ijk->kji', [[3, 5, 7]]],
  ['ijk->jki', [[3, 5, 7]]],
  ['ijk->j', [[3, 5, 7]]],
  ['i,i->', [[13], [13]]],
  ['i,i->i', [[13], [13]]],
  ['i,j->ij', [[7], [13]]],
  ['ab,cd->abcd', [[2, 3], [4, 5]]],
  ['ab,cd->dbca', [[2, 3], [4, 5]]],
  ['i,->i', [[5], []]],
  ['ijk,jil->kl', [[3, 4, 5], [4, 3, 7]]],
  ['Ab,bA->A', [[5, 7], [7, 5]]],
  ['ij,jk,kl->il', [[5, 7], [7, 3], [3, 4]]],
  ['ab,bc,cd,de->ae', [[3, 4], [4, 5], [5, 6], [6, 2]]],
  ['ab,ab,ab->a', [[3, 7], [3, 7], [3, 7]]],
  ['ij,jk,ki->', [[4, 5], [5, 6], [6, 4]]],
  ['ij,ik->', [[7, 3], [7, 5]]],
  ['bi,bj,b->ij', [[7, 3], [7, 5], [7]]],
  // A letter of size 1 in one operand broadcasts against the others', as PyTorch's.
  ['bij,bkj->bik', [[1, 3, 4], [5, 2, 4]]],
  ['bij,bjk->bik', [[3, 1, 5], [1, 5, 2]]],
  ['ij,ij->ij', [[1, 4], [3, 4]]],
  ['ij,j->i', [[3, 4], [1]]],
  ['i,i->', [[1], [6]]],
];

describe.each(BACKENDS)('einsum and tensordot on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  describe('einsum', () => {
    it.each(CASES)('%s of %j matches the float64 einsum', async (equation, shapes) => {
      const operands = shapes.map((s) => draw(s));
      const want = einsumRef(equation, operands.map((o) => o.x));
      const y = tm.einsum(equation, ...operands.map((o) => o.t));
      expect([y.shape, y.dtype]).toEqual([want.y.shape, 'f32']);
      expectClose(await y.data(), want.y.v, TOL.f32, equation, want.magnitude);
    });

    it('larger sizes: attention scores, a batched product with a broadcast batch, a bilinear form', async () => {
      for (const [equation, shapes] of [
        ['bhqd,bhkd->bhqk', [[2, 4, 33, 16], [2, 4, 65, 16]]],
        ['...ij,...jk->...ik', [[3, 1, 31, 67], [5, 67, 29]]],
        ['bn,anm,bm->ba', [[9, 33], [17, 33, 31], [9, 31]]],
      ] as [string, number[][]][]) {
        const operands = shapes.map((s) => draw(s));
        const want = einsumRef(equation, operands.map((o) => o.x));
        const y = tm.einsum(equation, ...operands.map((o) => o.t));
        expect(y.shape).toEqual(want.y.shape);
        expectClose(await y.data(), want.y.v, 1e-4, equation, want.magnitude);
      }
    });

    it.each([
      ['bhqd,bhkd->bhqk', [[2, 3, 7, 5], [2, 3, 13, 5]], 1, 0],
      ['bhqk,bhkd->bhqd', [[2, 3, 7, 13], [2, 3, 13, 5]], 1, 0],
      ['ji,jk->ik', [[13, 7], [13, 5]], 1, 0],
      ['...ij,...jk->...ik', [[5, 3, 7, 5], [5, 3, 5, 4]], 1, 0],
      // The batch axes each operand has alone are free axes: b's moved behind the summed one, then the result's into place.
      ['...ij,...jk->...ik', [[2, 1, 7, 5], [3, 5, 4]], 1, 2],
      ['bn,anm,bm->ba', [[3, 7], [5, 7, 4], [3, 4]], 2, 1],
      ['ij,jk,kl->il', [[5, 7], [7, 3], [3, 4]], 2, 0],
    ] as [string, number[][], number, number][])('%s contracts each pair by one batched matmul, broadcasting no product to sum (%j: %i matmuls, %i copies)', (equation, shapes, matmuls, copies) => {
      const operands = shapes.map((s) => draw(s).t);
      for (const t of operands) t.requiresGrad = true;
      // The ops the result was computed by, from the autograd graph.
      const ops: string[] = [];
      const walk = (t: tm.Tensor) => {
        if (!t.gradFn) return;
        ops.push(t.gradFn.op);
        t.gradFn.inputs.forEach(walk);
      };
      walk(tm.einsum(equation, ...operands));
      expect(ops.filter((op) => op === 'matmul').length).toBe(matmuls);
      expect(ops.filter((op) => op === 'transpose').length).toBe(copies);
      expect(ops.filter((op) => !['matmul', 'transpose', 'reshape'].includes(op))).toEqual([]);
    });

    it('gives the product of ordinary ops: a matmul, a transpose, a trace, a diagonal', async () => {
      const { t: a } = draw([5, 7]);
      const { t: b } = draw([7, 3]);
      const { t: s } = draw([6, 6]);
      expectClose(await tm.einsum('ij,jk->ik', a, b).data(), await a.matmul(b).data(), TOL.f32);
      expectExact(await tm.einsum('ij->ji', a).data(), await a.transpose().data());
      expectClose(await tm.einsum('ii', s).data(), await s.trace().data(), TOL.f32);
      expectExact(await tm.einsum('ii->i', s).data(), await s.diagonal().data());
    });

    it('an empty index gives zeros where it is summed and an empty result where it is kept', async () => {
      const y = tm.einsum('ij,jk->ik', tm.ones([3, 0]), tm.ones([0, 4]));
      expect([y.shape, Array.from(await y.data())]).toEqual([[3, 4], Array(12).fill(0)]);
      expect(tm.einsum('ij,jk->ik', tm.ones([0, 5]), tm.ones([5, 4])).shape).toEqual([0, 4]);
      expect(Array.from(await tm.einsum('i->', tm.ones([0])).data())).toEqual([0]);
    });

    it('ints give i32, i8 products exact; f16 gives f16 within its rounding', async () => {
      for (const [equation, shapes] of [['ij,jk->ik', [[7, 13], [13, 5]]], ['i,j->ij', [[7], [5]]], ['bij,bkj->bik', [[3, 4, 9], [3, 5, 9]]], ['ij->ji', [[3, 4]]], ['ii', [[5, 5]]]] as [string, number[][]][]) {
        for (const dtype of ['i8', 'i32'] as const) {
          // i8 values in both, so that no i32 sum wraps: the float64 result is then exact.
          const operands = shapes.map((s) => draw(s, 'i8')).map((o) => ({ x: o.x, t: o.t.cast(dtype) }));
          const y = tm.einsum(equation, ...operands.map((o) => o.t));
          expect(y.dtype, `${equation} ${dtype}`).toBe('i32');
          expectExact(await y.data(), einsumRef(equation, operands.map((o) => o.x)).y.v, `${equation} ${dtype}`);
        }
        const halves = shapes.map((s) => draw(s, 'f16'));
        const h = tm.einsum(equation, ...halves.map((o) => o.t));
        const want = einsumRef(equation, halves.map((o) => o.x));
        expect(h.dtype).toBe('f16');
        expectClose(await h.data(), want.y.v, 5 * TOL.f16, `${equation} f16`, want.magnitude);
      }
    });

    it.each([
      ['ij,jk->ik', [[7, 13], [13, 5]]],
      ['bhqd,bhkd->bhqk', [[2, 3, 7, 5], [2, 3, 13, 5]]],
      ['bn,anm,bm->ba', [[3, 7], [5, 7, 4], [3, 4]]],
      ['...ij,...jk->...ik', [[2, 1, 7, 5], [3, 5, 4]]],
      ['ii->i', [[7, 7]]],
      ['ii', [[13, 13]]],
      ['iij,jk->ik', [[3, 3, 4], [4, 5]]],
      ['ij->', [[7, 13]]],
      ['i,j->ij', [[7], [13]]],
      ['ij,jk,kl->il', [[5, 7], [7, 3], [3, 4]]],
      ['ab,ab,ab->a', [[3, 7], [3, 7], [3, 7]]],
      ['i...,i->...', [[3, 4, 5], [3]]],
    ] as [string, number[][]][])('the gradient of %s of %j with respect to each operand is the float64 one', async (equation, shapes) => {
      const operands = shapes.map((s) => draw(s));
      for (const o of operands) o.t.requiresGrad = true;
      const outShape = einsumRef(equation, operands.map((o) => o.x)).y.shape;
      const r = uniform(size(outShape));
      const want = einsumRef(equation, operands.map((o) => o.x), r);
      tm.tidy(() => tm.einsum(equation, ...operands.map((o) => o.t)).mul(tm.tensor(r, outShape)).sum()).backward();
      for (const [k, o] of operands.entries()) {
        expect(o.t.grad!.shape).toEqual(shapes[k]);
        expectClose(await o.t.grad!.data(), want.grads[k], TOL.f32, `${equation}: d/d operand ${k}`, want.gradMagnitudes[k]);
      }
    });

    it('one tensor given twice gets both its gradients: Σ x² by \'ij,ij->\' has gradient 2x', async () => {
      const { x, t } = draw([7, 13]);
      t.requiresGrad = true;
      tm.einsum('ij,ij->', t, t).backward();
      expectClose(await t.grad!.data(), x.v.map((v) => 2 * v), TOL.f32);
    });

    it('leaves nothing behind but its result, gradients included', async () => {
      const operands = [[3, 7], [5, 7, 4], [3, 4]].map((s) => draw(s).t);
      const square = draw([5, 5]).t;
      const [batched, last] = [draw([5, 1, 7, 4]).t, draw([4, 3]).t];
      const all = [...operands, square, batched, last];
      const run = () => [tm.einsum('bn,anm,bm->ba', ...operands), tm.einsum('ii->i', square), tm.einsum('...ij,...jk->...ik', batched, last)];
      const before = tm.memory();
      const ys = run();
      expect(tm.memory().numTensors).toBe(before.numTensors + 3);
      expect(tm.memory().numBytes).toBe(before.numBytes + 4 * ys.reduce((n, y) => n + y.size, 0));
      for (const y of ys) y.dispose();
      expect(tm.memory()).toEqual(before);
      for (const t of all) t.requiresGrad = true;
      const loss = tm.tidy(() => run().reduce((total, y) => total.add(y.sum()), tm.scalar(0)));
      loss.backward();
      loss.dispose();
      for (const t of all) {
        t.grad!.dispose();
        t.grad = null;
      }
      expect(tm.memory()).toEqual(before);
    });

    it('refuses bad equations, naming the problem', () => {
      const [a, b] = [tm.zeros([2, 3]), tm.zeros([3, 4])];
      expect(() => tm.einsum('ij,j1->i', a, b)).toThrow(new tm.ValueError(`einsum: "1" in "ij,j1->i" is not a subscript; subscripts are letters (a–z, A–Z) and '...', with ',' between operands and '->' before the output`));
      expect(() => tm.einsum('ij-jk', a, b)).toThrow('einsum: "-" in "ij-jk" is not a subscript');
      expect(() => tm.einsum('ij,jk->ik', a)).toThrow(new tm.ValueError('einsum: "ij,jk->ik" has subscripts for 2 operands, but 1 was given'));
      expect(() => tm.einsum('ij->ij', a, b)).toThrow('einsum: "ij->ij" has subscripts for 1 operand, but 2 were given');
      expect(() => tm.einsum('ij,jk')).toThrow('einsum: "ij,jk" needs operands, and none were given');
      expect(() => tm.einsum('ij,kj->ik', a, b)).toThrow(new tm.ShapeError('einsum: index "j" in "ij,kj->ik" has size 3 at axis 1 of operand 0 [2,3] but 4 at axis 1 of operand 1 [3,4]'));
      expect(() => tm.einsum('ii->i', a)).toThrow('einsum: index "i" in "ii->i" has size 2 at axis 0 of operand 0 [2,3] but 3 at axis 1 of operand 0 [2,3]');
      // Within one operand a repeated letter is a diagonal: no broadcasting there.
      expect(() => tm.einsum('ii->i', tm.zeros([1, 3]))).toThrow('einsum: index "i" in "ii->i" has size 1 at axis 0 of operand 0 [1,3] but 3 at axis 1 of operand 0 [1,3]');
      expect(() => tm.einsum('...ij,...jk', tm.zeros([2, 2, 3]), tm.zeros([5, 3, 4]))).toThrow(new tm.ShapeError("einsum: the axes '...' stands for in \"...ij,...jk\" has size 2 at axis 0 of operand 0 [2,2,3] but 5 at axis 0 of operand 1 [5,3,4]"));
      expect(() => tm.einsum('ij,jk->iz', a, b)).toThrow(new tm.ValueError('einsum: output index "z" of "ij,jk->iz" is in no input'));
      expect(() => tm.einsum('ij,jk->ii', a, b)).toThrow(new tm.ValueError('einsum: output index "i" appears twice in "ij,jk->ii"'));
      expect(() => tm.einsum('ijk,jk', a, b)).toThrow(new tm.ShapeError('einsum: operand 0 [2,3] has 2 axes, but its subscripts "ijk" name 3'));
      expect(() => tm.einsum('i,jk', a, b)).toThrow('einsum: operand 0 [2,3] has 2 axes, but its subscripts "i" name 1');
      expect(() => tm.einsum('...ijk', a)).toThrow('einsum: operand 0 [2,3] has 2 axes, but its subscripts "...ijk" name at least 3');
      expect(() => tm.einsum('ij->i->j', a)).toThrow(`einsum: "ij->i->j" has more than one '->'; the output follows the only one`);
      expect(() => tm.einsum('ij,jk->i,k', a, b)).toThrow(`einsum: the output of "ij,jk->i,k" is one term, without ','`);
      expect(() => tm.einsum('..ij', a)).toThrow(`einsum: a '.' in "..ij" that is not part of an ellipsis '...'`);
      expect(() => tm.einsum('...i...', a)).toThrow(`einsum: "...i..." in "...i..." has two ellipses; one '...' stands for all the broadcast axes`);
      expect(() => tm.einsum('ij', [a] as unknown as tm.Tensor)).toThrow('einsum: operand 0 must be a Tensor, got object');
      expect(() => tm.einsum(3 as unknown as string, a)).toThrow(`einsum: the equation must be a string such as 'ij,jk->ik', got 3`);
    });
  });

  describe('tensordot', () => {
    it.each([
      [[3, 4, 5], [4, 5, 6], 2],
      [[7, 13], [13, 5], 1],
      [[7], [5], 0],
      [[3, 4], [3, 4], 2],
      [[3, 4, 5], [5, 3, 2], [[0, 2], [1, 0]]],
      [[3, 4, 5], [5, 7], [[-1], [0]]],
      [[3, 4, 5], [5, 7], [2, 0]],
      [[2, 3, 4, 5], [4, 7, 2], [[2, 0], [0, 2]]],
    ] as [number[], number[], number | [number | number[], number | number[]]][])('of %j and %j over axes %j matches np.tensordot', async (sa, sb, axes) => {
      const a = draw(sa);
      const b = draw(sb);
      // As an einsum: a's axes lettered from a, b's from n, a summed pair sharing a's letter.
      const [onA, onB] = typeof axes === 'number'
        ? [Array.from({ length: axes }, (_, k) => sa.length - axes + k), Array.from({ length: axes }, (_, k) => k)]
        : axes.map((l) => (typeof l === 'number' ? [l] : l)).map((l, side) => l.map((x) => (x < 0 ? x + [sa, sb][side].length : x)));
      const la = sa.map((_, i) => String.fromCharCode(97 + i)).join('');
      const lb = sb.map((_, i) => (onB.includes(i) ? la[onA[onB.indexOf(i)]] : String.fromCharCode(110 + i))).join('');
      const out = [...la].filter((_, i) => !onA.includes(i)).join('') + [...lb].filter((_, i) => !onB.includes(i)).join('');
      const want = einsumRef(`${la},${lb}->${out}`, [a.x, b.x]);
      const y = tm.tensordot(a.t, b.t, axes);
      expect(y.shape).toEqual(want.y.shape);
      expectClose(await y.data(), want.y.v, TOL.f32, `tensordot ${JSON.stringify(axes)}`, want.magnitude);
    });

    it('defaults to two axes, passes gradients to both operands, and gives i32 for ints', async () => {
      const a = draw([3, 4, 5]);
      const b = draw([4, 5, 2]);
      a.t.requiresGrad = b.t.requiresGrad = true;
      const r = uniform(6);
      const want = einsumRef('ijk,jkl->il', [a.x, b.x], r);
      const y = tm.tensordot(a.t, b.t);
      expectClose(await y.data(), want.y.v, TOL.f32, 'default axes', want.magnitude);
      tm.tidy(() => y.mul(tm.tensor(r, [3, 2])).sum()).backward();
      expectClose(await a.t.grad!.data(), want.grads[0], TOL.f32, 'da', want.gradMagnitudes[0]);
      expectClose(await b.t.grad!.data(), want.grads[1], TOL.f32, 'db', want.gradMagnitudes[1]);
      const ints = tm.tensordot(tm.tensor(new Int8Array([1, 2, 3]), [3], { dtype: 'i8' }), tm.tensor(new Int8Array([100, 100, 100]), [3], { dtype: 'i8' }), 1);
      expect([ints.dtype, await ints.item()]).toEqual(['i32', 600]);
    });

    it('refuses axes that do not pair up, naming them', () => {
      const [a, b] = [tm.zeros([2, 3]), tm.zeros([3, 4])];
      expect(() => tm.tensordot(a, b, 2)).toThrow(new tm.ShapeError('tensordot: axis 0 of a [2,3] (size 2) and axis 0 of b [3,4] (size 3) are summed together but differ'));
      expect(() => tm.tensordot(a, b, 3)).toThrow(new tm.ShapeError('tensordot: axes 3 must be a count of axes from 0 to the smaller rank of a [2,3] and b [3,4]'));
      expect(() => tm.tensordot(a, b, [[1, 0], [0]])).toThrow(new tm.ValueError("tensordot: axes must be a count or a pair of equally long lists of axes (a's, then b's), got [[1, 0], [0]]"));
      expect(() => tm.tensordot(a, b, [[1, 1], [0, 0]])).toThrow(new tm.ShapeError('tensordot: axis 1 of a is summed over twice in [[1, 1], [0, 0]]'));
      expect(() => tm.tensordot(a, b, [[2], [0]])).toThrow('tensordot: axis 2 is out of range for a tensor of rank 2');
    });
  });
});
