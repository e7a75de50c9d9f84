// A kernel's bind-group layout, from its WGSL: wgsl_reflect over the whole
// assembled source. Where every piece of it that declares bindings was also
// noted (piece_bindings.ts: the test suite loads shader files that way), the
// two must agree — so the layouts the browser bundle builds from the notes
// (reflect.browser.ts) are checked against wgsl_reflect's for every kernel
// the tests compile.
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { layoutOf, type Binding } from './bindings.js';
import { notedBindingsOf, type RawBinding } from './piece_bindings.js';

/** The layout of `code` (a kernel's assembled WGSL), made of `pieces` (its sources as given). */
export function bindingsOf(name: string, code: string, pieces: readonly string[]): Map<string, Binding> {
  const raw: RawBinding[] = [];
  for (const [group, list] of new WgslReflect(code).getBindGroups().entries()) {
    for (const b of list ?? []) if (b) raw.push([b.name, group, b.binding, b.resourceType, b.access]);
  }
  const layout = layoutOf(name, raw);
  const notes = notedBindingsOf(pieces);
  const required = typeof process !== 'undefined' && process.env?.TMNN_TEST_NOTED_BINDINGS === '1';
  if (required && !notes) throw new Error(`${name}: a piece of its WGSL declares bindings nobody noted, which the browser bundle would need (piece_bindings.ts)`);
  if (notes) {
    const fromNotes = layoutOf(name, notes);
    const same = fromNotes.size === layout.size && [...layout].every(([k, b]) => fromNotes.get(k)?.binding === b.binding && fromNotes.get(k)?.kind === b.kind);
    if (!same) {
      throw new Error(`${name}: the bindings noted for its pieces (${JSON.stringify([...fromNotes])}) differ from wgsl_reflect's (${JSON.stringify([...layout])})`);
    }
  }
  return layout;
}
