// Fusing elementwise chains. A pending elementwise op (data.ts) is a node in
// a small DAG whose leaves are computed buffers; when a value is needed, the
// DAG under it becomes one WGSL function, `value(i)`, which the elementwise
// kernel (or a matmul's epilogue, or a reduction's loads) calls per element.
// Nodes of the root's size are computed once per element, in value(i) itself;
// a smaller node is a function of its own flat index, and an argument
// broadcast to its consumer's shape is read through an index map whose
// dimensions are baked in as constants. Nodes that a live tensor still holds
// are written out by the same launch (extra outputs), so fusion never
// computes anything twice.
// Scalars kept on the CPU (data.ts) are read from a uniform, `consts`, whose
// values come with the launch: the code does not depend on them. Nor on the
// buffers: the DAG is walked into steps that say only what the code depends
// on, and the code for a structure of steps is generated once (a training
// step fuses the same chains over the same shapes every step).
import type { DType } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import elementwiseLib from '../../../shaders/elementwise_lib.wgsl';
import specialLib from '../../../shaders/special_lib.wgsl';
import type { GpuData, PendingOp } from './data.js';
import type { GpuFeatures } from './device.js';
import { SPECIAL_LIB_OPS, binaryExpr, bitcastExpr, castExpr, unaryExpr, valueType, whereExpr } from './expressions.js';
import { BYTES, packing } from './layout.js';
import { RESOURCE_STORAGE, RESOURCE_UNIFORM } from './bindings.js';
import { noteBindings, type RawBinding } from './piece_bindings.js';

/** A fused expression ready to be put into a kernel. */
export interface FusedCode {
  /**
   * The WGSL, in pieces: elementwise_lib.wgsl, special_lib.wgsl where the
   * chain uses a special function, then the generated bindings, node
   * functions and `fn value(i: u32) -> <value type>` (kept apart so the
   * kernel cache never rereads the libraries' text).
   */
  readonly code: readonly string[];
  /** Buffers for the generated bindings, by name (and the scalars' bits for `consts`). */
  readonly buffers: Readonly<Record<string, GPUBuffer | Uint32Array>>;
  /** Pending nodes this launch computes besides the root, each with the buffer it writes. */
  readonly extraOutputs: readonly { readonly data: GpuData; readonly buffer: GPUBuffer }[];
  readonly bindingCount: number;
  /**
   * With `chunked`: the bindings read or written at the root's own index
   * (inputs and kept intermediates of its size), with their bytes per
   * element, which a launch over part of the root binds as windows over that
   * part; and where in `consts` the part's first index goes.
   */
  readonly chunk?: { readonly rootSized: ReadonlyMap<string, number>; readonly baseSlot: number };
}

export interface FuseOptions {
  readonly features: GpuFeatures;
  /** The first binding number the generated bindings may use. */
  readonly firstBinding: number;
  /** A pending matmul whose accumulator the kernel provides as `acc_value` (the epilogue case). */
  readonly accumulator?: GpuData;
  /** Buffers for live intermediates. */
  readonly allocate: (data: GpuData) => GPUBuffer;
  /**
   * For elementwise_vec4.wgsl and elementwise_packed_vec4.wgsl, which
   * compute four neighbouring elements per invocation: also generate
   * `fn value4(w: u32)`, the elements 4w…4w+3, which reads each input the
   * size of the root four at a time (one vec4 load, or the one or two packed
   * words of i8 or f16, instead of four loads: on lavapipe a load costs ~10
   * instructions whatever its width, shaders/README.md) and hands the values
   * to value(i) through private variables. Broadcast inputs are read element
   * by element as before.
   */
  readonly vector?: boolean;
  /**
   * The root is read by another kernel (a reduction's loads) instead of
   * stored by the elementwise one: rounded to its dtype like any node, and
   * written out as well (an extra output) if a live tensor holds it. The
   * reading kernel must call value(i) once per element.
   */
  readonly rootRead?: boolean;
  /**
   * The kernel computes a part of the root at a time (a root larger than a
   * kernel can bind: windows.ts): value(i) gets the part's own index, as its
   * windows over the arrays of the root's size do, and adds the part's first
   * index, from `consts`, where it reads a broadcast argument.
   */
  readonly chunked?: boolean;
}

/** Offsets into an argument of shape `from` for each flat index of `to` (NumPy broadcasting), as WGSL. */
function indexMap(name: string, to: readonly number[], from: readonly number[]): string {
  if (sizeOf(from) === sizeOf(to)) return `fn ${name}(j: u32) -> u32 { return j; }`;
  if (sizeOf(from) === 1) return `fn ${name}(j: u32) -> u32 { return 0u; }`;
  // Per output axis (last first): its extent and the argument's stride along it (0 where broadcast).
  const axes: { extent: number; stride: number }[] = [];
  let stride = 1;
  for (let d = to.length - 1; d >= 0; d--) {
    const k = d - (to.length - from.length);
    const own = k >= 0 ? from[k] : 1;
    axes.push({ extent: to[d], stride: own === 1 ? 0 : stride });
    stride *= own;
  }
  // Merge neighbouring axes that step through the argument contiguously (or are both broadcast).
  const merged: { extent: number; stride: number }[] = [];
  for (const a of axes) {
    if (a.extent === 1) continue;
    const last = merged[merged.length - 1];
    if (last && ((last.stride === 0 && a.stride === 0) || (last.stride !== 0 && a.stride === last.stride * last.extent))) last.extent *= a.extent;
    else merged.push({ ...a });
  }
  const lines = merged.map((a, i) => {
    const last = i === merged.length - 1;
    const coord = last ? 'r' : `(r % ${a.extent}u)`;
    const add = a.stride === 0 ? '' : `o += ${coord} * ${a.stride}u; `;
    return `${add}${last ? '' : `r = r / ${a.extent}u; `}`;
  });
  return `fn ${name}(j: u32) -> u32 { var r = j; var o = 0u; ${lines.join('')}return o; }`;
}

function storageType(dtype: DType, features: GpuFeatures): string {
  if (packing(dtype, features) > 1) return 'u32';
  return dtype === 'f16' ? 'f16' : dtype === 'i8' ? 'u32' : dtype;
}

function loadExpr(dtype: DType, features: GpuFeatures, array: string, k: string): string {
  switch (packing(dtype, features)) {
    case 4: return `extractBits(bitcast<i32>(${array}[${k} >> 2u]), (${k} & 3u) * 8u, 8u)`;
    case 2: return `unpack2x16float(${array}[${k} >> 1u])[${k} & 1u]`;
    default: return dtype === 'f16' ? `f32(${array}[${k}])` : `${array}[${k}]`;
  }
}

/** An i8 or f16 intermediate is rounded to its dtype, as an unfused op would store it. */
function roundExpr(dtype: DType, v: string): string {
  if (dtype === 'i8') return `extractBits(${v}, 0u, 8u)`;
  if (dtype === 'f16') return `round_f16(${v})`;
  return v;
}

/**
 * One step of a fused expression, in the order the traversal meets them
 * (arguments before the node that reads them): what the generated code
 * depends on, without the buffers and scalar values a launch binds.
 */
type Step =
  | { readonly kind: 'accumulator'; readonly dtype: DType; readonly stored: boolean }
  | { readonly kind: 'scalar'; readonly dtype: DType; readonly leaf: number; readonly slot: number }
  | { readonly kind: 'input'; readonly dtype: DType; readonly leaf: number; readonly rootSized: boolean }
  | {
    readonly kind: 'op';
    readonly op: PendingOp & { kind: 'unary' | 'binary' | 'where' | 'cast' | 'bitcast' };
    readonly dtype: DType;
    /** Each argument: the step computing it, and the shapes its index map goes between. */
    readonly args: readonly { readonly step: number; readonly to: readonly number[]; readonly from: readonly number[] }[];
    readonly stored: boolean;
    readonly root: boolean;
    readonly rootSized: boolean;
  };

/** What one launch binds, beside the code: read buffers by leaf number, scalars' bits in slot order, and the nodes it writes out. */
interface Bound {
  readonly inputs: Map<number, GPUBuffer>;
  readonly scalars: number[];
  readonly outputs: GpuData[];
}

/** Generated code by the structure of what it computes (the steps, as a string): a training step fuses the same chains every step. */
const generatedCache = new WeakMap<GpuFeatures, Map<string, { generated: string; bindingCount: number }>>();
const MAX_CACHED = 1024;

/**
 * value(i) for `root`, which must be a pending elementwise op: the DAG walked
 * into steps, and the code for their structure (generated on first sight:
 * in a training step, fuse() took ~28 µs a launch generating it every time,
 * ~16 walking and looking it up).
 */
export function fuse(root: GpuData, options: FuseOptions): FusedCode {
  const { steps, key, bound } = linearize(root, options.accumulator, options.rootRead ?? false);
  const baseSlot = options.chunked ? bound.scalars.push(0) - 1 : -1;
  let byKey = generatedCache.get(options.features);
  if (!byKey) generatedCache.set(options.features, (byKey = new Map()));
  const cacheKey = `${options.firstBinding}${options.vector ? 'v' : ''}${options.rootRead ? 'r' : ''}${options.chunked ? 'c' : ''};${key}`;
  let code = byKey.get(cacheKey);
  if (!code) {
    code = generate(steps, options);
    if (byKey.size >= MAX_CACHED) byKey.delete(byKey.keys().next().value!);
    byKey.set(cacheKey, code);
  }
  const buffers: Record<string, GPUBuffer | Uint32Array> = {};
  for (const [leaf, buffer] of bound.inputs) buffers[`input${leaf}`] = buffer;
  const extraOutputs = bound.outputs.map((data, i) => {
    const buffer = options.allocate(data);
    buffers[`extra${i}`] = buffer;
    return { data, buffer };
  });
  if (bound.scalars.length) {
    const words = Math.ceil(bound.scalars.length / 4);
    buffers.consts = Uint32Array.from({ length: 4 * words }, (_, i) => bound.scalars[i] ?? 0);
  }
  const chunk = options.chunked ? { rootSized: rootSizedBindings(steps), baseSlot } : undefined;
  const special = steps.some((s) => s.kind === 'op' && (s.op.kind === 'unary' || s.op.kind === 'binary') && SPECIAL_LIB_OPS.has(s.op.op));
  const lib = special ? [elementwiseLib, specialLib] : [elementwiseLib];
  return { code: [...lib, code.generated], buffers, extraOutputs, bindingCount: code.bindingCount, chunk };
}

/** The bindings of the root's size (inputs, kept intermediates), with bytes per element: what a chunked launch binds as windows. */
function rootSizedBindings(steps: readonly Step[]): Map<string, number> {
  const found = new Map<string, number>();
  let extra = 0;
  for (const step of steps) {
    if (step.kind === 'input' && step.rootSized) found.set(`input${step.leaf}`, BYTES[step.dtype]);
    if ((step.kind === 'op' || step.kind === 'accumulator') && step.stored) {
      if (step.kind === 'op' && step.rootSized) found.set(`extra${extra}`, BYTES[step.dtype]);
      extra++;
    }
  }
  return found;
}

/** The steps under `root` (each node once), a string of their structure, and what a launch of them binds. */
function linearize(root: GpuData, accumulator: GpuData | undefined, rootRead: boolean): { steps: Step[]; key: string; bound: Bound } {
  const steps: Step[] = [];
  const stepOf = new Map<GpuData, number>();
  const bound: Bound = { inputs: new Map(), scalars: [], outputs: [] };
  let leaves = 0;
  let key = '';
  const add = (d: GpuData, step: Step, text: string): number => {
    stepOf.set(d, steps.length);
    key += `${text};`;
    return steps.push(step) - 1;
  };
  const visit = (d: GpuData): number => {
    const seen = stepOf.get(d);
    if (seen !== undefined) return seen;
    if (d === accumulator) {
      if (!d.freed) bound.outputs.push(d);
      return add(d, { kind: 'accumulator', dtype: d.dtype, stored: !d.freed }, `a${d.dtype}${d.freed ? '' : '>'}`);
    }
    if (d.scalar) {
      const slot = bound.scalars.push(d.scalar.bits) - 1;
      return add(d, { kind: 'scalar', dtype: d.dtype, leaf: leaves++, slot }, `s${d.dtype}`);
    }
    if (d.buffer) {
      bound.inputs.set(leaves, d.buffer);
      // An input the root's size is read at the root's own index (a broadcast only ever grows sizes up the chain).
      const rootSized = d.size === root.size;
      return add(d, { kind: 'input', dtype: d.dtype, leaf: leaves++, rootSized }, `i${d.dtype}${rootSized ? '=' : ''}`);
    }
    const op = d.op;
    if (!op || op.kind === 'matmul') throw new Error('webgpu: fuse() reached an operand that is neither computed nor elementwise');
    let text = `${op.kind}${'op' in op ? op.op : ''}${d.dtype}(`;
    const args = op.args.map((a) => {
      const step = visit(a.data);
      // Only a broadcast's shapes shape its index map (indexMap): the same size reads in place.
      text += a.data.size === d.size ? `${step},` : `${step}:${d.shape.join(',')}<${a.shape.join(',')},`;
      return { step, to: d.shape, from: a.shape };
    });
    const isRoot = d === root && !rootRead;
    const stored = !isRoot && !d.freed;
    if (stored) bound.outputs.push(d);
    const rootSized = d.size === root.size;
    return add(d, { kind: 'op', op, dtype: d.dtype, args, stored, root: isRoot, rootSized }, `${text})${stored ? (rootSized ? '>=' : '>') : ''}`);
  };
  visit(root);
  return { steps, key, bound };
}

/** The WGSL for steps: bindings (in the order the steps meet them), a function per step, and value(i). */
function generate(steps: readonly Step[], options: FuseOptions): { generated: string; bindingCount: number } {
  const { features } = options;
  const maps = new Map<string, string>();
  const decls: string[] = [];
  const fns: string[] = [];
  const names: string[] = [];
  let binding = options.firstBinding;
  /** The bindings declared, as wgsl_reflect reports them (for noteBindings). */
  const raw: RawBinding[] = [];
  /** Declares the next binding, and notes it as declared. */
  const bind = (name: string, space: 'read' | 'read_write' | 'uniform', type: string): void => {
    raw.push([name, 0, binding, space === 'uniform' ? RESOURCE_UNIFORM : RESOURCE_STORAGE, space === 'uniform' ? 'read' : space]);
    decls.push(`@group(0) @binding(${binding++}) var<${space === 'uniform' ? 'uniform' : `storage, ${space}`}> ${name}: ${type};`);
  };
  let nodes = 0;
  let outputs = 0;
  /** Inputs value4 reads four at a time, handing each element to load<leaf> through lane<leaf>. */
  const lanes: Lane[] = [];
  /** Intermediates value4 writes four at a time, each element handed back through kept<n>. */
  const kept: { array: string; lane: string; type: string }[] = [];

  const mapFor = (to: readonly number[], from: readonly number[]): string => {
    const key = sizeOf(to) === sizeOf(from) ? 'same size' : `${to.join(',')}|${from.join(',')}`;
    let name = maps.get(key);
    if (!name) {
      name = `map${maps.size}`;
      maps.set(key, name);
      fns.push(indexMap(name, to, from));
    }
    return name;
  };
  const output = (dtype: DType, vec4 = false): string => {
    const name = `extra${outputs++}`;
    const type = storageType(dtype, features);
    bind(name, 'read_write', `array<${vec4 ? `vec4<${type}>` : type}>`);
    return name;
  };

  // A step the root's size is only ever read at the root's own index (a
  // broadcast only grows sizes up the chain, so only steps the root's size
  // read it), so value(i) computes it once, as a `let`, however many steps
  // read it: as functions of their index, steps read twice (`y.add(y.sign())`)
  // were computed twice. Smaller steps stay functions of their index, which
  // their broadcasts read at others.
  const inline = steps.map((step) => step.kind !== 'scalar' && step.kind !== 'accumulator' && step.rootSized);
  /** value(i)'s body: a `let` per inline step. */
  const body: string[] = [];
  /** Step n as read through `map` by a step evaluated at index `j`. */
  const read = (n: number, map: string, j: string): string => (inline[n] ? `v${n}` : `${names[n]}(${map}(${j}))`);

  for (const [n, step] of steps.entries()) {
    const t = valueType(step.dtype);
    switch (step.kind) {
      case 'accumulator': {
        const fn = `node${nodes++}`;
        const store = step.stored ? `${output(step.dtype)}[j] = ${step.dtype === 'f16' ? 'f16' : ''}(acc_value); ` : '';
        // Read as stored: an f16 product's readers see its sum rounded to f16 (overflowing to ∞), as they would unfused.
        fns.push(`fn ${fn}(j: u32) -> ${t} { ${store}return ${t}(${roundExpr(step.dtype, 'acc_value')}); }`);
        names.push(fn);
        break;
      }
      case 'scalar':
        fns.push(`fn load${step.leaf}(k: u32) -> ${t} { return bitcast<${t}>(consts[${step.slot >> 2}][${step.slot & 3}]); }`);
        names.push(`load${step.leaf}`);
        break;
      case 'input': {
        const array = `input${step.leaf}`;
        if (options.vector && step.rootSized) {
          const per = packing(step.dtype, features);
          const stored = per === 1 ? `vec4<${storageType(step.dtype, features)}>` : 'u32';
          bind(array, 'read', `array<${stored}>`);
          decls.push(`var<private> lane${step.leaf}: ${t};`);
          fns.push(`fn load${step.leaf}(k: u32) -> ${t} { return lane${step.leaf}; }`);
          names.push(`load${step.leaf}`);
          lanes.push({ leaf: step.leaf, type: t, four: fourLoad(per, array) });
          body.push(`let v${n} = lane${step.leaf};`);
          break;
        }
        bind(array, 'read', `array<${storageType(step.dtype, features)}>`);
        fns.push(`fn load${step.leaf}(k: u32) -> ${t} { return ${t}(${loadExpr(step.dtype, features, array, 'k')}); }`);
        names.push(`load${step.leaf}`);
        if (inline[n]) body.push(`let v${n} = load${step.leaf}(i);`);
        break;
      }
      case 'op': {
        const fn = `node${nodes++}`;
        const j = inline[n] ? 'i' : 'j';
        // A chunk's broadcast arguments are read at the root's whole index, g (value(i)).
        const args = step.args.map((a) => read(a.step, mapFor(a.to, a.from), inline[n] && options.chunked ? 'g' : j));
        const dtypes = step.args.map((a) => steps[a.step].dtype);
        const { op } = step;
        let expr: string;
        switch (op.kind) {
          case 'unary': expr = unaryExpr(op.op, step.dtype, args[0]); break;
          case 'binary': expr = binaryExpr(op.op, step.dtype, args[0], args[1]); break;
          case 'where': expr = whereExpr(dtypes[0], args[0], args[1], args[2]); break;
          case 'cast': expr = castExpr(dtypes[0], step.dtype, args[0]); break;
          case 'bitcast': expr = bitcastExpr(dtypes[0], step.dtype, args[0]); break;
        }
        const v = step.root ? expr : roundExpr(step.dtype, expr);
        let store = '';
        if (step.stored && options.vector && step.rootSized) {
          // value4 stores the four elements at once.
          const lane = `kept${kept.length}`;
          kept.push({ array: output(step.dtype, true), lane, type: storageType(step.dtype, features) });
          decls.push(`var<private> ${lane}: ${t};`);
          store = `${lane} = v${n}; `;
        } else if (step.stored) {
          store = `${output(step.dtype)}[${j}] = ${storeExpr(step.dtype, `v${n}`)}; `;
        }
        if (inline[n]) {
          body.push(`let v${n} = ${v}; ${store}`.trimEnd());
        } else {
          fns.push(`fn ${fn}(j: u32) -> ${t} { let v${n} = ${v}; ${store}return v${n}; }`);
        }
        names.push(fn);
        break;
      }
    }
  }
  let scalars = steps.filter((s) => s.kind === 'scalar').length;
  if (options.chunked) body.unshift(`let g = i + consts[${scalars >> 2}][${scalars++ & 3}];`);
  const rootType = valueType(steps[steps.length - 1].dtype);
  // The root is the last step, and the root's size.
  fns.push([`fn value(i: u32) -> ${rootType} {`, ...body.map((line) => `  ${line}`), `  return v${steps.length - 1};`, '}'].join('\n'));
  if (options.vector) fns.push(value4(rootType, lanes, kept));
  if (scalars) bind('consts', 'uniform', `array<vec4<u32>, ${Math.ceil(scalars / 4)}>`);
  const generated = [...decls, ...fns].join('\n');
  // What it declared, for the browser bundle, which does not parse WGSL (piece_bindings.ts).
  noteBindings(generated, raw);
  return { generated, bindingCount: binding - options.firstBinding };
}

/** An input value4 reads four elements at a time: `four` is those elements as a vec4, from w. */
interface Lane {
  readonly leaf: number;
  readonly type: string;
  readonly four: string;
}

/** Elements 4w…4w+3 of `array` as a vec4: one vec4 load, or the packed words that hold them (one of i8, two of f16). */
function fourLoad(per: 1 | 2 | 4, array: string): string {
  // Each byte shifted to the top, then down again: the arithmetic shift sign-extends it.
  if (per === 4) return `(vec4<i32>(bitcast<i32>(${array}[w])) << vec4u(24u, 16u, 8u, 0u)) >> vec4u(24u)`;
  if (per === 2) return `vec4<f32>(unpack2x16float(${array}[2u * w]), unpack2x16float(${array}[2u * w + 1u]))`;
  return `${array}[w]`;
}

/**
 * value4(w): the elements 4w…4w+3 through value(i), with the lane inputs
 * loaded once (a vec4, or the packed words of four elements) and the kept
 * intermediates stored once as vec4s.
 */
function value4(rootType: string, lanes: readonly Lane[], kept: readonly { array: string; lane: string; type: string }[]): string {
  const loads = lanes.map((l) => `let p${l.leaf} = ${l.four};`);
  const vars = [`var r: vec4<${rootType}>;`, ...kept.map((k, n) => `var s${n}: vec4<${k.type}>;`)];
  const elements = ['x', 'y', 'z', 'w'].map((c, e) => [
    ...lanes.map((l) => `lane${l.leaf} = ${l.type}(p${l.leaf}.${c});`),
    `r.${c} = value(w * 4u + ${e}u);`,
    ...kept.map((k, n) => `s${n}.${c} = ${k.type}(${k.lane});`),
  ].join(' '));
  const stores = kept.map((k, n) => `${k.array}[w] = s${n};`);
  return [`fn value4(w: u32) -> vec4<${rootType}> {`, ...[...loads, ...vars, ...elements, ...stores, 'return r;'].map((line) => `  ${line}`), '}'].join('\n');
}

function storeExpr(dtype: DType, v: string): string {
  return dtype === 'f16' ? `f16(${v})` : v;
}

/** Live intermediates that fuse() cannot write (packed dtypes take whole words): compute them first. */
export function unwritableIntermediates(root: GpuData, features: GpuFeatures): GpuData[] {
  const found: GpuData[] = [];
  const seen = new Set<GpuData>();
  const walk = (d: GpuData) => {
    if (seen.has(d) || d.buffer || !d.op || d.op.kind === 'matmul') return;
    seen.add(d);
    if (d !== root && !d.freed && packing(d.dtype, features) > 1) found.push(d);
    for (const a of d.op.args) walk(a.data);
  };
  walk(root);
  return found;
}
