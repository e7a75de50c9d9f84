// Files as the browser bundle has them: a page has no file system.
// scripts/build.mjs puts this file in place of file.ts in
// dist/tmnn.browser.js, which keeps Node's file code out of what a page
// downloads; a path given in a page gets an error that says what to use.
import { ValueError } from '../errors.js';

export function writeFileAtomic(path: string | URL): Promise<void> {
  return Promise.reject(new ValueError(`save: a page has no file system to write ${path} to; model.toBytes() gives the model file's bytes`));
}

export function readFileBytes(path: string | URL): Promise<Uint8Array> {
  return Promise.reject(new ValueError(`load: a page has no file system to read ${path} from; fetch the bytes and pass them to tm.nn.fromBytes() (or tm.onnx.fromBytes() for an ONNX model)`));
}

export function openFileRanges(path: string | URL): Promise<never> {
  return Promise.reject(new ValueError(`load: a page has no file system to read ${path} from; fetch the bytes and pass them to tm.onnx.fromBytes() or tm.onnx.load() (an ONNX model's side files as { externalData })`));
}

export function makeDirectoriesIn(within: string, path: string): Promise<void> {
  return Promise.reject(new ValueError(`save: a page has no file system to write ${path} to; an ONNX model's toFiles() gives its files' bytes`));
}

export function copyFileAtomic(source: string | URL, target: string | URL): Promise<void> {
  return Promise.reject(new ValueError(`save: a page has no file system to write ${target} to; an ONNX model's toFiles() gives its files' bytes`));
}

export function writeFilePartsAtomic(target: string | URL): Promise<void> {
  return Promise.reject(new ValueError(`save: a page has no file system to write ${target} to`));
}

export function fileExists(path: string | URL): Promise<boolean> {
  return Promise.reject(new ValueError(`fit: a page has no file system to keep a backup at ${path}; save checkpoints with tm.nn.trainingStateToBytes() in onEpochEnd instead`));
}

export function removeFile(path: string | URL): Promise<void> {
  return Promise.reject(new ValueError(`save: a page has no file system to remove ${path} from`));
}
