// tm.data: input pipelines for fit and evaluate.
export { Dataset } from './dataset.js';
export type { BatchOptions, DatasetState, PaddedBatchOptions, PaddedShapes, PaddingValues, ShuffleOptions } from './dataset.js';
export { fromArrays, fromGenerator, fromIterable, fromTensors } from './sources.js';
export type { ArrayData, Sample } from './sources.js';
export type { Expansion } from './flat_map.js';
export { zip } from './zip.js';
export { randomSplit } from './split.js';
export { sampleFromDatasets } from './sample.js';
export type { SampleFromDatasetsOptions } from './sample.js';
export type { RandomSplitOptions } from './split.js';
export type { Batched, Element, Leaf, TypedArray } from './element.js';
