/** Learning-rate schedulers (torch.optim.lr_scheduler). */
export { LRScheduler, type AnyOptimizer, type JsonValue, type SchedulerStateDict } from './base.js';
export {
  StepLR, MultiStepLR, ExponentialLR, LinearLR, CosineAnnealingLR,
  type StepLROptions, type MultiStepLROptions, type ExponentialLROptions, type LinearLROptions, type CosineAnnealingLROptions,
} from './basic.js';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
