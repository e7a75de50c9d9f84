// Compute pipelines from the WGSL in shaders/, cached. A kernel is a shader
// source plus what TypeScript fills in: the element types it computes in
// (`alias` lines put in front, so one source serves f32, f16 and i32) and its
// tuning constants (WGSL `override`s, set at pipeline creation). WGSL wants
// `enable` directives before every declaration, so those in the source (a
// shader file may bring its own, as subgroup_ops.wgsl does) are moved to the
// top, with `enable f16;` added when the kernel names f16. The
// bind-group layout comes from the shader itself through wgsl_reflect
// (reflect.ts; in the browser bundle, from what wgsl_reflect found in each
// shader file when the bundle was built: reflect.browser.ts): the WGSL is
// the only place a binding is declared, and `dispatch` takes buffers by the
// names the shader gives them.
import type { Binding } from './bindings.js';
import type { GpuContext } from './device.js';
import { bindingsOf } from './reflect.js';

/** The WGSL scalar types a kernel's aliases may name. */
export type WgslScalar = 'f32' | 'f16' | 'i32' | 'u32';

export interface KernelSpec {
  /** The shader's file name in shaders/ (or a name for generated code), for errors and the cache. */
  readonly name: string;
  /** The WGSL: one text, or pieces (shader files, generated code) joined by newlines in order. */
  readonly source: string | readonly string[];
  /** `alias KEY = VALUE;` lines put in front of the source. */
  readonly types?: Readonly<Record<string, WgslScalar>>;
  /** Values for the shader's `override` constants. */
  readonly constants?: Readonly<Record<string, number>>;
  /**
   * `const KEY = VALUEu;` (or `= true;`) lines put in front: for sizes WGSL
   * needs at shader creation (function-scope array lengths), which
   * `override`s cannot give, and switches that select code paths.
   */
  readonly defines?: Readonly<Record<string, number | boolean>>;
  /**
   * The pieces of source that declare every binding, reflected on their own,
   * for a kernel whose body uses WGSL that wgsl_reflect does not parse yet
   * (the subgroup-matrix builtins); by default the whole source.
   */
  readonly bindingsFrom?: readonly string[];
}

export interface Kernel {
  readonly name: string;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  /** Bindings of group 0 by variable name. */
  readonly bindings: ReadonlyMap<string, Binding>;
}

/** Whether WGSL code names the f16 type (outside comments): it then needs `enable f16;`. */
function usesF16(source: string): boolean {
  return /\bf16\b/.test(source.replace(/\/\/.*$/gm, ''));
}

const ENABLE = /^[ \t]*enable[ \t]+([\w, \t]+);[ \t]*$/gm;

/** The source's `enable` directives (extensions named, deduplicated) and the source without them. */
function takeEnables(source: string): { extensions: string[]; rest: string } {
  const extensions = new Set<string>();
  const rest = source.replace(ENABLE, (_, names: string) => {
    for (const name of names.split(',')) if (name.trim()) extensions.add(name.trim());
    return '';
  });
  return { extensions: [...extensions], rest };
}

/** A record as `k=v;` pairs, for cache keys: cheaper than JSON.stringify on every launch. */
function keyOf(record: Readonly<Record<string, string | number | boolean>> | undefined): string {
  let key = '';
  for (const k in record) key += `${k}=${record[k]};`;
  return key;
}

export class Compiler {
  /** Kernels by the spec they were asked for with, and by the code they compiled (two specs can assemble the same code). */
  private readonly cache = new Map<string, Kernel>();
  private readonly compiled = new Map<string, Kernel>();
  private readonly pieces = new Map<string, number>();
  /** The device's errors (a pipeline that failed validation among them), reported at the next readback. */
  readonly errors: string[] = [];

  constructor(private readonly ctx: GpuContext) {}

  kernel(spec: KernelSpec): Kernel {
    // Looked up by the spec as given: kernels are asked for on every launch, and
    // preparing the code (regular expressions over sources of several KB) on each
    // ask cost a fifth of a training run's main-thread time. The key names each
    // piece of source by a number rather than holding its text: a shader file's
    // text is one string whose hash the engine keeps, while a key that joined the
    // texts would be hashed afresh, KB by KB, on every launch.
    let key = `${spec.name}|${keyOf(spec.types)}|${keyOf(spec.defines)}|${keyOf(spec.constants)}`;
    for (const piece of typeof spec.source === 'string' ? [spec.source] : spec.source) key += `|${this.pieceId(piece)}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const kernel = this.build(spec);
    this.cache.set(key, kernel);
    return kernel;
  }

  /** A number for a piece of source, the same for equal texts. */
  private pieceId(piece: string): number {
    let id = this.pieces.get(piece);
    if (id === undefined) this.pieces.set(piece, (id = this.pieces.size));
    return id;
  }

  private build(spec: KernelSpec): Kernel {
    const types = Object.entries(spec.types ?? {});
    const constants = spec.constants ?? {};
    const { extensions, rest } = takeEnables(typeof spec.source === 'string' ? spec.source : spec.source.join('\n'));
    if ((types.some(([, t]) => t === 'f16') || usesF16(rest)) && !extensions.includes('f16')) extensions.unshift('f16');
    const code = [
      ...extensions.map((e) => `enable ${e};`),
      ...types.map(([k, t]) => `alias ${k} = ${t};`),
      ...Object.entries(spec.defines ?? {}).map(([k, v]) => `const ${k} = ${typeof v === 'boolean' ? v : `${v}u`};`),
      rest,
    ].join('\n');
    const compiledKey = `${spec.name}\n${JSON.stringify(constants)}\n${code}`;
    const same = this.compiled.get(compiledKey);
    if (same) return same;
    if (extensions.includes('f16') && !this.ctx.features.f16) {
      throw new Error(`${spec.name}: asked for f16 on an adapter without shader-f16`);
    }
    if (extensions.includes('subgroups') && !this.ctx.features.subgroups) {
      throw new Error(`${spec.name}: asked for subgroups on an adapter without them`);
    }
    if (extensions.includes('chromium_experimental_subgroup_matrix') && !this.ctx.features.int8Matrix && !this.ctx.features.f16Matrix) {
      throw new Error(`${spec.name}: asked for subgroup matrices on a device without them`);
    }
    const pieces = typeof spec.source === 'string' ? [spec.source] : spec.source;
    const bindings = spec.bindingsFrom ? bindingsOf(spec.name, spec.bindingsFrom.join('\n'), spec.bindingsFrom) : bindingsOf(spec.name, code, pieces);
    const { device } = this.ctx;
    const entries: GPUBindGroupLayoutEntry[] = [...bindings.values()].map((b) => ({
      binding: b.binding,
      visibility: 0x4, // GPUShaderStage.COMPUTE
      buffer: { type: b.kind },
    }));
    // No error scope around these: popErrorScope() is a promise that Dawn's Node
    // binding settles only when it next processes events, and a worker thread
    // ended with one pending aborts the whole process ("Promise not resolved or
    // rejected: popErrorScope()"). A failed pipeline reaches the device's
    // uncapturederror event instead (commands.ts), labelled with spec.name.
    const layout = device.createBindGroupLayout({ label: spec.name, entries });
    const module = device.createShaderModule({ label: spec.name, code });
    const pipeline = device.createComputePipeline({
      label: spec.name,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main', constants },
    });
    const kernel: Kernel = { name: spec.name, pipeline, layout, bindings };
    this.compiled.set(compiledKey, kernel);
    return kernel;
  }

  /** Pipelines compiled. */
  get size(): number {
    return this.compiled.size;
  }
}

/**
 * A GPU error's message with the kernel it came from in front, where Dawn
 * names a labelled object in it (`[ShaderModuleDescriptor ""matmul""]`; every
 * pipeline, module and layout is labelled with its kernel's name): the first
 * line, which is all an error shows, then says which shader failed.
 */
export function labelledError(message: string): string {
  const label = /\[(?:Invalid )?(?:ShaderModule|ComputePipeline|BindGroupLayout|PipelineLayout)(?:Descriptor)? "+([^"\]]+)"+\]/.exec(message)?.[1];
  return label ? `${label}.wgsl: ${message}` : message;
}
