// The browser demo in a real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; WebGPU through SwiftShader with
// --enable-unsafe-webgpu): it trains on webgpu and learns, falls back to the
// js backend with a notice when WebGPU is off, predicts a drawn digit, and
// keeps the measured matmul tile in localStorage for the next visit.
// What the page downloads to train on WebGPU stays within 100 KB gzipped,
// and the whole library bundled for a page within 460 KB (a guard against a large dependency or namespace slipping in: no page takes it whole; raised from 240 KB on 2026-12-03 when tm.vision, quantizeDynamic and ONNX control flow and quantization took it past 245 KB, to 300 KB on 2026-12-04 when tm.vision's augmentation policies and ONNX's cache attention, QOperator ops and low-bit types took it past 280, to 320 KB on 2026-12-04's third session when the ai.onnx.ml ops (11 KB) took it past 300, to 340 KB on 2026-12-05 when tensors of strings, the text ops and map inputs (8 KB) took it to 320, to 345 KB on 2026-12-05's second session when training checkpoints (optimizer, schedule and average state, tm.nn.saveTrainingState: 5 KB) took it to 342.3, to 350 KB in its third when dropout's, the random sequence's and datasets' state and fit's BackupAndRestore (2.2 KB) took it to 344.5, to 360 KB in its fourth when the scatters, quantiles, NaN-skipping reductions and NumPy's array helpers (~5.5 KB) took it to 350.1, to 375 KB on 2026-12-06's second session when the nn functionals, NumPy's stacking, dot and gradient helpers, 13 distributions and KL pairs (~8.4 KB) took it to 365.1, to 390 KB in its fourth when VonMises, LowRankMultivariateNormal, ContinuousBernoulli, the cross-family KL pairs, paddedBatch and sampleFromDatasets (~4 KB) took it to 374.2, to 400 KB on 2026-12-07 when tm.signal and tm.audio (~6.5 KB) took it to 393.6, and to 410 KB in its third session when the FFT kernels (~4.8 KB), tm.linalg.eig (~5.4 KB) and NumPy's polynomials (~1.3 KB) took it to 405.1, 405.6 with the reviews' mends, and to 420 KB in its fourth when LDLᵀ, the *_ex variants and the array-API names of tm.linalg (~4.3 KB) took it to 409.9, 412.4 with that session's other linalg and FFT additions and airyAi, to 430 KB when its NumPy/SciPy/PyTorch helpers and distribution transforms (~10.1 KB) took it to 422.5, and to 445 KB in its fifth when SciPy's filters and spectral estimates, fractional max pooling, the pools and resizing of volumes and RReLU (~10.4 KB) took it to 432.9, and to 460 KB on 2026-12-08 when tm.audio's least-squares inverse mel scale, pitch detection and shifting, loudness, CMN, centroids, edit distance, biquad filters and SoX's effects (~5.4 KB) took it to 447.1).
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM scripts without type declarations
import { buildDemo } from '../../examples/browser/build.mjs';
// @ts-expect-error: plain ESM scripts without type declarations
import { serve } from '../../examples/browser/serve.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = new URL('../../test-output/', import.meta.url).pathname;

interface DemoState {
  backend: string;
  steps: number;
  losses: number[];
  accuracies: { step: number; accuracy: number }[];
  samplesPerSecond: number;
  prediction: null | { digit: number; probabilities: number[] };
  error: string | null;
}

let server: Server;
let url: string;
let root: string;
beforeAll(async () => {
  root = await buildDemo();
  ({ server, url } = await serve(root, 0));
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);
afterAll(() => server?.close());

async function open(webgpu: boolean): Promise<{ browser: Browser; page: Page; errors: string[]; scripts: Set<string> }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: webgpu ? ['--enable-unsafe-webgpu', ...ARGS] : ['--disable-features=WebGPU', ...ARGS] });
  const page = await browser.newPage();
  const errors: string[] = [];
  const scripts = new Set<string>();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => r.url().endsWith('.js') && scripts.add(new URL(r.url()).pathname));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { browser, page, errors, scripts };
}

/** Bytes of the scripts the page fetched, gzipped one by one as a server would send them. */
function gzippedScripts(scripts: Set<string>): { files: number; bytes: number } {
  const bytes = [...scripts].reduce((sum, path) => sum + gzipSync(readFileSync(`${root}${path.slice(1)}`), { level: 9 }).length, 0);
  return { files: scripts.size, bytes };
}

const stateOf = (page: Page) => page.evaluate(() => (window as unknown as { tmnnDemo: DemoState }).tmnnDemo);

/** Starts training and waits for `steps` steps (and an accuracy at step 50k); pauses. */
async function train(page: Page, steps: number): Promise<DemoState> {
  await page.click('#start');
  await page.waitForFunction((n) => (window as unknown as { tmnnDemo: DemoState }).tmnnDemo.steps >= n, steps, { timeout: 90_000, polling: 200 });
  await page.click('#pause');
  return stateOf(page);
}

describe('the browser demo', () => {
  it('trains on webgpu in Chromium: the loss falls and held-out accuracy passes 80%; a drawn digit gets a prediction', async () => {
    const { browser, page, errors, scripts } = await open(true);
    try {
      expect(await page.textContent('#backend')).toBe('webgpu');
      expect(await page.isHidden('#notice')).toBe(true);
      const s = await train(page, 300);
      expect(s.error).toBeNull();
      expect(s.losses[s.losses.length - 1]).toBeLessThan(s.losses[0] / 3);
      expect(s.accuracies[s.accuracies.length - 1].accuracy).toBeGreaterThan(0.8);
      console.log(`browser demo on webgpu (SwiftShader): ${s.samplesPerSecond.toFixed(0)} samples/s, accuracy ${(100 * s.accuracies[s.accuracies.length - 1].accuracy).toFixed(1)}% after ${s.steps} steps`);
      // Everything the page has run so far (init, the report, training, evaluation) came in these scripts:
      // tmnn's share of them is what issue #6 budgets at 100 KB gzipped, shaders included (jax-js ~80 KB, tfjs ~270 KB).
      const fetched = gzippedScripts(scripts);
      console.log(`scripts the page fetched to train on webgpu: ${fetched.files} files, ${(fetched.bytes / 1024).toFixed(1)} KB gzipped (the page's own code included)`);
      expect(fetched.bytes).toBeLessThanOrEqual(100 * 1024);
      // fit, the model file format and the native backend's stand-in are not among them: this page trains with its own loop.
      expect([...scripts].filter((s) => /\/(fit|serialize|state_file)-/.test(s))).toEqual([]);
      // Draw a "1": a vertical stroke down the middle.
      const box = (await page.locator('#draw').boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + 25);
      await page.mouse.down();
      for (let y = 25; y <= box.height - 25; y += 8) await page.mouse.move(box.x + box.width / 2, box.y + y);
      await page.mouse.up();
      await page.click('#predict');
      await page.waitForFunction(() => (window as unknown as { tmnnDemo: DemoState }).tmnnDemo.prediction !== null);
      const { prediction } = await stateOf(page);
      expect(prediction!.probabilities).toHaveLength(10);
      expect(prediction!.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(await page.textContent('#prediction')).toBe(String(prediction!.digit));
      expect(await page.textContent('#report')).toContain('backend: webgpu');
      await page.screenshot({ path: `${SHOTS}browser-demo-webgpu.png`, fullPage: true });
      // Training's products were large enough to tune the matmul tile; the site keeps it, and the next visit's report shows it.
      await page.waitForFunction(() => (localStorage.getItem('tmnn/webgpu-tuning.json') ?? '').includes('|matmul-tile'), undefined, { timeout: 60_000, polling: 500 });
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await page.waitForFunction(() => /matmul tile: .+ per invocation, .+ \(measured \d{4}-/.test(document.getElementById('report')?.textContent ?? ''), undefined, { timeout: 30_000 });
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('without WebGPU trains on the js backend and says so', async () => {
    const { browser, page, errors, scripts } = await open(false);
    try {
      expect(await page.textContent('#backend')).toBe('js');
      expect(await page.isVisible('#notice')).toBe(true);
      expect(await page.textContent('#notice')).toMatch(/No WebGPU here.*js backend/);
      // The bundle carries no native backend (scripts/build.mjs): it says why, as Node without the addon would.
      await page.waitForFunction(() => document.querySelector('#report')?.textContent?.startsWith('backend:'));
      expect(await page.textContent('#report')).toMatch(/native backend needs Node\.js/);
      const s = await train(page, 50);
      expect(s.losses[s.losses.length - 1]).toBeLessThan(s.losses[0]);
      console.log(`browser demo on js: ${s.samplesPerSecond.toFixed(0)} samples/s`);
      // Without WebGPU the page never fetches the webgpu backend's chunk.
      expect([...scripts].filter((s) => s.includes('/webgpu-'))).toEqual([]);
      const fetched = gzippedScripts(scripts);
      console.log(`scripts the page fetched to train on js: ${fetched.files} files, ${(fetched.bytes / 1024).toFixed(1)} KB gzipped`);
      await page.screenshot({ path: `${SHOTS}browser-demo-js.png`, fullPage: true });
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('the whole library bundled for a page, every namespace, is at most 460 KB gzipped, shaders included (README)', async () => {
    // The package's browser modules (dist/browser/, `npm run build`), every export of `tmnn` kept: a page that used all of it.
    const { outputFiles } = await build({ entryPoints: ['tmnn'], bundle: true, write: false, format: 'esm', platform: 'browser', minify: true, external: ['node:*', 'webgpu', 'cli-progress'], logLevel: 'error' });
    const bundle = outputFiles[0].contents;
    const gz = gzipSync(bundle, { level: 9 }).length;
    console.log(`tmnn for a page, all of it: ${(bundle.length / 1024).toFixed(0)} KB, ${(gz / 1024).toFixed(1)} KB gzipped`);
    expect(gz).toBeLessThanOrEqual(460 * 1024);
  });
});
