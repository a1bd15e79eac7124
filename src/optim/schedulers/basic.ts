/** Epoch-indexed schedules: StepLR, MultiStepLR, ExponentialLR, LinearLR, CosineAnnealingLR. */
import { type AnyOptimizer, ensure, LRScheduler } from './base.js';

const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;

export interface StepLROptions {
  /** Epochs between decays. */
  stepSize: number;
  /** Multiplicative decay. Default 0.1. */
  gamma?: number;
  lastEpoch?: number;
}

/**
 * Multiplies each group's lr by gamma every stepSize epochs.
 *
 * @example
 * ```ts
 * const sched = new optim.StepLR(opt, { stepSize: 30, gamma: 0.1 }); // 0.05 → 0.005 at epoch 30
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 * ```
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: AnyOptimizer, opts: StepLROptions) {
    super(optimizer, 'StepLR');
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    ensure(this.name, positiveInt(this.stepSize), 'stepSize must be a positive integer', this.stepSize);
    this.start(opts.lastEpoch);
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected override stateKeys(): string[] { return [...super.stateKeys(), 'stepSize', 'gamma']; }
}

export interface MultiStepLROptions {
  /** Epochs at which to decay; a repeated milestone decays by gamma once per occurrence. */
  milestones: number[];
  /** Multiplicative decay. Default 0.1. */
  gamma?: number;
  lastEpoch?: number;
}

/**
 * Multiplies each group's lr by gamma when the epoch reaches a milestone.
 *
 * @example
 * ```ts
 * const sched = new optim.MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 * ```
 */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;

  constructor(optimizer: AnyOptimizer, opts: MultiStepLROptions) {
    super(optimizer, 'MultiStepLR');
    this.milestones = [...opts.milestones].sort((a, b) => a - b);
    this.gamma = opts.gamma ?? 0.1;
    ensure(this.name, this.milestones.every(Number.isInteger), 'milestones must be integers', this.milestones);
    this.start(opts.lastEpoch);
  }

  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    const lrs = this.groupLrs();
    return count === 0 ? lrs : lrs.map((lr) => lr * this.gamma ** count);
  }

  protected override stateKeys(): string[] { return [...super.stateKeys(), 'milestones', 'gamma']; }
}

export interface ExponentialLROptions {
  /** Multiplicative decay per epoch. */
  gamma: number;
  lastEpoch?: number;
}

/**
 * Multiplies each group's lr by gamma every epoch.
 *
 * @example
 * ```ts
 * const sched = new optim.ExponentialLR(opt, { gamma: 0.95 });
 * ```
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: AnyOptimizer, opts: ExponentialLROptions) {
    super(optimizer, 'ExponentialLR');
    this.gamma = opts.gamma;
    ensure(this.name, Number.isFinite(this.gamma), 'gamma must be a finite number', this.gamma);
    this.start(opts.lastEpoch);
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }

  protected override stateKeys(): string[] { return [...super.stateKeys(), 'gamma']; }
}

export interface LinearLROptions {
  /** Factor applied to the lr at epoch 0, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor reached at totalIters, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Epochs over which the factor moves linearly. Default 5. */
  totalIters?: number;
  lastEpoch?: number;
}

/**
 * Scales each group's lr by a factor moving linearly from startFactor to endFactor over
 * totalIters epochs, then leaves it (linear warm-up).
 *
 * @example
 * ```ts
 * const warmup = new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 10 });
 * ```
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: AnyOptimizer, opts: LinearLROptions = {}) {
    super(optimizer, 'LinearLR');
    this.startFactor = opts.startFactor ?? 1 / 3;
    this.endFactor = opts.endFactor ?? 1;
    this.totalIters = opts.totalIters ?? 5;
    // A zero start factor would divide by zero in the recursive form (later PyTorch rejects it too).
    ensure(this.name, this.startFactor > 0 && this.startFactor <= 1, 'startFactor must be in (0, 1]', this.startFactor);
    ensure(this.name, this.endFactor >= 0 && this.endFactor <= 1, 'endFactor must be in [0, 1]', this.endFactor);
    ensure(this.name, positiveInt(this.totalIters), 'totalIters must be a positive integer', this.totalIters);
    this.start(opts.lastEpoch);
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return lrs;
    const d = this.endFactor - this.startFactor;
    return lrs.map((lr) => lr * (1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }

  protected override stateKeys(): string[] { return [...super.stateKeys(), 'startFactor', 'endFactor', 'totalIters']; }
}

export interface CosineAnnealingLROptions {
  /** Half-period of the cosine, in epochs. */
  tMax: number;
  /** Minimum lr. Default 0. */
  etaMin?: number;
  lastEpoch?: number;
}

/**
 * Cosine annealing from each group's initial lr to etaMin over tMax epochs (and back up over
 * the next tMax, as PyTorch). The values follow PyTorch's recursive form, which differs from
 * the closed form η_min + (η₀ − η_min)(1 + cos(π·t/tMax))/2 in the last bits and also follows
 * lrs changed by hand between steps.
 *
 * @example
 * ```ts
 * const sched = new optim.CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: AnyOptimizer, opts: CosineAnnealingLROptions) {
    super(optimizer, 'CosineAnnealingLR');
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
    ensure(this.name, this.tMax > 0, 'tMax must be positive', this.tMax);
    this.start(opts.lastEpoch);
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return this.groupLrs();
    // First step of a scheduler resumed with lastEpoch > 0: there is no previous lr to recur from.
    if (this.stepCount === 1 && e > 0) return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    // Just past a minimum the ratio below would be 0/0; PyTorch adds the first rise instead.
    if ((e - 1 - T) % (2 * T) === 0) return groups.map((g, i) => g.options.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    return groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.options.lr - etaMin) + etaMin);
  }

  protected override stateKeys(): string[] { return [...super.stateKeys(), 'tMax', 'etaMin']; }
}
