// A page's stand-in for jpeg.ts (scripts/browser-plugins.mjs): libjpeg-turbo's
// WebAssembly build reads its .wasm with Node's fs, so a page decodes a JPEG
// before the model does (createImageBitmap, then the pixels as a tensor).
import { ValueError } from '../errors.js';

export function decodeJpeg(): { width: number; height: number; channels: 4; data: Uint8ClampedArray } {
  throw new ValueError('onnx: ImageDecoder decodes JPEG in Node.js only (libjpeg-turbo, read from a file beside it); in a page, decode the image first (createImageBitmap) and feed its pixels');
}
