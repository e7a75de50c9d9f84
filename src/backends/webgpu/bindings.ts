// A kernel's bindings as the compiler uses them: by variable name, each with
// its binding number and the kind of buffer it takes.
import type { RawBinding } from './piece_bindings.js';

export interface Binding {
  readonly binding: number;
  readonly kind: 'uniform' | 'storage' | 'read-only-storage';
}

/** wgsl_reflect's resource types of the bindings tmnn's kernels declare. */
export const RESOURCE_UNIFORM = 0;
export const RESOURCE_STORAGE = 1;

/** The layout of a kernel's bindings as wgsl_reflect reports them; group 0 and buffers only, as tmnn's kernels are. */
export function layoutOf(name: string, raw: readonly RawBinding[]): Map<string, Binding> {
  const bindings = new Map<string, Binding>();
  for (const [variable, group, binding, resourceType, access] of raw) {
    if (group !== 0) throw new Error(`${name}.wgsl: binding ${variable} is in group ${group}; tmnn kernels use group 0 only`);
    const kind = resourceType === RESOURCE_UNIFORM ? 'uniform' : resourceType === RESOURCE_STORAGE ? (access === 'read' ? 'read-only-storage' : 'storage') : null;
    if (!kind) throw new Error(`${name}.wgsl: binding ${variable} is neither a buffer nor uniform`);
    bindings.set(variable, { binding, kind });
  }
  return bindings;
}
