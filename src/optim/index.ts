/** Optimizers, LR schedulers and gradient clipping (torch.optim, torch.nn.utils.clip_grad_*). */
export {
  Optimizer, type BaseOptions, type OptionValue, type ParamGroup, type ParamGroupSpec, type Params, type ParamState,
  type ScheduleValues, type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions, type SGDState } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamState } from './adam.js';
export { RMSprop, type RMSpropOptions, type RMSpropState } from './rmsprop.js';
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from '../nn/clip.js';
export { optimizerStateToJSON, optimizerStateFromJSON } from './serialize.js';
export * as lrScheduler from './schedulers/index.js';
export * from './schedulers/index.js';
