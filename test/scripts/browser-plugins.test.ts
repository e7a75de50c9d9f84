// The browser bundle's shaders are compacted (scripts/browser-plugins.mjs):
// comments and the whitespace no token needs go. Whether a space may go
// depends on the characters either side, so every shader is checked to scan
// to the same tokens before and after — with wgsl_reflect's scanner, the one
// the build notes each shader's bindings with.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WgslScanner } from 'wgsl_reflect/wgsl_reflect.module.js';
import { compactWgslText } from '../../scripts/browser-plugins.mjs';

const compact = compactWgslText;
const SHADERS = new URL('../../shaders/', import.meta.url);
const files = readdirSync(SHADERS).filter((f) => f.endsWith('.wgsl'));
const tokens = (code: string) => new WgslScanner(code).scanTokens().map((t) => t.lexeme);

describe('compacted WGSL', () => {
  it.each(files)('%s scans to the same tokens, and is shorter', (file) => {
    const text = readFileSync(new URL(file, SHADERS), 'utf8');
    const small = compact(text);
    expect(tokens(small)).toEqual(tokens(text));
    expect(small.length).toBeLessThan(text.length);
    expect(small).not.toMatch(/\/\/|\/\*/);
  });

  it('keeps the spaces two tokens need, and drops the rest', () => {
    expect(compact('let x = a - -b;  // minus a negative\nvar y: vec4<f32> = v;')).toBe('let x=a- -b;var y:vec4<f32> =v;');
    expect(compact('/** a doc, with // in it */ fn f() -> u32 { return 1u; } // done')).toBe('fn f()->u32{return 1u;}');
    expect(compact('@compute @workgroup_size(64)\nfn main() {}')).toBe('@compute@workgroup_size(64)fn main(){}');
    // Directives keep lines of their own, first: the kernel compiler lifts `enable` lines (compiler.ts).
    expect(compact('// ops\nenable subgroups;\nfn f() {}')).toBe('enable subgroups;\nfn f(){}');
  });
});
