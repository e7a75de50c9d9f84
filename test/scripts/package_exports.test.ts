// The package's entry points (package.json "exports"): `tmnn` and one per
// namespace, as scripts/build.mjs builds them from package.json. For Node,
// split chunks that share one Tensor class whichever entry a program imports
// it through; for pages, dist/browser/, every source file a module of its own
// with Node-only modules swapped for their stand-ins. tsconfig.check.json
// maps the same names to the sources, for the examples that import them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'));
type Entry = { types: string; browser: string; import: string };
const entries = Object.entries(pkg.exports as Record<string, Entry | string>).filter((e): e is [string, Entry] => typeof e[1] === 'object');
const sourceOf = (e: Entry) => e.types.replace(/^\.\/dist\/types\//, 'src/').replace(/\.d\.ts$/, '.ts');

describe('the package entry points', () => {
  it('are `tmnn` and its namespaces, each from a source file that exists', () => {
    expect(entries.map(([subpath]) => subpath)).toEqual(['.', './nn', './optim', './losses', './data', './metrics', './distributions', './autograd', './linalg', './fft', './special', './audio', './signal', './vision']);
    for (const [, e] of entries) expect(existsSync(new URL(sourceOf(e), ROOT)), sourceOf(e)).toBe(true);
    expect(pkg.browser).toBe(pkg.exports['.'].browser);
  });

  it('are the names tsconfig.check.json resolves to the same sources', () => {
    const { paths } = JSON.parse(readFileSync(new URL('tsconfig.check.json', ROOT), 'utf8')).compilerOptions;
    const want = Object.fromEntries(entries.map(([subpath, e]) => [subpath === '.' ? 'tmnn' : `tmnn/${subpath.slice(2)}`, [`./${sourceOf(e)}`]]));
    expect(paths).toEqual(want);
  });

  it('are built (npm run build), for Node and for pages', () => {
    for (const [subpath, e] of entries) {
      for (const file of [e.import, e.browser, e.types]) expect(existsSync(new URL(file, ROOT)), `${subpath}: ${file}`).toBe(true);
    }
  });

  it('share one Tensor class in Node, whichever entry a module comes from', async () => {
    const tm = await import(new URL(pkg.exports['.'].import, ROOT).href);
    const nn = await import(new URL(pkg.exports['./nn'].import, ROOT).href);
    const optim = await import(new URL(pkg.exports['./optim'].import, ROOT).href);
    await tm.init({ backend: 'js' });
    const layer = new nn.Dense(3, 2);
    expect(layer.weight).toBeInstanceOf(tm.Tensor);
    expect(layer).toBeInstanceOf(tm.nn.Module);
    expect(new optim.Adam(layer.parameters())).toBeInstanceOf(tm.optim.Optimizer);
    layer.dispose();
  });

  it('for pages import no Node-only module: each is its browser stand-in', () => {
    const dir = new URL('dist/browser/src/', ROOT);
    const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.js'));
    expect(files).toContain('index.js');
    const nodeOnly = /from"[^"]*\/(native\/(index|addon|malloc)|io\/(file|npz)|capabilities\/(cpu|blas)|nn\/progress|webgpu\/(dawn_notices|reflect))\.js"/;
    for (const f of files) {
      const code = readFileSync(new URL(f, dir), 'utf8');
      expect(code, f).not.toMatch(nodeOnly);
      expect(code, f).not.toMatch(/from"node:/);
    }
    // The stand-ins themselves are there, and the Node modules they stand in for are not.
    expect(existsSync(new URL('io/file.browser.js', dir))).toBe(true);
    expect(existsSync(new URL('io/file.js', dir))).toBe(false);
  });
});
