// Random elementwise programs, fused on webgpu, against op-by-op evaluation on
// the js backend. Each program is a small DAG over inputs of a few broadcast
// shapes and dtypes, with shared subexpressions, products whose epilogue the
// chain may become, intermediates a tensor keeps alive (written out by the
// fused launch) or lets go, and the outputs read in a random order. What is
// checked is the fusion (the DAG walk, the index maps of broadcasts, the
// extra outputs, i8 wrapping, depth cuts, the code cached by structure), not
// rounding: every value is an integer small enough that each op is exact, in
// f16 too, and division takes no part. Fused code may be simplified by the
// shader compiler (WGSL lets it reassociate and assume no infinity or NaN;
// shaders/README.md), which on exact values changes nothing, so every element
// must match bit for bit. Rounding and special values are checked op by op
// (test/ops) and for fused chains in fusion.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { setActive } from '../../../src/engine.js';
import type { Backend } from '../../../src/backends/kernels.js';
import { createJsBackend } from '../../../src/backends/js/index.js';
import { createWebGpuBackend, type WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { promoteTypes, scalarDTypeNextTo } from '../../../src/dtype.js';
import { SEED, expectExact, randomInts } from '../../helpers/data.js';

type Dtype = 'f32' | 'f16' | 'i32' | 'i8';
const UNARY = ['neg', 'abs', 'relu', 'sign'] as const;
const BINARY = ['add', 'sub', 'mul', 'maximum', 'minimum', 'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'] as const;

/** One instruction of a program; arguments are indices of earlier instructions. */
type Instruction =
  | { readonly kind: 'input'; readonly shape: readonly number[]; readonly dtype: Dtype; readonly values: Float64Array }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'unary'; readonly op: (typeof UNARY)[number]; readonly x: number }
  | { readonly kind: 'binary'; readonly op: (typeof BINARY)[number]; readonly a: number; readonly b: number }
  | { readonly kind: 'where'; readonly cond: number; readonly a: number; readonly b: number }
  | { readonly kind: 'cast'; readonly dtype: Dtype; readonly x: number }
  | { readonly kind: 'reshape'; readonly x: number }
  | {
    /** A product of small integers (exact in any order of summation), which a matmul epilogue may fuse. */
    readonly kind: 'matmul';
    readonly a: { readonly shape: readonly number[]; readonly values: Float64Array };
    readonly b: { readonly shape: readonly number[]; readonly values: Float64Array };
    readonly dtype: 'f32' | 'f16';
    readonly transposeA: boolean;
    readonly transposeB: boolean;
  };

interface Program {
  readonly instructions: readonly Instruction[];
  /** Instructions whose tensors live past the program (read at the end, in this order); the last instruction is always one. */
  readonly outputs: readonly number[];
  readonly text: string;
}

/** The tests' own generator for the structure, seeded from SEED (replay a failure with TMNN_TEST_SEED). */
function structureRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 16), 0x45d9f3b) + 0x9e3779b9) >>> 0;
    return s / 4294967296;
  };
}

/** Output shapes by rank: a program's structure made again at another shape of its rank is a sibling. */
/** Integers up to this magnitude are exact in f16 (and so in f32), whatever order a compiler sums them in. */
const EXACT = 2048;

const OUTPUT_SHAPES = [[[1], [7], [127], [513]], [[3, 5], [129, 3], [1, 4]], [[2, 3, 4], [4, 1, 6], [5, 7, 1]]];

/**
 * A program of `length` instructions from the structure seed `seed`, at the
 * output shape `full`: the same seed at another shape of the same rank gives
 * the same structure (the same choices, broadcasting the same axes), which a
 * cache keyed too loosely would hand the first one's code.
 */
function randomProgram(seed: number, length: number, full: readonly number[]): Program {
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
  /** A bound on each instruction's magnitude, kept under EXACT so that every op is exact. */
  const bounds: number[] = [];
  const push = (ins: Instruction, shape: readonly number[], dtype: Dtype | 'number', bound: number) => {
    instructions.push(ins);
    shapes.push(shape);
    dtypes.push(dtype);
    bounds.push(dtype === 'i8' ? Math.min(bound, 128) : bound); // i8 wraps
  };
  const input = () => {
    const shape = broadcastable();
    const dtype: Dtype = random() < 0.75 ? 'f32' : pick(['i32', 'f16', 'i8'] as const);
    const n = shape.reduce((p, d) => p * d, 1);
    // Small integers, so that comparisons meet equal values too; i8 over its whole range, to wrap.
    const values = dtype === 'i8' ? randomInts(n, -128, 127) : randomInts(n, -4, 4);
    push({ kind: 'input', shape, dtype, values }, shape, dtype, dtype === 'i8' ? 128 : 4);
  };
  for (let i = 0; i < 3; i++) input();
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
  const promote = (a: Dtype | 'number', b: Dtype | 'number', value?: number): Dtype => {
    if (a === 'number') return b === 'number' ? 'f32' : scalarDTypeNextTo(b, value!) as Dtype;
    if (b === 'number') return scalarDTypeNextTo(a, value!) as Dtype;
    return promoteTypes(a, b) as Dtype;
  };
  const numberAt = (k: number) => (instructions[k] as { value?: number }).value;
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
    } else if (r < 0.75) {
      const a = tensorArg();
      const b = random() < 0.8 ? tensorArg() : instructions.length - 1;
      let op = pick(BINARY);
      const bound = (o: string) =>
        o === 'add' || o === 'sub' ? bounds[a] + bounds[b] : o === 'mul' ? bounds[a] * bounds[b] : o === 'maximum' || o === 'minimum' ? Math.max(bounds[a], bounds[b]) : 1;
      if (bound(op) > EXACT) op = 'maximum';
      push({ kind: 'binary', op, a, b }, broadcastShape(shapes[a], shapes[b]), promote(dtypes[a], dtypes[b], numberAt(b)), bound(op));
    } else if (r < 0.85) {
      const [cond, a, b] = [tensorArg(), tensorArg(), tensorArg()];
      push({ kind: 'where', cond, a, b }, broadcastShape(shapes[cond], broadcastShape(shapes[a], shapes[b])), promote(dtypes[a], dtypes[b], numberAt(b)), Math.max(bounds[a], bounds[b]));
    } else if (r < 0.93) {
      const x = tensorArg();
      const dtype = pick(['f32', 'f16', 'i32', 'i8'] as const);
      push({ kind: 'cast', dtype, x }, shapes[x], dtype, bounds[x]);
    } else if (r < 0.97 && full.length >= 2) {
      const [m, n] = full.slice(-2);
      const batch = full.slice(0, -2);
      const k = 1 + Math.floor(random() * 40);
      const [transposeA, transposeB] = [random() < 0.3, random() < 0.3];
      const bBatch = random() < 0.5 ? batch : [];
      const operand = (shape: number[]) => ({ shape, values: randomInts(shape.reduce((p, d) => p * d, 1), -4, 4) });
      const dtype = random() < 0.25 ? 'f16' : 'f32';
      push({
        kind: 'matmul', dtype, transposeA, transposeB,
        a: operand(transposeA ? [...batch, k, m] : [...batch, m, k]),
        b: operand(transposeB ? [...bBatch, n, k] : [...bBatch, k, n]),
      }, full, dtype, 16 * k);
    } else {
      // A view: the value flattened and shaped back, which fusion must read through.
      const x = tensorArg();
      push({ kind: 'reshape', x }, shapes[x], dtypes[x], bounds[x]);
    }
  }
  // Make the last instruction a tensor of the full shape, so the root broadcasts everything it reads.
  const last = instructions.length - 1;
  if (dtypes[last] === 'number' || shapes[last].length !== full.length || shapes[last].some((d, i) => d !== full[i])) {
    const fullInput = instructions.length;
    input();
    while (shapes[fullInput].length !== full.length || shapes[fullInput].some((d, i) => d !== full[i])) {
      instructions.pop(), shapes.pop(), dtypes.pop(), bounds.pop();
      input();
    }
    const a = dtypes[last] === 'number' ? fullInput : last;
    push({ kind: 'binary', op: 'maximum', a, b: fullInput }, full, promote(dtypes[a], dtypes[fullInput]), Math.max(bounds[a], bounds[fullInput]));
  }
  const kept = instructions.map((_, k) => k).filter((k) => dtypes[k] !== 'number' && instructions[k].kind !== 'input' && random() < 0.2);
  const outputs = [...kept, instructions.length - 1].sort(() => random() - 0.5);
  const text = instructions.map((ins, k) => `${k}: ${show(ins)} ${dtypes[k]} [${shapes[k].join(',')}]`).join('\n');
  return { instructions, outputs: [...new Set(outputs)], text };
}

function show(ins: Instruction): string {
  switch (ins.kind) {
    case 'input': return 'input';
    case 'number': return `${ins.value}`;
    case 'unary': return `${ins.op}(${ins.x})`;
    case 'binary': return `${ins.op}(${ins.a}, ${ins.b})`;
    case 'where': return `where(${ins.cond}, ${ins.a}, ${ins.b})`;
    case 'cast': return `cast(${ins.x})`;
    case 'reshape': return `reshape(${ins.x})`;
    case 'matmul': return `matmul([${ins.a.shape.join(',')}]${ins.transposeA ? 'ᵀ' : ''}, [${ins.b.shape.join(',')}]${ins.transposeB ? 'ᵀ' : ''})`;
  }
}

/** Runs a program on the active backend: its outputs' values, read in the program's order. */
async function run(program: Program): Promise<Map<number, Float64Array>> {
  const made = tm.tidy(() => {
    const values: (tm.Tensor | number)[] = [];
    const t = (k: number) => values[k] as tm.Tensor;
    for (const ins of program.instructions) {
      switch (ins.kind) {
        case 'input': values.push(tm.tensor(ins.values, [...ins.shape], { dtype: ins.dtype })); break;
        case 'number': values.push(ins.value); break;
        case 'unary': values.push(tm[ins.op](t(ins.x))); break;
        case 'binary': {
          const a = values[ins.a];
          values.push(typeof a === 'number' ? tm[ins.op](tm.scalar(a), values[ins.b]) : tm[ins.op](a, values[ins.b]));
          break;
        }
        case 'where': values.push(tm.where(t(ins.cond), t(ins.a), t(ins.b))); break;
        case 'cast': values.push(t(ins.x).cast(ins.dtype)); break;
        case 'reshape': values.push(t(ins.x).reshape([-1]).reshape([...t(ins.x).shape])); break;
        case 'matmul': {
          const [a, b] = [ins.a, ins.b].map((o) => tm.tensor(o.values, [...o.shape], { dtype: ins.dtype }));
          values.push(a.matmul(b, { transposeA: ins.transposeA, transposeB: ins.transposeB }));
          break;
        }
      }
    }
    return program.outputs.map((k) => t(k));
  });
  const read = new Map<number, Float64Array>();
  for (const [i, k] of program.outputs.entries()) read.set(k, Float64Array.from(await made[i].data()));
  for (const m of made) m.dispose();
  return read;
}

let js: Backend;
let gpu: WebGpuBackend;
const on = (backend: Backend, name: tm.BackendName) => setActive(backend, { backend: name, reason: 'test', passedOver: [] });

beforeAll(async () => {
  js = createJsBackend();
  gpu = await createWebGpuBackend();
});

afterAll(async () => {
  await tm.init({ backend: 'js' });
});

describe('random elementwise programs', () => {
  const random = structureRandom(SEED);
  const programs = Array.from({ length: 30 }, (_, i) => {
    const seed = Math.floor(random() * 2 ** 32);
    const shapes = OUTPUT_SHAPES[i % 3];
    const first = Math.floor(random() * shapes.length);
    const second = (first + 1 + Math.floor(random() * (shapes.length - 1))) % shapes.length;
    return [randomProgram(seed, 4 + (i % 28), shapes[first]), randomProgram(seed, 4 + (i % 28), shapes[second])];
  }).flat();

  it('fused on webgpu give, bit for bit, what op-by-op evaluation on js gives, one structure at two shapes in turn', { timeout: 120_000 }, async () => {
    const before = tm.memory().numTensors;
    for (const [i, program] of programs.entries()) {
      on(js, 'js');
      const want = await run(program);
      on(gpu, 'webgpu');
      const got = await run(program);
      for (const [k, values] of want) {
        expectExact(got.get(k)!, values, `program ${i} (test seed ${SEED}), instruction ${k} of\n${program.text}\n`);
      }
    }
    expect(tm.memory().numTensors).toBe(before);
  });

  it('run again, with the code cached by structure, on fresh values give the same again', async () => {
    for (const [i, program] of programs.slice(0, 20).entries()) {
      const fresh: Program = {
        ...program,
        instructions: program.instructions.map((ins) => (ins.kind === 'input' ? { ...ins, values: ins.values.map((v) => (v === -128 ? 127 : -v)) } : ins)),
      };
      on(js, 'js');
      const want = await run(fresh);
      on(gpu, 'webgpu');
      const got = await run(fresh);
      for (const [k, values] of want) expectExact(got.get(k)!, values, `program ${i} (test seed ${SEED}), instruction ${k} of\n${program.text}\n`);
    }
  });
});
