// examples/onnx: PyTorch's digit classifier from an ONNX file runs in tmnn as
// PyTorch trained it, learns inverted digits with fit, and goes back to an
// ONNX file that reads them as well as the model that wrote it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fineTuneOnnx, MODEL_PATH } from '../../examples/onnx/finetune.js';

describe('examples/onnx', () => {
  it('reads held-out digits with PyTorch\'s model, fine-tunes it on inverted digits, and saves a file that reads them', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'tmnn-onnx-example-'));
    try {
      const lines: string[] = [];
      const r = await fineTuneOnnx({ backend: 'native', outDir, quiet: true, log: (l) => lines.push(l) });
      expect(r.before.plain).toBeGreaterThan(0.9);
      expect(r.before.inverted).toBeLessThan(0.2);
      expect(r.after.inverted).toBeGreaterThan(0.85);
      expect(r.reloaded).toBe(r.after.inverted);
      expect((await readFile(r.savedPath)).length).toBe((await readFile(MODEL_PATH)).length);
      expect(lines.join('\n')).toMatch(/ONNX opset 17 from pytorch 1\.13\.0, Gemm, Relu; 109,386 parameters/);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
