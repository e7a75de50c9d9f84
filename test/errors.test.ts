// Bad input, on every backend: each gets its error class and a message that
// names the op, the problem and the values; and a failed call changes nothing:
// its inputs keep their values and tm.memory() is as before (no temporaries
// leak), so a caller can catch the error and carry on.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';

/** The inputs the cases use: made once, checked unchanged after every failure. */
interface Fixtures {
  a: tm.Tensor; // [[1,2,3],[4,5,6]] f32
  b45: tm.Tensor; // zeros [4,5]
  v2: tm.Tensor; // [1,2]
  one: tm.Tensor; // [7], shape [1]
  s: tm.Tensor; // scalar 3
  i8: tm.Tensor; // [[1,-2],[3,4]] i8
  idx: tm.Tensor; // [0,2,1] i32
  empty: tm.Tensor; // zeros [0,3]
  bA: tm.Tensor; // zeros [2,2,3]
  bB: tm.Tensor; // zeros [3,3,1]
}

type ErrorClass = new (message: string) => Error;
type Case = [name: string, run: (f: Fixtures) => unknown, cls: ErrorClass, message: string | RegExp];

const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'] as const;
const BAD_SIZES = [NaN, Infinity, -1, 1.5];
const BAD_DTYPES = ['f64', 'float32', 'int8', 'F32', ''];
const sizesMessage = (op: string, bad: number) => `${op}: shape [2,${bad}] has ${bad}; sizes must be finite non-negative integers`;

const CASES: Case[] = [
  // Broadcasting: both shapes in the message.
  ...BINARY.map((op): Case => [`${op} of shapes that do not broadcast`, (f) => tm[op](f.a, f.b45), tm.ShapeError, `${op}: shapes [2,3] and [4,5] cannot be broadcast together (axis 0: 2 vs 4)`]),
  ['add with a row that does not fit', (f) => f.a.add(f.v2), tm.ShapeError, 'add: shapes [2,3] and [2] cannot be broadcast together (axis 1: 3 vs 2)'],
  ['where with a condition that does not broadcast', (f) => tm.where(f.a, f.v2, 0), tm.ShapeError, /^where: shapes \[2,3\] and \[2\] cannot be broadcast together/],
  ['broadcastTo a shape that does not fit', (f) => f.a.broadcastTo([3, 3]), tm.ShapeError, /^broadcastTo: .*\[2,3\].*\[3,3\]/],
  ['broadcastTo fewer axes', (f) => f.a.broadcastTo([3]), tm.ShapeError, 'broadcastTo: [2,3] cannot be broadcast to [3]'],
  ...BAD_SIZES.map((bad): Case => [`broadcastTo a shape with ${bad}`, (f) => f.one.broadcastTo([2, bad]), tm.ShapeError, new RegExp(`^broadcastTo: .*\\[2,${bad}\\]`)]),

  // matmul.
  ['matmul with different inner dimensions', (f) => f.a.matmul(f.b45), tm.ShapeError, 'matmul: inner dimensions differ: [2,3] x [4,5] (3 vs 4)'],
  ['matmul with different inner dimensions after transposes', (f) => f.a.matmul(f.a, { transposeA: true, transposeB: true }), tm.ShapeError, 'matmul: inner dimensions differ: [2,3]ᵀ x [2,3]ᵀ (2 vs 3)'],
  ['matmul of a matrix and a vector that does not fit', (f) => f.a.matmul(f.v2), tm.ShapeError, 'matmul: inner dimensions differ: [2,3] x [2] (3 vs 2)'],
  ['matmul with batches that do not broadcast', (f) => f.bA.matmul(f.bB), tm.ShapeError, /^matmul: shapes \[2\] and \[3\] cannot be broadcast together/],
  ['matmul of a scalar', (f) => f.s.matmul(f.v2), tm.ShapeError, 'matmul: operands must have at least one axis: [] x [2] (use mul for scalars)'],
  ['matmul with a number', (f) => f.a.matmul(3 as unknown as tm.Tensor), tm.ValueError, 'matmul: b must be a Tensor, got number'],

  // Making tensors.
  ['a ragged nested array', () => tm.tensor([[1, 2], [3]]), tm.ValueError, 'tensor: ragged nested array: [1] has length 1 where shape [2,2] expects length 2'],
  ['a number where a row should be', () => tm.tensor([[1, 2], 3] as unknown as number[][]), tm.ValueError, /^tensor: ragged nested array: \[1\] has a number where shape \[2,2\] expects length 2/],
  ['a ragged array deeper down', () => tm.tensor([[[1, 2], [3, 4]], [[5, 6], [7]]]), tm.ValueError, 'tensor: ragged nested array: [1,1] has length 1 where shape [2,2,2] expects length 2'],
  ['an array where a number should be', () => tm.tensor([[1, 2], [[3], 4]] as unknown as number[][]), tm.ValueError, /^tensor: element at \[1,0\] is an array, expected a number/],
  ['a string element', () => tm.tensor(['a'] as unknown as number[]), tm.ValueError, /^tensor: element at \[0\] is string, expected a number/],
  ['null values', () => tm.tensor(null as unknown as number[]), tm.ValueError, 'tensor: values must be a number, nested arrays or a typed array, got null'],
  ['too few values for the shape', () => tm.tensor(new Float32Array(5), [2, 3]), tm.ShapeError, 'tensor: 5 values do not fill shape [2,3] (6 elements)'],
  ['too many values for the shape', () => tm.tensor([1, 2, 3, 4, 5], [2, 2]), tm.ShapeError, 'tensor: 5 values do not fill shape [2,2] (4 elements)'],
  ['an out-of-range int', () => tm.tensor([1, 300], { dtype: 'i8' }), tm.ValueError, "tensor: value 300 at flat index 1 is not an integer in i8's range [-128, 127]"],
  ['a fractional int', () => tm.tensor([0.5], { dtype: 'i32' }), tm.ValueError, "tensor: value 0.5 at flat index 0 is not an integer in i32's range [-2147483648, 2147483647]"],
  ['a fill value outside the int range', () => tm.fill([2], 300, { dtype: 'i8' }), tm.ValueError, /value 300 at flat index 0 is not an integer in i8's range/],
  ['a shape that is not an array', () => tm.zeros(3 as unknown as number[]), tm.ShapeError, /shape must be an array of sizes, got 3/],
  ...BAD_SIZES.flatMap((bad): Case[] => [
    [`tensor with a shape holding ${bad}`, () => tm.tensor(new Float32Array(2), [2, bad]), tm.ShapeError, sizesMessage('tensor', bad)],
    [`fill with a shape holding ${bad}`, () => tm.fill([2, bad], 1), tm.ShapeError, sizesMessage('fill', bad)],
    [`zeros with a shape holding ${bad}`, () => tm.zeros([2, bad]), tm.ShapeError, /shape \[2,.*\] has .*; sizes must be finite non-negative integers$/],
    [`ones with a shape holding ${bad}`, () => tm.ones([2, bad]), tm.ShapeError, /sizes must be finite non-negative integers$/],
    [`rand with a shape holding ${bad}`, () => tm.rand([2, bad]), tm.ShapeError, sizesMessage('rand', bad)],
    [`randn with a shape holding ${bad}`, () => tm.randn([2, bad]), tm.ShapeError, sizesMessage('randn', bad)],
  ]),
  ...BAD_DTYPES.flatMap((bad): Case[] => {
    const d = bad as tm.DType;
    const msg = (op: string) => `${op}: unknown dtype ${JSON.stringify(bad)}; expected one of f32, f16, i8, i32`;
    return [
      [`tensor in dtype "${bad}"`, () => tm.tensor([1], { dtype: d }), tm.DTypeError, msg('tensor')],
      [`fill in dtype "${bad}"`, () => tm.fill([1], 1, { dtype: d }), tm.DTypeError, msg('fill')],
      [`zeros in dtype "${bad}"`, () => tm.zeros([1], { dtype: d }), tm.DTypeError, /unknown dtype .*; expected one of f32, f16, i8, i32$/],
      [`rand in dtype "${bad}"`, () => tm.rand([1], { dtype: d }), tm.DTypeError, msg('rand')],
      [`randn in dtype "${bad}"`, () => tm.randn([1], { dtype: d }), tm.DTypeError, msg('randn')],
      [`arange in dtype "${bad}"`, () => tm.arange(3, undefined, 1, { dtype: d }), tm.DTypeError, msg('arange')],
      [`cast to "${bad}"`, (f) => f.a.cast(d), tm.DTypeError, msg('cast')],
      [`oneHot in dtype "${bad}"`, (f) => f.idx.oneHot(3, d), tm.DTypeError, msg('oneHot')],
    ];
  }),
  ['rand in an int dtype', () => tm.rand([2], { dtype: 'i32' }), tm.ValueError, 'rand: dtype i32 is not a float dtype; draw f32 and cast'],
  ['arange with step 0', () => tm.arange(0, 1, 0), tm.ValueError, 'arange: step must not be 0'],
  ['rand up to ∞', () => tm.rand([2], { max: Infinity }), tm.ValueError, 'rand: max must be a finite number, got Infinity'],
  ['rand from a string', () => tm.rand([2], { min: '0' as unknown as number }), tm.ValueError, 'rand: min must be a finite number, got "0"'],
  ['randn with a NaN std', () => tm.randn([2], { std: NaN }), tm.ValueError, 'randn: std must be a finite number, got NaN'],
  ['randn with a negative std', () => tm.randn([2], { std: -1 }), tm.ValueError, 'randn: std must not be negative, got -1'],
  ['randn about ∞', () => tm.randn([2], { mean: Infinity }), tm.ValueError, 'randn: mean must be a finite number, got Infinity'],
  ['arange to NaN', () => tm.arange(NaN), tm.ValueError, 'arange: stop must be a finite number, got NaN'],

  // Axes.
  ['sum over an axis beyond the rank', (f) => f.a.sum(2), tm.ShapeError, 'sum: axis 2 is out of range for a tensor of rank 2'],
  ['mean over a negative axis beyond the rank', (f) => f.a.mean(-3), tm.ShapeError, 'mean: axis -3 is out of range for a tensor of rank 2'],
  ['max over a fractional axis', (f) => f.a.max(1.5), tm.ShapeError, 'max: an axis must be an integer, got 1.5'],
  ['sum over an axis given as a string (it read as the axes "1"; "01" as 0 and 1)', (f) => f.a.sum('1' as unknown as number), tm.ShapeError, 'sum: axes must be an axis or an array of axes, got "1"'],
  ['min over a list holding a string', (f) => f.a.min([0, '1'] as unknown as number[]), tm.ShapeError, 'min: an axis must be an integer, got "1"'],
  ['mean with its options where the axes go', (f) => f.a.mean({ keepDims: true } as unknown as number), tm.ShapeError,
    'mean: axes must be an axis or an array of axes, got {"keepDims":true} (options come after the axes: undefined for all of them)'],
  ['softmax along an axis given as a string', (f) => f.a.softmax('1' as unknown as number), tm.ShapeError, 'softmax: an axis must be an integer, got "1"'],
  ['min over a list with a bad axis', (f) => f.a.min([0, 5]), tm.ShapeError, 'min: axis 5 is out of range for a tensor of rank 2'],
  ['sum over an axis listed twice', (f) => f.a.sum([1, -1]), tm.ShapeError, 'sum: axis -1 is listed twice in [1,-1]'],
  ['mean of ints over a bad axis', (f) => f.i8.mean(2), tm.ShapeError, 'mean: axis 2 is out of range for a tensor of rank 2'],
  ['sum over any axis of a scalar', (f) => f.s.sum(0), tm.ShapeError, 'sum: axis 0 is out of range for a tensor of rank 0'],
  ['argmax over a bad axis', (f) => f.a.argmax(2), tm.ShapeError, 'argmax: axis 2 is out of range for a tensor of rank 2'],
  ['argmin over a bad axis', (f) => f.a.argmin(-3), tm.ShapeError, 'argmin: axis -3 is out of range for a tensor of rank 2'],
  ['softmax along a bad axis', (f) => f.a.softmax(2), tm.ShapeError, 'softmax: axis 2 is out of range for a tensor of rank 2'],
  ['logSoftmax of ints along a bad axis', (f) => f.i8.logSoftmax(-3), tm.ShapeError, 'logSoftmax: axis -3 is out of range for a tensor of rank 2'],
  ['max over an empty axis', (f) => f.empty.max(0), tm.ShapeError, 'max: cannot reduce [0,3] over an empty axis'],
  ['argmax of an empty tensor', (f) => f.empty.argmax(), tm.ShapeError, 'argmax: [0,3] is empty'],
  ['concat along a bad axis', (f) => tm.concat([f.a, f.a], 2), tm.ShapeError, 'concat: axis 2 is out of range for a tensor of rank 2'],
  ['stack along a bad axis', (f) => tm.stack([f.a, f.a], 3), tm.ShapeError, /^stack: axis 3 is out of range/],
  ['expandDims at a bad axis', (f) => f.a.expandDims(3), tm.ShapeError, /^expandDims: axis 3 is out of range/],
  ['squeeze of an axis that is not 1', (f) => f.a.squeeze(0), tm.ShapeError, 'squeeze: axis 0 of [2,3] has size 2, not 1'],
  ['squeeze of a bad axis', (f) => f.a.squeeze(2), tm.ShapeError, 'squeeze: axis 2 is out of range for a tensor of rank 2'],
  ['transpose by a repeated axis', (f) => f.a.transpose([0, 0]), tm.ShapeError, 'transpose: [0,0] is not a permutation of the 2 axes of [2,3]'],
  ['transpose by too few axes', (f) => f.a.transpose([1]), tm.ShapeError, 'transpose: [1] is not a permutation of the 2 axes of [2,3]'],
  ['transpose by an axis beyond the rank', (f) => f.a.transpose([0, 2]), tm.ShapeError, 'transpose: [0,2] is not a permutation of the 2 axes of [2,3]'],

  // reshape.
  ['reshape to a different size', (f) => f.a.reshape([4]), tm.ShapeError, 'reshape: cannot reshape [2,3] (6 elements) into [4]'],
  ['reshape to [4,2]', (f) => f.a.reshape([4, 2]), tm.ShapeError, 'reshape: cannot reshape [2,3] (6 elements) into [4,2]'],
  ['reshape with two -1s', (f) => f.a.reshape([-1, -1]), tm.ShapeError, 'reshape: only one size may be -1, got [-1,-1]'],
  ['reshape with a -1 that cannot be inferred', (f) => f.a.reshape([-1, 4]), tm.ShapeError, 'reshape: cannot reshape [2,3] (6 elements) into [-1,4]'],
  ['reshape of an empty tensor with a -1 beside a 0', (f) => f.empty.reshape([0, -1]), tm.ShapeError, 'reshape: cannot reshape [0,3] (0 elements) into [0,-1]'],
  ['reshape with a fractional size', (f) => f.a.reshape([1.5, 4]), tm.ShapeError, 'reshape: shape must be an array of integers, got [1.5, 4]'],
  ['reshape with NaN', (f) => f.a.reshape([NaN]), tm.ShapeError, 'reshape: shape must be an array of integers, got [NaN]'],
  ['reshape to a number', (f) => f.a.reshape(6 as unknown as number[]), tm.ShapeError, 'reshape: shape must be an array of integers, got 6'],
  ['reshape to a size given as a string', (f) => f.a.reshape(['6'] as unknown as number[]), tm.ShapeError, 'reshape: shape must be an array of integers, got ["6"]'],
  ['reshape with a negative size', (f) => f.a.reshape([-2, -3]), tm.ShapeError, 'reshape: cannot reshape [2,3] (6 elements) into [-2,-3]'],

  // slice.
  ['slice past the end', (f) => f.a.slice([1, 1], [2, 1]), tm.ShapeError, 'slice: begin [1,1] size [2,1] falls outside [2,3] on axis 0'],
  ['slice starting past the end', (f) => f.a.slice([0, 4]), tm.ShapeError, 'slice: begin [0,4] size [] falls outside [2,3] on axis 1'],
  ['slice with a negative begin before the start', (f) => f.a.slice([-3]), tm.ShapeError, 'slice: begin [-3] size [] falls outside [2,3] on axis 0'],
  ['slice with a negative size other than -1', (f) => f.a.slice([0, 0], [-2, 1]), tm.ShapeError, 'slice: begin [0,0] size [-2,1] falls outside [2,3] on axis 0'],
  ['slice with a fractional begin', (f) => f.a.slice([0.5]), tm.ShapeError, 'slice: begin must be an array of integers, got [0.5]'],
  ['slice from a number (it sliced nothing)', (f) => f.a.slice(1 as unknown as number[]), tm.ShapeError, 'slice: begin must be an array of integers, got 1'],
  ['slice by a number of elements (it was ignored)', (f) => f.a.slice([0], 1 as unknown as number[]), tm.ShapeError, 'slice: size must be an array of integers, got 1'],
  ['slice with no begin', (f) => f.a.slice(undefined as unknown as number[]), tm.ShapeError, 'slice: begin must be an array of integers, got undefined'],
  ['transpose by a number', (f) => f.a.transpose(1 as unknown as number[]), tm.ShapeError, 'transpose: perm must be an array of integers, got 1'],
  ['expandDims at an axis given as a string', (f) => f.a.expandDims('0' as unknown as number), tm.ShapeError, 'expandDims: axis must be an integer, got "0"'],
  ['clip to an undefined max', (f) => f.a.clip(0, undefined as unknown as number), tm.ValueError, 'clip: min and max must be numbers, tensors or null (not both), got 0 and undefined'],
  ['clip from a string', (f) => f.a.clip('0' as unknown as number, 1), tm.ValueError, 'clip: min and max must be numbers, tensors or null (not both), got "0" and 1'],
  ['pad with a string', (f) => f.a.pad([[1, 1], [0, 0]], 'a' as unknown as number), tm.ValueError, 'pad: value must be a number, got "a"'],
  ['fill with a string', () => tm.fill([2], '3' as unknown as number), tm.ValueError, 'fill: value must be a number, got "3"'],
  ['a scalar of an array', () => tm.scalar([1, 2] as unknown as number), tm.ValueError, 'scalar: value must be a number, got [1, 2]'],
  ['zerosLike of a number', () => tm.zerosLike(3 as unknown as tm.Tensor), tm.ValueError, 'zerosLike: x must be a Tensor, got number'],
  ['a sparse array (its hole was skipped)', () => tm.tensor([1, , 3] as number[]), tm.ValueError, /^tensor: element at \[1\] is undefined, expected a number/],
  ['slice with more begins than axes', (f) => f.a.slice([0, 0, 0]), tm.ShapeError, 'slice: begin [0,0,0] / size [] have more entries than [2,3] has axes'],
  ['slice with more sizes than axes', (f) => f.a.slice([0], [1, 1, 1]), tm.ShapeError, 'slice: begin [0] / size [1,1,1] have more entries than [2,3] has axes'],

  // concat, stack, pad.
  ['concat of nothing', () => tm.concat([]), tm.ValueError, 'concat: needs a non-empty array of tensors'],
  ['concat of shapes that differ off the axis', (f) => tm.concat([f.a, f.b45]), tm.ShapeError, 'concat: shapes [2,3], [4,5] differ off axis 0'],
  ['concat of different ranks', (f) => tm.concat([f.a, f.v2], 1), tm.ShapeError, 'concat: shapes [2,3], [2] differ off axis 1'],
  ['concat with a number', (f) => tm.concat([f.a, 3 as unknown as tm.Tensor]), tm.ValueError, 'concat: tensors[1] must be a Tensor, got number'],
  ['stack of nothing', () => tm.stack([]), tm.ValueError, 'stack: needs a non-empty array of tensors'],
  ['stack of different shapes', (f) => tm.stack([f.a, f.b45]), tm.ShapeError, 'stack: shapes [2,3], [4,5] differ'],
  ['pad with too few pairs', (f) => f.a.pad([[1, 1]]), tm.ShapeError, /^pad: needs one \[before, after\] pair of non-negative integers per axis of \[2,3\], got \[\[1,1\]\]$/],
  ['pad by a negative amount', (f) => f.a.pad([[1, 1], [-1, 0]]), tm.ShapeError, /^pad: needs one \[before, after\] pair .* got \[\[1,1\],\[-1,0\]\]$/],
  ['pad an int tensor with a fractional value', (f) => f.i8.pad([[1, 1], [1, 1]], 1.5), tm.ValueError, /value 1.5 .* not an integer in i8's range/],

  // Other values.
  ['clip with min above max', (f) => f.a.clip(1, 0), tm.ValueError, 'clip: min 1 is greater than max 0'],
  ['clip with a NaN bound', (f) => f.a.clip(NaN, 1), tm.ValueError, 'clip: min and max must be numbers, tensors or null (not both), got NaN and 1'],
  ['oneHot of float indices', (f) => f.a.oneHot(3), tm.DTypeError, "oneHot: indices must be i32 or i8, got f32 (cast them: indices.cast('i32'))"],
  ['oneHot with a negative depth', (f) => f.idx.oneHot(-1), tm.ValueError, 'oneHot: depth must be a non-negative integer, got -1'],
  ['oneHot with a fractional depth', (f) => f.idx.oneHot(1.5), tm.ValueError, 'oneHot: depth must be a non-negative integer, got 1.5'],
  ['add with a string', (f) => tm.add(f.a, 'x' as unknown as number), tm.ValueError, 'add: b must be a Tensor, got string'],
  ['mul of null', (f) => tm.mul(null as unknown as tm.Tensor, f.a), tm.ValueError, 'mul: a must be a Tensor, got null'],
  ['exp of a number', () => tm.exp(3 as unknown as tm.Tensor), tm.ValueError, 'exp: x must be a Tensor, got number'],
  ['sum of an array', () => tm.sum([1, 2] as unknown as tm.Tensor), tm.ValueError, 'sum: x must be a Tensor, got object'],
  ['where with a condition that is not a tensor', () => tm.where(1 as unknown as tm.Tensor, 1, 2), tm.ValueError, 'where: cond must be a Tensor, got number'],
];

async function snapshot(f: Fixtures): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(f)) out[k] = [t.shape, t.dtype, await t.array()];
  return out;
}

describe.each(BACKENDS)('bad input on %s', (backend) => {
  let f: Fixtures;
  let values: Record<string, unknown>;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
    f = {
      a: tm.tensor([[1, 2, 3], [4, 5, 6]]),
      b45: tm.zeros([4, 5]),
      v2: tm.tensor([1, 2]),
      one: tm.tensor([7]),
      s: tm.scalar(3),
      i8: tm.tensor([[1, -2], [3, 4]], { dtype: 'i8' }),
      idx: tm.tensor(new Int32Array([0, 2, 1]), [3]),
      empty: tm.zeros([0, 3]),
      bA: tm.zeros([2, 2, 3]),
      bB: tm.zeros([3, 3, 1]),
    };
    values = await snapshot(f);
  });

  it.each(CASES)('%s: the error class, a message naming the values, inputs unchanged and nothing leaked', async (_name, run, cls, message) => {
    const before = tm.memory();
    let error: unknown;
    try {
      run(f);
    } catch (err) {
      error = err;
    }
    const after = tm.memory(); // taken at once: nothing else can run in between
    expect(error).toBeInstanceOf(cls);
    expect(error).toBeInstanceOf(tm.TmnnError);
    const text = (error as Error).message;
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    expect(after).toEqual(before);
    expect(await snapshot(f)).toEqual(values);
  });

  it('item() of a tensor with more than one element rejects, naming the shape', async () => {
    await expect(f.a.item()).rejects.toThrow(tm.ValueError);
    await expect(f.a.item()).rejects.toThrow('item: tensor [2,3] has 6 elements, not 1');
  });

  it('an op whose result is too large to allocate says so at the op: a ValueError naming the shape (on a GPU, the device\'s limit), nothing leaked', () => {
    const [column, row] = [tm.zeros([100_000, 1]), tm.zeros([1, 100_000])];
    const labels = tm.zeros([100_000], { dtype: 'i32' });
    const huge: [string, () => unknown, string][] = [
      ['add', () => column.add(row), '[100000,100000]'],
      ['where', () => tm.where(column, row, 0), '[100000,100000]'],
      ['matmul', () => column.matmul(row), '[100000,100000]'],
      ['oneHot', () => labels.oneHot(100_000), '[100000,100000]'],
      ['broadcastTo', () => f.one.broadcastTo([2 ** 33]), '[8589934592]'],
    ];
    for (const [op, run, shape] of huge) {
      const before = tm.memory();
      expect(run, op).toThrow(tm.ValueError);
      expect(tm.memory()).toEqual(before);
      const message = backend === 'webgpu'
        ? /^webgpu: a tensor of [\d,]+ bytes is more than this device \(.*\) holds in one buffer \(maxBufferSize [\d,]+ bytes\)/
        : new RegExp(`^${op}: shape \\${shape.replace(']', '\\]')} has [\\d,]+ elements \\([\\d,]+ bytes\\), more than can be allocated here`);
      expect(run, op).toThrow(message);
    }
    for (const t of [column, row, labels]) t.dispose();
  });

  it('errors from zeros and ones name zeros and ones (not the fill they are built on)', () => {
    expect(() => tm.zeros([2, -1])).toThrow(/^zeros: /);
    expect(() => tm.ones([2, -1])).toThrow(/^ones: /);
    expect(() => tm.zeros([1], { dtype: 'f64' as tm.DType })).toThrow(/^zeros: /);
    expect(() => tm.ones([1], { dtype: 'f64' as tm.DType })).toThrow(/^ones: /);
  });
});
