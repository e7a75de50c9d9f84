// tm.nn: layers, models, saving and loading.
export { Module } from './module.js';
export type { LayerConfig } from './module.js';
export { Dense } from './dense.js';
export type { DenseOptions } from './dense.js';
export { ReLU, Sigmoid, Tanh, Softmax, LeakyReLU, GELU, leakyRelu, gelu } from './activations.js';
export type { ActivationName } from './activations.js';
export { Dropout } from './dropout.js';
export { Embedding } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { Flatten } from './flatten.js';
export { LayerNorm } from './layer_norm.js';
export type { LayerNormOptions } from './layer_norm.js';
export { Sequential } from './sequential.js';
export type { EpochLogs, EvaluateOptions, FitOptions, History, LossFn, LossName } from './fit.js';
export { load, fromBytes } from './load.js';
export { initWeight } from './init.js';
export type { Initializer } from './init.js';
