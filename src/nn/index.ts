// tm.nn: layers, models, saving and loading.
export { Module } from './module.js';
export type { LoadStateOptions, LoadStateResult, StateEntry } from './state_dict.js';
export type { ForwardHook, ForwardPreHook, LayerConfig } from './module.js';
export { Dense, Dense as Linear, linear } from './dense.js';
export type { DenseOptions } from './dense.js';
export { QuantizedDense } from './quantized_dense.js';
export type { QuantizedDenseOptions } from './quantized_dense.js';
export { QuantizedGRU, QuantizedLSTM, QuantizedRNN, QuantizedRecurrent } from './quantized_recurrent.js';
export { QuantizedGRUCell, QuantizedLSTMCell, QuantizedRNNCell, QuantizedRecurrentCell } from './quantized_recurrent_cell.js';
export { DEFAULT_QUANTIZED_LAYERS, QUANTIZABLE_LAYERS, quantizeDynamic } from './quantize_dynamic.js';
export type { QuantizableLayer, QuantizeDynamicOptions } from './quantize_dynamic.js';
export { AdaptiveLogSoftmaxWithLoss } from './adaptive_softmax.js';
export type { AdaptiveLogSoftmaxOutput, AdaptiveLogSoftmaxWithLossOptions } from './adaptive_softmax.js';
export { Bilinear } from './bilinear.js';
export type { BilinearOptions } from './bilinear.js';
export {
  ReLU, Sigmoid, Tanh, Softmax, LogSoftmax, LeakyReLU, GELU, SiLU, ELU, SELU, CELU, Softplus, Mish, Hardswish, Hardsigmoid, Hardtanh, ReLU6,
  Softsign, LogSigmoid, PReLU, GLU, Softmin, Hardshrink, Softshrink, Tanhshrink, Threshold, Softmax2d,
} from './activations.js';
export type { ActivationName, GELUOptions, HardtanhOptions, PReLUOptions } from './activations.js';
export {
  celu, elu, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, leakyRelu, logSigmoid, mish, prelu, relu6, selu, silu, softmin, softplus, softshrink,
  softsign, tanhshrink, threshold,
} from './activation_functions.js';
export type { GeluApproximation, SoftplusOptions } from './activation_functions.js';
export { Conv1d, Conv2d } from './conv.js';
export type { Conv1dLayerOptions, Conv2dLayerOptions } from './conv.js';
export { Conv3d } from './conv3d.js';
export type { Conv3dLayerOptions } from './conv3d.js';
export { ConvTranspose3d } from './conv_transpose3d.js';
export type { ConvTranspose3dLayerOptions } from './conv_transpose3d.js';
export { ConvTranspose1d, ConvTranspose2d } from './conv_transpose.js';
export type { ConvTranspose1dLayerOptions, ConvTranspose2dLayerOptions } from './conv_transpose.js';
export { AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from './pooling.js';
export { AvgPool3d, MaxPool3d } from './pooling3d.js';
export { MaxUnpool1d, MaxUnpool2d, MaxUnpool3d } from './unpool.js';
export { FractionalMaxPool2d, FractionalMaxPool3d } from './fractional_pool.js';
export type { FractionalMaxPool2dLayerOptions, FractionalMaxPool3dLayerOptions } from './fractional_pool.js';
export { LPPool1d, LPPool2d, lpPool1d, lpPool2d } from './lp_pool.js';
export type { LPPool1dOptions, LPPool2dOptions } from './lp_pool.js';
export { AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d } from './adaptive_pool.js';
export { AdaptiveAvgPool3d, AdaptiveMaxPool3d } from './adaptive_pool3d.js';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, batchNorm } from './batch_norm.js';
export type { BatchNormFunctionOptions, BatchNormOptions } from './batch_norm.js';
export type { ChannelNormOptions } from './running_norm.js';
export { GroupNorm, groupNorm } from './group_norm.js';
export type { GroupNormOptions } from './group_norm.js';
export { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, instanceNorm } from './instance_norm.js';
export type { InstanceNormFunctionOptions, InstanceNormOptions } from './instance_norm.js';
export {
  LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d, LazyConv2d, LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d,
  LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d, LazyLinear, LazyModule,
} from './lazy.js';
export {
  AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout, alphaDropout, dropout, dropout1d, dropout2d, dropout3d, featureAlphaDropout, type DropoutOptions,
} from './dropout.js';
export { RReLU, rrelu, type RreluOptions } from './rrelu.js';
export { Embedding, embedding } from './embedding.js';
export { EmbeddingBag } from './embedding_bag.js';
export type { BagMode, EmbeddingBagOptions } from './embedding_bag.js';
export type { EmbeddingFunctionOptions, EmbeddingLayerOptions, EmbeddingOptions } from './embedding.js';
export { Flatten, Unflatten } from './flatten.js';
export { PixelShuffle, PixelUnshuffle, pixelShuffle, pixelUnshuffle } from './pixel_shuffle.js';
export { Identity, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d } from './upsample.js';
export type { UpsampleOptions, UpsamplingOptions } from './upsample.js';
export { Permute } from './permute.js';
export { Fold, Unfold, fold, unfold } from './fold.js';
export { ChannelShuffle, channelShuffle } from './channel_shuffle.js';
export { LocalResponseNorm, localResponseNorm } from './local_response_norm.js';
export type { LocalResponseNormOptions } from './local_response_norm.js';
export { CosineSimilarity, PairwiseDistance } from './distance.js';
export {
  BCELoss, BCEWithLogitsLoss, CTCLoss, CosineEmbeddingLoss, CrossEntropyLoss, GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss, KLDivLoss, L1Loss, Loss, MSELoss,
  MarginRankingLoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss, NLLLoss, PoissonNLLLoss, SmoothL1Loss, SoftMarginLoss, TripletMarginLoss,
  TripletMarginWithDistanceLoss,
} from './loss_modules.js';
export type { BCELossOptions, BCEWithLogitsLossOptions, KLDivLossOptions } from './loss_modules.js';
export type { FoldOptions, UnfoldOptions } from './fold.js';
export {
  CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
  ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d,
} from './padding.js';
export type { Padding1d, Padding2d, Padding3d } from './padding.js';
export { LayerNorm, layerNorm } from './layer_norm.js';
export { gumbelSoftmax, type GumbelSoftmaxOptions } from './gumbel_softmax.js';
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from './scaled_dot_product_attention.js';
export { RMSNorm, rmsNorm } from './rms_norm.js';
export type { RMSNormOptions } from './rms_norm.js';
export { GRU, LSTM, RNN } from './recurrent.js';
export { GRUCell, LSTMCell, RecurrentCell, RNNCell } from './recurrent_cell.js';
export type { CellState, LSTMCellState, RecurrentCellOptions, RNNCellOptions } from './recurrent_cell.js';
export { MultiheadAttention } from './attention.js';
export type { AttendOptions, MultiheadAttentionOptions } from './attention.js';
export { TransformerEncoderLayer } from './transformer.js';
export type { EncodeOptions, TransformerEncoderLayerOptions } from './transformer.js';
export { TransformerDecoderLayer } from './transformer_decoder.js';
export type { DecodeOptions, TransformerDecoderLayerOptions } from './transformer_decoder.js';
export { TransformerDecoder, TransformerEncoder } from './transformer_stack.js';
export { Transformer } from './transformer_model.js';
export type { TransformerForwardOptions, TransformerOptions } from './transformer_model.js';
export type { TransformerLayerSpec, TransformerStackOptions } from './transformer_stack.js';
export type { RecurrentOptions, RecurrentOutput, RecurrentState, RNNOptions, SequenceOptions } from './recurrent.js';
export type { LayerNormOptions } from './layer_norm.js';
export { Sequential } from './sequential.js';
export { ModuleDict, ModuleList, ParameterDict, ParameterList } from './containers.js';
export type { ContainerEntries } from './containers.js';
export type { Batch, EarlyStoppingOptions, EpochLogs, EvaluateOptions, Evaluation, FitBackup, FitOptions, FitPlace, History, LossFn, LossName } from './fit.js';
export { BackupAndRestore } from './fit_backup.js';
export type { Metric, MetricFn, MetricName } from './fit_metrics.js';
export { load, fromBytes } from './load.js';
export { loadPytorch } from './pytorch.js';
export { loadTrainingState, saveTrainingState, trainingStateToBytes } from './training_state.js';
export type { JsonValue, TrainingState, TrainingStateParts } from './training_state.js';
export { initWeight } from './init.js';
export * as init from './initializers.js';
export { clipGradNorm, clipGradValue } from './clip_grad.js';
export * as utils from './utils/index.js';
export { cosineSimilarity, normalize, pairwiseDistance } from '../ops/distance.js';
export type { CosineSimilarityOptions, NormalizeOptions, PairwiseDistanceOptions } from '../ops/distance.js';
export type { ClipGradNormOptions } from './clip_grad.js';
export type { Initializer } from './init.js';
