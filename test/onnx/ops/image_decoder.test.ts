// ImageDecoder (opset 20) on every backend against what Pillow decodes the
// same files to, as the ONNX reference implementation does
// (scripts/make-onnx-image-fixtures.py wrote both): PNGs of every colour type
// (RGB, RGBA, grey, grey with alpha, a palette, 16-bit grey and colour) and
// JPEGs (4:4:4 and 4:2:0 chroma, grey: libjpeg-turbo's, as Pillow's), every
// byte exactly; RGB, BGR and Grayscale; the
// bytes fed as a graph input or written as an initializer; a corrupt stream
// gives the empty image, another format ONNX lists is refused by name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectExact } from '../../helpers/data.js';
import { onnxModel } from '../../helpers/onnx.js';
import { runModel, type Feed } from '../../helpers/onnx_run.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'onnx', 'images');
interface Case { file: string; mode: string; shapes: Record<'RGB' | 'Grayscale', number[]> }
const CASES = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Case[];
const bytesOf = (file: string) => Array.from(readFileSync(join(DIR, file)));
const pillow = (file: string, format: 'RGB' | 'Grayscale') => Array.from(readFileSync(join(DIR, `${file}.${format}.bin`)));

function decoderModel(pixelFormat: string, constant?: number[]): Uint8Array {
  return onnxModel({
    opset: 20,
    inputs: constant ? [] : [{ name: 'x', type: 'uint8', shape: [null] }],
    outputs: [{ name: 'y', type: 'uint8' }],
    nodes: [{ op: 'ImageDecoder', inputs: ['x'], outputs: ['y'], attributes: { pixel_format: pixelFormat } }],
    initializers: constant ? { x: { type: 'uint8', shape: [constant.length], values: constant } } : {},
  });
}

async function decode(bytes: number[], pixelFormat: string, as: 'input' | 'initializer' = 'input'): Promise<{ shape: number[]; v: Float64Array }> {
  const feed: Feed = { shape: [bytes.length], values: bytes, type: 'uint8' };
  const [y] = as === 'input' ? await runModel(decoderModel(pixelFormat), [feed], 'async') : await runModel(decoderModel(pixelFormat, bytes), []);
  return y;
}

describe.each(BACKENDS)('ImageDecoder on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(CASES)('decodes $file ($mode) as Pillow does, in RGB, BGR and Grayscale', async ({ file, shapes }) => {
    const bytes = bytesOf(file);
    for (const format of ['RGB', 'BGR', 'Grayscale'] as const) {
      const got = await decode(bytes, format, format === 'BGR' ? 'initializer' : 'input');
      const wantShape = shapes[format === 'Grayscale' ? 'Grayscale' : 'RGB'];
      expect(got.shape, `${file} ${format}`).toEqual(wantShape);
      let want = pillow(file, format === 'Grayscale' ? 'Grayscale' : 'RGB');
      if (format === 'BGR') want = want.map((_, i) => want[i - (i % 3) + 2 - (i % 3)]);
      expectExact(got.v, want, `${file} ${format}`);
    }
  });

  it('gives the empty image for a stream it cannot decode, and refuses another format by name', async () => {
    const png = bytesOf('rgb.png');
    const corrupt = [...png.slice(0, 40), ...png.slice(40).map((b) => b ^ 0x5a)];
    for (const format of ['RGB', 'Grayscale']) {
      const got = await decode(corrupt, format);
      expect(got.shape).toEqual([0, 0, format === 'RGB' ? 3 : 1]);
      expect((await decode([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], format)).shape).toEqual([0, 0, format === 'RGB' ? 3 : 1]);
    }
    const bmp = [0x42, 0x4d, ...png.slice(2)];
    await expect(decode(bmp, 'RGB')).rejects.toThrow(/ImageDecoder.*the stream is a BMP image; tmnn decodes PNG and JPEG/);
    await expect(decode(png, 'HSV')).rejects.toThrow(/pixel_format = 'HSV' is not supported: it is RGB, BGR or Grayscale/);
    // A GPU's bytes are read back by an asynchronous run only.
    if (backend === 'webgpu') {
      await expect(runModel(decoderModel('RGB'), [{ shape: [png.length], values: png, type: 'uint8' }], 'sync')).rejects.toThrow(/ImageDecoder.*decodes the image on the host.*runAsync/);
    }
  });
});
