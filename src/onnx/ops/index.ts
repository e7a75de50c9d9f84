// Every ONNX operator tmnn runs, by op type: one table per kind of op.
import { ELEMENTWISE_OPS } from './elementwise.js';
import type { OpTable } from './op.js';
import { RECURRENT_OPS } from './recurrent.js';

export const OPS: OpTable = {
  ...ELEMENTWISE_OPS,
  ...RECURRENT_OPS,
};

/** The op types tmnn runs (the default ai.onnx domain), sorted. */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).sort();
