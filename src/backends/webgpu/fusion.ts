// Fusing elementwise chains. A pending elementwise op (data.ts) is a node in
// a small DAG whose leaves are computed buffers; when a value is needed, the
// DAG under it becomes one WGSL function, `value(i)`, which the elementwise
// kernel (or a matmul's epilogue) calls per output element. Each node is a
// function of its own flat index; an argument broadcast to its consumer's
// shape is read through an index map whose dimensions are baked in as
// constants. Nodes that a live tensor still holds are written out by the
// same launch (extra outputs), so fusion never computes anything twice.
// Scalars kept on the CPU (data.ts) are read from a uniform, `consts`, whose
// values come with the launch: the code does not depend on them.
import type { DType } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import elementwiseLib from '../../../shaders/elementwise_lib.wgsl';
import type { GpuData } from './data.js';
import type { GpuFeatures } from './device.js';
import { binaryExpr, castExpr, unaryExpr, valueType, whereExpr } from './expressions.js';
import { packing } from './layout.js';

/** A fused expression ready to be put into a kernel. */
export interface FusedCode {
  /**
   * The WGSL, in pieces: elementwise_lib.wgsl, then the generated bindings,
   * node functions and `fn value(i: u32) -> <value type>` (kept apart so the
   * kernel cache never rereads the library's text).
   */
  readonly code: readonly [lib: string, generated: string];
  /** Buffers for the generated bindings, by name (and the scalars' bits for `consts`). */
  readonly buffers: Readonly<Record<string, GPUBuffer | Uint32Array>>;
  /** Pending nodes this launch computes besides the root, each with the buffer it writes. */
  readonly extraOutputs: readonly { readonly data: GpuData; readonly buffer: GPUBuffer }[];
  readonly bindingCount: number;
}

export interface FuseOptions {
  readonly features: GpuFeatures;
  /** The first binding number the generated bindings may use. */
  readonly firstBinding: number;
  /** A pending matmul whose accumulator the kernel provides as `acc_value` (the epilogue case). */
  readonly accumulator?: GpuData;
  /** Buffers for live intermediates. */
  readonly allocate: (data: GpuData) => GPUBuffer;
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

/** Generates value(i) for `root`, which must be a pending elementwise op. */
export function fuse(root: GpuData, options: FuseOptions): FusedCode {
  const { features } = options;
  const leaves = new Map<GpuData, string>();
  const nodes = new Map<GpuData, string>();
  const maps = new Map<string, string>();
  const buffers: Record<string, GPUBuffer | Uint32Array> = {};
  const scalars: number[] = [];
  const extraOutputs: { data: GpuData; buffer: GPUBuffer }[] = [];
  const decls: string[] = [];
  const fns: string[] = [];
  let binding = options.firstBinding;

  const mapFor = (to: readonly number[], from: readonly number[]): string => {
    const key = `${to.join(',')}|${from.join(',')}`;
    let name = maps.get(key);
    if (!name) {
      name = `map${maps.size}`;
      maps.set(key, name);
      fns.push(indexMap(name, to, from));
    }
    return name;
  };

  const output = (d: GpuData): string => {
    const name = `extra${extraOutputs.length}`;
    const buffer = options.allocate(d);
    extraOutputs.push({ data: d, buffer });
    buffers[name] = buffer;
    decls.push(`@group(0) @binding(${binding++}) var<storage, read_write> ${name}: array<${storageType(d.dtype, features)}>;`);
    return name;
  };

  /** The name of a function computing `d` at its own flat index. */
  const visit = (d: GpuData): string => {
    if (d === options.accumulator) {
      let fn = nodes.get(d);
      if (!fn) {
        fn = `node${nodes.size}`;
        nodes.set(d, fn);
        const store = d.freed ? '' : `${output(d)}[j] = ${d.dtype === 'f16' ? 'f16' : ''}(acc_value); `;
        fns.push(`fn ${fn}(j: u32) -> ${valueType(d.dtype)} { ${store}return ${valueType(d.dtype)}(acc_value); }`);
      }
      return fn;
    }
    if (d.scalar) {
      let fn = leaves.get(d);
      if (!fn) {
        const slot = scalars.push(d.scalar.bits) - 1;
        fn = `load${leaves.size}`;
        leaves.set(d, fn);
        const t = valueType(d.dtype);
        fns.push(`fn ${fn}(k: u32) -> ${t} { return bitcast<${t}>(consts[${slot >> 2}][${slot & 3}]); }`);
      }
      return fn;
    }
    if (d.buffer) {
      let fn = leaves.get(d);
      if (!fn) {
        const array = `input${leaves.size}`;
        fn = `load${leaves.size}`;
        leaves.set(d, fn);
        buffers[array] = d.buffer;
        decls.push(`@group(0) @binding(${binding++}) var<storage, read> ${array}: array<${storageType(d.dtype, features)}>;`);
        fns.push(`fn ${fn}(k: u32) -> ${valueType(d.dtype)} { return ${valueType(d.dtype)}(${loadExpr(d.dtype, features, array, 'k')}); }`);
      }
      return fn;
    }
    const op = d.op;
    if (!op || op.kind === 'matmul') throw new Error('webgpu: fuse() reached an operand that is neither computed nor elementwise');
    let fn = nodes.get(d);
    if (fn) return fn;
    fn = `node${nodes.size}`;
    nodes.set(d, fn);
    const args = op.args.map((a) => `${visit(a.data)}(${mapFor(d.shape, a.shape)}(j))`);
    const dtypes = op.args.map((a) => a.data.dtype);
    let expr: string;
    switch (op.kind) {
      case 'unary': expr = unaryExpr(op.op, d.dtype, args[0]); break;
      case 'binary': expr = binaryExpr(op.op, d.dtype, args[0], args[1]); break;
      case 'where': expr = whereExpr(dtypes[0], args[0], args[1], args[2]); break;
      case 'cast': expr = castExpr(dtypes[0], d.dtype, args[0]); break;
    }
    const isRoot = d === root;
    const v = isRoot ? expr : roundExpr(d.dtype, expr);
    const store = !isRoot && !d.freed ? `${output(d)}[j] = ${storeExpr(d.dtype, 'v')}; ` : '';
    fns.push(`fn ${fn}(j: u32) -> ${valueType(d.dtype)} { let v = ${v}; ${store}return v; }`);
    return fn;
  };

  const top = visit(root);
  fns.push(`fn value(i: u32) -> ${valueType(root.dtype)} { return ${top}(i); }`);
  if (scalars.length) {
    const words = Math.ceil(scalars.length / 4);
    decls.push(`@group(0) @binding(${binding++}) var<uniform> consts: array<vec4<u32>, ${words}>;`);
    buffers.consts = Uint32Array.from({ length: 4 * words }, (_, i) => scalars[i] ?? 0);
  }
  return { code: [elementwiseLib, [...decls, ...fns].join('\n')], buffers, extraOutputs, bindingCount: binding - options.firstBinding };
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
