// JPEG decoding for ImageDecoder (ops/image_decoder.ts): libjpeg-turbo, the
// library Pillow decodes with, built to WebAssembly (@cwasm/jpeg-turbo), so
// that its IDCT, colour conversion and chroma upsampling (the linear one the
// ONNX spec names) are Pillow's to the bit. It reads its .wasm from beside
// itself with Node's fs: a page gets jpeg.browser.ts.
import { decode } from '@cwasm/jpeg-turbo';

/** The image's RGB bytes (a grey JPEG's replicated), row by row. */
export function decodeJpeg(bytes: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const { width, height, data } = decode(bytes);
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = data[4 * p + c];
  return { width, height, rgb };
}
