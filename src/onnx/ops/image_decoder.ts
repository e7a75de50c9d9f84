// ONNX's ImageDecoder (opset 20): a file's bytes (a 1-D uint8 tensor) decoded
// to uint8 pixels [H, W, 3] in RGB or BGR order, or [H, W, 1] Grayscale, as
// the ONNX reference decodes them with Pillow: the image made RGB (alpha
// dropped, grey replicated, a palette looked up, 16-bit colour by its high
// byte and 16-bit grey clipped at 255, as Pillow's conversions do), and
// Grayscale by Pillow's luma, (19595·R + 38470·G + 7471·B + 2¹⁵) >> 16.
//
// PNG through fast-png, JPEG through libjpeg-turbo (../jpeg.ts; Node only),
// the bytes and pixels on the host (a GPU's input is read back by runAsync).
// A stream neither decoder takes gives the empty image ONNX asks for, but one
// of another format that ONNX lists (BMP, TIFF, WebP, JPEG 2000, PNM) is
// refused by name: a silently empty image would hide what tmnn cannot do.
import { convertIndexedToRgb, decode as pngDecode, type DecodedPng } from 'fast-png';
import { tensor } from '../../ops/creation.js';
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { hostArray, valuesRead } from '../host_values.js';
import { decodeJpeg } from '../jpeg.js';
import type { NodeCall } from '../node_call.js';
import type { OpTable } from './op.js';

type PixelFormat = 'RGB' | 'BGR' | 'Grayscale';

/** An image's 8-bit samples as decoded: grey (1 channel) or grey and alpha (2), RGB (3) or RGBA (4), pixel after pixel. */
interface Pixels {
  height: number;
  width: number;
  channels: number;
  data: ArrayLike<number>;
}

const PNG = [0x89, 0x50, 0x4e, 0x47];
const JPEG = [0xff, 0xd8, 0xff];

/** The formats ONNX lists that tmnn does not decode, by their first bytes. */
const OTHER_FORMATS: readonly [string, (b: Uint8Array) => boolean][] = [
  ['BMP', (b) => b[0] === 0x42 && b[1] === 0x4d],
  ['TIFF', (b) => (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a)],
  ['WebP', (b) => String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP'],
  ['JPEG 2000', (b) => (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) || String.fromCharCode(...b.subarray(4, 8)) === 'jP  '],
  ['PNM', (b) => b[0] === 0x50 && b[1] >= 0x31 && b[1] <= 0x37 && (b[2] === 0x0a || b[2] === 0x20 || b[2] === 0x0d)],
];

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((v, i) => bytes[i] === v);

function pixelFormat(call: NodeCall): PixelFormat {
  const format = call.string('pixel_format') ?? 'RGB';
  if (format !== 'RGB' && format !== 'BGR' && format !== 'Grayscale') throw call.error(`pixel_format = '${format}' is not supported: it is RGB, BGR or Grayscale`);
  return format;
}

/** Each sample of `png` at 8 bits: 16-bit ones by their high byte, 1-, 2- and 4-bit grey scaled to 0…255, rows unpacked. */
function samples8(png: DecodedPng): Uint8Array {
  const { width, height, depth, data } = png;
  if (depth === 8) return data as Uint8Array;
  if (depth === 16) return Uint8Array.from(data as Uint16Array, (v) => v >> 8);
  // Below 8 bits only grey (one channel) remains here: palettes are looked up before.
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8), top = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const v = ((data as Uint8Array)[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & top;
      out[y * width + x] = (v * 255) / top;
    }
  }
  return out;
}

function decodePng(bytes: Uint8Array): Pixels {
  const png = pngDecode(bytes);
  const { width, height } = png;
  if (png.palette) return { height, width, channels: png.palette[0].length, data: convertIndexedToRgb(png) };
  if (png.depth === 16 && png.channels === 1) {
    // Pillow holds 16-bit grey as 32-bit ints (mode I) and clips them to 255 when it makes them bytes (grey with alpha it reads by the high byte).
    return { height, width, channels: 1, data: Uint8Array.from(png.data as Uint16Array, (v) => Math.min(v, 255)) };
  }
  return { height, width, channels: png.channels, data: samples8(png) };
}

/** The pixels in the format asked for, [H, W, C]: alpha dropped, grey replicated into RGB or colour made luma. */
function arranged({ height, width, channels, data }: Pixels, format: PixelFormat): Uint8Array {
  const count = height * width;
  const colour = channels >= 3;
  if (format === 'Grayscale') {
    return Uint8Array.from({ length: count }, (_, p) => {
      const at = p * channels;
      return colour ? (19595 * data[at] + 38470 * data[at + 1] + 7471 * data[at + 2] + 0x8000) >> 16 : data[at];
    });
  }
  const out = new Uint8Array(count * 3);
  for (let p = 0; p < count; p++) {
    for (let c = 0; c < 3; c++) out[3 * p + (format === 'BGR' ? 2 - c : c)] = data[p * channels + (colour ? c : 0)];
  }
  return out;
}

function imageDecoder(call: NodeCall): Tensor {
  const format = pixelFormat(call);
  const { shape, values } = hostArray(call, 0, 'decodes the image on the host');
  if (shape.length !== 1) throw call.error(`its input is [${shape.join(', ')}]; ImageDecoder takes the encoded bytes as a 1-D uint8 tensor`);
  const bytes = Uint8Array.from({ length: shape[0] }, (_, i) => values[i]);
  const other = OTHER_FORMATS.find(([, test]) => test(bytes));
  if (other) throw call.error(`the stream is a ${other[0]} image; tmnn decodes PNG and JPEG`);
  const channels = format === 'Grayscale' ? 1 : 3;
  let pixels: Pixels | undefined;
  try {
    if (startsWith(bytes, PNG)) pixels = decodePng(bytes);
    else if (startsWith(bytes, JPEG)) pixels = decodeJpeg(bytes);
  } catch (err) {
    if (err instanceof ValueError) throw err; // a page's JPEG, which it says it cannot decode
    // A corrupt stream: ONNX's empty image, below.
  }
  if (!pixels) return call.typed(tensor(new Int32Array(0), [0, 0, channels], { dtype: 'i32' }), 'uint8');
  const out = arranged(pixels, format);
  return call.typed(tensor(Int32Array.from(out), [pixels.height, pixels.width, channels], { dtype: 'i32' }), 'uint8');
}

export const IMAGE_DECODER_OPS: OpTable = {
  ImageDecoder: valuesRead({ run: imageDecoder }, 0, () => true),
};
