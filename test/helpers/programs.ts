// Random tensor programs for the fuzz tests (test/ops/fuzz, test/autograd/fuzz):
// small DAGs of elementwise ops, reductions, products and data movement
// (transposes, slices and concatenation, broadcasts, reshapes) over inputs of
// a few broadcast shapes, with shared subexpressions. Every value is an
// integer small enough that each op is exact (in f16 too), and nothing
// divides, so any correct evaluation (op by op, fused, simplified by a shader
// compiler, summed in any order) gives the same bits, and two backends can be
// compared exactly.
import * as tm from '../../src/index.js';
import { promoteTypes, scalarDTypeNextTo } from '../../src/dtype.js';
import { sizeOf } from '../../src/shape.js';
import { randomInts } from './data.js';

export type Dtype = 'f32' | 'f16' | 'i32' | 'i8';
const UNARY = ['neg', 'abs', 'relu', 'sign'] as const;
const ARITHMETIC = ['add', 'sub', 'mul', 'maximum', 'minimum'] as const;
const BINARY = [...ARITHMETIC, 'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'] as const;

/** Values and shape of a tensor the program starts from. */
export interface Leaf {
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly values: Float64Array;
}

/** One instruction of a program; arguments are indices of earlier instructions. */
export type Instruction =
  | { readonly kind: 'input'; readonly leaf: Leaf }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'unary'; readonly op: (typeof UNARY)[number]; readonly x: number }
  | { readonly kind: 'binary'; readonly op: (typeof BINARY)[number]; readonly a: number; readonly b: number }
  | { readonly kind: 'where'; readonly cond: number; readonly a: number; readonly b: number }
  | { readonly kind: 'cast'; readonly dtype: Dtype; readonly x: number }
  /** A float's bits as an i32 and back (tm.bitcast both ways): the same values, through a reinterpretation fused in the chain. */
  | { readonly kind: 'bits'; readonly x: number }
  | { readonly kind: 'reshape'; readonly x: number }
  /** Transposed by `perm`, and back: a copy through the transpose kernel in the middle of a chain. */
  | { readonly kind: 'transpose'; readonly x: number; readonly perm: readonly number[] }
  /** Rolled by `by` along `axis`: two slices concatenated the other way round. */
  | { readonly kind: 'roll'; readonly x: number; readonly axis: number; readonly by: number }
  | { readonly kind: 'broadcast'; readonly x: number; readonly shape: readonly number[] }
  /** A reduction over some axes, kept as ones so the result still broadcasts against the rest. */
  | { readonly kind: 'reduce'; readonly op: 'sum' | 'max' | 'min'; readonly x: number; readonly axes: readonly number[] }
  /** A product of two leaves of its own, which the ops after it may fuse into as an epilogue. */
  | { readonly kind: 'matmul'; readonly a: Leaf; readonly b: Leaf; readonly transposeA: boolean; readonly transposeB: boolean };

export interface Program {
  readonly instructions: readonly Instruction[];
  /** Instructions whose tensors live past the program (read at the end, in this order); the last instruction is always one. */
  readonly outputs: readonly number[];
  /** Each instruction's shape. */
  readonly shapes: readonly (readonly number[])[];
  /** The program, an instruction a line, for failure messages. */
  readonly text: string;
}

export interface ProgramOptions {
  /** Only f32 tensors and ops with gradients (no casts), for autograd. */
  readonly differentiable?: boolean;
}

/** Output shapes by rank: a program's structure made again at another shape of its rank is a sibling. */
const OUTPUT_SHAPES = [[[1], [7], [127], [513]], [[3, 5], [129, 3], [1, 4]], [[2, 3, 4], [4, 1, 6], [5, 7, 1]]];

/** The tests' own generator for structures (data comes from helpers/data.ts), seeded: replay a failure with TMNN_TEST_SEED. */
function structureRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 16), 0x45d9f3b) + 0x9e3779b9) >>> 0;
    return s / 4294967296;
  };
}

/**
 * A program of `length` instructions from the structure seed `seed`, at the
 * output shape `full`: the same seed at another shape of the same rank gives
 * the same structure (the same choices, broadcasting the same axes), which a
 * kernel cache keyed too loosely would hand the first one's code.
 */
function randomProgram(seed: number, length: number, full: readonly number[], options: ProgramOptions = {}): Program {
  // Integers up to `exact` stay exact in f16; a differentiable program keeps lower, as its gradients multiply bounds.
  const exact = options.differentiable ? 256 : 2048;
  const random = structureRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  /** A shape that broadcasts to `full`: a suffix of it, with some axes 1, or a scalar's []. */
  const broadcastable = (): number[] => {
    const r = random();
    if (r < 0.45) return [...full];
    if (r < 0.55) return [];
    const suffix = full.slice(Math.floor(random() * full.length));
    return suffix.map((d) => (random() < 0.4 ? 1 : d));
  };
  const shapes: (readonly number[])[] = [];
  const dtypes: (Dtype | 'number')[] = [];
  const instructions: Instruction[] = [];
  /** A bound on each instruction's magnitude, kept under `exact`. */
  const bounds: number[] = [];
  const push = (ins: Instruction, shape: readonly number[], dtype: Dtype | 'number', bound: number) => {
    instructions.push(ins);
    shapes.push(shape);
    dtypes.push(dtype);
    bounds.push(dtype === 'i8' ? Math.min(bound, 128) : bound); // i8 wraps
  };
  const leaf = (shape: readonly number[], dtype: Dtype): Leaf => {
    // Small integers, so that comparisons and maximum meet equal values too; i8 over its whole range, to wrap.
    const n = sizeOf(shape);
    return { shape, dtype, values: dtype === 'i8' ? randomInts(n, -128, 127) : randomInts(n, -4, 4) };
  };
  const input = () => {
    const shape = broadcastable();
    const dtype: Dtype = options.differentiable || random() < 0.75 ? 'f32' : pick(['i32', 'f16', 'i8'] as const);
    push({ kind: 'input', leaf: leaf(shape, dtype) }, shape, dtype, dtype === 'i8' ? 128 : 4);
  };
  const tensorArg = (): number => {
    for (;;) {
      const k = instructions.length - 1 - Math.floor(random() ** 2 * instructions.length); // recent ones more often
      if (dtypes[k] !== 'number') return k;
    }
  };
  const broadcastShape = (a: readonly number[], b: readonly number[]) => {
    const n = Math.max(a.length, b.length);
    return Array.from({ length: n }, (_, i) => Math.max(a[a.length - n + i] ?? 1, b[b.length - n + i] ?? 1));
  };
  const numberAt = (k: number) => (instructions[k] as { value?: number }).value;
  const promote = (a: number, b: number): Dtype => {
    const [da, db] = [dtypes[a], dtypes[b]];
    if (da === 'number') return db === 'number' ? 'f32' : (scalarDTypeNextTo(db, numberAt(a)!) as Dtype);
    if (db === 'number') return scalarDTypeNextTo(da, numberAt(b)!) as Dtype;
    return promoteTypes(da, db) as Dtype;
  };

  for (let i = 0; i < 3; i++) input();
  while (instructions.length < length) {
    const r = random();
    if (r < 0.08) input();
    else if (r < 0.14) {
      const value = pick([0, 1, -1, 2, -3]);
      push({ kind: 'number', value }, [], 'number', Math.abs(value));
    } else if (r < 0.3) {
      const x = tensorArg();
      const op = pick(UNARY);
      push({ kind: 'unary', op, x }, shapes[x], dtypes[x], op === 'sign' ? 1 : bounds[x]);
    } else if (r < 0.36) {
      const x = tensorArg();
      const shape = shapes[x];
      if (shape.length === 0) continue;
      const axes = shape.map((_, d) => d).filter(() => random() < 0.5);
      if (axes.length === 0) axes.push(Math.floor(random() * shape.length));
      const extent = axes.reduce((p, d) => p * shape[d], 1);
      // max and min share a gradient among ties, dividing by their count: inexact, so not in a differentiable program.
      const ops = [...(bounds[x] * extent <= exact ? ['sum' as const] : []), ...(options.differentiable ? [] : ['max' as const, 'min' as const])];
      if (ops.length === 0) continue;
      const op = pick(ops);
      const dtype = op === 'sum' && (dtypes[x] === 'i8' || dtypes[x] === 'i32') ? 'i32' : dtypes[x];
      push({ kind: 'reduce', op, x, axes }, shape.map((d, i) => (axes.includes(i) ? 1 : d)), dtype, op === 'sum' ? bounds[x] * extent : bounds[x]);
    } else if (r < 0.75) {
      const a = tensorArg();
      const b = random() < 0.8 ? tensorArg() : instructions.length - 1;
      // A comparison passes no gradient back: a differentiable program meets fewer.
      let op = options.differentiable && random() < 0.7 ? pick(ARITHMETIC) : pick(BINARY);
      const bound = (o: string) =>
        o === 'add' || o === 'sub' ? bounds[a] + bounds[b] : o === 'mul' ? bounds[a] * bounds[b] : o === 'maximum' || o === 'minimum' ? Math.max(bounds[a], bounds[b]) : 1;
      if (bound(op) > exact) op = 'maximum';
      push({ kind: 'binary', op, a, b }, broadcastShape(shapes[a], shapes[b]), promote(a, b), bound(op));
    } else if (r < 0.82) {
      const [cond, a, b] = [tensorArg(), tensorArg(), tensorArg()];
      push({ kind: 'where', cond, a, b }, broadcastShape(shapes[cond], broadcastShape(shapes[a], shapes[b])), promote(a, b), Math.max(bounds[a], bounds[b]));
    } else if (r < 0.87) {
      const x = tensorArg();
      const shape = shapes[x];
      const how = pick(['transpose', 'roll', 'broadcast'] as const);
      if (how === 'broadcast') {
        push({ kind: 'broadcast', x, shape: full }, full, dtypes[x], bounds[x]);
      } else if (how === 'transpose' && shape.length >= 2) {
        const perm = shape.map((_, d) => d).sort(() => random() - 0.5);
        push({ kind: 'transpose', x, perm }, shape, dtypes[x], bounds[x]);
      } else {
        const axes = shape.map((_, d) => d).filter((d) => shape[d] >= 2);
        if (axes.length === 0) continue;
        const axis = pick(axes);
        push({ kind: 'roll', x, axis, by: 1 + Math.floor(random() * (shape[axis] - 1)) }, shape, dtypes[x], bounds[x]);
      }
    } else if (r < 0.93) {
      const x = tensorArg();
      if (options.differentiable) {
        push({ kind: 'unary', op: 'neg', x }, shapes[x], dtypes[x], bounds[x]);
        continue;
      }
      if ((dtypes[x] === 'f32' || dtypes[x] === 'f16') && random() < 0.25) {
        push({ kind: 'bits', x }, shapes[x], dtypes[x], bounds[x]);
        continue;
      }
      const dtype = pick(['f32', 'f16', 'i32', 'i8'] as const);
      push({ kind: 'cast', dtype, x }, shapes[x], dtype, bounds[x]);
    } else if (r < 0.97 && full.length >= 2) {
      const [m, n] = full.slice(-2);
      const batch = full.slice(0, -2);
      const k = 1 + Math.floor(random() * (exact / 16));
      const [transposeA, transposeB] = [random() < 0.3, random() < 0.3];
      const bBatch = random() < 0.5 ? batch : [];
      const dtype = options.differentiable || random() < 0.75 ? 'f32' : 'f16';
      const a = leaf(transposeA ? [...batch, k, m] : [...batch, m, k], dtype);
      const b = leaf(transposeB ? [...bBatch, n, k] : [...bBatch, k, n], dtype);
      push({ kind: 'matmul', a, b, transposeA, transposeB }, full, dtype, 16 * k);
    } else {
      // A view: the value flattened and shaped back, which the ops after it must read through.
      const x = tensorArg();
      push({ kind: 'reshape', x }, shapes[x], dtypes[x], bounds[x]);
    }
  }
  // The last instruction is a tensor of the full shape, so the root broadcasts everything it reads.
  const last = instructions.length - 1;
  const isFull = (k: number) => dtypes[k] !== 'number' && shapes[k].length === full.length && shapes[k].every((d, i) => d === full[i]);
  if (!isFull(last)) {
    const fullInput = instructions.length;
    input();
    while (!isFull(fullInput)) {
      instructions.pop(), shapes.pop(), dtypes.pop(), bounds.pop();
      input();
    }
    const a = dtypes[last] === 'number' ? fullInput : last;
    push({ kind: 'binary', op: 'maximum', a, b: fullInput }, full, promote(a, fullInput), Math.max(bounds[a], bounds[fullInput]));
  }
  const kept = instructions.map((_, k) => k).filter((k) => dtypes[k] !== 'number' && instructions[k].kind !== 'input' && random() < 0.2);
  const outputs = [...new Set([...kept, instructions.length - 1])].sort(() => random() - 0.5);
  const text = instructions.map((ins, k) => `${k}: ${show(ins)} ${dtypes[k]} [${shapes[k].join(',')}]`).join('\n');
  return { instructions, outputs, shapes, text };
}

/**
 * `count` pairs of programs, each pair one structure at two output shapes of
 * one rank, of 4 to 31 instructions: the first of a pair makes the kernels,
 * the second must not be handed them where its shapes need others.
 */
export function siblingPrograms(seed: number, count: number, options: ProgramOptions = {}): Program[] {
  const random = structureRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const structure = Math.floor(random() * 2 ** 32);
    const shapes = OUTPUT_SHAPES[i % 3];
    const first = Math.floor(random() * shapes.length);
    const second = (first + 1 + Math.floor(random() * (shapes.length - 1))) % shapes.length;
    const length = 4 + (i % 28);
    return [randomProgram(structure, length, shapes[first], options), randomProgram(structure, length, shapes[second], options)];
  }).flat();
}

/** `count` programs of 4 to 23 instructions, each at one of `shapes` (given by rank: programs cycle through the ranks). */
export function programsAt(seed: number, count: number, shapes: readonly (readonly (readonly number[])[])[]): Program[] {
  const random = structureRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const ofRank = shapes[i % shapes.length];
    const structure = Math.floor(random() * 2 ** 32);
    return randomProgram(structure, 4 + (i % 20), ofRank[Math.floor(random() * ofRank.length)]);
  });
}

function show(ins: Instruction): string {
  const shape = (l: Leaf, t: boolean) => `[${l.shape.join(',')}]${t ? 'ᵀ' : ''}`;
  switch (ins.kind) {
    case 'input': return 'input';
    case 'number': return `${ins.value}`;
    case 'unary': return `${ins.op}(${ins.x})`;
    case 'binary': return `${ins.op}(${ins.a}, ${ins.b})`;
    case 'where': return `where(${ins.cond}, ${ins.a}, ${ins.b})`;
    case 'cast': return `cast(${ins.x})`;
    case 'bits': return `bitcast(bitcast(${ins.x}))`;
    case 'reshape': return `reshape(${ins.x})`;
    case 'reduce': return `${ins.op}(${ins.x}, axes ${ins.axes.join(',')})`;
    case 'transpose': return `transpose(${ins.x}, [${ins.perm.join(',')}]) and back`;
    case 'roll': return `roll(${ins.x}, ${ins.by} along ${ins.axis})`;
    case 'broadcast': return `broadcastTo(${ins.x})`;
    case 'matmul': return `matmul(${shape(ins.a, ins.transposeA)}, ${shape(ins.b, ins.transposeB)})`;
  }
}

/**
 * The program's outputs on the active backend, in `program.outputs` order,
 * with the tensors made from leaves by `fromLeaf` (a test may keep them, to
 * read their gradients). Intermediates are freed.
 */
export function evaluate(program: Program, fromLeaf: (leaf: Leaf) => tm.Tensor): tm.Tensor[] {
  return tm.tidy(() => {
    const values: (tm.Tensor | number)[] = [];
    const t = (k: number) => values[k] as tm.Tensor;
    for (const ins of program.instructions) {
      switch (ins.kind) {
        case 'input': values.push(fromLeaf(ins.leaf)); break;
        case 'number': values.push(ins.value); break;
        case 'unary': values.push(tm[ins.op](t(ins.x))); break;
        case 'binary': {
          const a = values[ins.a];
          values.push(typeof a === 'number' ? tm[ins.op](tm.scalar(a), values[ins.b]) : tm[ins.op](a, values[ins.b]));
          break;
        }
        case 'where': values.push(tm.where(t(ins.cond), t(ins.a), t(ins.b))); break;
        case 'cast': values.push(t(ins.x).cast(ins.dtype)); break;
        case 'bits': values.push(t(ins.x).bitcast('i32').bitcast(t(ins.x).dtype)); break;
        case 'reshape': values.push(t(ins.x).reshape([-1]).reshape([...t(ins.x).shape])); break;
        case 'reduce': values.push(t(ins.x)[ins.op]([...ins.axes], { keepDims: true })); break;
        case 'transpose': {
          const back = ins.perm.map((_, d) => ins.perm.indexOf(d));
          values.push(t(ins.x).transpose(ins.perm).transpose(back));
          break;
        }
        case 'roll': {
          const x = t(ins.x);
          const cut = x.shape[ins.axis] - ins.by;
          const begin = (at: number) => x.shape.map((_, d) => (d === ins.axis ? at : 0));
          const size = (n: number) => x.shape.map((e, d) => (d === ins.axis ? n : e));
          values.push(tm.concat([x.slice(begin(cut), size(ins.by)), x.slice(begin(0), size(cut))], ins.axis));
          break;
        }
        case 'broadcast': values.push(t(ins.x).broadcastTo([...ins.shape])); break;
        case 'matmul': values.push(fromLeaf(ins.a).matmul(fromLeaf(ins.b), { transposeA: ins.transposeA, transposeB: ins.transposeB })); break;
      }
    }
    return program.outputs.map(t);
  });
}

/** The program with every leaf's values replaced by `f` of them (the same structure and shapes). */
export function withValues(program: Program, f: (leaf: Leaf) => Float64Array): Program {
  const fresh = (l: Leaf): Leaf => ({ ...l, values: f(l) });
  return {
    ...program,
    instructions: program.instructions.map((ins) =>
      ins.kind === 'input' ? { ...ins, leaf: fresh(ins.leaf) } : ins.kind === 'matmul' ? { ...ins, a: fresh(ins.a), b: fresh(ins.b) } : ins),
  };
}
