// The js backend: plain typed arrays and loops. It is the fallback of last
// resort (a browser without WebGPU, a machine without OpenBLAS) and the
// reference the other backends are tested against, so it favours being
// obviously right over being fast.
import type { DType, StorageArray } from '../../dtype.js';
import type { Backend } from '../kernels.js';
import { adam } from './adam.js';
import { sgd } from './sgd.js';
import { bitcast, cast, oneHot } from './cast.js';
import { binary, unary, where } from './elementwise.js';
import { matmul } from './matmul.js';
import { concat, gather, scan, scatterAdd, stridedCopy, windowMax, windowMaxGrad } from './movement.js';
import { sortIndices } from './sort.js';
import { argReduce, reduce, softmax } from './reduce.js';

export function createJsBackend(): Backend<StorageArray> {
  return {
    name: 'js',
    device: { description: 'JavaScript loops on the CPU', software: false },
    upload: (values: StorageArray) => values,
    download: async (storage: StorageArray, _dtype: DType, size: number) => storage.slice(0, size),
    peek: (storage: StorageArray) => storage,
    free: () => {},
    unary,
    binary,
    where,
    matmul,
    reduce,
    argReduce,
    softmax,
    stridedCopy,
    concat,
    cast,
    bitcast,
    oneHot,
    gather,
    scatterAdd,
    windowMax,
    windowMaxGrad,
    scan,
    sortIndices,
    adam,
    sgd,
  };
}
