// The MNIST example on a subset: it learns real digits in a few seconds and
// writes a model and a chart a user can open.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { runMnist } from '../../examples/mnist/train.js';

describe('examples/mnist', () => {
  it('reaches 90% test accuracy on 2,000 digits in 3 epochs, then saves a model that predicts the same', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'tmnn-mnist-'));
    try {
      const lines: string[] = [];
      const r = await runMnist({ backend: 'native', train: 2000, test: 500, epochs: 3, outDir, quiet: true, log: (l) => lines.push(l) });
      expect(r.testAccuracy).toBeGreaterThan(0.9);
      expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500);
      expect(lines.join('\n')).toMatch(/test accuracy: \d+\.\d+%/);
      const svg = await readFile(r.chartPath, 'utf8');
      expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.match(/<polyline/g)).toHaveLength(4);
      const model = await tm.nn.load(r.modelPath);
      expect(model.config()).toMatchObject({ type: 'Sequential', layers: [{ units: 256 }, { units: 128 }, { units: 10 }] });
      model.dispose();
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
  it('with model cnn, trains two convolutions and a Dense to 90% on 2,000 digits in 2 epochs, and saves them', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'tmnn-mnist-cnn-'));
    try {
      const lines: string[] = [];
      const r = await runMnist({ model: 'cnn', backend: 'native', train: 2000, test: 500, epochs: 2, outDir, quiet: true, log: (l) => lines.push(l) });
      expect(r.testAccuracy).toBeGreaterThan(0.9);
      expect(lines.join('\n')).toContain('model: Conv2d 1→8, MaxPool2d, Conv2d 8→16, MaxPool2d, Dense 784→10 (9,098 weights)');
      // Also scored on the test digits moved (rotated, shifted, scaled), pointing at --augment.
      expect(lines.join('\n')).toMatch(/moved test accuracy: \d+\.\d+% on the same digits rotated up to 15°, shifted up to 3 px, scaled 0\.9–1\.1 \(--augment trains on moves like these\)/);
      expect(Math.abs(r.movedAccuracy * 500 - Math.round(r.movedAccuracy * 500))).toBeLessThan(1e-3); // a count of the 500 digits
      const model = await tm.nn.load(r.modelPath);
      expect(model.config()).toMatchObject({ type: 'Sequential', layers: [{ type: 'Conv2d', outChannels: 8 }, {}, { type: 'MaxPool2d' }, { type: 'Conv2d', outChannels: 16 }, {}, {}, {}, { units: 10 }] });
      model.dispose();
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
  it('with augment, trains the CNN on batches moved by tm.vision and scores it on the moved test digits too', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'tmnn-mnist-augment-'));
    try {
      const lines: string[] = [];
      const r = await runMnist({ model: 'cnn', augment: true, backend: 'native', train: 500, test: 200, epochs: 1, outDir, quiet: true, log: (l) => lines.push(l) });
      const text = lines.join('\n');
      expect(text).toContain('augmentation: each training batch through tm.vision.RandomAffine (rotated up to 10°, shifted up to 2 px, scaled 0.9–1.1)');
      expect(text).toMatch(/test accuracy: \d+\.\d+% on 200 digits/);
      expect(text).toMatch(/moved test accuracy: \d+\.\d+% on the same digits rotated up to 15°, shifted up to 3 px, scaled 0\.9–1\.1$/m);
      for (const a of [r.testAccuracy, r.movedAccuracy]) expect(Math.abs(a * 200 - Math.round(a * 200))).toBeLessThan(1e-3); // counts of the 200 digits
      expect(r.history.epochs).toHaveLength(1);
      expect(r.samplesPerSecond).toBeGreaterThan(0);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
  it('with model lstm, trains an LSTM over the 28 rows and a Dense to 80% on 2,000 digits in 3 epochs, and saves them', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'tmnn-mnist-lstm-'));
    try {
      const lines: string[] = [];
      const r = await runMnist({ model: 'lstm', backend: 'native', train: 2000, test: 500, epochs: 3, outDir, quiet: true, log: (l) => lines.push(l) });
      expect(r.testAccuracy).toBeGreaterThan(0.8);
      expect(lines.join('\n')).toContain('model: LSTM 28→64 over the 28 rows, Dense 64→10 on its last state (24,714 weights)');
      const model = await tm.nn.load(r.modelPath);
      expect(model.config()).toMatchObject({ type: 'Sequential', layers: [{ type: 'LSTM', inputSize: 28, hiddenSize: 64, output: 'last' }, { units: 10 }] });
      model.dispose();
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
