// JPEG decoding for ImageDecoder (ops/image_decoder.ts): libjpeg-turbo, the
// library Pillow decodes with, built to WebAssembly (@cwasm/jpeg-turbo), so
// that its IDCT, colour conversion and chroma upsampling (the linear one the
// ONNX spec names) are Pillow's to the bit. It reads its .wasm from beside
// itself with Node's fs: a page gets jpeg.browser.ts.
import { decode } from '@cwasm/jpeg-turbo';

/** The image as RGBA bytes (a grey JPEG's replicated, alpha 255), row by row. */
export function decodeJpeg(bytes: Uint8Array): { width: number; height: number; channels: 4; data: Uint8ClampedArray } {
  const { width, height, data } = decode(bytes);
  return { width, height, channels: 4, data };
}
