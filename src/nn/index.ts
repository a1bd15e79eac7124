/** Neural-network building blocks (torch.nn). */
export { Module, StateDictError, type StateDict, type LoadResult } from './module.js';
export { Parameter } from './parameter.js';
export * as init from './init.js';
export { Linear, Bilinear, Identity, type LinearOptions } from './layers/linear.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { ReLU, GELU, Tanh, Sigmoid, Softplus, LeakyReLU, Softmax, LogSoftmax, Flatten } from './layers/activation.js';
export { Sequential, ModuleList, ModuleDict, type TensorModule } from './layers/container.js';
export {
  CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
} from './layers/loss.js';
export * as functional from './functional.js';
export { Conv1d, Conv2d, type ConvLayerOptions } from './layers/conv.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d } from './layers/pool.js';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './layers/batchnorm.js';
export { LayerNorm, type LayerNormOptions } from './layers/norm.js';
export { Dropout } from './layers/dropout.js';
export {
  MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions, type AttentionOutput,
} from './layers/attention.js';
export {
  TransformerEncoderLayer, TransformerEncoder, cloneModule, type TransformerEncoderLayerOptions, type TransformerActivation,
  type TransformerEncoderLayerForwardOptions, type TransformerEncoderOptions, type TransformerEncoderForwardOptions,
} from './layers/transformer.js';
export * as utils from './utils.js';
export {
  RNN, LSTM, GRU, RNNBase, RNNCell, LSTMCell, GRUCell,
  type RNNOptions, type LSTMOptions, type GRUOptions, type RNNBaseOptions, type RNNForwardOptions, type RNNOutput,
  type LSTMOutput, type LSTMState,
} from './layers/rnn.js';
