// The bindings of pieces of WGSL known without parsing them at run time:
// each shader file's, noted where the build loads it (by wgsl_reflect, at
// build time: scripts/browser-plugins.mjs), and each piece fusion.ts
// generates, noted by the generator as it writes the declarations. The
// browser bundle reflects layouts from these (reflect.browser.ts) rather
// than carry wgsl_reflect's parser, ~43 KB of its 100 KB budget; in Node,
// where every kernel is also reflected whole, the tests check that the two
// agree for every kernel they compile (reflect.ts).

/** One binding as wgsl_reflect reports it: name, group, binding, resource type (0 uniform, 1 storage, …) and access. */
export type RawBinding = readonly [name: string, group: number, binding: number, resourceType: number, access: string];

const noted = new Map<string, readonly RawBinding[]>();

export function noteBindings(piece: string, bindings: readonly RawBinding[]): void {
  noted.set(piece, bindings);
}

/** The bindings noted for a kernel's pieces, together; null where a piece that declares bindings has none noted (a piece with no `@binding` needs none). */
export function notedBindingsOf(pieces: readonly string[]): RawBinding[] | null {
  const raw: RawBinding[] = [];
  for (const piece of pieces) {
    const bindings = noted.get(piece);
    if (bindings) raw.push(...bindings);
    else if (/@binding/.test(piece)) return null;
  }
  return raw;
}
