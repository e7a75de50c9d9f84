// esbuild plugins for what a page downloads: tmnn's browser bundle
// (scripts/build.mjs) and the demo page's script (examples/browser/build.mjs).
import { readFileSync } from 'node:fs';
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Characters of words and numbers: a space between two of them separates tokens. */
const WORD = /[A-Za-z0-9_.]/;
/** Punctuation that never joins a neighbour into a longer token. */
const ALONE = /[,;(){}[\]:@]/;
const DIRECTIVE = /^(enable|requires|diagnostic)\b/;

/**
 * WGSL without comments and without the whitespace tokens do not need: it
 * goes wherever the characters on either side cannot join into one token —
 * not between two word characters (`let x`), nor between two operator
 * characters (`a - -b`, `vec4<f32> =`), unless one of them is punctuation
 * that stands alone (`,;(){}[]:@`). test/scripts/browser-plugins.test.ts
 * checks that every shader scans to the same tokens after it.
 */
export function compactWgslText(text) {
  // Comments of either kind, whichever starts first (a `//` inside a block comment, a `/*` after a `//`).
  const lines = text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ' ').split('\n').map((line) => line.trim()).filter(Boolean);
  // Directives stay on lines of their own: the kernel compiler lifts `enable` lines to the top of the assembled shader.
  const directives = lines.filter((line) => DIRECTIVE.test(line));
  const code = lines.filter((line) => !DIRECTIVE.test(line)).join('\n');
  const squeezed = code.replace(/(.)\s+(?=(.))/gs, (_, a, b) => {
    const words = WORD.test(a) && WORD.test(b);
    const operators = !WORD.test(a) && !WORD.test(b) && !ALONE.test(a) && !ALONE.test(b);
    return words || operators ? `${a} ` : a;
  });
  return [...directives, squeezed].join('\n');
}

const PIECE_BINDINGS = fileURLToPath(new URL('../src/backends/webgpu/piece_bindings.ts', import.meta.url));

/**
 * A shader file as a module whose default export is its text, noting the
 * bindings wgsl_reflect finds in it (src/backends/webgpu/piece_bindings.ts):
 * the browser bundle builds kernels' layouts from these notes instead of
 * carrying wgsl_reflect's parser; the test suite loads shaders the same way,
 * so that every kernel it compiles checks the notes against wgsl_reflect.
 */
export function wgslModule(text, path) {
  const raw = [];
  // A piece without bindings need not parse on its own (some use WGSL wgsl_reflect cannot read yet).
  if (/@binding/.test(text)) {
    let reflected;
    try {
      reflected = new WgslReflect(text).getBindGroups();
    } catch (err) {
      throw new Error(`${path}: wgsl_reflect cannot read this shader's bindings: ${err.message}`);
    }
    for (const [group, list] of reflected.entries()) for (const b of list ?? []) if (b) raw.push([b.name, group, b.binding, b.resourceType, b.access]);
  }
  return `import { noteBindings } from ${JSON.stringify(PIECE_BINDINGS)};\nconst text = ${JSON.stringify(text)};\nnoteBindings(text, ${JSON.stringify(raw)});\nexport default text;\n`;
}

/** Shader files as they are, each noting its bindings (wgslModule): the Node builds, which check the notes too. */
export const noteWgsl = {
  name: 'note-wgsl',
  setup(b) {
    b.onLoad({ filter: /\.wgsl$/ }, (args) => ({ contents: wgslModule(readFileSync(args.path, 'utf8'), args.path), loader: 'js' }));
  },
};

/**
 * The browser bundle's WGSL compacted (compactWgslText): the bundle carries
 * every shader, and their comments and spacing are a good share of its size.
 * (WGSL has no string literals, so `//` and `/*` always start a comment.)
 * Each file's bindings are noted as it loads (wgslModule).
 */
export const compactWgsl = {
  name: 'compact-wgsl',
  setup(b) {
    b.onLoad({ filter: /\.wgsl$/ }, (args) => ({ contents: wgslModule(compactWgslText(readFileSync(args.path, 'utf8')), args.path), loader: 'js' }));
  },
};

/**
 * Node-only modules in the browser bundle, each swapped for a stand-in that
 * answers as the module answers outside Node, so that what a page downloads
 * holds none of their code: the native backend's loader, backend and malloc
 * policy (src/backends/native/browser.ts: an N-API addon needs Node.js), file I/O
 * (src/io/file.browser.ts), .npz archives (src/io/npz.browser.ts), the CPU's SIMD tables and the BLAS check
 * (src/capabilities/{cpu,blas}.browser.ts), fit's terminal progress bar
 * (src/nn/progress.browser.ts), the filter of Dawn's stderr notices
 * (src/backends/webgpu/dawn_notices.browser.ts), the int8 product on
 * subgroup matrices (src/backends/webgpu/kernels/matmul_int8_matrix.browser.ts),
 * the f16 product on them (src/backends/webgpu/kernels/matmul_matrix.browser.ts)
 * , wgsl_reflect's parser (src/backends/webgpu/reflect.browser.ts: layouts
 * from the bindings noted as shaders load, see wgslModule) and ImageDecoder's
 * JPEG decoder (src/onnx/jpeg.browser.ts: libjpeg-turbo's .wasm read with fs).
 */
const STAND_INS = [
  [/src[\\/]backends[\\/]native[\\/](index|addon|malloc)\.(ts|js)$/, 'src/backends/native/browser.ts'],
  [/src[\\/]io[\\/]file\.(ts|js)$/, 'src/io/file.browser.ts'],
  [/src[\\/]io[\\/]npz\.(ts|js)$/, 'src/io/npz.browser.ts'],
  [/src[\\/]capabilities[\\/]cpu\.(ts|js)$/, 'src/capabilities/cpu.browser.ts'],
  [/src[\\/]capabilities[\\/]blas\.(ts|js)$/, 'src/capabilities/blas.browser.ts'],
  [/src[\\/]nn[\\/]progress\.(ts|js)$/, 'src/nn/progress.browser.ts'],
  [/src[\\/]backends[\\/]webgpu[\\/]dawn_notices\.(ts|js)$/, 'src/backends/webgpu/dawn_notices.browser.ts'],
  [/src[\\/]backends[\\/]webgpu[\\/]kernels[\\/]matmul_int8_matrix\.(ts|js)$/, 'src/backends/webgpu/kernels/matmul_int8_matrix.browser.ts'],
  [/src[\\/]backends[\\/]webgpu[\\/]kernels[\\/]matmul_matrix\.(ts|js)$/, 'src/backends/webgpu/kernels/matmul_matrix.browser.ts'],
  [/src[\\/]backends[\\/]webgpu[\\/]reflect\.(ts|js)$/, 'src/backends/webgpu/reflect.browser.ts'],
  [/src[\\/]onnx[\\/]jpeg\.(ts|js)$/, 'src/onnx/jpeg.browser.ts'],
];
/** Whether a source file (a path ending src/…) is a Node-only module a page gets a stand-in for. */
export const STAND_IN_FOR = (path) => STAND_INS.find(([module]) => module.test(path))?.[1];

export const browserStandIns = {
  name: 'browser-stand-ins',
  setup(b) {
    // Every relative .js import is looked up in STAND_INS, so the list is the one place that names them.
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const standIn = STAND_IN_FOR(resolve(dirname(args.importer), args.path));
      return standIn ? { path: fileURLToPath(new URL(`../${standIn}`, import.meta.url)) } : undefined;
    });
  },
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Each source file built as a module of its own (dist/browser/ mirrors src/
 * and shaders/), its imports left for the page's bundler: a bundler then
 * keeps only the modules a page's imports reach, as it does building from
 * tmnn's sources, where one prebuilt file would hand it everything.
 * Imports of tmnn's own files become relative imports of their built
 * modules (a shader `x.wgsl` → `x.js`, a Node-only module → its browser
 * stand-in); imports of packages stay as they are.
 */
export const moduleByModule = {
  name: 'module-by-module',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (!args.path.startsWith('.') && !args.path.startsWith('/')) return { path: args.path, external: true };
      let target = resolve(dirname(args.importer), args.path);
      const standIn = STAND_IN_FOR(target);
      if (standIn) target = resolve(ROOT, standIn);
      let built = relative(dirname(args.importer), target).replace(/\.ts$/, '.js').replace(/\.wgsl$/, '.js');
      if (!built.startsWith('.')) built = `./${built}`;
      return { path: built, external: true };
    });
  },
};
