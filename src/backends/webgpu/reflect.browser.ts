// The browser bundle's reflect.ts (scripts/browser-plugins.mjs): a kernel's
// layout from the bindings noted for its pieces (piece_bindings.ts) — shader
// files' by wgsl_reflect when the bundle was built, generated code's by its
// generator — so the page does not carry wgsl_reflect's parser. The Node
// tests check these notes against wgsl_reflect for every kernel they compile.
import { layoutOf, type Binding } from './bindings.js';
import { notedBindingsOf } from './piece_bindings.js';

/** The layout of a kernel from its `pieces` (its sources as given; the assembled code is not parsed here). */
export function bindingsOf(name: string, _code: string, pieces: readonly string[]): Map<string, Binding> {
  const raw = notedBindingsOf(pieces);
  if (!raw) throw new Error(`${name}: a piece of its WGSL declares bindings nobody noted (shader files are noted by the build, generated code by fusion.ts)`);
  return layoutOf(name, raw);
}
